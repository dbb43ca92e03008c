//! A DevTools (CDP) listener on the browser's own websocket, beside
//! ChromeDriver: it attaches to every page and, through auto-attach, to the
//! cross-origin portal iframe (an out-of-process frame under site
//! isolation), and records console messages, log entries (CSP and other
//! security errors) and failed requests from all of them, without turning
//! site isolation off.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::BrowserError;

/// One thing the browser reported.
#[derive(Debug, Clone)]
pub struct DevtoolsRecord {
    /// Sequence number, for reading "everything since".
    pub seq: u64,
    /// URL of the document (target) that produced it.
    pub target_url: String,
    /// `console`, `log` or `network`.
    pub kind: &'static str,
    pub level: String,
    pub text: String,
    /// For `request` records: what the request carried.
    pub request: Option<RequestSeen>,
}

/// A request the browser is about to send (`Network.requestWillBeSent`).
#[derive(Debug, Clone)]
pub struct RequestSeen {
    pub method: String,
    pub url: String,
    pub referer: Option<String>,
    /// The credential of the `Authorization` header, without its scheme.
    pub bearer: Option<String>,
}

struct Shared {
    records: Vec<DevtoolsRecord>,
    next: u64,
    /// Requests sent and not yet finished or failed, by request ID (unique
    /// across the browser's sessions: a frame's navigation request may
    /// start in its parent's session and finish in its own).
    /// The value: the session that sent it and its URL.
    in_flight: HashMap<String, (String, String)>,
    /// When a request last started, finished or failed.
    last_network: Instant,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared {
            records: Vec::new(),
            next: 0,
            in_flight: HashMap::new(),
            last_network: Instant::now(),
        }
    }
}

/// The listener; stops when dropped.
pub struct Devtools {
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Devtools {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Devtools {
    /// Connect to the browser at `127.0.0.1:{port}` and start listening.
    pub async fn attach(port: u16) -> Result<Devtools, BrowserError> {
        let version = super::session::http_get_json(&format!("127.0.0.1:{port}"), "/json/version")
            .await
            .ok_or_else(|| BrowserError::Unexpected {
                what: "devtools /json/version",
                detail: "no answer".into(),
            })?;
        let ws_url =
            version["webSocketDebuggerUrl"]
                .as_str()
                .ok_or_else(|| BrowserError::Unexpected {
                    what: "devtools /json/version",
                    detail: "no webSocketDebuggerUrl".into(),
                })?;
        let (mut ws, _) = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(ws_url),
        )
        .await
        .map_err(|_| BrowserError::Unexpected {
            what: "devtools websocket",
            detail: "time-out".into(),
        })?
        .map_err(|e| BrowserError::Unexpected {
            what: "devtools websocket",
            detail: e.to_string(),
        })?;
        let hello = json!({"id": 1, "method": "Target.setAutoAttach",
            "params": {"autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true}});
        ws.send(Message::text(hello.to_string()))
            .await
            .map_err(|e| BrowserError::Unexpected {
                what: "devtools websocket",
                detail: e.to_string(),
            })?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let task = tokio::spawn(listen(ws, shared.clone()));
        Ok(Devtools { shared, task })
    }

    /// The next sequence number: records from now on have at least this.
    pub fn mark(&self) -> u64 {
        self.shared.lock().unwrap_or_else(|e| e.into_inner()).next
    }

    /// Records since `mark`.
    pub fn since(&self, mark: u64) -> Vec<DevtoolsRecord> {
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared
            .records
            .iter()
            .filter(|r| r.seq >= mark)
            .cloned()
            .collect()
    }

    /// How long the browser has had no request in flight in any document
    /// DevTools is attached to; `None` while one is.
    pub fn network_idle_for(&self) -> Option<Duration> {
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared
            .in_flight
            .is_empty()
            .then(|| shared.last_network.elapsed())
    }

    /// Stop counting the requests in flight now: called before a new page
    /// opens, so requests an earlier page left hanging (a mock host that
    /// never answers, a navigation that cancelled nothing) do not keep the
    /// new page from going quiet. Anything the new page sends is counted.
    pub fn forget_in_flight(&self) {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.in_flight.clear();
        shared.last_network = Instant::now();
    }

    /// The URLs of the requests in flight now (for evidence when a page
    /// never goes quiet).
    pub fn in_flight(&self) -> Vec<String> {
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        let mut urls: Vec<String> = shared.in_flight.values().map(|(_, u)| u.clone()).collect();
        urls.sort();
        urls
    }

    /// Forget records before `mark` (keeps memory flat over a long run).
    pub fn forget_before(&self, mark: u64) {
        self.shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .records
            .retain(|r| r.seq >= mark);
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn listen(ws: Ws, shared: Arc<Mutex<Shared>>) {
    let (mut tx, mut rx) = ws.split();
    let mut next_id = 100u64;
    // sessionId -> target URL; (sessionId, requestId) -> request URL
    let mut sessions: HashMap<String, String> = HashMap::new();
    let mut requests: HashMap<(String, String), String> = HashMap::new();
    while let Some(Ok(message)) = rx.next().await {
        let Ok(text) = message.into_text() else {
            continue;
        };
        let Ok(msg) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        let method = msg["method"].as_str().unwrap_or_default();
        let params = &msg["params"];
        let session = msg["sessionId"].as_str().unwrap_or_default().to_string();
        let network = |id: &str, started: Option<&str>| {
            let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
            match started {
                Some(url) => {
                    s.in_flight
                        .insert(id.to_string(), (session.clone(), url.to_string()));
                }
                None => {
                    s.in_flight.remove(id);
                }
            }
            s.last_network = Instant::now();
        };
        let record_with = |target_url: String,
                           kind: &'static str,
                           level: String,
                           text: String,
                           request: Option<RequestSeen>| {
            let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
            let seq = s.next;
            s.next += 1;
            s.records.push(DevtoolsRecord {
                seq,
                target_url,
                kind,
                level,
                text,
                request,
            });
        };
        let record = |target_url: String, kind: &'static str, level: String, text: String| {
            record_with(target_url, kind, level, text, None)
        };
        match method {
            "Target.attachedToTarget" => {
                let child = params["sessionId"].as_str().unwrap_or_default().to_string();
                let url = params["targetInfo"]["url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                sessions.insert(child.clone(), url);
                for (m, p) in [
                    ("Runtime.enable", json!({})),
                    ("Log.enable", json!({})),
                    ("Network.enable", json!({})),
                    (
                        "Target.setAutoAttach",
                        json!({"autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true}),
                    ),
                    ("Runtime.runIfWaitingForDebugger", json!({})),
                ] {
                    next_id += 1;
                    let cmd = json!({"id": next_id, "sessionId": child, "method": m, "params": p});
                    if tx.send(Message::text(cmd.to_string())).await.is_err() {
                        return;
                    }
                }
            }
            "Target.detachedFromTarget" => {
                if let Some(child) = params["sessionId"].as_str() {
                    sessions.remove(child);
                    // A document gone (a frame removed, a page navigated
                    // away) finishes none of its requests: forget them.
                    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                    s.in_flight.retain(|_, (from, _)| from != child);
                }
            }
            "Target.targetInfoChanged" => {
                // URL changes are picked up through frame navigations below.
            }
            "Page.frameNavigated" | "Runtime.executionContextCreated" => {
                if let Some(origin) = params["context"]["origin"].as_str() {
                    if !origin.is_empty() && origin != "://" {
                        sessions.insert(session.clone(), origin.to_string());
                    }
                }
            }
            "Runtime.consoleAPICalled" => {
                let text = params["args"]
                    .as_array()
                    .map(|args| {
                        args.iter()
                            .map(|a| {
                                a["value"]
                                    .as_str()
                                    .map(str::to_string)
                                    .or_else(|| a["description"].as_str().map(str::to_string))
                                    .unwrap_or_else(|| a["value"].to_string())
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                let level = match params["type"].as_str().unwrap_or("log") {
                    "warning" => "warning",
                    "error" | "assert" => "error",
                    "info" => "info",
                    _ => "log",
                };
                record(
                    sessions.get(&session).cloned().unwrap_or_default(),
                    "console",
                    level.to_string(),
                    text,
                );
            }
            "Runtime.exceptionThrown" => {
                let text = params["exceptionDetails"]["exception"]["description"]
                    .as_str()
                    .or_else(|| params["exceptionDetails"]["text"].as_str())
                    .unwrap_or("exception")
                    .to_string();
                record(
                    sessions.get(&session).cloned().unwrap_or_default(),
                    "console",
                    "error".into(),
                    text,
                );
            }
            "Log.entryAdded" => {
                let entry = &params["entry"];
                let text = format!(
                    "[{}] {}",
                    entry["source"].as_str().unwrap_or("other"),
                    entry["text"].as_str().unwrap_or_default()
                );
                let url = entry["url"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| sessions.get(&session).cloned().unwrap_or_default());
                record(
                    url,
                    "log",
                    entry["level"].as_str().unwrap_or("info").to_string(),
                    text,
                );
            }
            "Network.requestWillBeSent" => {
                if let (Some(id), Some(url)) = (
                    params["requestId"].as_str(),
                    params["request"]["url"].as_str(),
                ) {
                    requests.insert((session.clone(), id.to_string()), url.to_string());
                    // A frame's document request starts in its parent's
                    // session and may finish in the frame's own before
                    // DevTools attached there: it never reports its end.
                    // The document's own loads are counted once it runs.
                    if params["type"].as_str() != Some("Document") {
                        network(id, Some(url));
                    }
                    let header = |name: &str| {
                        params["request"]["headers"].as_object().and_then(|h| {
                            h.iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                                .and_then(|(_, v)| v.as_str())
                                .map(str::to_string)
                        })
                    };
                    let seen = RequestSeen {
                        method: params["request"]["method"]
                            .as_str()
                            .unwrap_or("GET")
                            .to_string(),
                        url: url.to_string(),
                        referer: header("referer"),
                        bearer: header("authorization").map(|v| {
                            v.split_once(' ')
                                .map(|(_, c)| c.trim().to_string())
                                .unwrap_or(v)
                        }),
                    };
                    record_with(
                        sessions.get(&session).cloned().unwrap_or_default(),
                        "request",
                        "info".into(),
                        url.to_string(),
                        Some(seen),
                    );
                }
            }
            "Network.loadingFailed" => {
                let id = params["requestId"].as_str().unwrap_or_default().to_string();
                network(&id, None);
                let url = requests.remove(&(session.clone(), id)).unwrap_or_default();
                let reason = params["blockedReason"]
                    .as_str()
                    .map(|b| format!(" (blocked: {b})"))
                    .unwrap_or_default();
                let text = format!(
                    "{} {url}{reason}",
                    params["errorText"].as_str().unwrap_or("failed")
                );
                record(
                    sessions.get(&session).cloned().unwrap_or_default(),
                    "network",
                    "error".into(),
                    text,
                );
            }
            "Network.loadingFinished" => {
                if let Some(id) = params["requestId"].as_str() {
                    network(id, None);
                    requests.remove(&(session.clone(), id.to_string()));
                }
            }
            _ => {}
        }
    }
}
