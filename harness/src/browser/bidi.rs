//! A WebDriver BiDi listener (Firefox): it subscribes, for every browsing
//! context (the cross-origin portal frame included), to log entries and
//! network events, and records them in the engine-neutral store that
//! DevTools fills on Chromium. Subscribing must succeed before the listener
//! is returned, so a session either observes from its first page or has no
//! observer at all (and what it cannot observe is incomplete).

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::observe::{Observer, RequestSeen, Store};
use super::{BrowserError, Ws};

/// The events the listener subscribes to, globally (every context).
const EVENTS: [&str; 7] = [
    "log.entryAdded",
    "network.beforeRequestSent",
    "network.responseCompleted",
    "network.fetchError",
    "browsingContext.contextCreated",
    "browsingContext.navigationStarted",
    "browsingContext.contextDestroyed",
];

/// Connect to the session's BiDi websocket (`webSocketUrl` of the new
/// session's capabilities), subscribe, and start listening.
pub async fn attach(ws_url: &str) -> Result<Observer, BrowserError> {
    const WHAT: &str = "webdriver bidi";
    let mut ws = super::observe_connect(ws_url, WHAT).await?;
    let subscribe = json!({"id": 1, "method": "session.subscribe", "params": {"events": EVENTS}});
    ws.send(Message::text(subscribe.to_string()))
        .await
        .map_err(|e| BrowserError::Unexpected {
            what: WHAT,
            detail: e.to_string(),
        })?;
    // The answer to the subscription, before any page is opened.
    let answer = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = ws.next().await {
            let Ok(text) = message.into_text() else {
                continue;
            };
            let Ok(msg) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if msg["id"] == 1 {
                return Some(msg);
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    match answer {
        Some(msg) if msg["type"] == "success" => {}
        other => {
            return Err(BrowserError::Unexpected {
                what: WHAT,
                detail: format!(
                    "session.subscribe was not accepted: {}",
                    other.map_or_else(|| "no answer".to_string(), |m| m.to_string())
                ),
            })
        }
    }
    let store = Store::default();
    let task = tokio::spawn(listen(ws, store.clone()));
    Ok(Observer::new(store, task, "WebDriver BiDi", true))
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
