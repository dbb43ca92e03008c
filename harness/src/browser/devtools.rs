//! A DevTools (CDP) listener on the browser's own websocket, beside
//! ChromeDriver: it attaches to every page and, through auto-attach, to the
//! cross-origin portal iframe (an out-of-process frame under site
//! isolation), and records console messages, log entries (CSP and other
//! security errors) and failed requests from all of them, without turning
//! site isolation off. In each target, before it runs, it installs the
//! window-message recorder in an isolated world with a binding to report
//! through.

use std::collections::HashMap;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::observe::{parse_message_report, Observer, RequestSeen, Store, MESSAGE_RECORDER};
use super::{BrowserError, Ws};

/// The isolated world the message recorder runs in, and the binding it
/// reports through (exposed in that world only).
const RECORDER_WORLD: &str = "portalcheck-recorder";
const RECORDER_BINDING: &str = "__portalcheckFrameMessage";

/// Connect to the browser at `127.0.0.1:{port}` and start listening.
pub async fn attach(port: u16) -> Result<Observer, BrowserError> {
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
    let mut ws = super::observe_connect(ws_url, "devtools websocket").await?;
    let hello = json!({"id": 1, "method": "Target.setAutoAttach",
        "params": {"autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true}});
    ws.send(Message::text(hello.to_string()))
        .await
        .map_err(|e| BrowserError::Unexpected {
            what: "devtools websocket",
            detail: e.to_string(),
        })?;
    let store = Store::default();
    let task = tokio::spawn(listen(ws, store.clone()));
    Ok(Observer::new(store, task, "DevTools", true, true))
}

/// The storage-key questions asked and not yet answered, by command id:
/// the session and frame asked about, and whether by the older name.
#[derive(Default)]
struct KeyQuestions {
    open: HashMap<u64, (String, String, bool)>,
}

impl KeyQuestions {
    /// The command asking for the storage key of `frame`'s document in
    /// `session`, counted in `store` until its answer comes.
    fn ask(
        &mut self,
        next_id: &mut u64,
        store: &Store,
        session: &str,
        frame: &str,
        older: bool,
    ) -> Value {
        *next_id += 1;
        store.storage_key_asked();
        self.open
            .insert(*next_id, (session.to_string(), frame.to_string(), older));
        let method = if older {
            "Storage.getStorageKeyForFrame"
        } else {
            "Storage.getStorageKey"
        };
        json!({"id": *next_id, "sessionId": session, "method": method, "params": {"frameId": frame}})
    }
}

async fn listen(ws: Ws, store: Store) {
    let (mut tx, mut rx) = ws.split();
    let mut next_id = 100u64;
    // sessionId -> target URL; (sessionId, requestId) -> request URL
    let mut sessions: HashMap<String, String> = HashMap::new();
    let mut requests: HashMap<(String, String), String> = HashMap::new();
    let mut key_questions = KeyQuestions::default();
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
        if let Some((asked_in, frame, older)) = msg["id"]
            .as_u64()
            .and_then(|id| key_questions.open.remove(&id))
        {
            let key = msg["result"]["storageKey"].as_str();
            store.storage_key_answered(key);
            // `Storage.getStorageKey` is experimental: ask by its older name.
            if key.is_none() && !older {
                let ask = key_questions.ask(&mut next_id, &store, &asked_in, &frame, true);
                if tx.send(Message::text(ask.to_string())).await.is_err() {
                    return;
                }
            }
            continue;
        }
        let record = |target_url: String, kind: &'static str, level: String, text: String| {
            store.push(target_url, kind, level, text, None)
        };
        match method {
            "Target.attachedToTarget" => {
                let child = params["sessionId"].as_str().unwrap_or_default().to_string();
                let url = params["targetInfo"]["url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                sessions.insert(child.clone(), url);
                let recorder =
                    format!("({MESSAGE_RECORDER})(function (s) {{ {RECORDER_BINDING}(s); }});");
                for (m, p) in [
                    ("Runtime.enable", json!({})),
                    ("Log.enable", json!({})),
                    ("Network.enable", json!({})),
                    ("Page.enable", json!({})),
                    (
                        "Runtime.addBinding",
                        json!({"name": RECORDER_BINDING, "executionContextName": RECORDER_WORLD}),
                    ),
                    (
                        "Page.addScriptToEvaluateOnNewDocument",
                        json!({"source": recorder, "worldName": RECORDER_WORLD}),
                    ),
                    (
                        "Target.setAutoAttach",
                        json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
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
                    store.document_gone(child);
                }
            }
            "Target.targetInfoChanged" => {
                // URL changes are picked up through frame navigations below.
            }
            "Runtime.executionContextCreated" => {
                let context = &params["context"];
                if let Some(origin) = context["origin"].as_str() {
                    if !origin.is_empty() && origin != "://" {
                        sessions.insert(session.clone(), origin.to_string());
                    }
                }
                // The storage the document may write to, for the session's
                // reset to clear: a framed document's storage is partitioned
                // under its top-level site, where clearing by origin does not
                // reach. Asked per document (its main world), including the
                // documents that ran before DevTools attached to the frame.
                if let (Some(frame), true) = (
                    context["auxData"]["frameId"].as_str(),
                    context["auxData"]["isDefault"] == true,
                ) {
                    let ask = key_questions.ask(&mut next_id, &store, &session, frame, false);
                    if tx.send(Message::text(ask.to_string())).await.is_err() {
                        return;
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
            "Runtime.bindingCalled" if params["name"] == RECORDER_BINDING => {
                if let Some((receiver, message)) =
                    params["payload"].as_str().and_then(parse_message_report)
                {
                    store.push_frame_message(receiver, message);
                }
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
                        store.request_started(id, &session, url);
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
                        bearer: header("authorization").map(RequestSeen::credential_of),
                    };
                    store.push(
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
                store.request_ended(&id);
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
                    store.request_ended(id);
                    requests.remove(&(session.clone(), id.to_string()));
                }
            }
            _ => {}
        }
    }
}
