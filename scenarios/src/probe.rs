//! The small interface through which scenarios act on the world. The
//! harness implements it with a real browser, mocked hosts on real TLS and
//! an HTTPS client; unit tests implement it with fakes. Everything a probe
//! observes is also kept by the implementation as evidence for the result,
//! so scenarios never manage evidence themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::payload::Identity;

/// Why a probe could not do what a scenario asked.
#[derive(Debug, Error)]
pub enum ProbeError {
    /// The target does not offer what the scenario needs (no provider state,
    /// no clock hook, no seeded user of that kind). The scenario is skipped
    /// with this reason, never passed.
    #[error("unsupported by the target: {0}")]
    Unsupported(String),
    /// The harness could not observe what it needed (browser gone, mock host
    /// down, certificate refused, time-out talking to the driver). The
    /// scenario is reported as an error.
    #[error("harness could not observe: {0}")]
    Harness(String),
}

/// The tenants every run has: the primary one allowlists the `ShopA`
/// origin, the secondary one the `ShopB` origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Tenant {
    Primary,
    Secondary,
}

/// Which key signs a user string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SigningKey {
    /// The tenant's current secret.
    Current,
    /// The secret the tenant had before its last rotation.
    Rotated,
    /// The other tenant's current secret.
    OtherTenant,
    /// A secret no tenant has.
    Unrelated,
}

/// The origins the mocked hosts serve pages from. Every name resolves to
/// loopback in the browser; the probe turns them into full origins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Site {
    /// `https://shop-a.test:P`, allowlisted by the primary tenant.
    ShopA,
    /// `https://shop-b.test:P`, allowlisted by the secondary tenant.
    ShopB,
    /// `http://shop-a.test:Q`: the allowlisted host, over plain HTTP.
    ShopAHttp,
    /// `https://shop-a.test:R`: the allowlisted host on another port.
    ShopAOtherPort,
    /// `https://evil-shop-a.test:P`: ends with the allowlisted host name.
    SuffixLookalike,
    /// `https://shop-a.test.evil.test:P`: starts with the allowlisted host name.
    PrefixLookalike,
    /// `https://sub.shop-a.test:P`: a subdomain of the allowlisted host.
    Subdomain,
    /// `https://evil.test:P`: an unrelated attacker origin.
    Evil,
}

impl Site {
    /// Every site, in declaration order.
    pub const ALL: [Site; 8] = [
        Site::ShopA,
        Site::ShopB,
        Site::ShopAHttp,
        Site::ShopAOtherPort,
        Site::SuffixLookalike,
        Site::PrefixLookalike,
        Site::Subdomain,
        Site::Evil,
    ];
}

/// Facts about the target, without secrets.
#[derive(Debug, Clone, Serialize)]
pub struct TargetFacts {
    /// e.g. `https://portal.userhero.test:8443`
    pub portal_origin: String,
    /// Public key of each tenant.
    pub public_keys: BTreeMap<String, String>,
    /// The target declares a provider-state endpoint.
    pub provider_state: bool,
}

/// One HTTP request to the portal, relative to its origin.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCall {
    pub method: String,
    /// Path and query, e.g. `/api/v1/tickets`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl ApiCall {
    pub fn get(path: impl Into<String>) -> ApiCall {
        ApiCall {
            method: "GET".into(),
            path: path.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn post_json(path: impl Into<String>, body: impl Into<String>) -> ApiCall {
        ApiCall {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(body.into()),
        }
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> ApiCall {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The portal's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ApiReply {
    pub status: u16,
    /// Header names lowercase, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub elapsed: Duration,
}

impl ApiReply {
    /// The first header of that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A user the target holds, with one ticket whose text is a canary.
#[derive(Debug, Clone, Serialize)]
pub struct SeededUser {
    pub tenant: Tenant,
    pub identity: Identity,
    /// Unique text in the ticket's subject: if it shows anywhere it should
    /// not, the ticket leaked.
    pub canary: String,
    pub ticket_id: Option<String>,
}

/// What kind of user a scenario needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UserSpec {
    /// A new identity with `externalUserId` and `email`.
    Fresh,
    /// A new identity with only an `email`.
    EmailOnly,
    /// A new identity with only a `phone`.
    PhoneOnly,
    /// The same `externalUserId` as this identity (in another tenant).
    SameIdAs(Identity),
    /// A new identity as [`UserSpec::Fresh`], whose ticket subject is the
    /// canary followed by this text (markup, say), so the whole subject is
    /// the [`SeededUser::canary`].
    SubjectEndsWith(String),
}

impl UserSpec {
    /// The ticket subject this spec asks for, around the probe's unique
    /// `canary` text.
    pub fn subject(&self, canary: &str) -> String {
        match self {
            UserSpec::SubjectEndsWith(tail) => format!("{canary}{tail}"),
            _ => canary.to_string(),
        }
    }

    /// The identity this spec asks for, named after `unique` (a run-unique
    /// label) with `phone_digits` as the phone number's last seven digits.
    pub fn identity(self, unique: &str, phone_digits: u64) -> Identity {
        let email = || Some(format!("{unique}@customer.test"));
        match self {
            UserSpec::Fresh | UserSpec::SubjectEndsWith(_) => Identity {
                external_user_id: Some(unique.to_string()),
                email: email(),
                phone: None,
            },
            UserSpec::EmailOnly => Identity {
                email: email(),
                ..Identity::default()
            },
            UserSpec::PhoneOnly => Identity {
                phone: Some(format!("+1555{:07}", phone_digits % 10_000_000)),
                ..Identity::default()
            },
            UserSpec::SameIdAs(other) => Identity {
                external_user_id: other.external_user_id,
                email: email(),
                phone: None,
            },
        }
    }
}

/// How the host page's script tag is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScriptLoading {
    /// The stub, the page's calls, then `<script async src=portal.js>`.
    AsyncTag,
    /// The stub and the calls; the `<script async>` tag is inserted only
    /// after the window's `load` event.
    AfterLoad,
    /// No stub: `<script async>` with an `onload` that makes the calls.
    OnLoadCallback,
}

/// How the customer's token endpoint (`/api/userhero-token` on the page's
/// own site) signs, with the documented mistakes as knobs.
#[derive(Debug, Clone, Serialize)]
pub struct TokenEndpoint {
    pub tenant: Tenant,
    pub identity: Identity,
    pub key: SigningKey,
    /// The customer's clock relative to the real one, in seconds (negative: behind).
    pub clock_offset_seconds: i64,
    /// `expiresAt` = customer clock + this.
    pub lifetime_seconds: i64,
    /// Sign the compact string but send it re-serialized (pretty-printed).
    pub reserialize: bool,
}

/// Who the page signs in, and how.
#[derive(Debug, Clone, Serialize)]
pub enum PageUser {
    /// The page calls nothing but `init`.
    None,
    /// The page calls `setUser(user, userHmac)` with exactly these strings.
    Signed { user: String, hmac: String },
    /// The page fetches `{user, userHmac}` from its token endpoint.
    FromTokenEndpoint(TokenEndpoint),
}

/// What the page does when `auth_expiring` fires.
#[derive(Debug, Clone, Serialize)]
pub enum OnExpiring {
    Nothing,
    /// Fetch a fresh token from the token endpoint and call `setUser`.
    Resign(TokenEndpoint),
    /// Call `setUser` with exactly these strings.
    SetUser {
        user: String,
        hmac: String,
    },
}

/// A condition the page is watched for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitFor {
    /// The SDK delivered this event (`ready`, `auth_failed`, ...).
    Event(String),
    /// This text shows inside the portal iframe.
    FrameText(String),
    /// The portal frame settled: the browser refused it (an error page), or
    /// its document from the portal origin finished loading.
    FrameSettled,
    /// Just let this much time pass (expiry windows).
    Elapsed(Duration),
    /// The page has done all it will do: the SDK's `ready` fired (the
    /// portal document loaded and showed the session), and since then the browser has had no request
    /// in flight in any of its documents (host page and portal frame, as
    /// seen over DevTools) for this long. A fetch issued before that quiet
    /// spell ends restarts it, so a late fetch is still seen. A harness that
    /// cannot watch the network never reports this condition: the view then
    /// did not reach it, and the scenario cannot conclude.
    NetworkIdle(Duration),
    /// A foreign document of the page (a [`Forger`], or the page after an
    /// [`OnReady::NavigateFrameThenSetUser`]) marked it is done, and since
    /// then the browser has had no request in flight for this long (as for
    /// `NetworkIdle`, never reported without DevTools).
    ForeignDone(Duration),
}

/// A host page the customer's site serves for one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct HostPage {
    pub site: Site,
    /// Whose public key the page initialises the portal with.
    pub tenant: Tenant,
    /// The page's `Content-Security-Policy`, with `{portal}` standing for the
    /// portal origin and `{nonce}` for the nonce of the page's own inline
    /// scripts. `None`: no policy.
    pub csp: Option<String>,
    pub loading: ScriptLoading,
    /// Theme variables passed to `init`, in order: strings, as the
    /// documentation's theme is, or another JSON value where a scenario
    /// tests how the portal takes a value that is not one.
    pub theme: Vec<(String, serde_json::Value)>,
    /// An `origin` option passed to `init`: a page trying to claim an origin.
    pub claimed_origin: Option<Site>,
    pub user: PageUser,
    pub on_expiring: OnExpiring,
    /// Stop watching at the first of these that holds.
    pub wait_for: Vec<WaitFor>,
    /// Give up after this long; the view then says it timed out.
    pub deadline: Duration,
    /// CSS custom properties to read from the portal document's root.
    pub read_styles: Vec<String>,
    /// What the page does once `ready` fired: a second user signing in in
    /// the same frame (a shared computer).
    pub on_ready: OnReady,
    /// The browser's third-party cookie setting for this page.
    pub third_party_cookies: ThirdPartyCookies,
    /// A hidden frame from another origin beside the portal that posts
    /// messages into the host window (a third-party frame on the shop).
    pub forger: Option<Forger>,
    /// A frame from another origin (an ad, an analytics widget) placed
    /// before the portal's container from the page's start, so it is the
    /// page's first frame (`window.frames[0]`). It reports every message
    /// it receives ([`ForeignKind::Caught`]) and that it loaded; the page
    /// signs in only once it loaded, so whatever the SDK or the portal
    /// posts to other frames reaches it.
    pub bystander: Option<Site>,
    /// The documents the host page sits in, outermost first: the browser
    /// opens a page on `framed_in[0]`, which frames a page on
    /// `framed_in[1]`, …, whose one frame is the host page. Empty: the host
    /// page is the top document. `frame-ancestors` is checked against every
    /// one of them, not only the host page.
    pub framed_in: Vec<Site>,
}

/// A frame on a foreign origin in the host page that, once the page is
/// ready for it, posts `messages` (targetOrigin `*`) to the host window or
/// into its sibling frames, then a `done` mark ([`ForeignKind::Done`]).
#[derive(Debug, Clone, Serialize)]
pub struct Forger {
    pub site: Site,
    /// Which windows it posts the messages to.
    pub into: ForgerTarget,
    /// It posts once the SDK delivered this event.
    pub after_event: String,
    /// Each posted as is (JSON values; the frame's own messages replayed).
    #[serde(serialize_with = "shapes_only")]
    pub messages: Vec<serde_json::Value>,
}

/// The windows a [`Forger`] posts its messages to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ForgerTarget {
    /// The host window (`parent`): forging the portal frame's side.
    HostWindow,
    /// Every other frame of the host window (`parent.frames[i]`, itself
    /// excepted), the portal frame among them: forging the host's side.
    SiblingFrames,
}

/// How the browser treats cookies of a cross-site frame (the portal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ThirdPartyCookies {
    /// Allowed, as Chromium ships for regular windows (the pool's browsers);
    /// Firefox and WebKit keep their own defaults (partitioned, blocked).
    EngineDefault,
    /// Blocked, as Safari does by default and the other engines when the
    /// user asks: the page is opened in a browser set to block them, and
    /// the view's [`PageView::frame_cookie`] says whether they really were.
    Blocked,
}

/// What became of a cookie written in the portal frame (`SameSite=None;
/// Secure`, by `document.cookie`) after the page was watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameCookie {
    /// Read back: the browser keeps the cross-site frame's cookies.
    Kept,
    /// Not read back: the browser refused the cross-site frame's cookie.
    Refused,
}

/// What the page does when `ready` fires.
#[derive(Debug, Clone, Serialize)]
pub enum OnReady {
    Nothing,
    /// Call `setUser` with exactly these strings (once).
    SetUser {
        user: String,
        hmac: String,
    },
    /// Navigate the SDK's portal frame to a catcher document on `to` (as a
    /// script that could navigate that window would), and once the catcher
    /// loaded, re-sign with these strings: whatever the SDK then posts to
    /// the frame's window reaches the catcher only when it was not
    /// addressed to the portal origin. The catcher reports each message it
    /// gets ([`ForeignKind::Caught`]); the page marks [`ForeignKind::Done`]
    /// after the `setUser` call.
    NavigateFrameThenSetUser {
        to: Site,
        #[serde(skip_serializing)]
        user: String,
        #[serde(skip_serializing)]
        hmac: String,
    },
}

impl HostPage {
    /// A page on `ShopA` for the primary tenant, async script tag, no CSP,
    /// waiting for `ready` or `auth_failed` for up to 10 s.
    pub fn new(user: PageUser) -> HostPage {
        HostPage {
            site: Site::ShopA,
            tenant: Tenant::Primary,
            csp: None,
            loading: ScriptLoading::AsyncTag,
            theme: Vec::new(),
            claimed_origin: None,
            user,
            on_expiring: OnExpiring::Nothing,
            wait_for: vec![
                WaitFor::Event(crate::contract::EVENT_READY.into()),
                WaitFor::Event(crate::contract::EVENT_AUTH_FAILED.into()),
            ],
            deadline: Duration::from_secs(10),
            read_styles: Vec::new(),
            on_ready: OnReady::Nothing,
            third_party_cookies: ThirdPartyCookies::EngineDefault,
            forger: None,
            bystander: None,
            framed_in: Vec::new(),
        }
    }
}

/// An event the SDK delivered to the page's handler.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct SdkEvent {
    pub name: String,
    pub detail: serde_json::Value,
    /// Milliseconds since the page's first `setUser` call (or since the page
    /// started when it made none).
    pub at_ms: u64,
}

/// A CSP violation the host page saw.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct CspViolation {
    pub directive: String,
    pub blocked_uri: String,
}

/// Where a console message was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsoleSource {
    HostPage,
    PortalFrame,
}

impl ConsoleSource {
    /// As reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleSource::HostPage => "host page",
            ConsoleSource::PortalFrame => "portal frame",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct ConsoleMessage {
    pub source: ConsoleSource,
    /// `error`, `warning`, `info`, `log`, ...
    pub level: String,
    pub text: String,
}

/// What the portal iframe turned out to be.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize, Default)]
pub enum FrameView {
    /// The page has no portal iframe.
    #[default]
    Absent,
    /// The browser refused to show the portal (its URL is a `chrome-error:`
    /// page, "refused to connect").
    Refused { url: String },
    /// The portal document loaded.
    Loaded {
        url: String,
        /// `document.body.innerText`.
        text: String,
        /// The `read_styles` custom properties as computed on the root.
        styles: BTreeMap<String, String>,
    },
}

/// Everything observed of one host page.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct PageView {
    /// The host page's final `location.href`.
    pub url: String,
    pub events: Vec<SdkEvent>,
    pub csp_violations: Vec<CspViolation>,
    pub console: Vec<ConsoleMessage>,
    pub frame: FrameView,
    /// The host page's own `document.body.innerText` (outside the iframe).
    pub host_text: String,
    /// The first `wait_for` condition that held, if any did before the deadline.
    pub reached: Option<WaitFor>,
    /// Milliseconds from the page's start to the end of watching.
    pub watched_ms: u64,
    /// How many iframes in the container load from the portal origin.
    pub portal_frames: usize,
    /// Every request the browser made for this page, from every frame;
    /// `None` when the harness could not watch the network (then nothing
    /// may be concluded from the absence of a request).
    pub requests: Option<Vec<ObservedRequest>>,
    /// Whether the console and log entries of the portal frame reached the
    /// harness (DevTools, WebDriver BiDi). When not, [`PageView::console`]
    /// holds the host page's own messages only, and nothing may be
    /// concluded from a message's absence in the frame.
    pub portal_console_observed: bool,
    /// Script-readable storage of the host page and of the portal frame at
    /// the end of watching.
    pub storage: Vec<StorageView>,
    /// Asked for with [`ThirdPartyCookies::Blocked`]: whether a cookie the
    /// portal frame writes after the watch sticks. `None`: not asked for,
    /// or the frame could not be entered.
    pub frame_cookie: Option<FrameCookie>,
    /// Window messages the host window received from other windows (the
    /// portal frame's, foreign ones), the harness's own marks excepted.
    pub messages: Vec<WindowMessage>,
    /// What the page's foreign documents reported, in order.
    pub foreign: Vec<ForeignMark>,
    /// Window messages the documents of the portal origin received, from
    /// any window, recorded by a listener the page's own scripts cannot
    /// see (an isolated world); `None` when the engine offers none (then
    /// nothing may be concluded about what the portal frame was sent).
    pub frame_messages: Option<Vec<FrameMessage>>,
}

/// One `message` event the host window got. Evidence shows the shape of
/// its data (member names, types and lengths), never the values: they may
/// carry the session.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct WindowMessage {
    /// `event.origin`.
    pub origin: String,
    /// `event.data`, through JSON (`null` when it does not survive that);
    /// in evidence ([`PageView::evidence`]), its [`value_shape`] only.
    pub data: serde_json::Value,
    /// How many `MessagePort`s came with it.
    pub ports: usize,
}

/// One `message` event a document of the portal origin received. Evidence
/// shows its data's shape only, as for [`WindowMessage`].
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct FrameMessage {
    /// `event.origin`: the origin of the window that posted it.
    pub origin: String,
    /// Whether `event.source` was the receiving frame's parent window.
    pub from_parent: bool,
    /// `event.data`, through JSON (`null` when it does not survive that).
    pub data: serde_json::Value,
    /// How many `MessagePort`s came with it.
    pub ports: usize,
}

/// What a foreign document of the page reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForeignKind {
    /// Its document loaded (and listens).
    Loaded,
    /// It did what it was there for.
    Done,
    /// A catcher got a message (posted into its window by someone else).
    Caught,
}

impl ForeignKind {
    pub const ALL: [ForeignKind; 3] = [ForeignKind::Loaded, ForeignKind::Done, ForeignKind::Caught];

    /// The name its documents write in their reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ForeignKind::Loaded => "loaded",
            ForeignKind::Done => "done",
            ForeignKind::Caught => "caught",
        }
    }

    pub fn parse(name: &str) -> Option<ForeignKind> {
        ForeignKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One report of a foreign document.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct ForeignMark {
    pub kind: ForeignKind,
    /// The origin the report came from (the foreign document's).
    pub origin: String,
    /// For `Caught`: the origin of the window that posted the message.
    pub from: Option<String>,
    /// For `Caught`: the message's data, through JSON; in evidence
    /// ([`PageView::evidence`]), its [`value_shape`] only.
    pub data: serde_json::Value,
}

/// The shape of a JSON value: member names, types and string lengths,
/// never a string's content (messages may carry credentials).
pub fn value_shape(value: &serde_json::Value) -> String {
    use serde_json::Value::*;
    match value {
        Null => "null".into(),
        Bool(_) => "bool".into(),
        Number(_) => "number".into(),
        String(s) => format!("string({})", s.chars().count()),
        Array(items) => format!(
            "[{}]",
            items.iter().map(value_shape).collect::<Vec<_>>().join(", ")
        ),
        Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{k:?}: {}", value_shape(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn shapes_only<S: serde::Serializer>(
    values: &[serde_json::Value],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(values.len()))?;
    for value in values {
        seq.serialize_element(&value_shape(value))?;
    }
    seq.end()
}

/// One request the browser sent, as DevTools saw it.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct ObservedRequest {
    /// Origin of the document that made it.
    pub from_origin: String,
    pub method: String,
    pub url: String,
    /// The `Referer` header it carried.
    pub referer: Option<String>,
    /// The credential of its `Authorization` header, if any (a session token).
    pub bearer: Option<String>,
}

/// Which window's storage was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StorageOwner {
    HostPage,
    PortalFrame,
}

/// The script-readable storage of one window.
#[derive(Debug, Clone, Serialize, PartialEq, Deserialize)]
pub struct StorageView {
    pub owner: StorageOwner,
    /// The window's origin.
    pub origin: String,
    /// `localStorage` entries; `None` when reading it threw.
    pub local: Option<Vec<(String, String)>>,
    /// `sessionStorage` entries; `None` when reading it threw.
    pub session: Option<Vec<(String, String)>>,
    /// `document.cookie`; `None` when reading it threw.
    pub cookies: Option<String>,
}

impl PageView {
    /// The view as evidence keeps it: window messages and what foreign
    /// documents caught carry only their [`value_shape`], never values
    /// (they may hold the session). Everything else is kept, for
    /// redaction by value at the stream's edge.
    pub fn evidence(&self) -> PageView {
        let shape = |data: &serde_json::Value| serde_json::Value::String(value_shape(data));
        let mut view = self.clone();
        for message in &mut view.messages {
            message.data = shape(&message.data);
        }
        for mark in &mut view.foreign {
            mark.data = shape(&mark.data);
        }
        for message in view.frame_messages.iter_mut().flatten() {
            message.data = shape(&message.data);
        }
        view
    }

    pub fn event(&self, name: &str) -> Option<&SdkEvent> {
        self.events.iter().find(|e| e.name == name)
    }

    pub fn frame_text(&self) -> Option<&str> {
        match &self.frame {
            FrameView::Loaded { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether `needle` shows anywhere in the page: host DOM or portal frame.
    pub fn shows(&self, needle: &str) -> bool {
        self.host_text.contains(needle) || self.frame_text().is_some_and(|t| t.contains(needle))
    }
}

/// A request a mocked host received (the attacker's canary host).
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// The interface the harness implements. Every method records what it did
/// and saw as evidence for the running scenario.
#[async_trait]
pub trait Probe: Send {
    fn facts(&self) -> &TargetFacts;

    /// The current time as unix seconds, by the clock the portal shares
    /// (this machine's, plus the target's declared offset, if any).
    fn now(&self) -> i64;

    /// A value unique to this run and call, safe for IDs and canaries.
    fn unique(&mut self, label: &str) -> String;

    /// The full origin of a mocked site, e.g. `https://shop-a.test:41234`.
    fn origin(&self, site: Site) -> String;

    /// The public key of a tenant.
    fn public_key(&self, tenant: Tenant) -> String;

    /// HMAC-SHA256 hex of `user` under the chosen key. The secret itself
    /// never leaves the probe.
    fn sign(&self, tenant: Tenant, key: SigningKey, user: &str) -> Result<String, ProbeError>;

    /// How `text` holds the tenant's secret (the current one, or the one
    /// before a rotation), if it does: the name of the encoding
    /// ([`crate::sections::handshake::secret::secret_forms`]). The secret
    /// itself never leaves the probe.
    fn secret_shown(&self, tenant: Tenant, text: &str) -> Option<&'static str>;

    /// A user with a canary ticket, created through the provider state or
    /// picked from the target's seeded users.
    async fn seed_user(&mut self, tenant: Tenant, spec: UserSpec)
        -> Result<SeededUser, ProbeError>;

    /// Rotate the tenant's secret: afterwards `SigningKey::Rotated` is the
    /// old secret and `SigningKey::Current` the new one.
    async fn rotate_secret(&mut self, tenant: Tenant) -> Result<(), ProbeError>;

    /// One request to the portal. `Origin` is sent only if the call has one.
    async fn api(&mut self, call: ApiCall) -> Result<ApiReply, ProbeError>;

    /// Serve `page` on its site, open it in a fresh browser state, watch it
    /// until a `wait_for` condition or the deadline, and report what showed.
    async fn open_page(&mut self, page: HostPage) -> Result<PageView, ProbeError>;

    /// Requests the attacker's canary host received since the scenario began.
    async fn canary_hits(&mut self) -> Result<Vec<RecordedRequest>, ProbeError>;

    /// The canary host's URL for `label`, e.g. `https://canary.test:P/label`.
    fn canary_url(&self, label: &str) -> String;

    /// Wait until `unix_seconds` by the portal's clock has passed, polling.
    async fn wait_until(&mut self, unix_seconds: i64) -> Result<(), ProbeError>;

    /// A note for the evidence (what was sent, which variant, a seed).
    fn note(&mut self, text: String);

    /// The seed for this scenario's generated inputs: derived from the
    /// run's `--seed` and the scenario ID, so `--seed N` replays a run.
    /// Generated scenarios must note the seed they used.
    fn seed(&self) -> u64 {
        0x5eed
    }
}
