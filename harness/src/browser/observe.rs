//! What the browser itself reported, engine-neutral: console messages, log
//! entries and the requests of every frame (the cross-origin portal frame
//! included), in one store that a protocol listener fills — DevTools on
//! Chromium (`devtools`), WebDriver BiDi on Firefox (`bidi`), the names
//! proxy's tap on WebKit (`proxy::tap`, requests only) — and that the page
//! watcher reads "everything since" a mark. It also owns the recorder of
//! the window messages every document receives, which the listeners run in
//! an isolated world the page's own scripts cannot see.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scenarios::probe::FrameMessage;

/// One thing the browser reported.
#[derive(Debug, Clone)]
pub struct ObservedRecord {
    /// Sequence number, for reading "everything since".
    pub seq: u64,
    /// URL (or origin) of the document that produced it.
    pub target_url: String,
    /// `console`, `log`, `network` or `request`.
    pub kind: &'static str,
    pub level: String,
    pub text: String,
    /// For `request` records: what the request carried.
    pub request: Option<RequestSeen>,
    /// For `message` records: the window message a document received
    /// (`target_url` is that document's origin).
    pub frame_message: Option<FrameMessage>,
}

/// A function expression taking `send(text)`: once run in a document (in
/// an isolated world, before the page's scripts), it reports every window
/// message the document receives as one JSON text: `to` (the receiving
/// document's origin), `origin`, `fromParent`, `data` (through JSON, `null`
/// when it does not survive that) and `ports`.
pub(crate) const MESSAGE_RECORDER: &str = r#"function (send) {
  window.addEventListener('message', function (e) {
    var report = {to: String(location.origin), origin: String(e.origin),
                  fromParent: window.parent !== window && e.source === window.parent,
                  data: null, ports: e.ports ? e.ports.length : 0};
    try { report.data = JSON.parse(JSON.stringify(e.data === undefined ? null : e.data)); } catch (x) { report.data = null; }
    try { send(JSON.stringify(report)); } catch (x) { /* nothing to report to */ }
  }, true);
}"#;

/// One report of [`MESSAGE_RECORDER`], as `(receiving origin, message)`.
pub(crate) fn parse_message_report(text: &str) -> Option<(String, FrameMessage)> {
    let report: serde_json::Value = serde_json::from_str(text).ok()?;
    Some((
        report["to"].as_str()?.to_string(),
        FrameMessage {
            origin: report["origin"].as_str()?.to_string(),
            from_parent: report["fromParent"].as_bool()?,
            data: report["data"].clone(),
            ports: report["ports"].as_u64().unwrap_or(0) as usize,
        },
    ))
}

/// A request the browser is about to send.
#[derive(Debug, Clone)]
pub struct RequestSeen {
    pub method: String,
    pub url: String,
    pub referer: Option<String>,
    /// The credential of the `Authorization` header, without its scheme.
    pub bearer: Option<String>,
}

impl RequestSeen {
    /// `Authorization: Scheme credential` → `credential`.
    pub fn credential_of(authorization: String) -> String {
        authorization
            .split_once(' ')
            .map(|(_, c)| c.trim().to_string())
            .unwrap_or(authorization)
    }
}

struct Shared {
    records: Vec<ObservedRecord>,
    next: u64,
    /// Requests sent and not yet finished or failed, by request ID; the
    /// value: the document (session or browsing context) that sent it and
    /// its URL.
    in_flight: HashMap<String, (String, String)>,
    /// When a request last started, finished or failed.
    last_network: Instant,
    /// The storage keys of the documents the browser committed since the
    /// last [`Observer::take_storage_keys`] (DevTools only).
    storage_keys: BTreeSet<String>,
    /// Storage-key questions asked and not yet answered.
    keys_pending: usize,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared {
            records: Vec::new(),
            next: 0,
            in_flight: HashMap::new(),
            last_network: Instant::now(),
            storage_keys: BTreeSet::new(),
            keys_pending: 0,
        }
    }
}

/// The store a listener writes into.
#[derive(Clone, Default)]
pub(crate) struct Store(Arc<Mutex<Shared>>);

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn push(
        &self,
        target_url: String,
        kind: &'static str,
        level: String,
        text: String,
        request: Option<RequestSeen>,
    ) {
        let mut s = self.lock();
        let seq = s.next;
        s.next += 1;
        s.records.push(ObservedRecord {
            seq,
            target_url,
            kind,
            level,
            text,
            request,
            frame_message: None,
        });
    }

    /// A document on `receiver` received a window message.
    pub(crate) fn push_frame_message(&self, receiver: String, message: FrameMessage) {
        let mut s = self.lock();
        let seq = s.next;
        s.next += 1;
        s.records.push(ObservedRecord {
            seq,
            target_url: receiver,
            kind: "message",
            level: "info".into(),
            text: String::new(),
            request: None,
            frame_message: Some(message),
        });
    }

    /// A request `id` from document `from` started.
    pub(crate) fn request_started(&self, id: &str, from: &str, url: &str) {
        let mut s = self.lock();
        s.in_flight
            .insert(id.to_string(), (from.to_string(), url.to_string()));
        s.last_network = Instant::now();
    }

    /// A request finished or failed.
    pub(crate) fn request_ended(&self, id: &str) {
        let mut s = self.lock();
        s.in_flight.remove(id);
        s.last_network = Instant::now();
    }

    /// The listener asked the browser for a document's storage key.
    pub(crate) fn storage_key_asked(&self) {
        self.lock().keys_pending += 1;
    }

    /// The browser answered a storage-key question: with the key of a
    /// committed document, or with none (an opaque origin has no storage).
    pub(crate) fn storage_key_answered(&self, key: Option<&str>) {
        let mut s = self.lock();
        s.keys_pending = s.keys_pending.saturating_sub(1);
        if let Some(key) = key {
            s.storage_keys.insert(key.to_string());
        }
    }

    /// A document is gone: none of its requests will report an end.
    pub(super) fn document_gone(&self, from: &str) {
        self.lock().in_flight.retain(|_, (f, _)| f != from);
    }
}

/// Between two looks for the browser's storage-key answers.
const KEY_POLL: Duration = Duration::from_millis(5);

/// The storage keys of the documents a session committed.
pub struct StorageKeys {
    pub keys: Vec<String>,
    /// Every question about a document's key was answered.
    pub complete: bool,
}

/// What a session's observer sees, for the report's metadata.
pub fn describe(observer: Option<&Observer>) -> String {
    match observer {
        Some(o) if o.sees_console => {
            format!(
                "{}: console, log entries and requests of every frame",
                o.protocol
            )
        }
        Some(o) => format!(
            "{}: requests of every frame, not the portal frame's console",
            o.protocol
        ),
        None => "none: neither the browser's requests nor the portal frame's console".into(),
    }
}

/// A running listener and its store; the listener stops when dropped.
pub struct Observer {
    store: Store,
    task: tokio::task::JoinHandle<()>,
    /// `DevTools` or `WebDriver BiDi`, for the report.
    pub protocol: &'static str,
    /// Whether console messages and log entries of every frame (the
    /// portal frame's included) reach the store, or only requests.
    pub sees_console: bool,
    /// Whether the window messages every document receives reach the store
    /// ([`MESSAGE_RECORDER`] runs in each).
    pub sees_frame_messages: bool,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Observer {
    pub(super) fn new(
        store: Store,
        task: tokio::task::JoinHandle<()>,
        protocol: &'static str,
        sees_console: bool,
        sees_frame_messages: bool,
    ) -> Observer {
        Observer {
            store,
            task,
            protocol,
            sees_console,
            sees_frame_messages,
        }
    }

    /// The next sequence number: records from now on have at least this.
    pub fn mark(&self) -> u64 {
        self.store.lock().next
    }

    /// Records since `mark`.
    pub fn since(&self, mark: u64) -> Vec<ObservedRecord> {
        let shared = self.store.lock();
        shared
            .records
            .iter()
            .filter(|r| r.seq >= mark)
            .cloned()
            .collect()
    }

    /// How long the browser has had no request in flight in any document;
    /// `None` while one is.
    pub fn network_idle_for(&self) -> Option<Duration> {
        let shared = self.store.lock();
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
        let mut shared = self.store.lock();
        shared.in_flight.clear();
        shared.last_network = Instant::now();
    }

    /// The URLs of the requests in flight now (for evidence when a page
    /// never goes quiet).
    pub fn in_flight(&self) -> Vec<String> {
        let shared = self.store.lock();
        let mut urls: Vec<String> = shared.in_flight.values().map(|(_, u)| u.clone()).collect();
        urls.sort();
        urls
    }

    /// How many storage keys wait for the next [`Observer::take_storage_keys`].
    pub fn storage_keys_held(&self) -> usize {
        self.store.lock().storage_keys.len()
    }

    /// The storage keys of every document committed since the last call,
    /// partitioned ones (a framed document's, under its top-level site)
    /// included: what a reset in place must clear. Waits up to `within` for
    /// the browser's answers to questions still open; `complete` is false
    /// when some were still unanswered then (a document may be missing).
    pub async fn take_storage_keys(&self, within: Duration) -> StorageKeys {
        let started = Instant::now();
        loop {
            {
                let mut s = self.store.lock();
                // A listener that stopped answers nothing more.
                let gone = self.task.is_finished();
                if s.keys_pending == 0 || gone || started.elapsed() >= within {
                    return StorageKeys {
                        complete: s.keys_pending == 0,
                        keys: std::mem::take(&mut s.storage_keys).into_iter().collect(),
                    };
                }
            }
            tokio::time::sleep(KEY_POLL).await;
        }
    }

    /// Forget records before `mark` (keeps memory flat over a long run).
    pub fn forget_before(&self, mark: u64) {
        self.store.lock().records.retain(|r| r.seq >= mark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listening(store: &Store) -> Observer {
        let task = tokio::spawn(std::future::pending::<()>());
        Observer::new(store.clone(), task, "DevTools", true, true)
    }

    /// A reset learns every committed document's storage key once, and
    /// knows when the browser has not answered every question yet.
    #[tokio::test]
    async fn storage_keys_are_taken_once_and_say_whether_complete() {
        let store = Store::default();
        let observer = listening(&store);
        store.storage_key_asked();
        store.storage_key_asked();
        store.storage_key_answered(Some("https://portal.test:8443/^0https://shop-a.test"));
        let early = observer.take_storage_keys(Duration::from_millis(20)).await;
        assert!(!early.complete, "one question is still open");
        assert_eq!(early.keys.len(), 1);
        store.storage_key_answered(None); // an opaque origin: no storage
        let late = observer.take_storage_keys(Duration::from_secs(5)).await;
        assert!(late.complete);
        assert!(
            late.keys.is_empty(),
            "keys already taken are not taken again"
        );
        store.storage_key_answered(Some("https://shop-a.test:8443/"));
        let next = observer.take_storage_keys(Duration::from_secs(5)).await;
        assert_eq!(next.keys, vec!["https://shop-a.test:8443/".to_string()]);
    }

    /// A listener that stopped will answer nothing: the reset does not
    /// wait out its deadline for it.
    #[tokio::test]
    async fn a_stopped_listener_is_not_waited_for() {
        let store = Store::default();
        let task = tokio::spawn(async {});
        let observer = Observer::new(store.clone(), task, "DevTools", true, true);
        while !observer.task.is_finished() {
            tokio::task::yield_now().await;
        }
        store.storage_key_asked();
        let started = Instant::now();
        let keys = observer.take_storage_keys(Duration::from_secs(30)).await;
        assert!(!keys.complete);
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
