//! Opening a generated host page and watching it: polling the page's
//! recorder (SDK events, CSP violations, console) and the portal iframe
//! until one of the scenario's conditions holds or its deadline passes,
//! then reading everything once more into a [`PageView`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use scenarios::probe::{
    ConsoleMessage, ConsoleSource, CspViolation, ForeignKind, ForeignMark, FrameMessage, FrameView,
    ObservedRequest, PageView, SdkEvent, StorageOwner, StorageView, WaitFor, WindowMessage,
};
use serde_json::{json, Value};

use super::session::BrowserSession;
use super::{BrowserError, Within};

/// The longest the watcher sleeps in the page between two looks when only
/// recorder events and time matter (an event wakes it at once).
const LONG_POLL: Duration = Duration::from_millis(1000);
/// Between two reads of the portal frame's text, which no event announces.
const FRAME_POLL: Duration = Duration::from_millis(100);

/// What the watcher needs besides the page URL.
pub struct WatchPlan<'a> {
    pub url: &'a str,
    pub portal_origin: &'a str,
    pub wait_for: &'a [WaitFor],
    pub deadline: Duration,
    pub read_styles: &'a [String],
    /// How many pages the host page is nested in (`url` is the outermost):
    /// the watcher enters their frames and watches from the host page.
    pub nested: usize,
}

/// The JavaScript function both scripts below read the page's recorder
/// with: `null` when the page has none.
macro_rules! recorder_state_fn {
    () => {
        r#"
function portalcheckState(portal) {
  var r = window.__portalcheck;
  if (!r) { return null; }
  return {events: r.events, csp: r.csp, console: r.console, messages: r.messages || [], foreign: r.foreign || [],
          t0: r.t0, start: r.start, now: performance.now(),
          frames: Array.prototype.filter.call(document.querySelectorAll('#userhero-portal iframe'), function (f) {
            return (f.getAttribute('src') || '').indexOf(portal) === 0; }).length};
}
"#
    };
}

const READ_RECORDER: &str = concat!(
    recorder_state_fn!(),
    "return portalcheckState(arguments[0]);"
);

/// Resolves with the recorder's state when it holds more than `seen`
/// entries, or after `ms` milliseconds: the harness sleeps in the page,
/// woken by what it waits for, instead of polling on a short timer, and
/// the answer is the next look (one command, not two).
const WAIT_FOR_CHANGE: &str = concat!(
    recorder_state_fn!(),
    r#"
var portal = arguments[0], seen = arguments[1], ms = arguments[2], done = arguments[arguments.length - 1];
var answer = function () { done(portalcheckState(portal)); };
var r = window.__portalcheck;
if (!r || !r.waiters) { answer(); return; }
if (r.events.length + r.csp.length + r.console.length + (r.messages || []).length + (r.foreign || []).length !== seen) { answer(); return; }
var finished = false;
var finish = function () { if (!finished) { finished = true; answer(); } };
var timer = setTimeout(finish, ms);
r.waiters.push(function () { clearTimeout(timer); finish(); });
"#
);

/// How many entries the recorder holds.
fn recorded(state: &Value) -> usize {
    ["events", "csp", "console", "messages", "foreign"]
        .iter()
        .map(|k| state[*k].as_array().map_or(0, Vec::len))
        .sum()
}

/// How long to sleep before the next look: until the nearest of the
/// deadline and any `Elapsed` condition, at most `cap`.
fn next_nap(plan: &WatchPlan<'_>, elapsed: Duration, cap: Duration) -> Duration {
    let mut nap = plan.deadline.saturating_sub(elapsed).min(cap);
    for wait in plan.wait_for {
        if let WaitFor::Elapsed(d) = wait {
            nap = nap.min(d.saturating_sub(elapsed));
        }
    }
    nap.max(Duration::from_millis(1))
}

/// Open the page and watch it.
pub async fn watch(
    session: &BrowserSession,
    plan: &WatchPlan<'_>,
) -> Result<PageView, BrowserError> {
    let client = &session.client;
    let mark = session.observer.as_ref().map(|d| {
        d.forget_in_flight();
        d.mark()
    });
    let opened = Instant::now();
    client.goto(plan.url).within("goto host page").await?;
    let landed = client.current_url().within("current_url").await?;
    if !is_error_page(landed.as_str()) && !on_host_page(plan, landed.as_str()) {
        return Err(BrowserError::NavigatedAway {
            from: plan.url.to_string(),
            to: landed.to_string(),
        });
    }
    if is_error_page(landed.as_str()) {
        return Err(BrowserError::Unexpected {
            what: "goto host page",
            detail: format!(
                "the host page {} did not load (landed on {landed}): certificate refused or host unreachable",
                plan.url
            ),
        });
    }
    enter_host_page(session, plan.nested).await?;
    let needs_frame_text = plan
        .wait_for
        .iter()
        .any(|w| matches!(w, WaitFor::FrameText(_) | WaitFor::FrameSettled));
    let needs_quiet = plan
        .wait_for
        .iter()
        .any(|w| matches!(w, WaitFor::NetworkIdle(_) | WaitFor::ForeignDone(_)));
    let mut reached;
    // When `ready` was first seen (the portal document loaded and showed
    // the session): the quiet spell of `NetworkIdle` counts from then at
    // the earliest.
    let mut ready_since: Option<Instant> = None;
    // Likewise when a foreign document of the page first marked `done`.
    let mut done_since: Option<Instant> = None;
    let mut state = read_recorder(session, plan).await?;
    loop {
        let frame_now = if needs_frame_text {
            frame_state(session, plan.portal_origin).await
        } else {
            None
        };
        if ready_since.is_none() && has_event(&state, scenarios::contract::EVENT_READY) {
            ready_since = Some(Instant::now());
        }
        if done_since.is_none() && has_foreign(&state, ForeignKind::Done) {
            done_since = Some(Instant::now());
        }
        let network_idle = session.observer.as_ref().and_then(|d| d.network_idle_for());
        let quiet = Quiet {
            since_ready: network_idle
                .zip(ready_since)
                .map(|(idle, since)| idle.min(since.elapsed())),
            since_done: network_idle
                .zip(done_since)
                .map(|(idle, since)| idle.min(since.elapsed())),
        };
        reached = plan
            .wait_for
            .iter()
            .find(|w| holds(w, &state, frame_now.as_ref(), opened.elapsed(), quiet))
            .cloned();
        if reached.is_some() || opened.elapsed() >= plan.deadline {
            break;
        }
        let cap = if needs_frame_text
            || (needs_quiet && (ready_since.is_some() || done_since.is_some()))
        {
            FRAME_POLL
        } else {
            LONG_POLL
        };
        let nap = next_nap(plan, opened.elapsed(), cap);
        let woke = client
            .execute_async(
                WAIT_FOR_CHANGE,
                vec![
                    json!(plan.portal_origin),
                    json!(recorded(&state)),
                    json!(nap.as_millis() as u64),
                ],
            )
            .within("wait in the page")
            .await;
        state = match woke {
            Err(e) if e.fault().is_some() => return Err(e),
            Ok(next) if next.is_object() => next,
            // The page is navigating, busy or gone: a read says which.
            Ok(_) => read_recorder(session, plan).await?,
            Err(_) => {
                tokio::time::sleep(nap.min(FRAME_POLL)).await;
                read_recorder(session, plan).await?
            }
        };
    }
    let host = read_page(session, plan, READ_HOST_PAGE).await?;
    let state = host["state"].clone();
    let host_text = host["text"].as_str().unwrap_or_default().to_string();
    let (frame, frame_storage) = read_frame(session, plan.read_styles).await?;
    let url = client
        .current_url()
        .within("current_url")
        .await
        .map(|u| u.to_string())
        .unwrap_or_else(|_| plan.url.to_string());
    let storage: Vec<StorageView> =
        std::iter::once(storage_view(StorageOwner::HostPage, &host["storage"]))
            .chain(frame_storage)
            .collect();
    let mut console = console_messages(&state);
    if let (true, None, Some(observer)) = (needs_quiet, &reached, session.observer.as_ref()) {
        console.push(ConsoleMessage {
            source: ConsoleSource::HostPage,
            level: "info".into(),
            text: format!(
                "harness: requests in flight at the deadline: {:?}",
                observer.in_flight()
            ),
        });
    }
    let mut requests = None;
    let mut frame_messages = None;
    if let (Some(observer), Some(mark)) = (session.observer.as_ref(), mark) {
        let records = observer.since(mark);
        console.extend(observer_messages(&records, plan.portal_origin));
        requests = Some(observed_requests(&records));
        if observer.sees_frame_messages {
            frame_messages = Some(portal_frame_messages(&records, plan.portal_origin));
        }
        observer.forget_before(mark);
    }
    Ok(PageView {
        url,
        events: sdk_events(&state),
        csp_violations: csp_violations(&state),
        console,
        frame,
        host_text,
        reached,
        watched_ms: opened.elapsed().as_millis() as u64,
        portal_frames: state["frames"].as_u64().unwrap_or(0) as usize,
        requests,
        portal_console_observed: session.observer.as_ref().is_some_and(|o| o.sees_console),
        storage,
        frame_cookie: None,
        messages: window_messages(&state),
        foreign: foreign_marks(&state),
        frame_messages,
    })
}

/// The window messages documents of the portal origin received.
fn portal_frame_messages(
    records: &[super::observe::ObservedRecord],
    portal_origin: &str,
) -> Vec<FrameMessage> {
    records
        .iter()
        .filter(|r| origin_of(&r.target_url) == origin_of(portal_origin))
        .filter_map(|r| r.frame_message.clone())
        .collect()
}

fn has_foreign(state: &Value, kind: ForeignKind) -> bool {
    state["foreign"].as_array().is_some_and(|marks| {
        marks
            .iter()
            .any(|m| m["kind"].as_str() == Some(kind.as_str()))
    })
}

fn window_messages(state: &Value) -> Vec<WindowMessage> {
    state["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .map(|m| WindowMessage {
                    origin: m["origin"].as_str().unwrap_or_default().to_string(),
                    data: m["data"].clone(),
                    ports: m["ports"].as_u64().unwrap_or(0) as usize,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn foreign_marks(state: &Value) -> Vec<ForeignMark> {
    state["foreign"]
        .as_array()
        .map(|marks| {
            marks
                .iter()
                .filter_map(|m| {
                    let kind = ForeignKind::parse(m["kind"].as_str()?)?;
                    Some(ForeignMark {
                        kind,
                        origin: m["origin"].as_str().unwrap_or_default().to_string(),
                        from: m["from"].as_str().map(str::to_string),
                        data: m["data"].clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `url` is a browser's own error page: Chromium's
/// `chrome-error://`, Firefox's `about:neterror` / `about:certerror`.
/// The URL of the document a frame script read, as the browser's refusal
/// shows it: Chromium navigates a refused frame to `chrome-error://`;
/// Firefox keeps the refused URL in `location.href` and shows
/// `about:neterror?e=cspBlocked` as its `documentURI`; WebKit keeps the
/// URL and puts in an empty document with an opaque origin (`null`),
/// reported here as [`WEBKIT_BLOCKED`]. Anything else: `location.href`.
fn frame_url(value: &Value) -> String {
    let doc = value["doc"].as_str().unwrap_or_default();
    let url = value["url"].as_str().unwrap_or_default();
    if is_error_page(doc) {
        return doc.to_string();
    }
    // `<html><head></head><body></body></html>`: no text, three elements.
    let empty = value["elements"].as_u64().is_some_and(|n| n <= 3)
        && value["text"].as_str().is_some_and(|t| t.trim().is_empty());
    if value["origin"] == "null" && url.starts_with("https:") && empty {
        return format!("{WEBKIT_BLOCKED}{url}");
    }
    url.to_string()
}

/// How [`frame_url`] names WebKit's refused frame: the prefix, then the
/// refused URL.
const WEBKIT_BLOCKED: &str = "about:blocked#";

pub fn is_error_page(url: &str) -> bool {
    url.starts_with("chrome-error:")
        || url.starts_with(WEBKIT_BLOCKED)
        || url.starts_with("about:neterror")
        || url.starts_with("about:certerror")
}

/// The JavaScript function that reads a window's script-readable storage;
/// each area is `null` when reading it throws (an opaque origin, storage
/// disabled).
macro_rules! storage_fn {
    () => {
        r#"
function portalcheckStorage() {
  function dump(name) {
    try { var s = window[name], out = [];
          for (var i = 0; i < s.length; i++) { var k = s.key(i); out.push([k, String(s.getItem(k))]); }
          return out; } catch (e) { return null; }
  }
  var cookies = null;
  try { cookies = String(document.cookie); } catch (e) { cookies = null; }
  return {origin: location.origin, local: dump('localStorage'), session: dump('sessionStorage'), cookies: cookies};
}
"#
    };
}

/// The host page at the end of the watch: its recorder, its text and its
/// storage, in one script (`null` when the page has no recorder).
const READ_HOST_PAGE: &str = concat!(
    recorder_state_fn!(),
    storage_fn!(),
    r#"
var state = portalcheckState(arguments[0]);
if (!state) { return null; }
return {state: state, text: document.body ? document.body.innerText : '', storage: portalcheckStorage()};
"#
);

/// What [`storage_fn`]'s function read, as `owner`'s storage.
fn storage_view(owner: StorageOwner, value: &Value) -> StorageView {
    let entries = |v: &Value| {
        v.as_array().map(|list| {
            list.iter()
                .map(|pair| {
                    (
                        pair[0].as_str().unwrap_or_default().to_string(),
                        pair[1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
    };
    StorageView {
        owner,
        origin: value["origin"].as_str().unwrap_or_default().to_string(),
        local: entries(&value["local"]),
        session: entries(&value["session"]),
        cookies: value["cookies"].as_str().map(str::to_string),
    }
}

/// The requests the browser reported (DevTools or BiDi), from every frame.
fn observed_requests(records: &[super::observe::ObservedRecord]) -> Vec<ObservedRequest> {
    records
        .iter()
        .filter_map(|r| {
            let seen = r.request.as_ref()?;
            Some(ObservedRequest {
                from_origin: origin_of(&r.target_url),
                method: seen.method.clone(),
                url: seen.url.clone(),
                referer: seen.referer.clone(),
                bearer: seen.bearer.clone(),
            })
        })
        .collect()
}

/// `scheme://host:port` of a URL or origin string (the text itself if it
/// does not parse).
fn origin_of(text: &str) -> String {
    url::Url::parse(text)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| text.to_string())
}

/// Whether `url` is the plan's host page (any fragment).
fn on_host_page(plan: &WatchPlan<'_>, url: &str) -> bool {
    url.starts_with(plan.url.split('#').next().unwrap_or(""))
}

/// The page's recorder.
async fn read_recorder(
    session: &BrowserSession,
    plan: &WatchPlan<'_>,
) -> Result<Value, BrowserError> {
    read_page(session, plan, READ_RECORDER).await
}

/// What `script` (given the portal origin) read in the host page, `null`
/// when the page has no recorder. When it cannot be read, a top window that
/// is no longer on the host page is told as such (a script set
/// `top.location`).
async fn read_page(
    session: &BrowserSession,
    plan: &WatchPlan<'_>,
    script: &str,
) -> Result<Value, BrowserError> {
    let value = session
        .client
        .execute(script, vec![json!(plan.portal_origin)])
        .within("read page recorder")
        .await;
    let navigated_away = || async {
        let now = session
            .client
            .current_url()
            .within("current_url")
            .await
            .ok()?;
        (!on_host_page(plan, now.as_str())).then(|| BrowserError::NavigatedAway {
            from: plan.url.to_string(),
            to: now.to_string(),
        })
    };
    let value = match value {
        Ok(value) => value,
        Err(e @ BrowserError::Hung { .. }) => return Err(e),
        Err(e) => return Err(navigated_away().await.unwrap_or(e)),
    };
    if value.is_null() {
        if let Some(away) = navigated_away().await {
            return Err(away);
        }
        return Err(BrowserError::Unexpected {
            what: "read page recorder",
            detail: "the host page has no recorder: it was not the generated page".into(),
        });
    }
    Ok(value)
}

fn has_event(state: &Value, name: &str) -> bool {
    state["events"]
        .as_array()
        .is_some_and(|events| events.iter().any(|e| e["name"].as_str() == Some(name)))
}

/// How long DevTools has seen no request in flight since `ready` was
/// delivered, and since a foreign document marked `done` (`None` before
/// that, while a request is in flight, or without DevTools).
#[derive(Debug, Clone, Copy)]
struct Quiet {
    since_ready: Option<Duration>,
    since_done: Option<Duration>,
}

/// Whether `wait` holds.
fn holds(
    wait: &WaitFor,
    state: &Value,
    frame: Option<&FrameNow>,
    elapsed: Duration,
    quiet: Quiet,
) -> bool {
    match wait {
        WaitFor::Event(name) => has_event(state, name),
        WaitFor::FrameText(text) => frame.is_some_and(|f| f.text.contains(text.as_str())),
        WaitFor::FrameSettled => frame.is_some_and(|f| f.settled),
        WaitFor::Elapsed(d) => elapsed >= *d,
        WaitFor::NetworkIdle(spell) => quiet.since_ready.is_some_and(|idle| idle >= *spell),
        WaitFor::ForeignDone(spell) => quiet.since_done.is_some_and(|idle| idle >= *spell),
    }
}

fn sdk_events(state: &Value) -> Vec<SdkEvent> {
    let origin = state["t0"]
        .as_f64()
        .or_else(|| state["start"].as_f64())
        .unwrap_or(0.0);
    state["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| SdkEvent {
                    name: e["name"].as_str().unwrap_or_default().to_string(),
                    detail: e["detail"].clone(),
                    at_ms: (e["at"].as_f64().unwrap_or(origin) - origin).max(0.0) as u64,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn csp_violations(state: &Value) -> Vec<CspViolation> {
    state["csp"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|v| CspViolation {
                    directive: v["directive"].as_str().unwrap_or_default().to_string(),
                    blocked_uri: v["blocked_uri"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn console_messages(state: &Value) -> Vec<ConsoleMessage> {
    state["console"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .map(|m| ConsoleMessage {
                    source: ConsoleSource::HostPage,
                    level: m["level"].as_str().unwrap_or("log").to_string(),
                    text: m["text"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the browser reported beyond the host page's own recorder: everything from
/// the portal frame, and the host page's log entries (CSP and security
/// errors) and failed requests.
fn observer_messages(
    records: &[super::observe::ObservedRecord],
    portal_origin: &str,
) -> Vec<ConsoleMessage> {
    records
        .iter()
        .filter(|r| r.request.is_none() && r.frame_message.is_none())
        .filter_map(|r| {
            let in_portal = r.target_url.starts_with(portal_origin);
            if !in_portal && r.kind == "console" {
                return None; // the host page's recorder has these already
            }
            let text = if r.kind == "network" {
                format!("network: {}", r.text)
            } else {
                r.text.clone()
            };
            Some(ConsoleMessage {
                source: if in_portal {
                    ConsoleSource::PortalFrame
                } else {
                    ConsoleSource::HostPage
                },
                level: r.level.clone(),
                text,
            })
        })
        .collect()
}

/// The portal frame as seen while polling.
struct FrameNow {
    text: String,
    /// Refused by the browser, or loaded from the portal origin.
    settled: bool,
}

const FRAME_NOW: &str = r#"
return {url: location.href, doc: document.documentURI, origin: String(self.origin), elements: document.getElementsByTagName('*').length, ready: document.readyState, text: document.body ? document.body.innerText : ''};
"#;

/// The portal frame's state while polling; `None` if it cannot be read yet.
async fn frame_state(session: &BrowserSession, portal_origin: &str) -> Option<FrameNow> {
    let value = in_frame(session, FRAME_NOW, vec![]).await.ok()??;
    let url = frame_url(&value);
    let url = url.as_str();
    let settled = is_error_page(url)
        || (url.starts_with(portal_origin) && value["ready"].as_str() == Some("complete"));
    Some(FrameNow {
        text: value["text"].as_str().unwrap_or_default().to_string(),
        settled,
    })
}

/// The portal frame at the end of the watch: its document, the styles
/// asked for and its storage, in one script.
const READ_FRAME: &str = concat!(
    storage_fn!(),
    r#"
var styles = {};
var names = arguments[0] || [];
var root = document.documentElement ? getComputedStyle(document.documentElement) : null;
names.forEach(function (n) { styles[n] = root ? root.getPropertyValue(n).trim() : ''; });
return {url: location.href, doc: document.documentURI, origin: String(self.origin), elements: document.getElementsByTagName('*').length, text: document.body ? document.body.innerText : '', styles: styles, storage: portalcheckStorage()};
"#
);

/// The portal frame, and its storage when a document loaded in it.
async fn read_frame(
    session: &BrowserSession,
    read_styles: &[String],
) -> Result<(FrameView, Option<StorageView>), BrowserError> {
    let value = in_frame(session, READ_FRAME, vec![json!(read_styles)]).await?;
    let Some(value) = value else {
        return Ok((FrameView::Absent, None));
    };
    let url = frame_url(&value);
    if is_error_page(&url) {
        return Ok((FrameView::Refused { url }, None));
    }
    let storage = Some(storage_view(StorageOwner::PortalFrame, &value["storage"]));
    if url.is_empty() || url == "about:blank" {
        // The frame exists but its document never arrived: refused before
        // navigation or still loading. Report as refused only if it is a
        // browser error page; otherwise say what was seen.
        let frame = FrameView::Loaded {
            url,
            text: String::new(),
            styles: BTreeMap::new(),
        };
        return Ok((frame, storage));
    }
    let styles = value["styles"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let frame = FrameView::Loaded {
        url,
        text: value["text"].as_str().unwrap_or_default().to_string(),
        styles,
    };
    Ok((frame, storage))
}

/// The id of the one frame of each page the host page is nested in.
pub const NEST_FRAME_ID: &str = "portalcheck-nest";

/// Enter the frames of the `nested` pages around the host page, outermost
/// first, so every later script runs in the host page (and
/// [`in_frame`] finds the portal frame there). The pages are static and
/// the top document has loaded, so each frame is there already.
async fn enter_host_page(session: &BrowserSession, nested: usize) -> Result<(), BrowserError> {
    let locator = format!("iframe#{}", NEST_FRAME_ID);
    for level in 0..nested {
        let frame = session
            .client
            .find(Locator::Css(&locator))
            .within("find the nesting frame")
            .await
            .map_err(|e| BrowserError::Unexpected {
                what: "enter the host page",
                detail: format!("no nesting frame at level {level}: {e}"),
            })?;
        frame
            .enter_frame()
            .within("enter the nesting frame")
            .await?;
    }
    Ok(())
}

/// Run `script` inside the first portal iframe; `Ok(None)` when there is none.
pub(crate) async fn in_frame(
    session: &BrowserSession,
    script: &str,
    args: Vec<Value>,
) -> Result<Option<Value>, BrowserError> {
    let client = &session.client;
    let frames = client
        .find_all(Locator::Css("#userhero-portal iframe"))
        .within("find portal iframe")
        .await?;
    let Some(frame) = frames.into_iter().next() else {
        return Ok(None);
    };
    frame.enter_frame().within("enter portal iframe").await?;
    let result = client
        .execute(script, args)
        .within("script in portal iframe")
        .await;
    let back = client
        .enter_parent_frame()
        .within("leave portal iframe")
        .await;
    let value = result?;
    back?;
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://portal.userhero.test:8443/embed?pk=pk_1";

    fn read(url: &str, doc: &str, origin: &str, elements: u64, text: &str) -> Value {
        json!({"url": url, "doc": doc, "origin": origin, "elements": elements, "text": text})
    }

    /// Each engine's refused frame reads as refused; a portal document that
    /// loaded, even one with an opaque origin (a sandboxed portal) that
    /// shows anything, does not.
    #[test]
    fn refused_frames_are_recognised_on_every_engine() {
        let chromium = read(
            "chrome-error://chromewebdata/",
            "chrome-error://chromewebdata/",
            "null",
            20,
            "",
        );
        assert!(is_error_page(&frame_url(&chromium)));
        let firefox = read(
            PORTAL,
            "about:neterror?e=cspBlocked&u=x",
            PORTAL,
            40,
            "Blocked Page",
        );
        assert!(is_error_page(&frame_url(&firefox)));
        let webkit = read(PORTAL, PORTAL, "null", 3, "");
        let url = frame_url(&webkit);
        assert!(is_error_page(&url) && url.ends_with(PORTAL), "{url}");

        let loaded = read(
            PORTAL,
            PORTAL,
            "https://portal.userhero.test:8443",
            30,
            "Support",
        );
        assert_eq!(frame_url(&loaded), PORTAL);
        let sandboxed = read(PORTAL, PORTAL, "null", 30, "Support\nSigned in as u-1");
        assert_eq!(
            frame_url(&sandboxed),
            PORTAL,
            "a sandboxed portal that shows content loaded"
        );
        let about_blank = read("about:blank", "about:blank", "null", 3, "");
        assert!(
            !is_error_page(&frame_url(&about_blank)),
            "not yet navigated is not refused"
        );
    }
}
