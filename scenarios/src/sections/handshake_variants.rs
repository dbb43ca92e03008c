//! Well-known variants of the handshake attacks that the threat model
//! lists and the base handshake scenarios do not send: JSON that two
//! parsers read differently, identity or expiry taken from outside the
//! signed string, leniently decoded HMACs, and origin matchers that a
//! `null`, a regular expression or a substring test fool. Every
//! known-dangerous form is a fixed case, tried on every run.

use serde_json::{json, Value};

use crate::checks::*;
use crate::contract::{AuthFailure, RECOMMENDED_WINDOW_SECONDS};
use crate::payload::{json_string, Identity};
use crate::probe::{Probe, SigningKey, Site, Tenant, UserSpec};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Verdict};
use crate::sections::handshake::origin::expect_no_credentialed_cors;
use crate::sections::handshake::{API_AUTH, API_ORIGIN};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "AUTH-PAYLOAD-UNAMBIGUOUS",
        section: Section::Handshake,
        level: Must,
        text: "The user string is read as exactly one strict JSON object (RFC 8259, I-JSON): a repeated member name, anything after the object, comments, trailing commas, single quotes, raw control characters or lone surrogate escapes are refused with `invalid_payload`, so the customer's server and the portal can never read two different identities from the same signed bytes.",
        source: "The same exact JSON string used for the digest must be the one passed to the SDK.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-IDENTITY-SIGNED-ONLY",
        section: Section::Handshake,
        level: Must,
        text: "Who is signed in, and until when, come from the signed user string only: identifier, `expiresAt` or `sessionToken` fields elsewhere in the handshake body change neither the session's identity, nor its expiry, nor its token.",
        source: "The HMAC handshake was rejected. ... The same exact JSON string used for the digest must be the one passed to the SDK.",
        surfaces: &[HttpStatus],
    },
];

// ------------------------------------------------------------------ payloads

/// `{"externalUserId":ID,"email":EMAIL,"expiresAt":EXP` without its `}`:
/// the start every ambiguous form below extends.
fn open_object(identity: &Identity, expires_at: i64) -> String {
    let mut compact = identity.compact(expires_at);
    compact.pop();
    compact
}

/// Signs each string exactly and expects `invalid_payload` for every one,
/// then the unambiguous `control` accepted (the premise: this identity and
/// expiry are fine on their own).
async fn refuse_all(
    p: &mut dyn Probe,
    cases: Vec<(&'static str, String)>,
    control: String,
) -> Outcome {
    let mut c = Checks::new();
    let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, control)?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &reply, "control: the same payload, unambiguous")?;
    for (what, user) in cases {
        let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, user)?;
        let reply = handshake(p, Tenant::Primary, &signed).await?;
        c.expect(
            reply.status < 500,
            format!("{what}: no server error"),
            || describe(&reply),
        )?;
        // Refusing is the security property; `invalid_payload` is the fitting
        // reason, but a portal that refuses for another one is not unsafe.
        expect_any_refusal(&mut c, &reply, what)?;
    }
    Ok(c.pass())
}

async fn duplicate_keys(p: &mut dyn Probe) -> Outcome {
    let identity = fresh_identity(p);
    let other = fresh_identity(p);
    let now = p.now();
    let exp = now + RECOMMENDED_WINDOW_SECONDS;
    let start = open_object(&identity, exp);
    let other_id = json_string(other.external_user_id.as_deref().unwrap_or("other"));
    let other_email = json_string(other.email.as_deref().unwrap_or("other@example.test"));
    let cases = vec![
        (
            "externalUserId given twice (first and last differ)",
            format!("{start},\"externalUserId\":{other_id}}}"),
        ),
        (
            "email given twice",
            format!("{start},\"email\":{other_email}}}"),
        ),
        (
            "expiresAt given twice (one expired)",
            format!("{start},\"expiresAt\":{}}}", now - 60),
        ),
        (
            "externalUserId twice, spelled once with a \\u escape",
            format!("{start},\"external\\u0055serId\":{other_id}}}"),
        ),
    ];
    if let Some((what, _)) = cases
        .iter()
        .find(|(_, user)| !crate::payload::repeats_a_member(user))
    {
        return Err(Verdict::incomplete(format!(
            "the harness built no repeated member for {what}"
        )));
    }
    refuse_all(p, cases, identity.compact(exp)).await
}

async fn lenient_json(p: &mut dyn Probe) -> Outcome {
    let identity = fresh_identity(p);
    let other = fresh_identity(p);
    let exp = p.now() + RECOMMENDED_WINDOW_SECONDS;
    let valid = identity.compact(exp);
    let start = open_object(&identity, exp);
    let second = other.compact(exp);
    let id = identity.external_user_id.clone().unwrap_or_default();
    let cases = vec![
        (
            "a second object after the first",
            format!("{valid}{second}"),
        ),
        ("a second object after a comma", format!("{valid},{second}")),
        ("garbage after the object", format!("{valid}x")),
        ("a comment after the object", format!("{valid}/* c */")),
        ("a comment inside the object", format!("{start}/* c */}}")),
        ("a trailing comma", format!("{start},}}")),
        (
            "single-quoted names and strings",
            format!("{{'externalUserId':'{id}','expiresAt':{exp}}}"),
        ),
        (
            "a lone surrogate escape in the identifier",
            format!("{{\"externalUserId\":\"{id}\\ud800\",\"expiresAt\":{exp}}}"),
        ),
        (
            "a raw control character in the identifier",
            format!("{{\"externalUserId\":\"{id}\u{1}\",\"expiresAt\":{exp}}}"),
        ),
    ];
    refuse_all(p, cases, valid).await
}

// ------------------------------------------------------------------ unsigned fields

async fn unsigned_fields_ignored(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let victim = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    crate::sections::tenancy::own_session_listing(p, &mut c, &victim).await?;

    let attacker = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &attacker)?;
    let signed_expiry = serde_json::from_str::<Value>(&signed.user)
        .ok()
        .and_then(|v| v["expiresAt"].as_i64());
    let chosen_token = format!("chosen-{}", p.unique("token"));
    let far = p.now() + 365 * 24 * 60 * 60;
    let body = json!({
        "publicKey": p.public_key(Tenant::Primary),
        "user": signed.user,
        "userHmac": signed.hmac,
        "externalUserId": victim.identity.external_user_id,
        "email": victim.identity.email,
        "expiresAt": far,
        "sessionToken": chosen_token,
    })
    .to_string();
    p.note(format!("handshake body with unsigned fields: {body}"));
    let origin = p.origin(Site::ShopA);
    let reply = p.api(handshake_request(body, Some(origin))).await?;
    let token = expect_accepted(
        &mut c,
        &reply,
        "the attacker's own signed string, with unsigned victim fields beside it",
    )?;
    c.expect(
        token != chosen_token,
        "the session token is the portal's, not one the body chose",
        || format!("the portal adopted the body's sessionToken {chosen_token:?}"),
    )?;
    let answered = expires_at_of(&reply);
    c.expect(
        signed_expiry.is_some() && answered == signed_expiry,
        "the session expires at the signed expiresAt, not the body's",
        || format!("answer expiresAt {answered:?}, signed {signed_expiry:?}, body {far}"),
    )?;
    let list = p.api(tickets_request(&token, None)).await?;
    c.expect(
        list.status == 200,
        "the attacker's session lists tickets",
        || describe(&list),
    )?;
    c.expect(
        !list.body.contains(&victim.canary),
        "the attacker's session shows none of the victim's tickets",
        || describe(&list),
    )?;
    Ok(c.pass())
}

// ------------------------------------------------------------------ HMAC decoding

async fn hmac_padded_valid(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let h = signed.hmac.clone();
    let cases: Vec<(&str, String)> = vec![
        ("the right HMAC with a trailing newline", format!("{h}\n")),
        ("the right HMAC with a leading space", format!(" {h}")),
        ("the right HMAC with a trailing space", format!("{h} ")),
        ("the right HMAC with a trailing tab", format!("{h}\t")),
        ("the right HMAC with a 0x prefix", format!("0x{h}")),
        (
            "the right HMAC followed by two more digits",
            format!("{h}00"),
        ),
        ("the right HMAC followed by garbage", format!("{h}zz")),
        ("the right HMAC twice", h.repeat(2)),
    ];
    let public_key = p.public_key(Tenant::Primary);
    let origin = p.origin(Site::ShopA);
    for (what, hmac) in cases {
        let body = handshake_body(&public_key, &signed.user, Value::String(hmac));
        let reply = p.api(handshake_request(body, Some(origin.clone()))).await?;
        c.expect(
            reply.status < 500,
            format!("{what}: no server error"),
            || describe(&reply),
        )?;
        expect_refused(&mut c, &reply, AuthFailure::MalformedHmac, what)?;
    }
    let control = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &control, "control: the exact HMAC")?;
    Ok(c.pass())
}

// ------------------------------------------------------------------ origins

/// A valid handshake from each origin string: each `origin_not_allowed`,
/// none granted credentialed CORS; then the allowlisted origin accepted.
async fn origins_refused(p: &mut dyn Probe, origins: Vec<(String, String)>) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let public_key = p.public_key(Tenant::Primary);
    for (what, origin) in origins {
        let body = handshake_body(
            &public_key,
            &signed.user,
            Value::String(signed.hmac.clone()),
        );
        let reply = p.api(handshake_request(body, Some(origin.clone()))).await?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::OriginNotAllowed,
            &format!("Origin {origin:?} ({what})"),
        )?;
        expect_no_credentialed_cors(&mut c, &reply, &origin, what.as_str())?;
    }
    let control = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &control, "control: the allowlisted origin")?;
    Ok(c.pass())
}

async fn origin_null(p: &mut dyn Probe) -> Outcome {
    let origins = vec![
        (
            "the opaque origin of a sandboxed frame".to_string(),
            "null".to_string(),
        ),
        ("`null` in upper case".into(), "NULL".into()),
    ];
    origins_refused(p, origins).await
}

/// `scheme`, `host` and the port as written (if any) of an origin string.
fn split_origin(origin: &str) -> Option<(&str, &str, Option<&str>)> {
    let (scheme, rest) = origin.split_once("://")?;
    Some(match rest.rsplit_once(':') {
        Some((host, port)) => (scheme, host, Some(port)),
        None => (scheme, rest, None),
    })
}

fn join_origin(scheme: &str, host: &str, port: Option<&str>) -> String {
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

/// The allowlisted origin with every `.` of its host replaced by `with`.
fn dots_replaced(origin: &str, with: char) -> Option<String> {
    let (scheme, host, port) = split_origin(origin)?;
    host.contains('.')
        .then(|| join_origin(scheme, &host.replace('.', &with.to_string()), port))
}

async fn origin_regex_dot(p: &mut dyn Probe) -> Outcome {
    let allowed = p.origin(Site::ShopA);
    let origins: Vec<(String, String)> = ['x', '-', '0']
        .into_iter()
        .filter_map(|with| {
            dots_replaced(&allowed, with)
                .map(|o| (format!("the host's dots replaced by {with:?}"), o))
        })
        .collect();
    if origins.is_empty() {
        return Err(Verdict::incomplete(format!(
            "the allowlisted origin {allowed} has no dot in its host to vary"
        )));
    }
    origins_refused(p, origins).await
}

async fn origin_truncated(p: &mut dyn Probe) -> Outcome {
    let allowed = p.origin(Site::ShopA);
    let Some((scheme, host, port)) = split_origin(&allowed).filter(|(_, h, _)| h.len() > 1) else {
        return Err(Verdict::incomplete(format!(
            "the allowlisted origin {allowed} is not scheme://host[:port]"
        )));
    };
    let mut cut_host = host.to_string();
    cut_host.pop();
    let mut origins = vec![(
        "the host cut by one letter, default port".to_string(),
        join_origin(scheme, &cut_host, None),
    )];
    if let Some(port) = port.filter(|p| p.len() > 1) {
        origins.push((
            "the port cut by one digit".into(),
            join_origin(scheme, host, Some(&port[..port.len() - 1])),
        ));
    }
    origins_refused(p, origins).await
}

// ------------------------------------------------------------------ catalogue

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "handshake.payload-duplicate-keys",
            title: "A signed payload with a repeated member name is refused",
            section: Section::Handshake,
            requirements: &["AUTH-PAYLOAD-UNAMBIGUOUS"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs exactly and sends payloads naming externalUserId, email or expiresAt twice with different values (once spelled with a \\u escape): each must be refused (`invalid_payload` is the fitting reason), whichever value a parser would keep; the same payload without repeats is accepted.",
            how_to_fix: "Parse the user string with a parser that reports duplicate member names (or check for them) and refuse them with `invalid_payload`.",
            run: run!(p => duplicate_keys(p)),
        },
        Scenario {
            id: "handshake.payload-lenient-json",
            title: "Lenient JSON forms of a signed payload are refused",
            section: Section::Handshake,
            requirements: &["AUTH-PAYLOAD-UNAMBIGUOUS", "AUTH-PAYLOAD-SHAPE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs exactly and sends a valid payload followed by a second object, a comma and an object, garbage or a comment; with a comment or trailing comma inside; single-quoted; with a lone \\ud800 or a raw control character in the identifier: each must be refused (`invalid_payload` is the fitting reason), never a 5xx; the plain payload is accepted.",
            how_to_fix: "Parse the whole user string as one strict JSON value (no streaming decoder, no JSON5), and refuse anything else with `invalid_payload`.",
            run: run!(p => lenient_json(p)),
        },
        Scenario {
            id: "handshake.unsigned-fields-ignored",
            title: "Fields outside the signed string change nothing",
            section: Section::Handshake,
            requirements: &["AUTH-IDENTITY-SIGNED-ONLY", "TENANT-SCOPED-BY-IDENTITY"],
            level: Must,
            tags: API_AUTH,
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs an attacker's own payload and adds, outside it in the handshake body, a seeded victim's externalUserId and email, an expiresAt a year ahead and a chosen sessionToken: accepted, but the token is the portal's, the session's expiresAt is the signed one, and the list shows none of the victim's tickets (which the victim's own session does show).",
            how_to_fix: "Read identity and expiry from the verified user string only, and always mint the session token on the server.",
            run: run!(p => unsigned_fields_ignored(p)),
        },
        Scenario {
            id: "handshake.hmac-padded-valid",
            title: "The right HMAC with padding or extra digits is `malformed_hmac`",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-SHAPE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends the correct HMAC with a leading or trailing space, tab or newline, a 0x prefix, two more digits, garbage after it, or twice: each must be a 400 `malformed_hmac` (a lenient decoder would accept them); the exact HMAC is accepted.",
            how_to_fix: "Check that userHmac is exactly 64 hex digits before decoding it; never trim, strip prefixes or decode a prefix.",
            run: run!(p => hmac_padded_valid(p)),
        },
        Scenario {
            id: "handshake.origin-null",
            title: "`Origin: null` is not allowlisted",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake with `Origin: null` (what a sandboxed frame or a data: document sends) and `NULL`: each must be `origin_not_allowed` without a credentialed CORS grant; the allowlisted origin is accepted.",
            how_to_fix: "Treat `null` like any other origin not in the allowlist; never as \"no browser\".",
            run: run!(p => origin_null(p)),
        },
        Scenario {
            id: "handshake.origin-regex-dot",
            title: "An origin that only an unescaped regex dot matches is refused",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from the allowlisted origin with each dot of its host replaced by `x`, `-` or `0` (`https://shop-axtest:P`): each must be `origin_not_allowed`.",
            how_to_fix: "Compare parsed origins for equality; if patterns are used, escape them and anchor them.",
            run: run!(p => origin_regex_dot(p)),
        },
        Scenario {
            id: "handshake.origin-truncated-host",
            title: "An origin that is a substring of the allowlist is refused",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from the allowlisted origin cut short (host cut by one letter on the default port, port cut by one digit): each must be `origin_not_allowed` (a substring test over the allowlist would accept them).",
            how_to_fix: "Match the whole origin against each allowlist entry for equality, never with a substring test.",
            run: run!(p => origin_truncated(p)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_replaced_in_the_host_only() {
        assert_eq!(
            dots_replaced("https://shop-a.test:8443", 'x').as_deref(),
            Some("https://shop-axtest:8443")
        );
        assert_eq!(
            dots_replaced("https://a.b.test", '-').as_deref(),
            Some("https://a-b-test")
        );
        assert_eq!(dots_replaced("https://localhost:1", 'x'), None);
    }

    #[test]
    fn every_ambiguous_form_is_one_a_strict_parser_refuses() {
        let identity = Identity {
            external_user_id: Some("u-1".into()),
            email: Some("u-1@example.test".into()),
            phone: None,
        };
        let start = open_object(&identity, 1_800_000_300);
        assert!(serde_json::from_str::<Value>(&format!("{start}}}")).is_ok());
        for bad in [
            format!("{start},}}"),
            format!("{start}/* c */}}"),
            "{\"externalUserId\":\"u\\ud800\",\"expiresAt\":1}".to_string(),
            "{\"externalUserId\":\"u\u{1}\",\"expiresAt\":1}".to_string(),
        ] {
            assert!(serde_json::from_str::<Value>(&bad).is_err(), "{bad:?}");
        }
    }
}
