//! A test-only fake: a small, correct portal kept in memory behind the
//! [`Probe`] interface, with a few switchable misbehaviours. It answers the
//! handshake, ticket and embed APIs and makes plausible page views, so the
//! catalogue can be unit-tested without a browser. It is deliberately not a
//! second reference portal: time is simulated, pages are computed, not run.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::contract::wire::{
    FIELD_ERROR, FIELD_EXPIRES_AT, FIELD_SECONDS_LEFT, FIELD_SESSION_TOKEN,
};
use crate::contract::{
    expiring_lead_seconds, hmac_hex, theme_value_allowed, AuthFailure, EMBED_PATH, HANDSHAKE_PATH,
    MAX_LIFETIME_SECONDS, SESSION_EXPIRED_TEXT, THEME_VARIABLES, TICKETS_PATH,
};
use crate::probe::*;

/// The misbehaviours the fake can be switched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Verify over the sorted-key compact re-serialization.
    Reserialize,
    /// Compare the first 16 hex digits only.
    PrefixCompare,
    /// 2 ms per matching leading digit.
    TimingLeak,
    /// The ticket list returns every user's tickets.
    TicketsNotScoped,
    /// Theme values are not filtered (and `url()` is fetched).
    ThemeUnfiltered,
    /// The SDK never fires `ready`.
    NoReadyEvent,
    /// The API keeps serving expired sessions.
    AcceptExpired,
    /// The frame keeps the tickets after expiry.
    NoExpiredMessage,
    /// The host page loads but portal.js never mounts anything.
    NeverMounts,
    /// Pages come back empty: the harness observed nothing.
    PageSilent,
    /// Users, rotation and pages are unsupported by the target.
    Unsupported,
    /// The frame puts the session token in its own URL.
    TokenInFrameUrl,
    /// The frame keeps the session token in `localStorage`.
    TokenInStorage,
    /// A second `setUser` appends the new user's tickets to the old ones.
    SwitchKeepsTickets,
    /// The frame's ticket calls need a third-party cookie: with such
    /// cookies blocked the panel stays blank.
    NeedsThirdPartyCookie,
    /// The SDK acts on window messages from any window.
    SdkTrustsAnyMessage,
    /// The SDK posts the session to its frame with targetOrigin `*`.
    SessionToAnyTarget,
    /// The portal frame acts on window messages from any window.
    FrameTrustsAnyMessage,
    /// The SDK posts the session to every frame of the page as well.
    SessionToEveryFrame,
    /// Framing judged by the parent alone (the page the SDK runs on).
    FramingParentOnly,
    /// The embed document carries the tenant's secret, base64-encoded.
    SecretInEmbed,
    /// Users keyed by their identifier's value alone, all fields in one
    /// namespace.
    IdentityOneNamespace,
}

/// The choices the contract leaves to an implementation. The catalogue must
/// pass against the fake with every one of these sets, not only with the
/// reference portal's.
#[derive(Debug, Clone, Copy)]
pub struct Choices {
    /// The status of each handshake refusal.
    pub refusal_status: fn(AuthFailure) -> u16,
    pub token: TokenShape,
    /// Unknown extra fields in every JSON answer and event detail.
    pub extra_fields: bool,
    /// `Access-Control-Allow-Origin: *` instead of the echoed origin.
    pub cors_star: bool,
    /// `auth_expiring` carries `secondsLeft`.
    pub seconds_left: bool,
    /// The ticket list's field name, and whether ticket IDs are numbers.
    pub list_field: &'static str,
    pub numeric_ids: bool,
    /// Statuses of the refusals whose status is the implementation's choice.
    pub foreign_ticket_status: u16,
    pub dead_session_status: u16,
    pub unknown_embed_status: u16,
    /// A refused re-sign ends the session at once instead of at `expiresAt`.
    pub refused_resign_ends_at_once: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum TokenShape {
    Hex,
    Base64Url,
    JwtLike,
}

impl Choices {
    /// What the reference portal does.
    pub fn reference() -> Choices {
        Choices {
            refusal_status: |r| match r {
                AuthFailure::UnknownPublicKey => 404,
                AuthFailure::OriginNotAllowed => 403,
                AuthFailure::MalformedHmac | AuthFailure::InvalidPayload => 400,
                AuthFailure::InvalidSignature | AuthFailure::Expired | AuthFailure::Network => 401,
            },
            token: TokenShape::Hex,
            extra_fields: false,
            cors_star: false,
            seconds_left: true,
            list_field: "tickets",
            numeric_ids: false,
            foreign_ticket_status: 404,
            dead_session_status: 401,
            unknown_embed_status: 404,
            refused_resign_ends_at_once: false,
        }
    }

    /// Other conforming choices, each unlike the reference's.
    pub fn others() -> Vec<Choices> {
        vec![
            Choices {
                refusal_status: |_| 401,
                token: TokenShape::Base64Url,
                extra_fields: true,
                cors_star: true,
                seconds_left: false,
                list_field: "data",
                numeric_ids: true,
                foreign_ticket_status: 403,
                dead_session_status: 403,
                unknown_embed_status: 400,
                refused_resign_ends_at_once: true,
            },
            Choices {
                refusal_status: |r| match r {
                    AuthFailure::MalformedHmac | AuthFailure::InvalidPayload => 422,
                    _ => 400,
                },
                token: TokenShape::JwtLike,
                extra_fields: true,
                cors_star: false,
                seconds_left: true,
                list_field: "tickets",
                numeric_ids: true,
                foreign_ticket_status: 404,
                dead_session_status: 400,
                unknown_embed_status: 410,
                refused_resign_ends_at_once: false,
            },
        ]
    }
}

struct FakeUser {
    tenant: Tenant,
    key: String,
    canary: String,
    ticket_id: String,
}

struct FakeSession {
    tenant: Tenant,
    key: String,
    expires_at: i64,
}

struct Accepted {
    token: String,
    expires_at: i64,
    remaining: i64,
}

pub struct FakeProbe {
    facts: TargetFacts,
    faults: Vec<Fault>,
    choices: Choices,
    clock: i64,
    counter: u64,
    secrets: HashMap<Tenant, String>,
    rotated: HashMap<Tenant, String>,
    users: Vec<FakeUser>,
    sessions: HashMap<String, FakeSession>,
    hits: Vec<RecordedRequest>,
    pub notes: Vec<String>,
}

const PORTAL: &str = "https://portal.userhero.test:8443";
const CANARY: &str = "https://canary.test:9";

impl FakeProbe {
    pub fn new(faults: &[Fault]) -> FakeProbe {
        FakeProbe::with_choices(faults, Choices::reference())
    }

    pub fn with_choices(faults: &[Fault], choices: Choices) -> FakeProbe {
        let public_keys = BTreeMap::from([
            ("primary".to_string(), "pk_primary".to_string()),
            ("secondary".into(), "pk_secondary".into()),
        ]);
        FakeProbe {
            facts: TargetFacts {
                portal_origin: PORTAL.into(),
                public_keys,
                provider_state: true,
            },
            faults: faults.to_vec(),
            choices,
            clock: 1_800_000_000,
            counter: 0,
            secrets: HashMap::from([
                (Tenant::Primary, "s-primary".into()),
                (Tenant::Secondary, "s-secondary".into()),
            ]),
            rotated: HashMap::new(),
            users: Vec::new(),
            sessions: HashMap::new(),
            hits: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    fn tenant_of(&self, public_key: &str) -> Option<Tenant> {
        [Tenant::Primary, Tenant::Secondary]
            .into_iter()
            .find(|t| self.public_key(*t) == public_key)
    }

    fn home(&self, tenant: Tenant) -> String {
        self.origin(crate::checks::home_site(tenant))
    }

    /// The handshake: tenant, origin, HMAC shape, signature, payload.
    fn handshake(
        &mut self,
        public_key: &str,
        origin: Option<&str>,
        user: &str,
        hmac: &Value,
    ) -> (Result<Accepted, AuthFailure>, usize) {
        let Some(tenant) = self.tenant_of(public_key) else {
            return (Err(AuthFailure::UnknownPublicKey), 0);
        };
        if origin != Some(self.home(tenant).as_str()) {
            return (Err(AuthFailure::OriginNotAllowed), 0);
        }
        let Some(hmac) = hmac
            .as_str()
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        else {
            return (Err(AuthFailure::MalformedHmac), 0);
        };
        let message = if self.has(Fault::Reserialize) {
            resorted(user)
        } else {
            user.to_string()
        };
        let expected = hmac_hex(self.secrets[&tenant].as_bytes(), message.as_bytes());
        let hmac = hmac.to_ascii_lowercase();
        let leaked = expected
            .bytes()
            .zip(hmac.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let valid = if self.has(Fault::PrefixCompare) {
            expected[..16] == hmac[..16]
        } else {
            expected == hmac
        };
        let leaked = if self.has(Fault::TimingLeak) {
            leaked
        } else {
            0
        };
        if !valid {
            return (Err(AuthFailure::InvalidSignature), leaked);
        }
        let Ok(Value::Object(payload)) = serde_json::from_str::<Value>(user) else {
            return (Err(AuthFailure::InvalidPayload), leaked);
        };
        if crate::payload::repeats_a_member(user) {
            return (Err(AuthFailure::InvalidPayload), leaked);
        }
        let key = ["externalUserId", "email", "phone"]
            .iter()
            .find_map(|f| match payload.get(*f) {
                Some(Value::String(v)) if !v.is_empty() => Some(self.user_key(f, v)),
                _ => None,
            });
        let Some(key) = key else {
            return (Err(AuthFailure::InvalidPayload), leaked);
        };
        let Some(expires_at) = payload
            .get("expiresAt")
            .and_then(Value::as_i64)
            .filter(|e| (0..=1i64 << 53).contains(e))
        else {
            return (Err(AuthFailure::InvalidPayload), leaked);
        };
        if expires_at <= self.clock {
            return (Err(AuthFailure::Expired), leaked);
        }
        if expires_at > self.clock + MAX_LIFETIME_SECONDS {
            return (Err(AuthFailure::InvalidPayload), leaked);
        }
        let token = self.token();
        self.sessions.insert(
            token.clone(),
            FakeSession {
                tenant,
                key,
                expires_at,
            },
        );
        (
            Ok(Accepted {
                token,
                expires_at,
                remaining: expires_at - self.clock,
            }),
            leaked,
        )
    }

    /// A session token in the chosen shape.
    fn token(&mut self) -> String {
        let seed = hmac_hex(b"token", self.unique("token").as_bytes());
        match self.choices.token {
            TokenShape::Hex => seed,
            TokenShape::Base64Url => seed
                .bytes()
                .map(|b| {
                    if b.is_ascii_digit() {
                        (b'A' + (b - b'0')) as char
                    } else {
                        b as char
                    }
                })
                .chain("-_x".chars())
                .collect(),
            TokenShape::JwtLike => format!("eyJhbGciOiJIUzI1NiJ9.{}.{}", &seed[..20], &seed[20..]),
        }
    }

    /// `value` with an unknown field added, when extra fields are chosen.
    fn decorated(&self, mut value: Value) -> Value {
        if let (true, Value::Object(map)) = (self.choices.extra_fields, &mut value) {
            map.insert("x-unknown".into(), json!({"nested": [1, "two"]}));
        }
        value
    }

    /// A user's key: `field:value`, or the value alone under
    /// [`Fault::IdentityOneNamespace`].
    fn user_key(&self, field: &str, value: &str) -> String {
        if self.has(Fault::IdentityOneNamespace) {
            value.to_string()
        } else {
            format!("{field}:{value}")
        }
    }

    fn answer(&mut self, call: &ApiCall) -> ApiReply {
        let header = |name: &str| {
            call.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let origin = header("origin");
        let (path, query) = call.path.split_once('?').unwrap_or((&call.path, ""));
        let mut elapsed = Duration::from_millis(1);
        let (status, body, mut headers): (u16, String, Vec<(String, String)>) = match (
            call.method.as_str(),
            path,
        ) {
            ("OPTIONS", _) => (
                204,
                String::new(),
                vec![("access-control-allow-origin".into(), "*".into())],
            ),
            ("POST", HANDSHAKE_PATH) => {
                let request: Value =
                    serde_json::from_str(call.body.as_deref().unwrap_or("")).unwrap_or(Value::Null);
                let key = request["publicKey"].as_str().unwrap_or("").to_string();
                let user = request["user"].as_str().unwrap_or("").to_string();
                let (result, leaked) =
                    self.handshake(&key, origin.as_deref(), &user, &request["userHmac"]);
                elapsed += Duration::from_millis(2 * leaked as u64);
                match result {
                    Ok(a) => (
                        200,
                        self.decorated(json!({FIELD_SESSION_TOKEN: a.token, FIELD_EXPIRES_AT: a.expires_at, "secondsRemaining": a.remaining}))
                        .to_string(),
                        vec![
                            ("access-control-allow-origin".into(), if self.choices.cors_star { "*".into() } else { origin.clone().unwrap_or_default() }),
                            ("cache-control".into(), "no-store".into()),
                        ],
                    ),
                    Err(r) => (
                        (self.choices.refusal_status)(r),
                        self.decorated(json!({FIELD_ERROR: r.as_str()})).to_string(),
                        vec![("access-control-allow-origin".into(), "*".into())],
                    ),
                }
            }
            ("GET", EMBED_PATH) => {
                let pk = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("pk="))
                    .unwrap_or("");
                match self.tenant_of(pk) {
                    Some(t) => (
                        200,
                        if self.has(Fault::SecretInEmbed) {
                            use base64::Engine;
                            let key = base64::engine::general_purpose::STANDARD
                                .encode(self.secrets[&t].as_bytes());
                            format!("<html><meta name=\"uh-key\" content=\"{key}\">portal</html>")
                        } else {
                            "<html>portal</html>".into()
                        },
                        vec![(
                            "content-security-policy".into(),
                            format!("frame-ancestors {}; default-src 'self'", self.home(t)),
                        )],
                    ),
                    None if pk.is_empty() => (
                        400,
                        "<html>bad request</html>".into(),
                        vec![(
                            "content-security-policy".into(),
                            "frame-ancestors 'none'".into(),
                        )],
                    ),
                    None => (
                        self.choices.unknown_embed_status,
                        "<html>unknown</html>".into(),
                        vec![(
                            "content-security-policy".into(),
                            "frame-ancestors 'none'".into(),
                        )],
                    ),
                }
            }
            ("GET", p) if p.starts_with(TICKETS_PATH) => self.tickets(p, header("authorization")),
            _ => (404, json!({"error": "not_found"}).to_string(), Vec::new()),
        };
        headers.push((
            "content-type".into(),
            if path == EMBED_PATH {
                "text/html"
            } else {
                "application/json"
            }
            .into(),
        ));
        ApiReply {
            status,
            headers,
            body,
            elapsed,
        }
    }

    fn tickets(
        &self,
        path: &str,
        authorization: Option<String>,
    ) -> (u16, String, Vec<(String, String)>) {
        let private = vec![("cache-control".to_string(), "no-store, private".to_string())];
        let token = authorization
            .and_then(|a| a.strip_prefix("Bearer ").map(str::to_string))
            .unwrap_or_default();
        let Some(session) = self.sessions.get(&token) else {
            return (
                self.choices.dead_session_status,
                json!({"error": "invalid_session"}).to_string(),
                private,
            );
        };
        if session.expires_at <= self.clock && !self.has(Fault::AcceptExpired) {
            return (
                self.choices.dead_session_status,
                json!({"error": "session_expired"}).to_string(),
                private,
            );
        }
        let owned = |u: &&FakeUser| u.tenant == session.tenant && u.key == session.key;
        let visible: Vec<&FakeUser> = self
            .users
            .iter()
            .filter(|u| self.has(Fault::TicketsNotScoped) || owned(u))
            .collect();
        let ticket = |u: &FakeUser| {
            let id = match u.ticket_id.parse::<u64>() {
                Ok(n) => json!(n),
                Err(_) => json!(u.ticket_id),
            };
            self.decorated(json!({"id": id, "subject": u.canary, "body": "fake ticket"}))
        };
        match path
            .strip_prefix(TICKETS_PATH)
            .and_then(|rest| rest.strip_prefix('/'))
        {
            None => (
                200,
                self.decorated(json!({self.choices.list_field: visible.iter().map(|u| ticket(u)).collect::<Vec<_>>()}))
                    .to_string(),
                private,
            ),
            Some(id) => match self.users.iter().filter(owned).find(|u| u.ticket_id == id) {
                Some(u) => (200, ticket(u).to_string(), private),
                None => (
                    self.choices.foreign_ticket_status,
                    json!({"error": "not_found"}).to_string(),
                    private,
                ),
            },
        }
    }

    /// The canary text of the tickets a session shows.
    fn ticket_text(&self, token: &str) -> String {
        let auth = Some(format!("Bearer {token}"));
        let (_, body, _) = self.tickets(TICKETS_PATH, auth);
        let list: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let subjects: Vec<&str> = list[self.choices.list_field]
            .as_array()
            .map(|l| l.iter().filter_map(|t| t["subject"].as_str()).collect())
            .unwrap_or_default();
        format!("Support\n{}", subjects.join("\n"))
    }

    fn token_string(&mut self, endpoint: &TokenEndpoint) -> (String, String) {
        let fields = endpoint
            .identity
            .fields(self.clock + endpoint.clock_offset_seconds + endpoint.lifetime_seconds);
        let compact = crate::payload::Layout::compact().render(&fields);
        let hmac = self
            .sign(endpoint.tenant, endpoint.key.clone(), &compact)
            .unwrap_or_default();
        let sent = if endpoint.reserialize {
            crate::payload::Layout {
                indent: Some(2),
                ..crate::payload::Layout::compact()
            }
            .render(&fields)
        } else {
            compact
        };
        (sent, hmac)
    }

    fn theme_styles(&mut self, page: &HostPage) -> BTreeMap<String, String> {
        let mut applied = BTreeMap::new();
        for (name, value) in &page.theme {
            let unfiltered = self.has(Fault::ThemeUnfiltered);
            // A value that is not a string is dropped, or (unfiltered)
            // applied as its JSON text.
            let value = &match value {
                serde_json::Value::String(text) => text.clone(),
                _ if unfiltered => value.to_string(),
                _ => continue,
            };
            if unfiltered
                || (THEME_VARIABLES.contains(&name.as_str()) && theme_value_allowed(value))
            {
                applied.insert(name.clone(), value.trim().to_string());
                if let Some(start) = value.find(CANARY).filter(|_| unfiltered) {
                    let url: String = value[start..]
                        .chars()
                        .take_while(|c| !")'\" ".contains(*c))
                        .collect();
                    self.hits.push(RecordedRequest {
                        method: "GET".into(),
                        url,
                        headers: Vec::new(),
                    });
                }
            }
        }
        page.read_styles
            .iter()
            .map(|n| (n.clone(), applied.get(n).cloned().unwrap_or_default()))
            .collect()
    }

    /// The requests and storage a browser shows once the frame has a
    /// session: the handshake from the host page, the ticket list from the
    /// frame with the token as a bearer credential.
    fn observe_session(&self, view: &mut PageView, site_origin: &str, token: &str) {
        let embed = if self.has(Fault::TokenInFrameUrl) {
            format!("{PORTAL}{EMBED_PATH}?session={token}")
        } else {
            format!("{PORTAL}{EMBED_PATH}")
        };
        if let Some(requests) = view.requests.as_mut() {
            requests.push(ObservedRequest {
                from_origin: site_origin.to_string(),
                method: "POST".into(),
                url: format!("{PORTAL}{HANDSHAKE_PATH}"),
                referer: Some(format!("{site_origin}/")),
                bearer: None,
            });
            requests.push(ObservedRequest {
                from_origin: PORTAL.into(),
                method: "GET".into(),
                url: format!("{PORTAL}{TICKETS_PATH}"),
                referer: Some(embed),
                bearer: Some(token.to_string()),
            });
        }
        let local = if self.has(Fault::TokenInStorage) {
            vec![("userhero.session".to_string(), token.to_string())]
        } else {
            Vec::new()
        };
        view.storage = vec![
            StorageView {
                owner: StorageOwner::HostPage,
                origin: site_origin.to_string(),
                local: Some(Vec::new()),
                session: Some(Vec::new()),
                cookies: Some(String::new()),
            },
            StorageView {
                owner: StorageOwner::PortalFrame,
                origin: PORTAL.into(),
                local: Some(local),
                session: Some(Vec::new()),
                cookies: Some(String::new()),
            },
        ];
    }

    /// Computes what a browser would show of `page`, on simulated time.
    fn simulate(&mut self, page: HostPage) -> PageView {
        let site_origin = self.origin(page.site);
        let public_key = self.public_key(page.tenant);
        let mut view = PageView {
            url: format!("{site_origin}/page"),
            events: Vec::new(),
            csp_violations: Vec::new(),
            console: Vec::new(),
            frame: FrameView::Absent,
            host_text: "Shop".into(),
            reached: None,
            watched_ms: page.deadline.as_millis() as u64,
            portal_frames: 0,
            requests: Some(Vec::new()),
            portal_console_observed: true,
            storage: Vec::new(),
            frame_cookie: None,
            messages: Vec::new(),
            foreign: Vec::new(),
            frame_messages: Some(Vec::new()),
        };
        // When a foreign document of the page marked `done`.
        let mut done_at: Option<u64> = None;
        if self.has(Fault::PageSilent) {
            view.url = String::new();
            return view;
        }
        if self.has(Fault::NeverMounts) {
            return view;
        }
        let blocked = |directive: &str| {
            page.csp.as_deref().is_some_and(|csp| {
                let sources = crate::checks::csp_directive(csp, directive)
                    .or_else(|| crate::checks::csp_directive(csp, "default-src"));
                !sources.unwrap_or_default().iter().any(|s| s == "{portal}")
            })
        };
        let embed_url = format!("{PORTAL}{EMBED_PATH}?pk={public_key}");
        view.portal_frames = 1;
        // `frame-ancestors` holds every ancestor to the allowlist.
        let framable = site_origin == self.home(page.tenant)
            && (self.has(Fault::FramingParentOnly)
                || page
                    .framed_in
                    .iter()
                    .all(|s| self.origin(*s) == self.home(page.tenant)));
        let frame_blocked = blocked("frame-src");
        if frame_blocked {
            view.csp_violations.push(CspViolation {
                directive: "frame-src".into(),
                blocked_uri: embed_url.clone(),
            });
        }
        let cookies_blocked = page.third_party_cookies == ThirdPartyCookies::Blocked;
        if cookies_blocked && framable && !frame_blocked {
            view.frame_cookie = Some(FrameCookie::Refused);
        }
        let mut frame_text = "Signing you in…".to_string();
        let styles = self.theme_styles(&page);
        let credentials = match &page.user {
            PageUser::None => None,
            PageUser::Signed { user, hmac } => Some((user.clone(), hmac.clone())),
            PageUser::FromTokenEndpoint(endpoint) => Some(self.token_string(endpoint)),
        };
        let mut expiry_ms = None;
        let mut ended_text: Option<String> = None;
        let fail = |view: &mut PageView, reason: &str, at_ms: u64| {
            view.events.push(SdkEvent {
                name: "auth_failed".into(),
                detail: json!({"reason": reason}),
                at_ms,
            });
            view.console.push(ConsoleMessage {
                source: ConsoleSource::HostPage,
                level: "error".into(),
                text: format!("UserHero: auth_failed ({reason}) for public key {public_key}"),
            });
        };
        if let Some(site) = page.bystander {
            view.foreign
                .push(mark(ForeignKind::Loaded, &self.origin(site)));
        }
        if let Some((user, hmac)) = credentials {
            if blocked("connect-src") {
                view.csp_violations.push(CspViolation {
                    directive: "connect-src".into(),
                    blocked_uri: format!("{PORTAL}{HANDSHAKE_PATH}"),
                });
                fail(&mut view, "network", 30);
            } else {
                match self
                    .handshake(&public_key, Some(&site_origin), &user, &Value::String(hmac))
                    .0
                {
                    Err(reason) => fail(&mut view, reason.as_str(), 80),
                    Ok(_)
                        if framable
                            && !frame_blocked
                            && cookies_blocked
                            && self.has(Fault::NeedsThirdPartyCookie) =>
                    {
                        frame_text = "The portal could not load your tickets.".into();
                    }
                    Ok(accepted) if framable && !frame_blocked => {
                        frame_text = self.ticket_text(&accepted.token);
                        self.observe_session(&mut view, &site_origin, &accepted.token);
                        if let (Some(site), true) =
                            (page.bystander, self.has(Fault::SessionToEveryFrame))
                        {
                            view.foreign.push(ForeignMark {
                                kind: ForeignKind::Caught,
                                origin: self.origin(site),
                                from: Some(site_origin.clone()),
                                data: json!({"type": "uh:session", "token": accepted.token}),
                            });
                        }
                        // The host window hands the frame its session.
                        view.frame_messages
                            .get_or_insert_default()
                            .push(FrameMessage {
                                origin: site_origin.clone(),
                                from_parent: true,
                                data: json!({"type": "uh:session", "token": accepted.token}),
                                ports: 0,
                            });
                        // The frame says hello, then ready, to its parent.
                        for kind in ["uh:hello", "uh:ready"] {
                            view.messages.push(WindowMessage {
                                origin: PORTAL.into(),
                                data: json!({ "type": kind }),
                                ports: 0,
                            });
                        }
                        if let OnReady::NavigateFrameThenSetUser { to, user, hmac } = &page.on_ready
                        {
                            let catcher = self.origin(*to);
                            view.foreign.push(mark(ForeignKind::Loaded, &catcher));
                            match self
                                .handshake(
                                    &public_key,
                                    Some(&site_origin),
                                    user,
                                    &Value::String(hmac.clone()),
                                )
                                .0
                            {
                                Ok(next) if self.has(Fault::SessionToAnyTarget) => {
                                    view.foreign.push(ForeignMark {
                                        kind: ForeignKind::Caught,
                                        origin: catcher.clone(),
                                        from: Some(site_origin.clone()),
                                        data: json!({"type": "uh:session", "token": next.token}),
                                    });
                                }
                                Ok(_) => {}
                                Err(reason) => fail(&mut view, reason.as_str(), 400),
                            }
                            view.foreign.push(mark(ForeignKind::Done, &catcher));
                            done_at = Some(450);
                            frame_text = String::new();
                        }
                        if let OnReady::SetUser { user, hmac } = &page.on_ready {
                            if let Ok(next) = self
                                .handshake(
                                    &public_key,
                                    Some(&site_origin),
                                    user,
                                    &Value::String(hmac.clone()),
                                )
                                .0
                            {
                                frame_text = if self.has(Fault::SwitchKeepsTickets) {
                                    format!("{frame_text}\n{}", self.ticket_text(&next.token))
                                } else {
                                    self.ticket_text(&next.token)
                                };
                            }
                        }
                        if !self.has(Fault::NoReadyEvent) {
                            view.events.push(SdkEvent {
                                name: "ready".into(),
                                detail: json!({}),
                                at_ms: 300,
                            });
                        }
                        let remaining = accepted.remaining;
                        let expiring_ms =
                            ((remaining - expiring_lead_seconds(remaining)) * 1000 + 100) as u64;
                        view.events.push(SdkEvent {
                            name: "auth_expiring".into(),
                            detail: self.decorated(if self.choices.seconds_left {
                                json!({FIELD_EXPIRES_AT: accepted.expires_at, FIELD_SECONDS_LEFT: expiring_lead_seconds(remaining)})
                            } else {
                                json!({FIELD_EXPIRES_AT: accepted.expires_at, "msLeft": expiring_lead_seconds(remaining) * 1000})
                            }),
                            at_ms: expiring_ms,
                        });
                        // The handler runs at `auth_expiring`: a token
                        // endpoint signs then, not at the first sign-in.
                        let saved = self.clock;
                        self.clock += (expiring_ms / 1000) as i64;
                        let resign = match &page.on_expiring {
                            OnExpiring::Nothing => None,
                            OnExpiring::Resign(endpoint) => Some(self.token_string(endpoint)),
                            OnExpiring::SetUser { user, hmac } => {
                                Some((user.clone(), hmac.clone()))
                            }
                        };
                        let mut ends = remaining as u64 * 1000;
                        if let Some((user, hmac)) = resign {
                            match self
                                .handshake(
                                    &public_key,
                                    Some(&site_origin),
                                    &user,
                                    &Value::String(hmac),
                                )
                                .0
                            {
                                Ok(renewed) => {
                                    ends = expiring_ms + renewed.remaining as u64 * 1000;
                                    let lead = expiring_lead_seconds(renewed.remaining);
                                    view.events.push(SdkEvent {
                                        name: "auth_expiring".into(),
                                        detail: self.decorated(json!({
                                            FIELD_EXPIRES_AT: renewed.expires_at,
                                            FIELD_SECONDS_LEFT: lead,
                                        })),
                                        at_ms: expiring_ms
                                            + ((renewed.remaining - lead) * 1000) as u64,
                                    });
                                }
                                Err(reason) => {
                                    fail(&mut view, reason.as_str(), expiring_ms + 50);
                                    if self.choices.refused_resign_ends_at_once {
                                        ends = expiring_ms + 50;
                                        ended_text =
                                            Some(format!("Signed out ({})", reason.as_str()));
                                    }
                                }
                            }
                        }
                        self.clock = saved;
                        expiry_ms = Some(ends);
                    }
                    Ok(_) => {}
                }
            }
        }
        if let Some(forger) = &page.forger {
            let due = view
                .events
                .iter()
                .find(|e| e.name == forger.after_event)
                .map(|e| e.at_ms);
            if let Some(due) = due {
                let origin = self.origin(forger.site);
                view.foreign.push(mark(ForeignKind::Loaded, &origin));
                if forger.into == ForgerTarget::SiblingFrames && framable && !frame_blocked {
                    for message in &forger.messages {
                        view.frame_messages
                            .get_or_insert_default()
                            .push(FrameMessage {
                                origin: origin.clone(),
                                from_parent: false,
                                data: message.clone(),
                                ports: 0,
                            });
                        let token = message["token"].as_str().unwrap_or_default();
                        if self.has(Fault::FrameTrustsAnyMessage)
                            && self.sessions.contains_key(token)
                        {
                            frame_text = self.ticket_text(token);
                        }
                    }
                }
                if forger.into == ForgerTarget::HostWindow
                    && self.has(Fault::SdkTrustsAnyMessage)
                    && forger.messages.iter().any(|m| m["type"] == "uh:ready")
                {
                    view.events.push(SdkEvent {
                        name: crate::contract::EVENT_READY.into(),
                        detail: json!({}),
                        at_ms: due + 20,
                    });
                }
                view.foreign.push(mark(ForeignKind::Done, &origin));
                done_at = Some(due + 30);
            }
        }
        view.frame = match (framable, frame_blocked) {
            (true, false) => FrameView::Loaded {
                url: embed_url,
                text: frame_text.clone(),
                styles,
            },
            _ => FrameView::Refused {
                url: "chrome-error://chromewebdata/".into(),
            },
        };
        // Watch until the first wait condition, or the deadline.
        let show_expired = !self.has(Fault::NoExpiredMessage);
        let holds_at = |w: &WaitFor, view: &PageView| -> Option<u64> {
            match w {
                WaitFor::Event(name) => view
                    .events
                    .iter()
                    .filter(|e| &e.name == name)
                    .map(|e| e.at_ms)
                    .min(),
                WaitFor::FrameText(t) if t == SESSION_EXPIRED_TEXT => {
                    expiry_ms.filter(|_| show_expired && ended_text.is_none())
                }
                WaitFor::FrameText(t) => frame_text.contains(t.as_str()).then_some(300),
                WaitFor::FrameSettled => Some(250),
                WaitFor::Elapsed(d) => Some(d.as_millis() as u64),
                // The fake fetches nothing after `ready`: quiet from then on.
                WaitFor::NetworkIdle(quiet) => view
                    .events
                    .iter()
                    .find(|e| e.name == crate::contract::EVENT_READY)
                    .map(|e| e.at_ms.max(250) + quiet.as_millis() as u64),
                WaitFor::ForeignDone(quiet) => done_at.map(|t| t + quiet.as_millis() as u64),
            }
        };
        let deadline = page.deadline.as_millis() as u64;
        let first = page
            .wait_for
            .iter()
            .filter_map(|w| holds_at(w, &view).map(|t| (t, w.clone())))
            .filter(|(t, _)| *t <= deadline)
            .min_by_key(|(t, _)| *t);
        let end = first.as_ref().map_or(deadline, |(t, _)| *t);
        view.reached = first.map(|(_, w)| w);
        view.watched_ms = end;
        view.events.retain(|e| e.at_ms <= end);
        if let (Some(expiry), FrameView::Loaded { text, .. }) = (expiry_ms, &mut view.frame) {
            if end >= expiry && show_expired {
                *text = ended_text.unwrap_or_else(|| SESSION_EXPIRED_TEXT.into());
            }
        }
        self.clock += end.div_ceil(1000) as i64;
        view
    }
}

fn mark(kind: ForeignKind, origin: &str) -> ForeignMark {
    ForeignMark {
        kind,
        origin: origin.to_string(),
        from: None,
        data: Value::Null,
    }
}

/// The sorted-key compact re-serialization a careless verifier signs.
fn resorted(user: &str) -> String {
    match serde_json::from_str::<Value>(user) {
        Ok(Value::Object(map)) => {
            let sorted: BTreeMap<String, Value> = map.into_iter().collect();
            serde_json::to_string(&sorted).unwrap_or_default()
        }
        _ => user.to_string(),
    }
}

#[async_trait]
impl Probe for FakeProbe {
    fn facts(&self) -> &TargetFacts {
        &self.facts
    }

    fn now(&self) -> i64 {
        self.clock
    }

    fn unique(&mut self, label: &str) -> String {
        self.counter += 1;
        format!("{label}-fake-{}", self.counter)
    }

    fn origin(&self, site: Site) -> String {
        match site {
            Site::ShopA => "https://shop-a.test:4001",
            Site::ShopB => "https://shop-b.test:4001",
            Site::ShopAHttp => "http://shop-a.test:4002",
            Site::ShopAOtherPort => "https://shop-a.test:4003",
            Site::SuffixLookalike => "https://evil-shop-a.test:4001",
            Site::PrefixLookalike => "https://shop-a.test.evil.test:4001",
            Site::Subdomain => "https://sub.shop-a.test:4001",
            Site::Evil => "https://evil.test:4001",
        }
        .into()
    }

    fn public_key(&self, tenant: Tenant) -> String {
        match tenant {
            Tenant::Primary => "pk_primary".into(),
            Tenant::Secondary => "pk_secondary".into(),
        }
    }

    fn secret_shown(&self, tenant: Tenant, text: &str) -> Option<&'static str> {
        std::iter::once(&self.secrets[&tenant])
            .chain(self.rotated.get(&tenant))
            .find_map(|secret| crate::sections::handshake::secret::shows_secret(text, secret))
    }

    fn sign(&self, tenant: Tenant, key: SigningKey, user: &str) -> Result<String, ProbeError> {
        let other = if tenant == Tenant::Primary {
            Tenant::Secondary
        } else {
            Tenant::Primary
        };
        let secret = match key {
            SigningKey::Current => self.secrets[&tenant].clone(),
            SigningKey::Rotated => self
                .rotated
                .get(&tenant)
                .cloned()
                .ok_or_else(|| ProbeError::Unsupported("not rotated".into()))?,
            SigningKey::OtherTenant => self.secrets[&other].clone(),
            SigningKey::Unrelated => "unrelated".into(),
        };
        Ok(hmac_hex(secret.as_bytes(), user.as_bytes()))
    }

    async fn seed_user(
        &mut self,
        tenant: Tenant,
        spec: UserSpec,
    ) -> Result<SeededUser, ProbeError> {
        if self.has(Fault::Unsupported) {
            return Err(ProbeError::Unsupported("no provider state".into()));
        }
        let id = self.unique("u");
        let canary = self.unique("canary");
        let canary = spec.subject(&canary);
        let identity = spec.identity(&id, self.counter);
        let key = [
            ("externalUserId", &identity.external_user_id),
            ("email", &identity.email),
            ("phone", &identity.phone),
        ]
        .iter()
        .find_map(|(f, v)| v.as_ref().map(|v| self.user_key(f, v)))
        .unwrap_or_default();
        let ticket_id = if self.choices.numeric_ids {
            self.counter += 1;
            (1000 + self.counter).to_string()
        } else {
            self.unique("ticket")
        };
        self.users.push(FakeUser {
            tenant,
            key,
            canary: canary.clone(),
            ticket_id: ticket_id.clone(),
        });
        Ok(SeededUser {
            tenant,
            identity,
            canary,
            ticket_id: Some(ticket_id),
        })
    }

    async fn rotate_secret(&mut self, tenant: Tenant) -> Result<(), ProbeError> {
        if self.has(Fault::Unsupported) {
            return Err(ProbeError::Unsupported("no rotation".into()));
        }
        let new = format!("{}-next", self.secrets[&tenant]);
        let old = self.secrets.insert(tenant, new).unwrap_or_default();
        self.rotated.insert(tenant, old);
        Ok(())
    }

    async fn api(&mut self, call: ApiCall) -> Result<ApiReply, ProbeError> {
        Ok(self.answer(&call))
    }

    async fn open_page(&mut self, page: HostPage) -> Result<PageView, ProbeError> {
        if self.has(Fault::Unsupported) {
            return Err(ProbeError::Unsupported("no browser".into()));
        }
        Ok(self.simulate(page))
    }

    async fn canary_hits(&mut self) -> Result<Vec<RecordedRequest>, ProbeError> {
        Ok(self.hits.clone())
    }

    fn canary_url(&self, label: &str) -> String {
        format!("{CANARY}/{label}")
    }

    async fn wait_until(&mut self, unix_seconds: i64) -> Result<(), ProbeError> {
        self.clock = self.clock.max(unix_seconds);
        Ok(())
    }

    fn note(&mut self, text: String) {
        self.notes.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{scenario, scenarios};
    use crate::scenario::Verdict;

    fn run_with(id: &str, faults: &[Fault]) -> Verdict {
        let scenario = scenario(id).unwrap_or_else(|| panic!("no scenario {id}"));
        let mut probe = FakeProbe::new(faults);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on((scenario.run)(&mut probe))
    }

    fn assert_fails(id: &str, faults: &[Fault]) {
        let verdict = run_with(id, faults);
        assert!(
            matches!(verdict, Verdict::Fail { .. }),
            "{id} with {faults:?} should fail, got {verdict:?}"
        );
    }

    fn run_choosing(id: &str, choices: Choices) -> Verdict {
        let scenario = scenario(id).unwrap_or_else(|| panic!("no scenario {id}"));
        let mut probe = FakeProbe::with_choices(&[], choices);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on((scenario.run)(&mut probe))
    }

    /// The catalogue judges only what CONTRACT.md states: a fake that makes
    /// other conforming choices than the reference (other refusal statuses,
    /// token shapes, unknown extra fields, `*` CORS, no `secondsLeft`,
    /// another list shape, a re-sign refusal that ends the session at once)
    /// passes every scenario too.
    #[test]
    fn every_scenario_passes_against_the_correct_fake() {
        let mut problems = Vec::new();
        for (n, choices) in std::iter::once(Choices::reference())
            .chain(Choices::others())
            .enumerate()
        {
            for s in scenarios() {
                match run_choosing(s.id, choices) {
                    Verdict::Pass { checked } if !checked.is_empty() => {}
                    other => problems.push(format!("choices #{n}: {}: {other:?}", s.id)),
                }
            }
        }
        assert!(
            problems.is_empty(),
            "against a correct portal:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn misbehaviours_fail_the_scenarios_meant_for_them() {
        assert_fails("handshake.drift-key-order", &[Fault::Reserialize]);
        assert_fails("handshake.drift-trailing-newline", &[Fault::Reserialize]);
        assert_fails("handshake.unusual-layouts-accepted", &[Fault::Reserialize]);
        assert_fails("handshake.tampered-hmac", &[Fault::PrefixCompare]);
        assert_fails("handshake.auth-failed-immediately", &[Fault::PrefixCompare]);
        assert_fails("handshake.constant-time-compare", &[Fault::TimingLeak]);
        assert_fails(
            "tenancy.replay-with-other-session",
            &[Fault::TicketsNotScoped],
        );
        assert_fails(
            "tenancy.other-users-ticket-not-shown",
            &[Fault::TicketsNotScoped],
        );
        assert_fails("theming.drops-url", &[Fault::ThemeUnfiltered]);
        assert_fails(
            "theming.generated-forbidden-variants",
            &[Fault::ThemeUnfiltered],
        );
        assert_fails(
            "theming.unknown-variable-dropped",
            &[Fault::ThemeUnfiltered],
        );
        assert_fails("sdk.async-tag-ready", &[Fault::NoReadyEvent]);
        assert_fails("sdk.script-after-load", &[Fault::NeverMounts]);
        assert_fails(
            "session.server-refuses-after-expiry",
            &[Fault::AcceptExpired],
        );
        assert_fails("session.expired-message", &[Fault::NoExpiredMessage]);
        assert_fails(
            "sdk.signed-in-page-leaks-nothing",
            &[Fault::TokenInFrameUrl],
        );
        assert_fails("sdk.signed-in-page-leaks-nothing", &[Fault::TokenInStorage]);
        assert_fails("tenancy.user-switch-clears", &[Fault::SwitchKeepsTickets]);
        assert_fails(
            "blank-panel.third-party-cookies-blocked",
            &[Fault::NeedsThirdPartyCookie],
        );
        assert_fails(
            "handshake.generated-layouts-accepted",
            &[Fault::Reserialize],
        );
        assert_fails("theming.drops-brace-breakout", &[Fault::ThemeUnfiltered]);
        assert_fails(
            "sdk.foreign-window-messages-ignored",
            &[Fault::SdkTrustsAnyMessage],
        );
        assert_fails(
            "sdk.session-not-posted-to-foreign-frame",
            &[Fault::SessionToAnyTarget],
        );
        assert_fails(
            "sdk.frame-ignores-foreign-messages",
            &[Fault::FrameTrustsAnyMessage],
        );
        assert_fails(
            "sdk.other-frames-get-no-credential",
            &[Fault::SessionToEveryFrame],
        );
        assert_fails(
            "embedding.foreign-ancestor-refused",
            &[Fault::FramingParentOnly],
        );
        assert_fails(
            "embedding.generated-frame-trees",
            &[Fault::FramingParentOnly],
        );
        assert_fails(
            "embedding.foreign-page-between-refused",
            &[Fault::FramingParentOnly],
        );
        assert_fails("handshake.answers-carry-no-secret", &[Fault::SecretInEmbed]);
        assert_fails(
            "tenancy.identifier-fields-distinct",
            &[Fault::IdentityOneNamespace],
        );
    }

    #[test]
    fn nothing_observed_is_incomplete_never_pass() {
        for id in [
            "sdk.async-tag-ready",
            "embedding.allowlisted-https-parent",
            "handshake.auth-failed-immediately",
            "blank-panel.connect-src-blocked",
            "session.expired-message",
            "theming.drops-url",
        ] {
            let verdict = run_with(id, &[Fault::PageSilent]);
            assert!(
                matches!(verdict, Verdict::Incomplete { .. }),
                "{id}: {verdict:?}"
            );
        }
    }

    #[test]
    fn unsupported_targets_skip() {
        for id in [
            "handshake.rotated-secret",
            "tenancy.replay-with-other-session",
            "sdk.single-frame",
        ] {
            let verdict = run_with(id, &[Fault::Unsupported]);
            assert!(
                matches!(verdict, Verdict::Skipped { .. }),
                "{id}: {verdict:?}"
            );
        }
    }

    #[test]
    fn generated_scenarios_note_their_seed() {
        let scenario = scenario("handshake.tampered-string").unwrap();
        let mut probe = FakeProbe::new(&[]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on((scenario.run)(&mut probe));
        assert!(
            probe.notes.iter().any(|n| n.contains("proptest seed")),
            "{:?}",
            probe.notes
        );
    }
}
