//! The real browser: finding Chromium and ChromeDriver, starting them so
//! that no process outlives the run, and driving one page per scenario.
//!
//! - `process`: spawning and reaping Chromium and ChromeDriver.
//! - `session`: one WebDriver session on one Chromium, reset between
//!   scenarios, with the CDP commands the harness needs.
//! - `watch`: opening a generated host page and observing it.
//! - `pool`: sessions lent to scenarios, replaced when lost.
//! - `observe`: the engine-neutral store of what the browser reported
//!   (console, log and requests of every frame), filled by `devtools`
//!   (Chromium), `bidi` (WebDriver BiDi, Firefox) or the proxy's tap
//!   (requests only, WebKit).
//! - `engine`: Chromium, Firefox and WebKit: binaries, install, trust.
//! - `proxy`: the names proxy that maps `*.test` to loopback for every
//!   engine; `proxy::tap` ends a WebKit session's TLS to record its requests.

pub mod bidi;
pub mod devtools;
pub mod engine;
pub mod observe;
pub mod pool;
pub mod process;
pub mod proxy;
pub mod session;
pub mod watch;

use std::path::PathBuf;

use std::future::Future;

use fantoccini::error::{CmdError, ErrorStatus};
use thiserror::Error;

use crate::run::limits;

/// The websocket an observer listens on.
pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connect an observer's websocket (DevTools or BiDi) within its limit.
pub(crate) async fn observe_connect(url: &str, what: &'static str) -> Result<Ws, BrowserError> {
    let (ws, _) = tokio::time::timeout(
        limits::DEVTOOLS_CONNECT,
        tokio_tungstenite::connect_async(url),
    )
    .await
    .map_err(|_| BrowserError::Unexpected {
        what,
        detail: "time-out".into(),
    })?
    .map_err(|e| BrowserError::Unexpected {
        what,
        detail: e.to_string(),
    })?;
    Ok(ws)
}
use crate::run::stop::Fault;

/// Errors while starting or driving the browser.
#[derive(Debug, Error)]
pub enum BrowserError {
    #[error(
        "no Chromium found (looked for $PORTALCHECK_CHROMIUM, /usr/lib/chromium/chromium, /usr/bin/chromium, chromium-browser, google-chrome): install it with `apt-get install -y chromium chromium-driver`"
    )]
    NoChromium,
    #[error(
        "no ChromeDriver found (looked for $PORTALCHECK_CHROMEDRIVER, /usr/bin/chromedriver): install it with `apt-get install -y chromium-driver`"
    )]
    NoDriver,
    #[error("could not start {what}")]
    Spawn {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} did not become ready within {seconds} s{detail}")]
    NotReady {
        what: &'static str,
        seconds: u64,
        detail: String,
    },
    #[error("could not open a WebDriver session at {url}")]
    Session {
        url: String,
        #[source]
        source: fantoccini::error::NewSessionError,
    },
    #[error("webdriver command `{what}` failed")]
    Command {
        what: &'static str,
        #[source]
        source: fantoccini::error::CmdError,
    },
    #[error("the browser answered something unexpected to `{what}`: {detail}")]
    Unexpected { what: &'static str, detail: String },
    #[error("could not prepare a browser profile folder")]
    Profile(#[source] std::io::Error),
    #[error(
        "webdriver command `{what}` did not finish within {seconds} s (the page's renderer hangs?)"
    )]
    Hung { what: &'static str, seconds: u64 },
    #[error("a script navigated the top window away from the host page {from}, to {to}")]
    NavigatedAway { from: String, to: String },
}

impl BrowserError {
    /// What this failure shows about the page the target drives, if it
    /// is the page's doing rather than the browser's.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            BrowserError::Hung { what, .. } => Some(Fault::PageHung { command: what }),
            BrowserError::NavigatedAway { to, .. } => Some(Fault::TopNavigated {
                to: url::Url::parse(to)
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_else(|_| to.clone()),
            }),
            BrowserError::Command {
                source: CmdError::Standard(e),
                ..
            } if e.error == ErrorStatus::UnexpectedAlertOpen => Some(Fault::Dialogs),
            // The driver's own deadlines (`timeouts.pageLoad`,
            // `timeouts.script`): the page never finished loading, or
            // never ran the harness's script.
            BrowserError::Command {
                what,
                source: CmdError::Standard(e),
            } if matches!(e.error, ErrorStatus::Timeout | ErrorStatus::ScriptTimeout) => {
                Some(Fault::PageHung { command: what })
            }
            _ => None,
        }
    }
}

/// WebDriver commands this process has sent (through [`Within`]), for
/// `portalcheck bench`: each costs the browser and its driver CPU
/// (measured: about 3 ms for a script, 19 ms to read a frame's text).
static WEBDRIVER_COMMANDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many WebDriver commands this process has sent so far.
pub fn webdriver_commands() -> u64 {
    WEBDRIVER_COMMANDS.load(std::sync::atomic::Ordering::Relaxed)
}

/// A WebDriver command with the harness's own deadline
/// ([`limits::WEBDRIVER_COMMAND`]): ChromeDriver's time-outs do not hold
/// when the page's renderer hangs.
pub(crate) trait Within<T>: Future<Output = Result<T, CmdError>> + Sized {
    fn within(self, what: &'static str) -> impl Future<Output = Result<T, BrowserError>> {
        async move {
            WEBDRIVER_COMMANDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match tokio::time::timeout(limits::WEBDRIVER_COMMAND, self).await {
                Ok(result) => result.map_err(|source| BrowserError::Command { what, source }),
                Err(_) => Err(BrowserError::Hung {
                    what,
                    seconds: limits::WEBDRIVER_COMMAND.as_secs(),
                }),
            }
        }
    }
}

impl<T, F: Future<Output = Result<T, CmdError>>> Within<T> for F {}

/// Where the browser binaries are.
#[derive(Debug, Clone)]
pub struct BrowserBinaries {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl BrowserBinaries {
    /// Finds Debian's Chromium and ChromeDriver, or the ones named by
    /// `PORTALCHECK_CHROMIUM` / `PORTALCHECK_CHROMEDRIVER`.
    pub fn locate() -> Result<BrowserBinaries, BrowserError> {
        let chromium = find_binary(
            "PORTALCHECK_CHROMIUM",
            &[
                "/usr/lib/chromium/chromium",
                "/usr/bin/chromium",
                "chromium-browser",
                "google-chrome",
            ],
        )
        .ok_or(BrowserError::NoChromium)?;
        let chromedriver = find_binary(
            "PORTALCHECK_CHROMEDRIVER",
            &["/usr/bin/chromedriver", "chromedriver"],
        )
        .ok_or(BrowserError::NoDriver)?;
        Ok(BrowserBinaries {
            chromium,
            chromedriver,
        })
    }
}

pub(crate) fn find_binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    for candidate in candidates {
        let path = PathBuf::from(candidate);
        if path.is_absolute() {
            if path.is_file() {
                return Some(path);
            }
        } else if let Some(dirs) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&dirs) {
                let full = dir.join(candidate);
                if full.is_file() {
                    return Some(full);
                }
            }
        }
    }
    None
}
