//! One WebDriver session attached to one Chromium: created once per run
//! and reused, with the browser state cleared between scenarios instead of
//! a new browser (see `shared/browser-notes.md` for the measured costs).

use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use super::engine::{Engine, TrustMode, MINIBROWSER};
use super::observe::Observer;
use scenarios::probe::ThirdPartyCookies;

use super::process::{ChromiumProcess, DriverProcess, LaunchOptions};
use super::{BrowserBinaries, BrowserError, Within};
use crate::run::limits;

/// `POST /session/{id}/goog/cdp/execute`: one Chrome DevTools Protocol
/// command through ChromeDriver.
#[derive(Debug)]
struct CdpExecute {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for CdpExecute {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

/// How long a reset waits for the browser to name the storage keys of the
/// last page's documents (answers take milliseconds).
const STORAGE_KEYS_ANSWERED: Duration = Duration::from_secs(2);
/// The most storage keys a reset clears in place (one command each): a page
/// whose documents used more (a hostile portal framing many subdomains)
/// leaves a browser that is replaced rather than cleared.
const MAX_STORAGE_KEYS: usize = 256;

/// A browser the harness drives: its processes and its WebDriver client.
pub struct BrowserSession {
    pub engine: Engine,
    /// How this browser trusts the run's certificates.
    pub trust: TrustMode,
    pub client: Client,
    pub version: String,
    pub driver_version: String,
    /// Console, log and network records from every frame, the portal
    /// iframe included, by DevTools (Chromium) or WebDriver BiDi (Firefox);
    /// requests only by the names proxy's tap (a local WebKit); `None`
    /// where none can be reached (a remote Chromium or WebKit).
    pub observer: Option<Observer>,
    /// `None` when the session is on a WebDriver endpoint the harness did not start.
    process: Option<ChromiumProcess>,
    /// Firefox's or WebKit's driver, which started the browser.
    driver: Option<DriverProcess>,
    /// How the harness launched this browser, to launch a differently
    /// configured one (see [`BrowserSession::blocking_third_party_cookies`]);
    /// `None` when the browser is not the harness's to relaunch.
    launched: Option<Launched>,
    /// A reset found more state than it clears in place: the session must
    /// not serve another page.
    spent: std::sync::atomic::AtomicBool,
}

/// How the harness launched a browser.
enum Launched {
    /// Chromium and ChromeDriver, from these binaries.
    Chromium(BrowserBinaries, LaunchOptions),
    /// Firefox or WebKit, through the driver the harness started.
    Engine(LaunchOptions),
}

impl BrowserSession {
    /// Start Chromium and ChromeDriver and open a session on them.
    pub async fn start(
        bins: &BrowserBinaries,
        options: &LaunchOptions,
    ) -> Result<BrowserSession, BrowserError> {
        let process = ChromiumProcess::start(bins, options).await?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"debuggerAddress": format!("127.0.0.1:{}", process.devtools_port)}),
        );
        caps.insert(
            "timeouts".into(),
            json!({
                "pageLoad": limits::PAGE_LOAD.as_millis() as u64,
                "script": limits::SCRIPT.as_millis() as u64,
                "implicit": 0,
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = open_session(ClientBuilder::new(connector), caps, &process.driver_url).await?;
        let version = http_get_json(
            &format!("127.0.0.1:{}", process.devtools_port),
            "/json/version",
        )
        .await
        .and_then(|v| v["Browser"].as_str().map(str::to_string))
        .unwrap_or_else(|| "Chromium (version unknown)".into());
        let driver_addr = process.driver_url.trim_start_matches("http://").to_string();
        let driver_version = http_get_json(&driver_addr, "/status")
            .await
            .and_then(|v| {
                v["value"]["build"]["version"]
                    .as_str()
                    .map(|s| format!("ChromeDriver {s}"))
            })
            .unwrap_or_else(|| "ChromeDriver (version unknown)".into());
        let observer = Some(super::devtools::attach(process.devtools_port).await?);
        Ok(BrowserSession {
            engine: Engine::Chromium,
            trust: TrustMode::SpkiPin,
            driver: None,
            client,
            version,
            driver_version,
            observer,
            process: Some(process),
            launched: Some(Launched::Chromium(bins.clone(), options.clone())),
            spent: Default::default(),
        })
    }

    /// A browser like this one that blocks third-party cookies, for one
    /// page: a Chromium or Firefox of its own the harness starts (the
    /// setting is the profile's, and changing it in place would leak into
    /// the next scenarios). `None`: this session is used as it is, because
    /// its engine keeps its own default (WebKit blocks) or the browser is
    /// not the harness's to relaunch; the page's cookie probe then says
    /// what the browser really did.
    pub async fn blocking_third_party_cookies(
        &self,
    ) -> Result<Option<BrowserSession>, BrowserError> {
        let blocking = |options: &LaunchOptions| LaunchOptions {
            third_party_cookies: ThirdPartyCookies::Blocked,
            ..options.clone()
        };
        match (&self.launched, self.engine) {
            (Some(Launched::Chromium(bins, options)), _) => {
                BrowserSession::start(bins, &blocking(options))
                    .await
                    .map(Some)
            }
            (Some(Launched::Engine(options)), Engine::Firefox) => {
                BrowserSession::start_engine(Engine::Firefox, &blocking(options), None)
                    .await
                    .map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Open a session on an existing WebDriver endpoint (e.g. a Selenium
    /// Grid), asking it to launch Chromium with the run's flags. The
    /// browser must run on this machine: the mocked hosts are on loopback.
    pub async fn connect_remote(
        url: &str,
        options: &LaunchOptions,
    ) -> Result<BrowserSession, BrowserError> {
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-quic".to_string(),
            format!("--window-size={},{}", options.window.0, options.window.1),
        ];
        // A browser on another machine reaches the mocked hosts through the
        // names proxy; one on this machine may map the names itself.
        match &options.proxy {
            Some(proxy) => args.push(format!("--proxy-server=http://{proxy}")),
            None => args.push(format!("--host-resolver-rules={}", options.resolver_rules)),
        }
        if !options.spki_pins.is_empty() {
            args.push(format!(
                "--ignore-certificate-errors-spki-list={}",
                options.spki_pins.join(",")
            ));
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), json!({ "args": args }));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = open_session(ClientBuilder::new(connector), caps, url).await?;
        let version = client
            .capabilities()
            .and_then(|c| c.get("browserVersion"))
            .and_then(|v| v.as_str())
            .map(|v| format!("Chrome {v}"))
            .unwrap_or_else(|| "remote browser".into());
        Ok(BrowserSession {
            engine: Engine::Chromium,
            trust: TrustMode::SpkiPin,
            driver: None,
            client,
            version,
            driver_version: format!("WebDriver at {url}"),
            observer: None,
            process: None,
            launched: None,
            spent: Default::default(),
        })
    }

    /// Start Firefox or WebKit through its own driver (started here, or
    /// the endpoint `remote` started apart from the harness), reaching the
    /// mocked hosts through the names proxy `options.proxy`.
    pub async fn start_engine(
        engine: Engine,
        options: &LaunchOptions,
        remote: Option<&str>,
    ) -> Result<BrowserSession, BrowserError> {
        let proxy = options.proxy.clone().ok_or(BrowserError::Unexpected {
            what: "start browser",
            detail: format!("{engine} needs the names proxy and none was started"),
        })?;
        // WebKit's driver reports no requests: a local WebKit goes through
        // a proxy of its own whose tap records them.
        let mut tap = None;
        let proxy = match (engine, remote) {
            (Engine::Webkit, None) => {
                let (endpoint, observer) =
                    super::proxy::NamesProxy::start_tapped()
                        .await
                        .map_err(|e| BrowserError::Unexpected {
                            what: "start browser",
                            detail: match std::error::Error::source(&e) {
                                Some(cause) => format!("{e}: {cause}"),
                                None => e.to_string(),
                            },
                        })?;
                tap = Some(observer);
                endpoint
            }
            _ => proxy,
        };
        let (driver, url) = match remote {
            Some(url) => (None, url.to_string()),
            None => {
                let (_, driver_bin) = engine.locate().map_err(|e| BrowserError::Unexpected {
                    what: "start browser",
                    detail: e.to_string(),
                })?;
                let process = DriverProcess::start(engine, &driver_bin, Some(&proxy)).await?;
                let url = process.driver_url.clone();
                (Some(process), url)
            }
        };
        let proxy_caps = json!({
            "proxyType": "manual",
            "httpProxy": proxy,
            "sslProxy": proxy,
        });
        let mut caps = serde_json::Map::new();
        if engine == Engine::Firefox {
            // WebKit takes the proxy from its environment (see DriverProcess).
            caps.insert("proxy".into(), proxy_caps);
        }
        caps.insert(
            "timeouts".into(),
            json!({
                "pageLoad": limits::PAGE_LOAD.as_millis() as u64,
                "script": limits::SCRIPT.as_millis() as u64,
                "implicit": 0,
            }),
        );
        let mut trust = TrustMode::AcceptInsecure;
        match engine {
            Engine::Firefox => {
                let mut args = vec!["-headless".to_string()];
                if let Some(process) = &driver {
                    if let Some(dir) =
                        firefox_profile_with_ca(process.profile.path(), &options.ca_pems)
                    {
                        args.push("-profile".into());
                        args.push(dir);
                        trust = TrustMode::ProfileCa;
                    }
                }
                let browser_bin = engine.locate().ok().map(|(b, _)| b);
                let mut firefox = serde_json::Map::new();
                firefox.insert("args".into(), json!(args));
                firefox.insert("prefs".into(), firefox_prefs(options.third_party_cookies));
                if let (Some(bin), true) = (browser_bin, remote.is_none()) {
                    firefox.insert("binary".into(), json!(bin));
                }
                caps.insert("browserName".into(), json!("firefox"));
                // WebDriver BiDi: log entries and requests of every frame.
                caps.insert("webSocketUrl".into(), json!(true));
                caps.insert("moz:firefoxOptions".into(), Value::Object(firefox));
                caps.insert(
                    "acceptInsecureCerts".into(),
                    json!(trust == TrustMode::AcceptInsecure),
                );
            }
            Engine::Webkit => {
                caps.insert("acceptInsecureCerts".into(), json!(true));
                caps.insert(
                    "webkitgtk:browserOptions".into(),
                    json!({"binary": MINIBROWSER, "args": ["--automation"]}),
                );
            }
            Engine::Chromium => unreachable!("Chromium is started by BrowserSession::start"),
        }
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = open_session_within(
            ClientBuilder::new(connector),
            caps,
            &url,
            limits::WEBDRIVER_LAUNCH,
        )
        .await?;
        let cap = |k: &str| {
            client
                .capabilities()
                .and_then(|c| c.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let version = format!(
            "{} {}",
            cap("browserName").unwrap_or_else(|| engine.name().into()),
            cap("browserVersion").unwrap_or_else(|| "(version unknown)".into())
        );
        let driver_version = match (engine, remote) {
            (_, Some(url)) => format!("WebDriver at {url}"),
            (Engine::Firefox, None) => client
                .capabilities()
                .and_then(|c| c.get("moz:geckodriverVersion"))
                .and_then(|v| v.as_str())
                .map(|v| format!("geckodriver {v}"))
                .unwrap_or_else(|| "geckodriver".into()),
            _ => "WebKitWebDriver".into(),
        };
        let _ = client
            .set_window_size(options.window.0, options.window.1)
            .within("set window size")
            .await;
        // Observed where the engine offers BiDi; a listener that cannot
        // subscribe leaves the session unobserved (its scenarios that need
        // it are then incomplete, never passed).
        let observer = match cap("webSocketUrl") {
            Some(ws) => super::bidi::attach(&ws).await.ok(),
            None => tap,
        };
        Ok(BrowserSession {
            engine,
            trust,
            client,
            version,
            driver_version,
            observer,
            process: None,
            launched: remote.is_none().then(|| Launched::Engine(options.clone())),
            spent: Default::default(),
            driver,
        })
    }

    /// Whether the session may serve another scenario after [`reset`]:
    /// only Chromium clears every origin's state in place (CDP), and only
    /// while its pages used at most [`MAX_STORAGE_KEYS`] storage keys; the
    /// other engines get a fresh browser and profile per scenario.
    pub fn reusable(&self) -> bool {
        self.engine == Engine::Chromium
            && !self.spent.load(std::sync::atomic::Ordering::Relaxed)
            && self
                .observer
                .as_ref()
                .is_none_or(|o| o.storage_keys_held() <= MAX_STORAGE_KEYS)
    }

    /// Run one CDP command.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, BrowserError> {
        self.client
            .issue_cmd(CdpExecute {
                cmd: cmd.to_string(),
                params,
            })
            .within("goog/cdp/execute")
            .await
    }

    /// Fresh state for the next page: a blank page, no cookies, no cache,
    /// and no storage of any document the observer saw committed since the
    /// last reset, by its storage key: a framed document's partitioned
    /// storage, which clearing by origin leaves, goes too. Without an
    /// observer, or when it could not learn every document's key in time,
    /// `origins` are cleared as well.
    pub async fn reset(&self, origins: &[String]) -> Result<(), BrowserError> {
        self.client
            .goto("about:blank")
            .within("goto about:blank")
            .await?;
        if self.engine != Engine::Chromium {
            // A fresh browser per scenario (see `reusable`): nothing to clear.
            return Ok(());
        }
        self.cdp("Network.clearBrowserCookies", json!({})).await?;
        self.cdp("Network.clearBrowserCache", json!({})).await?;
        let seen = match &self.observer {
            Some(observer) => Some(observer.take_storage_keys(STORAGE_KEYS_ANSWERED).await),
            None => None,
        };
        if let Some(many) = seen.as_ref().filter(|s| s.keys.len() > MAX_STORAGE_KEYS) {
            self.spent.store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(BrowserError::Unexpected {
                what: "reset the browser",
                detail: format!(
                    "the last page's documents used {} storage keys, more than the {MAX_STORAGE_KEYS} a reset clears in place",
                    many.keys.len()
                ),
            });
        }
        for key in seen.iter().flat_map(|s| &s.keys) {
            self.cdp(
                "Storage.clearDataForStorageKey",
                json!({"storageKey": key, "storageTypes": "all"}),
            )
            .await?;
        }
        if !seen.is_some_and(|s| s.complete) {
            for origin in origins {
                self.cdp(
                    "Storage.clearDataForOrigin",
                    json!({"origin": origin, "storageTypes": "all"}),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Whether Chromium or ChromeDriver died.
    pub fn died(&mut self) -> Option<String> {
        self.process
            .as_mut()
            .and_then(ChromiumProcess::died)
            .or_else(|| self.driver.as_mut().and_then(DriverProcess::died))
    }

    /// End the session (best effort) and the processes.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(3), self.client.close()).await;
        drop(self.process);
        drop(self.driver);
    }
}

/// Preferences that keep Firefox quiet on a network with nothing outside.
/// Firefox's preferences for a harness profile; with `Blocked`, it
/// rejects every third-party cookie (`network.cookie.cookieBehavior` 1)
/// instead of its default, partitioning them.
fn firefox_prefs(third_party_cookies: ThirdPartyCookies) -> Value {
    let mut prefs = json!({
        "app.update.enabled": false,
        "browser.shell.checkDefaultBrowser": false,
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.safebrowsing.malware.enabled": false,
        "browser.safebrowsing.phishing.enabled": false,
        "browser.safebrowsing.downloads.enabled": false,
        "datareporting.policy.dataSubmissionEnabled": false,
        "network.captive-portal-service.enabled": false,
        "network.connectivity-service.enabled": false,
        "network.proxy.no_proxies_on": "",
        "network.http.http3.enable": false,
        "toolkit.telemetry.enabled": false,
        "extensions.update.enabled": false,
        "services.settings.server": "http://127.0.0.1:9/"
    });
    if third_party_cookies == ThirdPartyCookies::Blocked {
        prefs["network.cookie.cookieBehavior"] = json!(1);
    }
    prefs
}

/// A Firefox profile under `root` whose NSS store trusts exactly the run's
/// CA (`certutil` from Debian's libnss3-tools); `None` when certutil is
/// missing or fails, and the caller falls back to `acceptInsecureCerts`.
fn firefox_profile_with_ca(root: &std::path::Path, ca_pems: &[String]) -> Option<String> {
    if ca_pems.is_empty() {
        return None;
    }
    let certutil = super::find_binary("PORTALCHECK_CERTUTIL", &["/usr/bin/certutil", "certutil"])?;
    let dir = root.join("firefox-profile");
    std::fs::create_dir_all(&dir).ok()?;
    let db = format!("sql:{}", dir.display());
    let ok = std::process::Command::new(&certutil)
        .args(["-N", "-d", &db, "--empty-password"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?
        .success();
    if !ok {
        return None;
    }
    for (i, pem) in ca_pems.iter().enumerate() {
        let file = dir.join(format!("ca-{i}.pem"));
        std::fs::write(&file, pem).ok()?;
        let ok = std::process::Command::new(&certutil)
            .args([
                "-A",
                "-n",
                &format!("portalcheck-run-ca-{i}"),
                "-t",
                "CP,,",
                "-i",
            ])
            .arg(&file)
            .args(["-d", &db])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
    }
    Some(dir.display().to_string())
}

/// A new WebDriver session within [`limits::WEBDRIVER_SESSION`].
async fn open_session(
    builder: ClientBuilder<hyper_util::client::legacy::connect::HttpConnector>,
    caps: serde_json::Map<String, Value>,
    url: &str,
) -> Result<Client, BrowserError> {
    open_session_within(builder, caps, url, limits::WEBDRIVER_SESSION).await
}

async fn open_session_within(
    mut builder: ClientBuilder<hyper_util::client::legacy::connect::HttpConnector>,
    caps: serde_json::Map<String, Value>,
    url: &str,
    deadline: Duration,
) -> Result<Client, BrowserError> {
    builder.capabilities(caps);
    match tokio::time::timeout(deadline, builder.connect(url)).await {
        Ok(result) => result.map_err(|source| BrowserError::Session {
            url: url.to_string(),
            source,
        }),
        Err(_) => Err(BrowserError::NotReady {
            what: "a WebDriver session",
            seconds: deadline.as_secs(),
            detail: format!(" at {url}"),
        }),
    }
}

/// A tiny HTTP/1.1 GET for the local DevTools and driver status
/// endpoints (DevTools keeps the connection open: read by Content-Length).
pub(crate) async fn http_get_json(addr: &str, path: &str) -> Option<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fetch = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).await.ok()?;
            response.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&response);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head.lines().find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                });
                if length.is_some_and(|len| body.len() >= len) || (n == 0) {
                    return serde_json::from_str(body).ok();
                }
            }
            if n == 0 {
                return None;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(3), fetch)
        .await
        .ok()
        .flatten()
}
