//! Spawning Chromium and ChromeDriver so that none outlives the run: each
//! child gets its own process group, is killed (group and all) when its
//! guard drops, and is told by the kernel to die if the harness dies
//! (`PR_SET_PDEATHSIG`), so even `kill -9` of the harness leaves no browser.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use scenarios::probe::ThirdPartyCookies;

use super::{BrowserBinaries, BrowserError};

/// Process groups of every child still alive, for the Ctrl-C handler.
static LIVE_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
/// Profile folders still on disk.
static PROFILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Chromium's profile preferences for third-party cookies: allowed
/// (mode 0, as Chromium ships for regular windows) or blocked (mode 1, the
/// "Block third-party cookies" setting). Measured on Chromium 156: with
/// mode 1 a cross-site frame's `SameSite=None; Secure` cookie is neither
/// stored nor sent; with mode 0 it is; CDP's `Network.setCookieControls`
/// changed neither, hence a profile setting (and a browser of its own).
fn write_cookie_preferences(profile: &Path, cookies: ThirdPartyCookies) -> std::io::Result<()> {
    let blocked = cookies == ThirdPartyCookies::Blocked;
    let prefs = serde_json::json!({
        "profile": {
            "cookie_controls_mode": if blocked { 1 } else { 0 },
            "block_third_party_cookies": blocked,
        }
    });
    let dir = profile.join("Default");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("Preferences"), prefs.to_string())
}

/// Kill every child process group still alive and remove their profile
/// folders. For the Ctrl-C handler and the end of `main`; idempotent.
pub fn kill_all_children() {
    let groups = std::mem::take(&mut *LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner()));
    for pgid in groups {
        kill_group(pgid);
    }
    let profiles = std::mem::take(&mut *PROFILES.lock().unwrap_or_else(|e| e.into_inner()));
    for dir in profiles {
        remove_profile(&dir);
    }
}

/// Chromium may still be writing while it dies: retry briefly.
fn remove_profile(dir: &Path) {
    for _ in 0..20 {
        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group we created.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// A child process (and its process group) that dies with this guard.
pub struct ChildGuard {
    what: &'static str,
    child: Option<Child>,
    pgid: i32,
}

impl ChildGuard {
    fn spawn(what: &'static str, mut command: Command) -> Result<ChildGuard, BrowserError> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        // SAFETY: the closure only calls async-signal-safe functions.
        unsafe {
            command.pre_exec(|| {
                libc::setpgid(0, 0);
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command
            .spawn()
            .map_err(|source| BrowserError::Spawn { what, source })?;
        let pgid = child.id().map(|id| id as i32).unwrap_or(0);
        if pgid > 0 {
            LIVE_GROUPS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(pgid);
        }
        Ok(ChildGuard {
            what,
            child: Some(child),
            pgid,
        })
    }

    /// Whether the process has exited (and how), without waiting.
    pub fn exited(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(format!("{} exited: {status}", self.what)),
            Ok(None) => None,
            Err(e) => Some(format!("{} could not be polled: {e}", self.what)),
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.pgid > 0 {
            kill_group(self.pgid);
            LIVE_GROUPS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|g| *g != self.pgid);
        }
        if let Some(mut child) = self.child.take() {
            // kill_on_drop is set: tokio reaps the child in the background.
            let _ = child.start_kill();
        }
    }
}

/// The browser's launch options.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// base64 SHA-256 SPKI fingerprints Chromium trusts (the run's keys).
    pub spki_pins: Vec<String>,
    /// Host names mapped to 127.0.0.1 (`MAP *.test 127.0.0.1`).
    pub resolver_rules: String,
    pub window: (u32, u32),
    /// PEM of the run's CA(s), for engines that import a CA (Firefox).
    pub ca_pems: Vec<String>,
    /// `host:port` of the names proxy, for engines without resolver rules
    /// (set by the pool when it starts the proxy).
    pub proxy: Option<String>,
    /// Chromium's third-party cookie setting, written into its profile
    /// (`profile.cookie_controls_mode`): stated, never left to the build's
    /// default (unset, Debian's 156 blocked them in a session ChromeDriver launched).
    pub third_party_cookies: ThirdPartyCookies,
}

impl LaunchOptions {
    /// The one set of launch options: Chromium trusts exactly `spki_pins`,
    /// resolves every `*.test` name to loopback, and has a 1280×900 window.
    pub fn pinned(spki_pins: Vec<String>) -> LaunchOptions {
        LaunchOptions {
            spki_pins,
            resolver_rules: "MAP *.test 127.0.0.1".into(),
            window: (1280, 900),
            ca_pems: Vec::new(),
            proxy: None,
            third_party_cookies: ThirdPartyCookies::EngineDefault,
        }
    }
}

/// A running headless Chromium with its DevTools port, its profile folder
/// and its own ChromeDriver.
pub struct ChromiumProcess {
    pub devtools_port: u16,
    pub driver_url: String,
    _profile: tempfile::TempDir,
    browser: ChildGuard,
    driver: ChildGuard,
}

impl ChromiumProcess {
    /// Start Chromium (own profile, DevTools on a free port) and a
    /// ChromeDriver that will attach to it, waiting until both answer.
    pub async fn start(
        bins: &BrowserBinaries,
        options: &LaunchOptions,
    ) -> Result<ChromiumProcess, BrowserError> {
        let profile = tempfile::Builder::new()
            .prefix("portalcheck-chromium-")
            .tempdir()
            .map_err(BrowserError::Profile)?;
        PROFILES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(profile.path().to_path_buf());
        write_cookie_preferences(profile.path(), options.third_party_cookies)
            .map_err(BrowserError::Profile)?;
        let mut command = Command::new(&bins.chromium);
        command.args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-quic",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
        ]);
        command.arg(format!("--user-data-dir={}", profile.path().display()));
        // Chromium's own temporary folders (`org.chromium.Chromium.*`) go
        // inside the profile, which is removed on every exit path.
        command.env("TMPDIR", profile.path());
        command.arg(format!("--host-resolver-rules={}", options.resolver_rules));
        command.arg(format!(
            "--window-size={},{}",
            options.window.0, options.window.1
        ));
        if !options.spki_pins.is_empty() {
            command.arg(format!(
                "--ignore-certificate-errors-spki-list={}",
                options.spki_pins.join(",")
            ));
        }
        command.arg("about:blank");
        let mut browser = ChildGuard::spawn("chromium", command)?;
        let devtools_port = wait_for_devtools_port(profile.path(), &mut browser).await?;

        let driver_port = free_port().map_err(|source| BrowserError::Spawn {
            what: "chromedriver",
            source,
        })?;
        let mut command = Command::new(&bins.chromedriver);
        command
            .arg(format!("--port={driver_port}"))
            .arg("--allowed-ips=127.0.0.1");
        let mut driver = ChildGuard::spawn("chromedriver", command)?;
        wait_for_port(driver_port, &mut driver, "chromedriver").await?;
        Ok(ChromiumProcess {
            devtools_port,
            driver_url: format!("http://127.0.0.1:{driver_port}"),
            _profile: profile,
            browser,
            driver,
        })
    }

    /// Whether either process died.
    pub fn died(&mut self) -> Option<String> {
        self.browser.exited().or_else(|| self.driver.exited())
    }
}

impl Drop for ChromiumProcess {
    fn drop(&mut self) {
        // The guards' own drops run after this: kill first, then remove.
        kill_group(self.browser.pgid);
        kill_group(self.driver.pgid);
        let path = self._profile.path().to_path_buf();
        PROFILES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| *p != path);
        remove_profile(&path);
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

const START_DEADLINE: Duration = Duration::from_secs(20);

async fn wait_for_devtools_port(
    profile: &Path,
    browser: &mut ChildGuard,
) -> Result<u16, BrowserError> {
    let file: PathBuf = profile.join("DevToolsActivePort");
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            if let Some(port) = text
                .lines()
                .next()
                .and_then(|l| l.trim().parse::<u16>().ok())
            {
                return Ok(port);
            }
        }
        if let Some(exit) = browser.exited() {
            return Err(BrowserError::NotReady {
                what: "chromium",
                seconds: 0,
                detail: format!(": {exit}"),
            });
        }
        if started.elapsed() > START_DEADLINE {
            return Err(BrowserError::NotReady {
                what: "chromium",
                seconds: START_DEADLINE.as_secs(),
                detail: String::new(),
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_for_port(
    port: u16,
    child: &mut ChildGuard,
    what: &'static str,
) -> Result<(), BrowserError> {
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if let Some(exit) = child.exited() {
            return Err(BrowserError::NotReady {
                what,
                seconds: 0,
                detail: format!(": {exit}"),
            });
        }
        if started.elapsed() > START_DEADLINE {
            return Err(BrowserError::NotReady {
                what,
                seconds: START_DEADLINE.as_secs(),
                detail: String::new(),
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A WebDriver server that launches its own browser (geckodriver, which
/// starts Firefox; WebKitWebDriver, which starts MiniBrowser), with the
/// profile folder the harness prepared and, for WebKit without a display,
/// a private Xvfb.
pub struct DriverProcess {
    pub driver_url: String,
    pub profile: tempfile::TempDir,
    /// `:N` of the private X server, if one was started.
    pub display: Option<String>,
    driver: ChildGuard,
    xvfb: Option<ChildGuard>,
}

impl DriverProcess {
    /// Start `driver` on a free loopback port (WebKit: under a private Xvfb
    /// when there is no `DISPLAY`), waiting until it answers.
    pub async fn start(
        engine: super::engine::Engine,
        driver: &Path,
        proxy: Option<&str>,
    ) -> Result<DriverProcess, BrowserError> {
        let profile = tempfile::Builder::new()
            .prefix(&format!("portalcheck-{}-", engine.name()))
            .tempdir()
            .map_err(BrowserError::Profile)?;
        PROFILES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(profile.path().to_path_buf());
        let mut xvfb = None;
        let mut display = None;
        if engine == super::engine::Engine::Webkit && std::env::var_os("DISPLAY").is_none() {
            let (guard, name) = start_xvfb().await?;
            xvfb = Some(guard);
            display = Some(name);
        }
        let port = free_port().map_err(|source| BrowserError::Spawn {
            what: "webdriver",
            source,
        })?;
        let mut command = Command::new(driver);
        command.env("TMPDIR", profile.path());
        if let Some(d) = &display {
            command.env("DISPLAY", d);
        }
        let what = match engine {
            super::engine::Engine::Firefox => {
                // Each Firefox its own BiDi port (the default, 9222, is one
                // for every driver on the machine).
                let bidi_port = free_port().map_err(|source| BrowserError::Spawn {
                    what: "webdriver",
                    source,
                })?;
                command
                    .arg(format!("--port={port}"))
                    .arg(format!("--websocket-port={bidi_port}"))
                    .arg("--host=127.0.0.1")
                    .arg(format!("--profile-root={}", profile.path().display()));
                "geckodriver"
            }
            _ => {
                command
                    .arg(format!("--port={port}"))
                    .arg("--host=127.0.0.1");
                // WebKitGTK speaks TLS to an `sslProxy` from the capability;
                // GLib's environment proxy settings use CONNECT. The
                // driver's own link to the browser stays direct.
                if let Some(proxy) = proxy {
                    let url = format!("http://{proxy}");
                    command
                        .env("http_proxy", &url)
                        .env("https_proxy", &url)
                        .env("no_proxy", "127.0.0.1,localhost,::1");
                }
                "WebKitWebDriver"
            }
        };
        let mut guard = ChildGuard::spawn(what, command)?;
        wait_for_port(port, &mut guard, what).await?;
        Ok(DriverProcess {
            driver_url: format!("http://127.0.0.1:{port}"),
            profile,
            display,
            driver: guard,
            xvfb,
        })
    }

    /// Whether the driver (or its X server) died.
    pub fn died(&mut self) -> Option<String> {
        self.driver
            .exited()
            .or_else(|| self.xvfb.as_mut().and_then(ChildGuard::exited))
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        kill_group(self.driver.pgid);
        if let Some(x) = &self.xvfb {
            kill_group(x.pgid);
        }
        let path = self.profile.path().to_path_buf();
        PROFILES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| *p != path);
        remove_profile(&path);
    }
}

/// A private Xvfb on the first free display from :90, ready when its
/// socket appears.
async fn start_xvfb() -> Result<(ChildGuard, String), BrowserError> {
    let xvfb = super::find_binary("PORTALCHECK_XVFB", &["/usr/bin/Xvfb", "Xvfb"]).ok_or(
        BrowserError::Unexpected {
            what: "start Xvfb",
            detail: "WebKit needs a display and there is none: install Debian's xvfb (`apt-get install -y xvfb`) or set DISPLAY".into(),
        },
    )?;
    for n in 90..140u32 {
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
        if !display_free(&socket, &lock) {
            continue;
        }
        let mut command = Command::new(&xvfb);
        command.args([
            format!(":{n}"),
            "-screen".into(),
            "0".into(),
            "1280x900x24".into(),
            "-nolisten".into(),
            "tcp".into(),
        ]);
        let mut guard = ChildGuard::spawn("Xvfb", command)?;
        let started = Instant::now();
        loop {
            if socket.exists() {
                return Ok((guard, format!(":{n}")));
            }
            if guard.exited().is_some() {
                break; // taken meanwhile: try the next display
            }
            if started.elapsed() > START_DEADLINE {
                return Err(BrowserError::NotReady {
                    what: "Xvfb",
                    seconds: START_DEADLINE.as_secs(),
                    detail: String::new(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Err(BrowserError::Unexpected {
        what: "start Xvfb",
        detail: "no free X display between :90 and :139".into(),
    })
}

/// Whether X display `n` (its socket and lock file) can be taken: nothing
/// there, or what is there was left by a server that is gone (an Xvfb
/// killed before it could clean up), which is then removed.
fn display_free(socket: &std::path::Path, lock: &std::path::Path) -> bool {
    if lock.exists() {
        let pid = std::fs::read_to_string(lock)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok());
        match pid {
            Some(pid) if !PathBuf::from(format!("/proc/{pid}")).exists() => {
                let _ = std::fs::remove_file(lock);
                let _ = std::fs::remove_file(socket);
            }
            _ => return false,
        }
    }
    !socket.exists()
}
