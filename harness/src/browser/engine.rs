//! The three browser engines a run can drive, where each one's binaries
//! are, how to install them, and how each trusts the run's certificates.

use std::fmt;
use std::path::PathBuf;

use super::find_binary;

/// A browser engine. Chromium is driven through ChromeDriver plus DevTools;
/// Firefox through geckodriver plus WebDriver BiDi; WebKit through WebKitWebDriver and
/// WebKitGTK's MiniBrowser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    Chromium,
    Firefox,
    Webkit,
}

/// WebKitGTK's automation browser (Debian's `libwebkit2gtk-4.1-0`).
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::Webkit];

    /// The engine's name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    /// The command that installs what this engine needs on Debian.
    pub fn install_command(self) -> &'static str {
        match self {
            Engine::Chromium => "apt-get install -y chromium chromium-driver",
            Engine::Firefox => {
                "apt-get install -y firefox-esr libnss3-tools && cargo install --locked geckodriver"
            }
            Engine::Webkit => "apt-get install -y webkit2gtk-driver xvfb",
        }
    }

    /// The engine's local binaries: `(browser, driver)`.
    pub fn locate(self) -> Result<(PathBuf, PathBuf), MissingEngine> {
        let missing = || MissingEngine { engine: self };
        match self {
            Engine::Chromium => {
                let bins = super::BrowserBinaries::locate().map_err(|_| missing())?;
                Ok((bins.chromium, bins.chromedriver))
            }
            Engine::Firefox => {
                let browser = find_binary(
                    "PORTALCHECK_FIREFOX",
                    &["/usr/bin/firefox-esr", "firefox-esr", "firefox"],
                )
                .ok_or_else(missing)?;
                let home_driver = std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cargo/bin/geckodriver"))
                    .filter(|p| p.is_file());
                let driver = match home_driver {
                    Some(p) if std::env::var_os("PORTALCHECK_GECKODRIVER").is_none() => Some(p),
                    _ => find_binary("PORTALCHECK_GECKODRIVER", &["geckodriver"]),
                }
                .ok_or_else(missing)?;
                Ok((browser, driver))
            }
            Engine::Webkit => {
                let browser =
                    find_binary("PORTALCHECK_MINIBROWSER", &[MINIBROWSER]).ok_or_else(missing)?;
                let driver = find_binary(
                    "PORTALCHECK_WEBKITWEBDRIVER",
                    &["/usr/bin/WebKitWebDriver", "WebKitWebDriver"],
                )
                .ok_or_else(missing)?;
                Ok((browser, driver))
            }
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An engine whose binaries are not on this machine.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{engine} is not installed: install it with `{}` (or run scripts/ensure-browser all)", engine.install_command())]
pub struct MissingEngine {
    pub engine: Engine,
}

/// How a browser trusts the run's TLS certificates; said in the report's
/// metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustMode {
    /// Exactly the run's keys (Chromium's SPKI pin list).
    SpkiPin,
    /// Exactly the run's CA, imported into a fresh profile (Firefox, NSS).
    ProfileCa,
    /// Every certificate (`acceptInsecureCerts`): the engine offers
    /// nothing narrower through its driver.
    AcceptInsecure,
}

impl TrustMode {
    pub fn describe(self) -> &'static str {
        match self {
            TrustMode::SpkiPin => "exactly the run's keys (SPKI pin list)",
            TrustMode::ProfileCa => "exactly the run's CA (imported into a fresh profile)",
            TrustMode::AcceptInsecure => {
                "any certificate (acceptInsecureCerts: the engine offers nothing narrower)"
            }
        }
    }
}
