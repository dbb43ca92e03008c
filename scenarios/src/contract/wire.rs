//! The wire contract as typed data: every body (with its fields, their
//! types and how binding each is), every endpoint with its answers, the
//! SDK's calls and events, the provider states and the harness's limits.
//! `CONTRACT.md` and the JSON Schemas are rendered from these tables, and
//! the scenarios judge answers with the same tables ([`Body::violations`],
//! [`Status::admits`]), so the document says exactly what the checks demand.

use serde_json::Value;

use super::{
    AuthFailure, EVENT_AUTH_EXPIRING, EVENT_AUTH_FAILED, EVENT_READY, HANDSHAKE_PATH,
    PROVIDER_STATE_PATH, SCRIPT_PATH, STATE_SECRET_ROTATED, STATE_TENANT_EXISTS,
    STATE_USER_HAS_TICKET, TICKETS_PATH,
};

/// How binding one item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Scenarios fail without it.
    Required,
    /// Good practice; no scenario fails without it.
    Recommended,
    /// Left to the implementation: every choice passes.
    Choice,
}

impl Binding {
    pub fn as_str(self) -> &'static str {
        match self {
            Binding::Required => "REQUIRED",
            Binding::Recommended => "RECOMMENDED",
            Binding::Choice => "implementation's choice",
        }
    }
}

/// Where an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A sentence of the Embedded Portal documentation, quoted.
    Doc(&'static str),
    /// A requirement of REQUIREMENTS.md (itself quoting the documentation).
    Requirement(&'static str),
    /// A choice this contract makes where the documentation is silent, with
    /// the reason.
    Contract(&'static str),
}

impl Source {
    pub fn render(self) -> String {
        match self {
            Source::Doc(quote) => format!("documentation: “{quote}”"),
            Source::Requirement(id) => format!("requirement `{id}`"),
            Source::Contract(why) => format!("this contract: {why}"),
        }
    }
}

/// The JSON type of a field.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Any string.
    Text,
    /// A string of at least one character.
    NonEmptyText,
    /// A string of 64 hexadecimal digits.
    Hex64,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An integer (JSON number without fraction).
    Integer,
    /// Any number.
    Number,
    /// A string or an integer.
    TextOrInteger,
    /// An array of strings.
    TextList,
    /// An array of objects of this body.
    List(&'static Body),
    /// An object with string values (a map).
    TextMap,
    /// Any object.
    AnyObject,
    /// An object of this body.
    Object(&'static Body),
}

/// One field of a JSON object.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub binding: Binding,
    pub meaning: &'static str,
    pub source: Source,
}

/// A JSON object: its fields. Fields not listed are always allowed and
/// ignored, in every direction.
#[derive(Debug)]
pub struct Body {
    /// The schema's file stem, e.g. `handshake-accepted`.
    pub id: &'static str,
    pub title: &'static str,
    pub fields: &'static [Field],
    /// At least one of these fields must be present and non-empty.
    pub one_of_required: &'static [&'static str],
}

impl Body {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// What `value` lacks or gets wrong against the REQUIRED fields of this
    /// body (RECOMMENDED and optional fields are checked only for their type
    /// when present). Empty: it conforms.
    pub fn violations(&self, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let Some(object) = value.as_object() else {
            return vec![format!("{} is not a JSON object", self.title)];
        };
        for field in self.fields {
            match object.get(field.name) {
                None if field.binding == Binding::Required => {
                    out.push(format!("`{}` is missing", field.name))
                }
                None => {}
                Some(v) => {
                    if let Some(problem) = kind_violation(field.kind, v) {
                        out.push(format!("`{}` {problem}", field.name));
                    }
                }
            }
        }
        if !self.one_of_required.is_empty()
            && !self.one_of_required.iter().any(|name| {
                object
                    .get(*name)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            })
        {
            out.push(format!(
                "none of {} is a non-empty string",
                self.one_of_required
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out
    }
}

fn kind_violation(kind: Kind, v: &Value) -> Option<String> {
    let ok = match kind {
        Kind::Text => v.is_string(),
        Kind::NonEmptyText => v.as_str().is_some_and(|s| !s.is_empty()),
        Kind::Hex64 => v
            .as_str()
            .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())),
        Kind::OneOf(values) => v.as_str().is_some_and(|s| values.contains(&s)),
        Kind::Integer => v.is_i64() || v.is_u64(),
        Kind::Number => v.is_number(),
        Kind::TextOrInteger => v.is_string() || v.is_i64() || v.is_u64(),
        Kind::TextList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Kind::TextMap => v
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string)),
        Kind::AnyObject => v.is_object(),
        Kind::List(body) => {
            let Some(items) = v.as_array() else {
                return Some("is not an array".into());
            };
            return items.iter().enumerate().find_map(|(i, item)| {
                let problems = body.violations(item);
                (!problems.is_empty()).then(|| format!("[{i}]: {}", problems.join("; ")))
            });
        }
        Kind::Object(body) => {
            let problems = body.violations(v);
            return (!problems.is_empty()).then(|| problems.join("; "));
        }
    };
    (!ok).then(|| format!("is not {}", kind_label(kind)))
}

/// The type in words, for the document and for violations.
pub fn kind_label(kind: Kind) -> String {
    match kind {
        Kind::Text => "a string".into(),
        Kind::NonEmptyText => "a non-empty string".into(),
        Kind::Hex64 => "a string of 64 hexadecimal digits".into(),
        Kind::OneOf(values) => format!(
            "one of {}",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Integer => "an integer".into(),
        Kind::Number => "a number".into(),
        Kind::TextOrInteger => "a string or an integer".into(),
        Kind::TextList => "an array of strings".into(),
        Kind::List(body) => format!("an array of {} objects", body.title),
        Kind::TextMap => "an object of string values".into(),
        Kind::AnyObject => "an object".into(),
        Kind::Object(body) => format!("a {} object", body.title),
    }
}

/// Which HTTP statuses an answer may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exactly this status.
    Exact(u16),
    /// Any 2xx.
    Success,
    /// Any 4xx: only "refused" matters, the status is the implementation's choice.
    Refusal,
    /// Anything but a 5xx (and not a success that serves data).
    NoServerError,
}

impl Status {
    pub fn admits(self, status: u16) -> bool {
        match self {
            Status::Exact(s) => status == s,
            Status::Success => (200..300).contains(&status),
            Status::Refusal => (400..500).contains(&status),
            Status::NoServerError => status > 0 && status < 500,
        }
    }

    pub fn render(self) -> String {
        match self {
            Status::Exact(s) => format!("{s}"),
            Status::Success => "2xx".into(),
            Status::Refusal => "any 4xx".into(),
            Status::NoServerError => "anything below 500".into(),
        }
    }
}

/// A header an answer (or a request) carries.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub name: &'static str,
    pub value: &'static str,
    pub binding: Binding,
    pub source: Source,
}

/// One kind of answer of an endpoint.
#[derive(Debug)]
pub struct Answer {
    pub when: &'static str,
    pub status: Status,
    /// The status the reference uses, when the contract leaves a choice.
    pub recommended_status: Option<u16>,
    pub body: Option<&'static Body>,
    pub headers: &'static [Header],
    pub source: Source,
}

/// One path and method.
#[derive(Debug)]
pub struct Endpoint {
    pub method: &'static str,
    /// The path, with `{id}` placeholders and the query it takes.
    pub path: &'static str,
    pub purpose: &'static str,
    pub binding: Binding,
    pub request_headers: &'static [Header],
    pub request: Option<&'static Body>,
    pub answers: &'static [&'static Answer],
    pub source: Source,
}

// ------------------------------------------------------------------ field names

/// The handshake answer's session token: the harness replays it against the
/// ticket API as `Authorization: Bearer TOKEN`.
pub const FIELD_SESSION_TOKEN: &str = "sessionToken";
/// The session's expiry in unix seconds (handshake answer, `auth_expiring`).
pub const FIELD_EXPIRES_AT: &str = "expiresAt";
/// The machine-readable reason of a refusal.
pub const FIELD_ERROR: &str = "error";
/// `detail.reason` of `auth_failed`.
pub const FIELD_REASON: &str = "reason";
/// `detail.secondsLeft` of `auth_expiring`.
pub const FIELD_SECONDS_LEFT: &str = "secondsLeft";
/// The ticket list of `GET /api/v1/tickets`.
pub const FIELD_TICKETS: &str = "tickets";
/// A ticket's ID.
pub const FIELD_TICKET_ID: &str = "id";
/// A ticket's subject, as given to `user has ticket`.
pub const FIELD_SUBJECT: &str = "subject";
/// The `user has ticket` answer's ticket ID.
pub const FIELD_STATE_TICKET_ID: &str = "ticketId";

const REFUSAL_REASONS: [&str; 6] = [
    AuthFailure::InvalidSignature.as_str(),
    AuthFailure::Expired.as_str(),
    AuthFailure::InvalidPayload.as_str(),
    AuthFailure::MalformedHmac.as_str(),
    AuthFailure::OriginNotAllowed.as_str(),
    AuthFailure::UnknownPublicKey.as_str(),
];
const EVENT_REASONS: [&str; 7] = [
    AuthFailure::InvalidSignature.as_str(),
    AuthFailure::Expired.as_str(),
    AuthFailure::InvalidPayload.as_str(),
    AuthFailure::MalformedHmac.as_str(),
    AuthFailure::OriginNotAllowed.as_str(),
    AuthFailure::UnknownPublicKey.as_str(),
    AuthFailure::Network.as_str(),
];

const HARNESS_CALLS_API: &str = "portalcheck calls the API directly (not only through the implementation's own SDK), so it must know this name";

// ------------------------------------------------------------------ bodies

pub static USER_PAYLOAD: Body = Body {
    id: "user-payload",
    title: "signed user payload",
    fields: &[
        Field { name: "externalUserId", kind: Kind::Text, binding: Binding::Choice, meaning: "the customer's ID of the user", source: Source::Doc("Make sure the user payload contains a unique identifier (externalUserId, email, or phone).") },
        Field { name: "email", kind: Kind::Text, binding: Binding::Choice, meaning: "the user's e-mail address", source: Source::Doc("Make sure the user payload contains a unique identifier (externalUserId, email, or phone).") },
        Field { name: "phone", kind: Kind::Text, binding: Binding::Choice, meaning: "the user's phone number", source: Source::Doc("Make sure the user payload contains a unique identifier (externalUserId, email, or phone).") },
        Field { name: FIELD_EXPIRES_AT, kind: Kind::Integer, binding: Binding::Required, meaning: "unix seconds after which the signature is no longer accepted", source: Source::Doc("expiresAt must be in the future. If your server clock is behind, generate Math.floor(Date.now() / 1000) + 300 to give a 5-minute window.") },
    ],
    one_of_required: &["externalUserId", "email", "phone"],
};

pub static HANDSHAKE_REQUEST: Body = Body {
    id: "handshake-request",
    title: "handshake request",
    fields: &[
        Field { name: "publicKey", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "the tenant's public key, as passed to `UserHero.init`", source: Source::Contract(HARNESS_CALLS_API) },
        Field { name: "user", kind: Kind::Text, binding: Binding::Required, meaning: "the user string exactly as passed to `setUser`: the bytes the HMAC was computed over (a JSON object, see user-payload)", source: Source::Doc("The same exact JSON string used for the digest must be the one passed to the SDK.") },
        Field { name: "userHmac", kind: Kind::Text, binding: Binding::Required, meaning: "HMAC-SHA256 of `user` under the tenant's secret, 64 hex digits; any other value is refused with `malformed_hmac`", source: Source::Contract(HARNESS_CALLS_API) },
    ],
    one_of_required: &[],
};

pub static HANDSHAKE_ACCEPTED: Body = Body {
    id: "handshake-accepted",
    title: "handshake accepted",
    fields: &[
        Field { name: FIELD_SESSION_TOKEN, kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "an opaque bearer token for the ticket API; its shape (hex, base64url, JWT...) is the implementation's choice, but it must be usable as `Authorization: Bearer TOKEN` (RFC 6750 token characters)", source: Source::Contract("portalcheck replays the session against the ticket API to check scoping and expiry, so it must find the token under one name") },
        Field { name: FIELD_EXPIRES_AT, kind: Kind::Integer, binding: Binding::Required, meaning: "the session's end in unix seconds: exactly the signed `expiresAt`", source: Source::Contract("the scenarios check that the session ends at the signed time, in seconds (not read as milliseconds, not extended), without waiting for it to end") },
        Field { name: "secondsRemaining", kind: Kind::Integer, binding: Binding::Choice, meaning: "what the reference's SDK schedules `auth_expiring` from; any other field may be added", source: Source::Contract("only the implementation's own SDK reads it") },
    ],
    one_of_required: &[],
};

pub static HANDSHAKE_REFUSED: Body = Body {
    id: "handshake-refused",
    title: "handshake refused",
    fields: &[
        Field { name: FIELD_ERROR, kind: Kind::OneOf(&REFUSAL_REASONS), binding: Binding::Required, meaning: "the cause, the same word `auth_failed` carries as `detail.reason`", source: Source::Contract("the documentation lists the causes (different string, wrong secret, clock skew, origin not allowlisted); the scenarios tell them apart by this word, because a status code alone cannot carry six causes") },
    ],
    one_of_required: &[],
};

pub static TICKET: Body = Body {
    id: "ticket",
    title: "ticket",
    fields: &[
        Field { name: FIELD_TICKET_ID, kind: Kind::TextOrInteger, binding: Binding::Recommended, meaning: "the ticket's ID, as used in `GET /api/v1/tickets/{id}`; without it the scenarios use the provider state's `ticketId`", source: Source::Contract("the tenancy scenarios replay every ticket ID one user saw with another user's session") },
        Field { name: FIELD_SUBJECT, kind: Kind::Text, binding: Binding::Recommended, meaning: "the ticket's subject, verbatim as given to `user has ticket`; under whatever name, the subject's text must appear verbatim in every answer that carries the ticket (REQUIRED)", source: Source::Contract("the scenarios seed a unique text as the subject and look for it, as text, wherever it must or must not show") },
    ],
    one_of_required: &[],
};

pub static TICKET_LIST: Body = Body {
    id: "ticket-list",
    title: "ticket list",
    fields: &[Field { name: FIELD_TICKETS, kind: Kind::List(&TICKET), binding: Binding::Recommended, meaning: "the tickets of the signed identity, and only those; the scenarios read ticket IDs from it (without it, they use the provider state's `ticketId`) and look for the subjects' text anywhere in the answer", source: Source::Doc("Every API call inside the portal is scoped by the signed identity.") }],
    one_of_required: &[],
};

pub static API_ERROR: Body = Body {
    id: "api-error",
    title: "API error",
    fields: &[Field { name: FIELD_ERROR, kind: Kind::Text, binding: Binding::Recommended, meaning: "a machine-readable word, e.g. `session_expired` once `expiresAt` passed, `invalid_session`, `not_found`", source: Source::Contract("only the implementation's own SDK reads it; the scenarios judge only that the answer is a refusal") }],
    one_of_required: &[],
};

pub static PROVIDER_STATE_REQUEST: Body = Body {
    id: "provider-state-request",
    title: "provider-state request",
    fields: &[
        Field {
            name: "state",
            kind: Kind::OneOf(&[
                STATE_TENANT_EXISTS,
                STATE_USER_HAS_TICKET,
                STATE_SECRET_ROTATED,
            ]),
            binding: Binding::Required,
            meaning: "the state to set up",
            source: Source::Contract("Pact's provider-state convention"),
        },
        Field {
            name: "params",
            kind: Kind::AnyObject,
            binding: Binding::Required,
            meaning: "the state's parameters (see each state)",
            source: Source::Contract("Pact's provider-state convention"),
        },
    ],
    one_of_required: &[],
};

pub static TENANT_EXISTS_PARAMS: Body = Body {
    id: "state-tenant-exists",
    title: "`tenant exists` params",
    fields: &[
        Field { name: "tenant", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "a label for the tenant (unique per run)", source: Source::Contract("names the tenant in the implementation's logs") },
        Field { name: "publicKey", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "the tenant's public key; create the tenant, or replace the one with this key", source: Source::Contract("every scenario gets fresh tenants") },
        Field { name: "secret", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "the tenant's HMAC secret", source: Source::Doc("Wrong secret.") },
        Field { name: "allowedOrigins", kind: Kind::TextList, binding: Binding::Required, meaning: "the allowlist, full origins like `https://shop-a.test:41234`, compared exactly (scheme, host and port)", source: Source::Doc("Check Settings → Embedded Portal → Allowed origins.") },
    ],
    one_of_required: &[],
};

pub static USER_HAS_TICKET_PARAMS: Body = Body {
    id: "state-user-has-ticket",
    title: "`user has ticket` params",
    fields: &[
        Field { name: "publicKey", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "the tenant", source: Source::Contract("users belong to one tenant") },
        Field { name: "externalUserId", kind: Kind::Text, binding: Binding::Choice, meaning: "the user's identifier (at least one of the three is sent)", source: Source::Doc("Make sure the user payload contains a unique identifier (externalUserId, email, or phone).") },
        Field { name: "email", kind: Kind::Text, binding: Binding::Choice, meaning: "the user's identifier", source: Source::Doc("Make sure the user payload contains a unique identifier (externalUserId, email, or phone).") },
        Field { name: "phone", kind: Kind::Text, binding: Binding::Choice, meaning: "the user's identifier", source: Source::Doc("Make sure the user payload contains a unique identifier (externalUserId, email, or phone).") },
        Field { name: "subject", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "the subject of one new ticket of this user: a unique text the scenarios look for", source: Source::Contract("the canary that shows where tickets leak") },
    ],
    one_of_required: &["externalUserId", "email", "phone"],
};

pub static USER_HAS_TICKET_ANSWER: Body = Body {
    id: "state-user-has-ticket-answer",
    title: "`user has ticket` answer",
    fields: &[Field {
        name: FIELD_STATE_TICKET_ID,
        kind: Kind::TextOrInteger,
        binding: Binding::Recommended,
        meaning: "the new ticket's ID (else the scenarios take the IDs from the ticket list)",
        source: Source::Contract(
            "the tenancy scenarios fetch the ticket by ID with another session",
        ),
    }],
    one_of_required: &[],
};

pub static SECRET_ROTATED_PARAMS: Body = Body {
    id: "state-secret-rotated",
    title: "`secret rotated` params",
    fields: &[
        Field {
            name: "publicKey",
            kind: Kind::NonEmptyText,
            binding: Binding::Required,
            meaning: "the tenant",
            source: Source::Contract("secrets belong to one tenant"),
        },
        Field {
            name: "newSecret",
            kind: Kind::NonEmptyText,
            binding: Binding::Required,
            meaning: "the new secret; the old one is refused (`invalid_signature`) from then on",
            source: Source::Doc(
                "If you rotated the secret recently, your server may still be using the old one.",
            ),
        },
    ],
    one_of_required: &[],
};

pub static EMPTY_ANSWER: Body = Body {
    id: "state-answer",
    title: "provider-state answer",
    fields: &[],
    one_of_required: &[],
};

pub static INIT_OPTIONS: Body = Body {
    id: "sdk-init-options",
    title: "`UserHero.init` options",
    fields: &[
        Field { name: "publicKey", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "the tenant's public key", source: Source::Requirement("SDK-MOUNT") },
        Field { name: "container", kind: Kind::NonEmptyText, binding: Binding::Required, meaning: "a CSS selector of the element the iframe is mounted in (the harness passes `#userhero-portal`)", source: Source::Requirement("SDK-MOUNT") },
        Field { name: "theme", kind: Kind::TextMap, binding: Binding::Choice, meaning: "CSS custom properties (`--uh-…`) and their values, filtered as the Theming requirements say", source: Source::Doc("Check that the variable name is in the supported allowlist (see Theming).") },
        Field { name: "origin", kind: Kind::Text, binding: Binding::Choice, meaning: "a page may pass anything here; the embedding origin is the browser's `Origin`, never an option", source: Source::Requirement("AUTH-ORIGIN-BROWSER-ASSERTED") },
    ],
    one_of_required: &[],
};

pub static READY_DETAIL: Body = Body {
    id: "event-ready",
    title: "`ready` detail",
    fields: &[],
    one_of_required: &[],
};

pub static AUTH_FAILED_DETAIL: Body = Body {
    id: "event-auth-failed",
    title: "`auth_failed` detail",
    fields: &[Field { name: FIELD_REASON, kind: Kind::OneOf(&EVENT_REASONS), binding: Binding::Required, meaning: "the cause: the handshake's `error`, or `network` when the handshake could not be made (CSP, network error)", source: Source::Requirement("SDK-AUTH-FAILED-REASON") }],
    one_of_required: &[],
};

pub static AUTH_EXPIRING_DETAIL: Body = Body {
    id: "event-auth-expiring",
    title: "`auth_expiring` detail",
    fields: &[
        Field { name: FIELD_EXPIRES_AT, kind: Kind::Integer, binding: Binding::Required, meaning: "the session's end, unix seconds", source: Source::Contract("a handler that re-signs needs to know the deadline it is racing") },
        Field { name: FIELD_SECONDS_LEFT, kind: Kind::Number, binding: Binding::Choice, meaning: "seconds from the event to `expiresAt`; when present it must be the lead (at least 1, at most the lead plus one second)", source: Source::Contract("convenient, but `expiresAt` already says it") },
    ],
    one_of_required: &[],
};

/// Every body, in the order CONTRACT.md lists their schemas.
pub static BODIES: &[&Body] = &[
    &USER_PAYLOAD,
    &HANDSHAKE_REQUEST,
    &HANDSHAKE_ACCEPTED,
    &HANDSHAKE_REFUSED,
    &TICKET_LIST,
    &TICKET,
    &API_ERROR,
    &PROVIDER_STATE_REQUEST,
    &TENANT_EXISTS_PARAMS,
    &USER_HAS_TICKET_PARAMS,
    &USER_HAS_TICKET_ANSWER,
    &SECRET_ROTATED_PARAMS,
    &EMPTY_ANSWER,
    &INIT_OPTIONS,
    &READY_DETAIL,
    &AUTH_FAILED_DETAIL,
    &AUTH_EXPIRING_DETAIL,
];

// ------------------------------------------------------------------ endpoints

const JSON_TYPE: Header = Header {
    name: "Content-Type",
    value: "application/json",
    binding: Binding::Recommended,
    source: Source::Contract("the scenarios parse the body whatever the type says"),
};

const CORS_ALLOWED: Header = Header { name: "Access-Control-Allow-Origin", value: "the request's `Origin` (when it is in the tenant's allowlist) or `*` without credentials: the implementation's choice, since the server refuses other origins itself", binding: Binding::Required, source: Source::Requirement("AUTH-ORIGIN-ALLOWLIST") };
const CORS_NO_CREDENTIALS: Header = Header {
    name: "Access-Control-Allow-Credentials",
    value: "absent (the API needs no cookies); never `true` together with a foreign origin or `*`",
    binding: Binding::Required,
    source: Source::Requirement("AUTH-CORS-NO-REFLECTION"),
};
const NO_STORE: Header = Header {
    name: "Cache-Control",
    value: "`no-store` or `private`, never `public` or `s-maxage`",
    binding: Binding::Required,
    source: Source::Requirement("TENANT-PRIVATE-CACHING"),
};
const ANCESTORS_TENANT: Header = Header { name: "Content-Security-Policy", value: "`frame-ancestors` listing exactly the tenant's allowlisted origins, https only, no wildcard", binding: Binding::Required, source: Source::Doc("The browser is enforcing frame-ancestors. Make sure the page where you mount the portal is loaded over HTTPS, and that the parent origin is in your allowlist.") };
const ANCESTORS_NONE: Header = Header {
    name: "Content-Security-Policy",
    value: "`frame-ancestors 'none'` (any HTML answer: error views are not framable either)",
    binding: Binding::Required,
    source: Source::Requirement("FRAME-ANCESTORS-EVERY-DOCUMENT"),
};

pub static SCRIPT_OK: Answer = Answer {
    when: "requested",
    status: Status::Exact(200),
    recommended_status: None,
    body: None,
    headers: &[Header {
        name: "Content-Type",
        value: "a JavaScript type",
        binding: Binding::Recommended,
        source: Source::Contract("browsers refuse scripts served as other types under `nosniff`"),
    }],
    source: Source::Doc(
        "Confirm the script tag points to https://userhero.co/portal.js and is loaded with async.",
    ),
};
pub static EMBED_OK: Answer = Answer {
    when: "`pk` is a tenant's public key",
    status: Status::Exact(200),
    recommended_status: None,
    body: None,
    headers: &[ANCESTORS_TENANT],
    source: Source::Requirement("FRAME-ANCESTORS-ALLOWLIST"),
};
pub static EMBED_UNKNOWN: Answer = Answer {
    when: "`pk` names no tenant",
    status: Status::Refusal,
    recommended_status: Some(404),
    body: None,
    headers: &[ANCESTORS_NONE],
    source: Source::Requirement("FRAME-ANCESTORS-EVERY-DOCUMENT"),
};
pub static EMBED_MALFORMED: Answer = Answer {
    when: "`pk` empty or missing, `theme` not JSON",
    status: Status::NoServerError,
    recommended_status: Some(400),
    body: None,
    headers: &[ANCESTORS_NONE],
    source: Source::Requirement("FRAME-ANCESTORS-EVERY-DOCUMENT"),
};
pub static HANDSHAKE_OK: Answer = Answer { when: "the tenant exists, the `Origin` is allowlisted, the HMAC is right over the exact `user` bytes, the payload is valid and `expiresAt` in the future (and at most 24 h ahead)", status: Status::Exact(200), recommended_status: None, body: Some(&HANDSHAKE_ACCEPTED), headers: &[CORS_ALLOWED, CORS_NO_CREDENTIALS, JSON_TYPE], source: Source::Requirement("AUTH-HMAC-EXACT-BYTES") };
pub static HANDSHAKE_NO: Answer = Answer { when: "any check fails (`error` names the cause; each scenario makes exactly one cause apply; the reference answers 404 `unknown_public_key`, 403 `origin_not_allowed`, 400 `malformed_hmac` / `invalid_payload`, 401 `invalid_signature` / `expired`)", status: Status::Refusal, recommended_status: None, body: Some(&HANDSHAKE_REFUSED), headers: &[CORS_NO_CREDENTIALS, JSON_TYPE], source: Source::Doc("The HMAC handshake was rejected.") };
pub static PREFLIGHT: Answer = Answer {
    when: "a CORS preflight",
    status: Status::NoServerError,
    recommended_status: Some(204),
    body: None,
    headers: &[CORS_NO_CREDENTIALS],
    source: Source::Requirement("AUTH-CORS-NO-REFLECTION"),
};
pub static TICKETS_OK: Answer = Answer {
    when: "a live session",
    status: Status::Exact(200),
    recommended_status: None,
    body: Some(&TICKET_LIST),
    headers: &[NO_STORE, CORS_NO_CREDENTIALS, JSON_TYPE],
    source: Source::Doc("Every API call inside the portal is scoped by the signed identity."),
};
pub static TICKETS_NO: Answer = Answer {
    when: "no token, an unknown token, or a session whose `expiresAt` has passed",
    status: Status::Refusal,
    recommended_status: Some(401),
    body: Some(&API_ERROR),
    headers: &[CORS_NO_CREDENTIALS],
    source: Source::Requirement("SESSION-SERVER-EXPIRY"),
};
pub static TICKET_OK: Answer = Answer {
    when: "a live session and a ticket of its identity",
    status: Status::Exact(200),
    recommended_status: None,
    body: Some(&TICKET),
    headers: &[NO_STORE, JSON_TYPE],
    source: Source::Requirement("TENANT-SCOPED-BY-IDENTITY"),
};
pub static TICKET_NOT_YOURS: Answer = Answer { when: "the ticket belongs to another identity or tenant, or does not exist; no ticket text in the answer", status: Status::Refusal, recommended_status: Some(404), body: Some(&API_ERROR), headers: &[], source: Source::Contract("only the refusal matters; 404 is recommended so that another user's ticket cannot be told from a missing one") };
pub static STATE_OK: Answer = Answer { when: "the state was set up", status: Status::Success, recommended_status: Some(200), body: Some(&EMPTY_ANSWER), headers: &[], source: Source::Contract("the harness treats any other status as an error of the run (exit 3); an empty body is an empty answer") };

const BEARER: Header = Header {
    name: "Authorization",
    value: "`Bearer TOKEN`, the handshake's `sessionToken`",
    binding: Binding::Required,
    source: Source::Contract(HARNESS_CALLS_API),
};
const ORIGIN: Header = Header { name: "Origin", value: "the embedding page's origin, set by the browser; the only origin the allowlist is compared with", binding: Binding::Required, source: Source::Requirement("AUTH-ORIGIN-BROWSER-ASSERTED") };
const STATE_TOKEN: Header = Header { name: "X-Provider-State-Token", value: "the value of the target's `provider_state.token_env`, when one is declared", binding: Binding::Recommended, source: Source::Contract("the endpoint creates tenants and secrets: never expose it unauthenticated outside a test deployment") };

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint { method: "GET", path: SCRIPT_PATH, purpose: "the SDK, loaded with `<script async>` (the target's `script_url`, by default `{portal_origin}/portal.js`)", binding: Binding::Required, request_headers: &[], request: None, answers: &[&SCRIPT_OK], source: Source::Doc("Confirm the script tag points to https://userhero.co/portal.js and is loaded with async.") },
    Endpoint { method: "GET", path: "/embed?pk=PUBLIC_KEY[&theme=JSON]", purpose: "the portal's iframe document; portalcheck also fetches it directly to read its headers", binding: Binding::Required, request_headers: &[], request: None, answers: &[&EMBED_OK, &EMBED_UNKNOWN, &EMBED_MALFORMED], source: Source::Contract("the embedding scenarios read `frame-ancestors` from this document without a browser") },
    Endpoint { method: "POST", path: HANDSHAKE_PATH, purpose: "exchanges the signed user string for a session (called by the SDK with CORS, and by portalcheck directly)", binding: Binding::Required, request_headers: &[ORIGIN, Header { name: "Content-Type", value: "application/json", binding: Binding::Required, source: Source::Contract(HARNESS_CALLS_API) }], request: Some(&HANDSHAKE_REQUEST), answers: &[&HANDSHAKE_OK, &HANDSHAKE_NO], source: Source::Doc("The HMAC handshake was rejected.") },
    Endpoint { method: "OPTIONS", path: HANDSHAKE_PATH, purpose: "CORS preflight of the handshake", binding: Binding::Required, request_headers: &[ORIGIN], request: None, answers: &[&PREFLIGHT], source: Source::Requirement("AUTH-CORS-NO-REFLECTION") },
    Endpoint { method: "GET", path: TICKETS_PATH, purpose: "the signed identity's tickets; no other spelling of the path (a trailing slash, `;`, case, a suffix, dot segments, `//`, an encoded `/`) and no other method (`POST`, `PUT`, `PATCH`, lower case, a method-override header) answers ticket data without a valid session (any status otherwise)", binding: Binding::Required, request_headers: &[BEARER], request: None, answers: &[&TICKETS_OK, &TICKETS_NO], source: Source::Doc("Every API call inside the portal is scoped by the signed identity.") },
    Endpoint { method: "GET", path: "/api/v1/tickets/{id}", purpose: "one ticket of the signed identity; as for the list, no other spelling or method answers it without a valid session", binding: Binding::Required, request_headers: &[BEARER], request: None, answers: &[&TICKET_OK, &TICKET_NOT_YOURS, &TICKETS_NO], source: Source::Doc("Every API call inside the portal is scoped by the signed identity.") },
    Endpoint { method: "OPTIONS", path: TICKETS_PATH, purpose: "CORS preflight of the ticket API", binding: Binding::Required, request_headers: &[ORIGIN], request: None, answers: &[&PREFLIGHT], source: Source::Requirement("AUTH-CORS-NO-REFLECTION") },
    Endpoint { method: "POST", path: PROVIDER_STATE_PATH, purpose: "Pact-style provider states (the target's `provider_state.url`, by default this path): fresh tenants, users, tickets and rotations per scenario", binding: Binding::Recommended, request_headers: &[STATE_TOKEN], request: Some(&PROVIDER_STATE_REQUEST), answers: &[&STATE_OK], source: Source::Contract("without it, the target file lists seeded tenants and users, and what cannot be set up is skipped") },
];

// ------------------------------------------------------------------ provider states

/// One provider state.
#[derive(Debug)]
pub struct ProviderState {
    pub name: &'static str,
    pub binding: Binding,
    pub effect: &'static str,
    pub params: &'static Body,
    pub answer: &'static Body,
}

pub static PROVIDER_STATES: &[ProviderState] = &[
    ProviderState {
        name: STATE_TENANT_EXISTS,
        binding: Binding::Required,
        effect: "create or replace a tenant with this key, secret and allowlist",
        params: &TENANT_EXISTS_PARAMS,
        answer: &EMPTY_ANSWER,
    },
    ProviderState {
        name: STATE_USER_HAS_TICKET,
        binding: Binding::Required,
        effect: "add a user (if new) and one ticket with this subject",
        params: &USER_HAS_TICKET_PARAMS,
        answer: &USER_HAS_TICKET_ANSWER,
    },
    ProviderState {
        name: STATE_SECRET_ROTATED,
        binding: Binding::Required,
        effect: "replace the tenant's secret; the old one is refused from then on",
        params: &SECRET_ROTATED_PARAMS,
        answer: &EMPTY_ANSWER,
    },
];

// ------------------------------------------------------------------ the SDK

/// One call of the `UserHero` global.
#[derive(Debug)]
pub struct SdkMethod {
    pub signature: &'static str,
    pub effect: &'static str,
    pub source: Source,
}

pub static SDK_METHODS: &[SdkMethod] = &[
    SdkMethod { signature: "UserHero.init(options)", effect: "mounts exactly one iframe from the portal origin in `options.container` (see sdk-init-options)", source: Source::Requirement("SDK-MOUNT") },
    SdkMethod { signature: "UserHero.setUser(user, userHmac)", effect: "signs in with exactly these two strings (the handshake); called again (from `auth_expiring`) it replaces the session", source: Source::Doc("UserHero.setUser(user, userHmac);") },
    SdkMethod { signature: "UserHero.on(name, handler)", effect: "calls `handler(detail)` for each event `name`, `detail` always an object", source: Source::Doc("UserHero.on('auth_expiring', async () => { ... });") },
];

/// One SDK event.
#[derive(Debug)]
pub struct SdkEventSpec {
    pub name: &'static str,
    pub when: &'static str,
    pub detail: &'static Body,
    pub source: Source,
}

pub static SDK_EVENTS: &[SdkEventSpec] = &[
    SdkEventSpec { name: EVENT_READY, when: "once the signed user's tickets show in the frame", detail: &READY_DETAIL, source: Source::Requirement("SDK-EVENTS") },
    SdkEventSpec { name: EVENT_AUTH_FAILED, when: "a handshake (first or re-sign) is refused or cannot be made, within 2 s of `setUser`", detail: &AUTH_FAILED_DETAIL, source: Source::Requirement("AUTH-FAIL-IMMEDIATE") },
    SdkEventSpec { name: EVENT_AUTH_EXPIRING, when: "before `expiresAt`, with a lead of 60 s or half the lifetime at the handshake when shorter (at least 1 s), ±1 s", detail: &AUTH_EXPIRING_DETAIL, source: Source::Requirement("SESSION-EXPIRING-EVENT") },
];

/// A free-form item of the contract: the frame, the stub, the rendered text.
#[derive(Debug)]
pub struct Item {
    pub what: &'static str,
    pub binding: Binding,
    pub text: &'static str,
    pub source: Source,
}

pub static PAGE_ITEMS: &[Item] = &[
    Item { what: "the stub queue", binding: Binding::Required, text: "a page may define `window.UserHero = {q: [], init, setUser, on}` whose methods push `[name, ...args]` onto `UserHero.q` before portal.js loads; portal.js replays `q` in order and then takes the calls itself (the stub portalcheck uses is `contract::SDK_STUB`)", source: Source::Requirement("SDK-STUB-QUEUE") },
    Item { what: "late loading", binding: Binding::Required, text: "portal.js works when it runs after the page's `load` event, and when the page makes its calls from the script's `onload` without a stub", source: Source::Requirement("SDK-SCRIPT-ASYNC") },
    Item { what: "the frame's origin", binding: Binding::Required, text: "the iframe's document comes from the portal origin (`portal_origin` of the target)", source: Source::Requirement("SDK-MOUNT") },
    Item { what: "the frame's URL", binding: Binding::Choice, text: "any URL on the portal origin; the reference uses `/embed?pk=PUBLIC_KEY[&theme=JSON]`. It SHOULD NOT carry the session token, the user string or the HMAC (URLs end up in history, logs and `Referer`): hand the session to the frame with `postMessage` to the portal origin (RECOMMENDED)", source: Source::Contract("the documentation says nothing of how the page and the frame talk") },
    Item { what: "window messages the SDK takes", binding: Binding::Required, text: "the message format between the SDK and its frame is the implementation's choice (window messages, a `MessagePort`, none), but the SDK acts only on messages whose `event.source` is its own iframe's window and whose `event.origin` is the portal origin: the frame's messages replayed by a frame of another origin deliver no event", source: Source::Requirement("SDK-MESSAGES-FROM-FRAME-ONLY") },
    Item { what: "window messages the SDK sends", binding: Binding::Required, text: "whatever the SDK posts to its iframe's window (or hands it a port in) is addressed to the portal origin, never `*`: after that window navigated to another origin, a re-sign delivers it nothing carrying a credential", source: Source::Requirement("SDK-MESSAGES-TO-PORTAL-ONLY") },
    Item { what: "other frames on the page", binding: Binding::Required, text: "the host page may carry frames of other origins (ads, analytics, chat), before the portal's container too: the SDK and the portal frame post to no window but each other's (the SDK to the iframe it created, never `window.frames[i]` or the page's first `iframe`; the frame to its parent), so no such frame receives anything carrying a credential, and the portal signs in as on a page without them. portalcheck tests this with a frame of another origin first on the page, which the page lets load before it calls `setUser`", source: Source::Requirement("SDK-NO-CREDENTIAL-TO-OTHER-FRAMES") },
    Item { what: "window messages the frame takes", binding: Binding::Required, text: "the portal frame acts only on messages whose `event.source` is its parent window and whose `event.origin` is the embedding page's: the messages that signed one user in, posted into another user's portal frame by a frame of another origin on the page, change nothing there (the frame keeps its own user's tickets). A portal whose host window sends its frame no window message (a `MessagePort` only, or none) is not tested this way", source: Source::Requirement("FRAME-MESSAGES-FROM-HOST-ONLY") },
    Item { what: "\"Session expired\"", binding: Binding::Required, text: "once `expiresAt` passed without an accepted re-sign, the frame's text contains exactly `Session expired` and no ticket data", source: Source::Doc("\"Session expired\" message. The signed expiresAt has passed.") },
    Item { what: "a refused re-sign", binding: Binding::Required, text: "fires `auth_failed` and never extends the session: the tickets may stay until the original `expiresAt` or go at once (implementation's choice), but none shows after the original `expiresAt`", source: Source::Requirement("SESSION-RESIGN-REFUSED") },
    Item { what: "ticket text", binding: Binding::Required, text: "tickets show inside the frame only, never in the host page's DOM; the frame shows each ticket's subject verbatim", source: Source::Requirement("TENANT-SCOPED-BY-IDENTITY") },
];

/// A question the documentation leaves open, and how this contract and its
/// requirements settle it.
#[derive(Debug)]
pub struct Settled {
    pub question: &'static str,
    /// What must happen, and what may.
    pub decision: &'static str,
    pub why: &'static str,
    /// The requirement that states it.
    pub requirement: &'static str,
}

pub static SETTLED: &[Settled] = &[
    Settled {
        question: "A re-sign from `auth_expiring` is refused: does the session stay until `expiresAt`, or end at once?",
        decision: "`auth_failed` MUST fire with the refusal's reason, and no ticket may show after the original `expiresAt`. Keeping the tickets until then, or clearing them at once, are both conforming.",
        why: "\"re-sign before the timer runs out\" only promises that a good re-sign extends the session; both choices meet \"does not extend it\", and neither leaks beyond the signed expiry",
        requirement: "SESSION-RESIGN-REFUSED",
    },
    Settled {
        question: "Which HTTP status does each handshake refusal use?",
        decision: "Any 4xx; the cause is the `error` word (REQUIRED), never the status.",
        why: "the documentation names causes, not statuses; six causes do not fit the statuses HTTP has for them, and clients (the SDK, portalcheck) need the cause",
        requirement: "SDK-AUTH-FAILED-REASON",
    },
    Settled {
        question: "Another identity's ticket by ID, an unknown public key's embed view, a dead session: which status?",
        decision: "Any 4xx with no ticket data (404 recommended for a foreign ticket, so it cannot be told from a missing one).",
        why: "only the refusal protects the customer",
        requirement: "TENANT-NO-FOREIGN-OBJECTS",
    },
    Settled {
        question: "May the handshake answer `Access-Control-Allow-Origin: *`?",
        decision: "Yes, without credentials: the allowlisted origin must be able to read the answer (its own origin or `*`), and credentials are never granted.",
        why: "the server refuses other origins on its own (`origin_not_allowed`); the API uses no cookies, so `*` grants nothing a foreign page could abuse",
        requirement: "AUTH-CORS-NO-REFLECTION",
    },
    Settled {
        question: "What does `auth_expiring` carry?",
        decision: "`detail.expiresAt` (REQUIRED); `detail.secondsLeft` is optional and, when given, must be the lead.",
        why: "the documentation's handler uses no detail at all; the deadline is the one fact a re-signing handler needs",
        requirement: "SESSION-EXPIRING-EVENT",
    },
];

/// A limit the harness applies to every implementation.
#[derive(Debug)]
pub struct Limit {
    pub what: &'static str,
    pub value: String,
    /// Where the value is defined.
    pub constant: &'static str,
}

/// The harness's limits, as the code defines them today. The `harness::`
/// values are written out here (this crate cannot see them); a harness test
/// fails when they differ from `harness::run::limits`.
pub fn limits() -> Vec<Limit> {
    vec![
        Limit {
            what: "`auth_failed` after `setUser`",
            value: format!("{} ms", super::AUTH_FAILED_BOUND_MS),
            constant: "scenarios::contract::AUTH_FAILED_BOUND_MS",
        },
        Limit {
            what: "`expiresAt` ahead of the portal's clock (longer is refused, `invalid_payload`)",
            value: format!("{} s", super::MAX_LIFETIME_SECONDS),
            constant: "scenarios::contract::MAX_LIFETIME_SECONDS",
        },
        Limit {
            what: "theme value length (longer is dropped)",
            value: format!("{} characters", super::THEME_VALUE_MAX_LEN),
            constant: "scenarios::contract::THEME_VALUE_MAX_LEN",
        },
        Limit {
            what: "one scenario that only talks to the API",
            value: format!("{} s", crate::checks::API_BUDGET.as_secs()),
            constant: "scenarios::checks::API_BUDGET",
        },
        Limit {
            what: "one scenario that opens one host page",
            value: format!("{} s", crate::checks::BROWSER_BUDGET.as_secs()),
            constant: "scenarios::checks::BROWSER_BUDGET",
        },
        Limit {
            what: "watching a host page for `ready` / `auth_failed`",
            value: format!(
                "{} s",
                crate::probe::HostPage::new(crate::probe::PageUser::None)
                    .deadline
                    .as_secs()
            ),
            constant: "scenarios::probe::HostPage::new",
        },
        Limit {
            what: "TCP connect to the portal or its provider-state endpoint",
            value: "3 s".into(),
            constant: "harness::run::limits::CONNECT",
        },
        Limit {
            what: "TLS handshake, once connected",
            value: "3 s".into(),
            constant: "harness::run::limits::TLS_HANDSHAKE",
        },
        Limit {
            what: "from the request sent to the answer's status line and headers",
            value: "5 s".into(),
            constant: "harness::run::limits::FIRST_BYTE",
        },
        Limit {
            what: "one whole HTTP exchange (connect, handshake, headers, body)",
            value: "8 s".into(),
            constant: "harness::run::limits::EXCHANGE",
        },
        Limit {
            what: "an answer body (longer is an error of the run, never truncated into a verdict)",
            value: "4194304 bytes".into(),
            constant: "harness::run::limits::BODY_BYTES",
        },
        Limit {
            what: "loading a host page in the browser",
            value: "15 s".into(),
            constant: "harness::run::limits::PAGE_LOAD",
        },
    ]
}
