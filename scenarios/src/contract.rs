//! The wire contract of the Embedded Portal: the names, paths, reasons and
//! numbers every implementation shares. The reference portal implements
//! these; scenarios check them. Behavioural requirements live in
//! `sections/`; this module holds only the facts they refer to.

pub mod doc;
pub mod wire;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The SDK script, relative to the portal origin. Loaded with `<script async>`.
pub const SCRIPT_PATH: &str = "/portal.js";
/// The portal's iframe document: `/embed?pk=PUBLIC_KEY[&theme=JSON]`.
pub const EMBED_PATH: &str = "/embed";
/// `POST` `{"publicKey","user","userHmac"}` from the host page (CORS); the
/// browser's `Origin` header is the embedding origin.
pub const HANDSHAKE_PATH: &str = "/api/v1/handshake";
/// `GET` with `Authorization: Bearer TOKEN`: the signed identity's tickets.
/// `GET {TICKETS_PATH}/{id}`: one of them.
pub const TICKETS_PATH: &str = "/api/v1/tickets";
/// Pact-style provider states: `POST {"state": NAME, "params": {...}}`.
pub const PROVIDER_STATE_PATH: &str = "/_provider/state";

/// Provider state: create or replace a tenant.
/// Params: `tenant`, `publicKey`, `secret`, `allowedOrigins` (array of origins).
pub const STATE_TENANT_EXISTS: &str = "tenant exists";
/// Provider state: add a user and one ticket.
/// Params: `publicKey`, any of `externalUserId` / `email` / `phone`, `subject`.
/// Answers `{"ticketId": "..."}`.
pub const STATE_USER_HAS_TICKET: &str = "user has ticket";
/// Provider state: rotate a tenant's secret; the old one is refused from then on.
/// Params: `publicKey`, `newSecret`.
pub const STATE_SECRET_ROTATED: &str = "secret rotated";

/// The text the portal shows once a session has expired without re-signing.
pub const SESSION_EXPIRED_TEXT: &str = "Session expired";

/// "auth_failed fired immediately": the bound, from `setUser` to the event.
pub const AUTH_FAILED_BOUND_MS: u64 = 2_000;

/// The recommended signing window: `Math.floor(Date.now() / 1000) + 300`.
pub const RECOMMENDED_WINDOW_SECONDS: i64 = 300;

/// The longest `expiresAt` may lie ahead of the portal's clock.
pub const MAX_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// The longest lead time of `auth_expiring`.
pub const MAX_EXPIRING_LEAD_SECONDS: i64 = 60;

/// How long before `expiresAt` the SDK fires `auth_expiring`, for a session
/// whose remaining lifetime at the handshake was `lifetime_seconds`:
/// 60 s, or half the lifetime when that is shorter, and never less than 1 s.
pub fn expiring_lead_seconds(lifetime_seconds: i64) -> i64 {
    (lifetime_seconds / 2).clamp(1, MAX_EXPIRING_LEAD_SECONDS)
}

/// The machine-readable reasons `auth_failed` carries in `detail.reason`,
/// and the handshake's error bodies carry in `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthFailure {
    /// The HMAC does not match the exact bytes of the user string.
    InvalidSignature,
    /// `expiresAt` is not in the future.
    Expired,
    /// The user string is not a valid payload (JSON, identifier, `expiresAt`).
    InvalidPayload,
    /// The HMAC is not 64 hexadecimal digits.
    MalformedHmac,
    /// The embedding origin is not in the tenant's allowlist.
    OriginNotAllowed,
    /// No tenant has this public key.
    UnknownPublicKey,
    /// The handshake could not be made (blocked by CSP, network error).
    Network,
}

impl AuthFailure {
    pub const ALL: [AuthFailure; 7] = [
        AuthFailure::InvalidSignature,
        AuthFailure::Expired,
        AuthFailure::InvalidPayload,
        AuthFailure::MalformedHmac,
        AuthFailure::OriginNotAllowed,
        AuthFailure::UnknownPublicKey,
        AuthFailure::Network,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            AuthFailure::InvalidSignature => "invalid_signature",
            AuthFailure::Expired => "expired",
            AuthFailure::InvalidPayload => "invalid_payload",
            AuthFailure::MalformedHmac => "malformed_hmac",
            AuthFailure::OriginNotAllowed => "origin_not_allowed",
            AuthFailure::UnknownPublicKey => "unknown_public_key",
            AuthFailure::Network => "network",
        }
    }

    /// What the reason means, for CONTRACT.md.
    pub const fn meaning(self) -> &'static str {
        match self {
            AuthFailure::InvalidSignature => "the HMAC does not match the exact bytes of the user string under the tenant's current secret",
            AuthFailure::Expired => "`expiresAt` is not in the future",
            AuthFailure::InvalidPayload => "the user string is not a valid payload: not exactly one strict JSON object (RFC 8259 and I-JSON: a repeated member name, anything after the object, comments, trailing commas, single quotes, raw control characters or a lone surrogate escape are refused, requirement `AUTH-PAYLOAD-UNAMBIGUOUS`), no identifier, `expiresAt` not an integer of unix seconds, or more than 24 h ahead",
            AuthFailure::MalformedHmac => "`userHmac` is not a string of 64 hexadecimal digits",
            AuthFailure::OriginNotAllowed => "the request's `Origin` is not exactly one of the tenant's allowed origins",
            AuthFailure::UnknownPublicKey => "no tenant has this public key",
            AuthFailure::Network => "(SDK only) the handshake could not be made: blocked by CSP, network error",
        }
    }

    pub fn parse(text: &str) -> Option<AuthFailure> {
        AuthFailure::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// The session error the ticket API answers (401) once `expiresAt` passed.
pub const SESSION_EXPIRED_ERROR: &str = "session_expired";

/// The SDK events, as passed to `UserHero.on(name, handler)`.
pub const EVENT_READY: &str = "ready";
pub const EVENT_AUTH_FAILED: &str = "auth_failed";
pub const EVENT_AUTH_EXPIRING: &str = "auth_expiring";

/// The CSS custom properties a theme may set. Anything else is dropped.
pub const THEME_VARIABLES: [&str; 5] = [
    "--uh-brand-color",
    "--uh-text-color",
    "--uh-background",
    "--uh-font-family",
    "--uh-radius",
];

/// The CSS functions a theme value may call. `url(`, `expression(`,
/// `image(` and every other function are dropped.
pub const THEME_FUNCTIONS: [&str; 5] = ["rgb", "rgba", "hsl", "hsla", "calc"];

/// The characters a theme value may contain; anything else (`;`, `{`, `}`,
/// `@`, `\`, `<`, `/`, `:`, control characters...) drops the value.
pub fn theme_value_char_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || " #,.%-+*()\"'".contains(c)
}

/// The longest theme value kept.
pub const THEME_VALUE_MAX_LEN: usize = 200;

/// The contract's theme value grammar, the one both the reference and the
/// catalogue's fake apply: not blank, at most [`THEME_VALUE_MAX_LEN`]
/// bytes, only [`theme_value_char_allowed`] characters, and every function
/// call (a name of letters, digits and `-` directly followed by `(`) one
/// of [`THEME_FUNCTIONS`], in any case.
pub fn theme_value_allowed(value: &str) -> bool {
    if value.trim().is_empty()
        || value.len() > THEME_VALUE_MAX_LEN
        || !value.chars().all(theme_value_char_allowed)
    {
        return false;
    }
    let mut name = String::new();
    for c in value.chars() {
        if c == '('
            && !name.is_empty()
            && !THEME_FUNCTIONS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&name))
        {
            return false;
        }
        if c.is_ascii_alphanumeric() || c == '-' {
            name.push(c);
        } else {
            name.clear();
        }
    }
    true
}

/// The documented dangerous forms, each of which must be dropped.
pub const THEME_FORBIDDEN_FORMS: [&str; 4] = [";", "url(", "expression(", "@import"];

/// The stub a page puts before `<script async src=".../portal.js">`, so that
/// calls made before the script loads are queued; the SDK replays
/// `UserHero.q` in order when it loads.
pub const SDK_STUB: &str = "window.UserHero=window.UserHero||(function(){var q=[],s={q:q};\
['init','setUser','on'].forEach(function(m){s[m]=function(){q.push([m].concat([].slice.call(arguments)))}});\
return s})();";

/// HMAC-SHA256 of `message` under `secret`, lowercase hex: how a customer's
/// server signs the user string.
pub fn hmac_hex(secret: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_is_half_the_lifetime_capped_at_a_minute() {
        assert_eq!(expiring_lead_seconds(6), 3);
        assert_eq!(expiring_lead_seconds(300), 60);
        assert_eq!(expiring_lead_seconds(1), 1);
        assert_eq!(expiring_lead_seconds(0), 1);
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn reasons_round_trip() {
        for r in AuthFailure::ALL {
            assert_eq!(AuthFailure::parse(r.as_str()), Some(r));
        }
    }
}
