//! One WebDriver session attached to one Chromium: created once per run
//! and reused, with the browser state cleared between scenarios instead of
//! a new browser (see `shared/browser-notes.md` for the measured costs).

use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use super::devtools::Devtools;
use super::process::{ChromiumProcess, LaunchOptions};
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

/// A browser the harness drives: its processes and its WebDriver client.
pub struct BrowserSession {
    pub client: Client,
    pub version: String,
    pub driver_version: String,
    /// Console, log and network records from every target, the portal
    /// iframe included (`None` on a remote WebDriver endpoint).
    pub devtools: Option<Devtools>,
    /// `None` when the session is on a WebDriver endpoint the harness did not start.
    process: Option<ChromiumProcess>,
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
        let devtools = Some(Devtools::attach(process.devtools_port).await?);
        Ok(BrowserSession {
            client,
            version,
            driver_version,
            devtools,
            process: Some(process),
        })
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
            format!("--host-resolver-rules={}", options.resolver_rules),
            format!("--window-size={},{}", options.window.0, options.window.1),
        ];
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
            client,
            version,
            driver_version: format!("WebDriver at {url}"),
            devtools: None,
            process: None,
        })
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

    /// Fresh state for the next scenario: a blank page, no cookies, no
    /// cache, no storage for any origin the run used.
    pub async fn reset(&self, origins: &[String]) -> Result<(), BrowserError> {
        self.client
            .goto("about:blank")
            .within("goto about:blank")
            .await?;
        self.cdp("Network.clearBrowserCookies", json!({})).await?;
        self.cdp("Network.clearBrowserCache", json!({})).await?;
        for origin in origins {
            self.cdp(
                "Storage.clearDataForOrigin",
                json!({"origin": origin, "storageTypes": "all"}),
            )
            .await?;
        }
        Ok(())
    }

    /// Whether Chromium or ChromeDriver died.
    pub fn died(&mut self) -> Option<String> {
        self.process.as_mut().and_then(ChromiumProcess::died)
    }

    /// End the session (best effort) and the processes.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(3), self.client.close()).await;
        drop(self.process);
    }
}

/// A new WebDriver session within [`limits::WEBDRIVER_SESSION`].
async fn open_session(
    mut builder: ClientBuilder<hyper_util::client::legacy::connect::HttpConnector>,
    caps: serde_json::Map<String, Value>,
    url: &str,
) -> Result<Client, BrowserError> {
    builder.capabilities(caps);
    match tokio::time::timeout(limits::WEBDRIVER_SESSION, builder.connect(url)).await {
        Ok(result) => result.map_err(|source| BrowserError::Session {
            url: url.to_string(),
            source,
        }),
        Err(_) => Err(BrowserError::NotReady {
            what: "a WebDriver session",
            seconds: limits::WEBDRIVER_SESSION.as_secs(),
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
