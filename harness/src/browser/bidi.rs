//! A WebDriver BiDi listener (Firefox): it subscribes, for every browsing
//! context (the cross-origin portal frame included), to log entries and
//! network events, and records them in the engine-neutral store that
//! DevTools fills on Chromium. Subscribing must succeed before the listener
//! is returned, so a session either observes from its first page or has no
//! observer at all (and what it cannot observe is incomplete). A preload
//! script in a sandbox records the window messages every document receives
//! and reports them over a channel.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::observe::{parse_message_report, Observer, RequestSeen, Store, MESSAGE_RECORDER};
use super::{BrowserError, Ws};

/// The events the listener subscribes to, globally (every context).
const EVENTS: [&str; 8] = [
    "log.entryAdded",
    "script.message",
    "network.beforeRequestSent",
    "network.responseCompleted",
    "network.fetchError",
    "browsingContext.contextCreated",
    "browsingContext.navigationStarted",
    "browsingContext.contextDestroyed",
];

/// The sandbox the message recorder runs in, and its channel.
const RECORDER_SANDBOX: &str = "portalcheck-recorder";
const RECORDER_CHANNEL: &str = "portalcheck-frame-message";

/// Send `command` as `id` and wait for its answer (events before it are
/// dropped: nothing has been opened yet).
async fn command(ws: &mut Ws, id: u64, method: &str, params: Value) -> Result<Value, BrowserError> {
    const WHAT: &str = "webdriver bidi";
    let message = json!({"id": id, "method": method, "params": params});
    ws.send(Message::text(message.to_string()))
        .await
        .map_err(|e| BrowserError::Unexpected {
            what: WHAT,
            detail: e.to_string(),
        })?;
    let answer = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = ws.next().await {
            let Ok(text) = message.into_text() else {
                continue;
            };
            let Ok(msg) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if msg["id"] == id {
                return Some(msg);
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    match answer {
        Some(msg) if msg["type"] == "success" => Ok(msg),
        other => Err(BrowserError::Unexpected {
            what: WHAT,
            detail: format!(
                "{method} was not accepted: {}",
                other.map_or_else(|| "no answer".to_string(), |m| m.to_string())
            ),
        }),
    }
}

/// Connect to the session's BiDi websocket (`webSocketUrl` of the new
/// session's capabilities), subscribe, and start listening.
pub async fn attach(ws_url: &str) -> Result<Observer, BrowserError> {
    const WHAT: &str = "webdriver bidi";
    let mut ws = super::observe_connect(ws_url, WHAT).await?;
    command(&mut ws, 1, "session.subscribe", json!({"events": EVENTS})).await?;
    // Without the recorder the session still observes requests and the
    // console; scenarios that need the frame's messages are incomplete.
    let recorder = command(
        &mut ws,
        2,
        "script.addPreloadScript",
        json!({
            "functionDeclaration": MESSAGE_RECORDER,
            "arguments": [{"type": "channel", "value": {"channel": RECORDER_CHANNEL}}],
            "sandbox": RECORDER_SANDBOX,
        }),
    )
    .await
    .is_ok();
    let store = Store::default();
    let task = tokio::spawn(listen(ws, store.clone()));
    Ok(Observer::new(store, task, "WebDriver BiDi", true, recorder))
}

/// A BiDi header's value (`{"type": "string", "value": ...}`).
fn header(request: &Value, name: &str) -> Option<String> {
    request["headers"].as_array().and_then(|headers| {
        headers
            .iter()
            .find(|h| {
                h["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .and_then(|h| h["value"]["value"].as_str())
            .map(str::to_string)
    })
}

async fn listen(ws: Ws, store: Store) {
    let (_tx, mut rx) = ws.split();
    // browsing context -> its document's URL
    let mut contexts: HashMap<String, String> = HashMap::new();
    while let Some(Ok(message)) = rx.next().await {
        let Ok(text) = message.into_text() else {
            continue;
        };
        let Ok(msg) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        if msg["type"] != "event" {
            continue;
        }
        let params = &msg["params"];
        let context = params["context"]
            .as_str()
            .or_else(|| params["source"]["context"].as_str())
            .unwrap_or_default()
            .to_string();
        let url_of = |contexts: &HashMap<String, String>| {
            contexts.get(&context).cloned().unwrap_or_default()
        };
        match msg["method"].as_str().unwrap_or_default() {
            "browsingContext.contextCreated" | "browsingContext.navigationStarted" => {
                if let Some(url) = params["url"].as_str() {
                    contexts.insert(context.clone(), url.to_string());
                }
            }
            "browsingContext.contextDestroyed" => {
                contexts.remove(&context);
                store.document_gone(&context);
            }
            "script.message" if params["channel"] == RECORDER_CHANNEL => {
                if let Some((receiver, message)) = params["data"]["value"]
                    .as_str()
                    .and_then(parse_message_report)
                {
                    store.push_frame_message(receiver, message);
                }
            }
            "log.entryAdded" => {
                let level = match params["level"].as_str().unwrap_or("info") {
                    "warn" => "warning",
                    "error" => "error",
                    "debug" => "log",
                    _ if params["type"] == "javascript" => "error",
                    _ => "info",
                };
                let text = params["text"].as_str().unwrap_or_default().to_string();
                store.push(url_of(&contexts), "console", level.to_string(), text, None);
            }
            "network.beforeRequestSent" => {
                let request = &params["request"];
                let (Some(id), Some(url)) = (request["request"].as_str(), request["url"].as_str())
                else {
                    continue;
                };
                store.request_started(id, &context, url);
                let seen = RequestSeen {
                    method: request["method"].as_str().unwrap_or("GET").to_string(),
                    url: url.to_string(),
                    referer: header(request, "referer"),
                    bearer: header(request, "authorization").map(RequestSeen::credential_of),
                };
                store.push(
                    url_of(&contexts),
                    "request",
                    "info".into(),
                    url.to_string(),
                    Some(seen),
                );
            }
            "network.responseCompleted" => {
                if let Some(id) = params["request"]["request"].as_str() {
                    store.request_ended(id);
                }
            }
            "network.fetchError" => {
                let request = &params["request"];
                if let Some(id) = request["request"].as_str() {
                    store.request_ended(id);
                }
                let text = format!(
                    "{} {}",
                    params["errorText"].as_str().unwrap_or("failed"),
                    request["url"].as_str().unwrap_or_default()
                );
                store.push(url_of(&contexts), "network", "error".into(), text, None);
            }
            _ => {}
        }
    }
}
