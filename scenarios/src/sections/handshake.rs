//! "auth_failed fired immediately": the HMAC handshake, its payload, the
//! secret, the clock and the origin allowlist.

use std::time::Duration;

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::checks::*;
use crate::contract::{AuthFailure, MAX_LIFETIME_SECONDS, RECOMMENDED_WINDOW_SECONDS};
use crate::payload::{Layout, NumberForm};
use crate::probe::{
    ApiCall, HostPage, PageUser, Probe, SigningKey, Site, Tenant, TokenEndpoint, UserSpec,
};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "AUTH-HMAC-EXACT-BYTES",
        section: Section::Handshake,
        level: Must,
        text: "The HMAC is verified over the exact bytes of the user string received, never over a re-serialization; a string differing from the signed one in any byte (key order, white space, escapes, number form, a trailing newline) is refused with `invalid_signature`.",
        source: "The HMAC was computed over a different string than the one sent. The same exact JSON string used for the digest must be the one passed to the SDK.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-HMAC-ANY-LAYOUT",
        section: Section::Handshake,
        level: Must,
        text: "Any valid JSON layout of a valid payload (key order, white space, string escapes), signed exactly as sent, is accepted.",
        source: "Re-use the serialized output from JSON.stringify directly.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-HMAC-TAMPER",
        section: Section::Handshake,
        level: Must,
        text: "Any change to the signed string or to the HMAC is refused.",
        source: "The HMAC handshake was rejected.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-HMAC-SHAPE",
        section: Section::Handshake,
        level: Must,
        text: "An HMAC that is not 64 hexadecimal digits (empty, short, long, non-hex, base64, not a string) is refused with `malformed_hmac` as a 4xx answer, never a server error.",
        source: "The HMAC handshake was rejected.",
        surfaces: &[HttpStatus, SdkEvent],
    },
    Requirement {
        id: "AUTH-HMAC-CONSTANT-TIME",
        section: Section::Handshake,
        level: Must,
        text: "The HMAC is compared in constant time: how long a refusal takes does not depend on how many leading digits of the HMAC are right.",
        source: "The HMAC handshake was rejected.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-WRONG-SECRET",
        section: Section::Handshake,
        level: Must,
        text: "An HMAC made with any secret other than the tenant's current secret (another tenant's, an unrelated one) is refused with `invalid_signature`.",
        source: "Wrong secret.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-ROTATED-SECRET",
        section: Section::Handshake,
        level: Must,
        text: "Once a secret is rotated, HMACs made with the old secret are refused and HMACs made with the new one are accepted, at once.",
        source: "If you rotated the secret recently, your server may still be using the old one.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-FUTURE",
        section: Section::Handshake,
        level: Must,
        text: "`expiresAt` must be strictly in the future by the portal's clock; a payload whose `expiresAt` is now or past is refused with `expired`, with no grace period.",
        source: "Clock skew. expiresAt must be in the future.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-WINDOW",
        section: Section::Handshake,
        level: Must,
        text: "A payload signed with the recommended window (`expiresAt` = signing time + 300 s) is accepted, also when the signing server's clock is somewhat behind but the result is still in the future.",
        source: "If your server clock is behind, generate Math.floor(Date.now() / 1000) + 300 to give a 5-minute window.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-FORMAT",
        section: Section::Handshake,
        level: Must,
        text: "`expiresAt` is an integer number of unix seconds; a missing one, a string, a fraction, a negative number, milliseconds or a number beyond 2^53 is refused with `invalid_payload`.",
        source: "generate Math.floor(Date.now() / 1000) + 300",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-MAX-LIFETIME",
        section: Section::Handshake,
        level: Should,
        text: "`expiresAt` more than 24 hours ahead of the portal's clock is refused with `invalid_payload`, so a leaked signature cannot live for ever.",
        source: "to give a 5-minute window.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-PAYLOAD-SHAPE",
        section: Section::Handshake,
        level: Must,
        text: "A user string that is not a JSON object (malformed JSON, an array, a string) is refused with `invalid_payload`, never a server error.",
        source: "The same exact JSON string used for the digest must be the one passed to the SDK.",
        surfaces: &[HttpStatus, SdkEvent],
    },
    Requirement {
        id: "AUTH-UNKNOWN-KEY",
        section: Section::Handshake,
        level: Must,
        text: "A handshake naming a public key no tenant has is refused with `unknown_public_key`.",
        source: "Email hello@userhero.co with the public key, ...",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-ORIGIN-ALLOWLIST",
        section: Section::Handshake,
        level: Must,
        text: "A handshake from a page whose origin is not in the tenant's allowed origins is refused with `origin_not_allowed`.",
        source: "Origin not allowlisted. Check Settings → Embedded Portal → Allowed origins.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-ORIGIN-EXACT",
        section: Section::Handshake,
        level: Must,
        text: "Allowed origins match on scheme, host and port exactly: a suffix or prefix lookalike, a subdomain, another scheme or another port is refused.",
        source: "Origin not allowlisted.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-ORIGIN-BROWSER-ASSERTED",
        section: Section::Handshake,
        level: Must,
        text: "The embedding origin is the one the browser asserts (the `Origin` header, `MessageEvent.origin`), never one the page supplies in data or options.",
        source: "Origin not allowlisted.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-CORS-NO-REFLECTION",
        section: Section::Handshake,
        level: Must,
        text: "The portal API never answers a non-allowlisted `Origin` with that origin in `Access-Control-Allow-Origin` together with `Access-Control-Allow-Credentials: true`, nor ever sends credentials with `*`.",
        source: "Origin not allowlisted.",
        surfaces: &[HttpHeader],
    },
    Requirement {
        id: "AUTH-FAIL-IMMEDIATE",
        section: Section::Handshake,
        level: Must,
        text: "A refused handshake fires `auth_failed` within 2 seconds of `setUser`, and the portal shows no ticket data.",
        source: "auth_failed fired immediately",
        surfaces: &[SdkEvent, RenderedText],
    },
];

// ------------------------------------------------------------------ bodies

/// The layout a re-serializing verifier would produce: sorted keys, compact.
fn sorted_compact() -> Layout {
    Layout {
        sort_keys: true,
        ..Layout::compact()
    }
}

/// Sign the sorted-compact form, send `drifted`: the exact-bytes rule says
/// `invalid_signature`, a verifier that re-serializes would accept.
async fn drift(p: &mut dyn Probe, drifted: Layout, what: &str) -> Outcome {
    let mut c = Checks::new();
    let mut identity = fresh_identity(p);
    if drifted.escape_slash {
        identity.external_user_id = identity.external_user_id.map(|id| format!("shop/{id}"));
    }
    let fields = identity.fields(p.now() + RECOMMENDED_WINDOW_SECONDS);
    let signed_form = sorted_compact().render(&fields);
    let sent = drifted.render(&fields);
    if sent == signed_form {
        return Err(Verdict::incomplete(format!(
            "the {what} layout did not change the string"
        )));
    }
    let hmac = p.sign(Tenant::Primary, SigningKey::Current, &signed_form)?;
    p.note(format!("signed {signed_form:?}; sending {sent:?}"));
    let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &sent, &hmac).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::InvalidSignature,
        &format!("{what} (signed in another layout)"),
    )?;
    let control = handshake_from(p, Tenant::Primary, Site::ShopA, &signed_form, &hmac).await?;
    expect_accepted(&mut c, &control, "control: the signed string itself")?;
    Ok(c.pass())
}

/// The tamperings tried on a signed string.
#[derive(Debug, Clone)]
enum StringTamper {
    ReplaceChar(usize, char),
    InsertSpace(usize),
    DeleteChar(usize),
    AppendNewline,
    UppercaseLetter(usize),
    DuplicateKey,
}

fn tamper_string(s: &str, how: &StringTamper) -> String {
    let bytes: Vec<char> = s.chars().collect();
    let at = |i: usize| i % bytes.len();
    let mut out: Vec<char> = bytes.clone();
    match how {
        StringTamper::ReplaceChar(i, ch) => {
            let i = at(*i);
            out[i] = if out[i] == *ch { 'q' } else { *ch };
        }
        StringTamper::InsertSpace(i) => out.insert(at(*i), ' '),
        StringTamper::DeleteChar(i) => {
            out.remove(at(*i));
        }
        StringTamper::AppendNewline => out.push('\n'),
        StringTamper::UppercaseLetter(i) => {
            let start = at(*i);
            if let Some(j) = (0..out.len())
                .map(|k| (start + k) % out.len())
                .find(|&k| out[k].is_ascii_lowercase())
            {
                out[j] = out[j].to_ascii_uppercase();
            }
        }
        StringTamper::DuplicateKey => {
            out.pop();
            out.extend(",\"externalUserId\":\"someone-else\"}".chars());
        }
    }
    let out: String = out.into_iter().collect();
    if out == s {
        format!("{s} ")
    } else {
        out
    }
}

fn string_tampers() -> impl Strategy<Value = StringTamper> {
    prop_oneof![
        (0usize..400, proptest::char::range('a', 'z'))
            .prop_map(|(i, c)| StringTamper::ReplaceChar(i, c)),
        (0usize..400, proptest::char::range('0', '9'))
            .prop_map(|(i, c)| StringTamper::ReplaceChar(i, c)),
        (0usize..400).prop_map(StringTamper::InsertSpace),
        (0usize..400).prop_map(StringTamper::DeleteChar),
        Just(StringTamper::AppendNewline),
        (0usize..400).prop_map(StringTamper::UppercaseLetter),
        Just(StringTamper::DuplicateKey),
    ]
}

async fn tampered_string(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let mut tampers = vec![StringTamper::AppendNewline, StringTamper::DuplicateKey];
    tampers.extend(generate(p, "string tampering", string_tampers(), 10));
    for how in &tampers {
        let sent = tamper_string(&signed.user, how);
        p.note(format!(
            "tampering {how:?}: sending {sent:?} with the original HMAC"
        ));
        let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &sent, &signed.hmac).await?;
        expect_any_refusal(&mut c, &reply, &format!("string tampered by {how:?}"))?;
    }
    let control = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &control, "control: the untampered pair")?;
    Ok(c.pass())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `hmac` with the digit at `position` replaced by another hex digit.
pub(crate) fn flip_digit(hmac: &str, position: usize, offset: usize) -> String {
    let mut digits: Vec<u8> = hmac.bytes().collect();
    let i = position % digits.len();
    let current = HEX
        .iter()
        .position(|&d| d == digits[i].to_ascii_lowercase())
        .unwrap_or(0);
    digits[i] = HEX[(current + 1 + offset % 15) % 16];
    String::from_utf8(digits).expect("hex is ASCII")
}

async fn tampered_hmac(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    // The last digits first: a prefix comparison only misses those.
    let mut flips: Vec<(usize, usize)> = vec![(63, 0), (62, 7), (48, 3), (16, 5), (0, 1)];
    flips.extend(generate(p, "HMAC tampering", (0usize..64, 0usize..15), 8));
    for (position, offset) in flips {
        let hmac = flip_digit(&signed.hmac, position, offset);
        p.note(format!("HMAC digit {position} changed: {hmac}"));
        let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &signed.user, &hmac).await?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::InvalidSignature,
            &format!("HMAC with digit {position} changed"),
        )?;
    }
    let control = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &control, "control: the untampered pair")?;
    Ok(c.pass())
}

/// Sign `layout` of a fresh payload exactly as sent: must be accepted.
async fn accept_layouts(p: &mut dyn Probe, layouts: Vec<Layout>) -> Outcome {
    let mut c = Checks::new();
    for layout in layouts {
        let mut identity = fresh_identity(p);
        identity.external_user_id = identity.external_user_id.map(|id| format!("shop/{id}"));
        let user = layout.render(&identity.fields(p.now() + RECOMMENDED_WINDOW_SECONDS));
        let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, user)?;
        let reply = handshake(p, Tenant::Primary, &signed).await?;
        expect_accepted(
            &mut c,
            &reply,
            &format!("{layout:?} signed exactly as sent"),
        )?;
    }
    Ok(c.pass())
}

fn unusual_layouts() -> Vec<Layout> {
    let base = Layout::compact();
    vec![
        sorted_compact(),
        Layout {
            spaced: true,
            ..base.clone()
        },
        Layout {
            indent: Some(2),
            ..base.clone()
        },
        Layout {
            sort_keys: true,
            indent: Some(4),
            ..base.clone()
        },
        Layout {
            escape_letters: true,
            ..base.clone()
        },
        Layout {
            escape_slash: true,
            ..base.clone()
        },
        Layout {
            trailing_newline: true,
            ..base
        },
    ]
}

fn generated_layouts() -> impl Strategy<Value = Layout> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(0usize..5),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(sort_keys, spaced, indent, escape_letters, escape_slash, trailing_newline)| Layout {
                sort_keys,
                spaced,
                indent,
                escape_letters,
                escape_slash,
                number_form: NumberForm::Integer,
                trailing_newline,
            },
        )
}

async fn generated_layouts_accepted(p: &mut dyn Probe) -> Outcome {
    let layouts = generate(p, "layouts", generated_layouts(), 8);
    accept_layouts(p, layouts).await
}

async fn wrong_key(p: &mut dyn Probe, key: SigningKey) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_identity(
        p,
        Tenant::Primary,
        key.clone(),
        &identity,
        RECOMMENDED_WINDOW_SECONDS,
    )?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::InvalidSignature,
        &format!("signed with the {key:?} secret"),
    )?;
    Ok(c.pass())
}

async fn rotated_secret(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let tenant = Tenant::Secondary;
    p.rotate_secret(tenant).await?;
    let identity = fresh_identity(p);
    let old = sign_identity(
        p,
        tenant,
        SigningKey::Rotated,
        &identity,
        RECOMMENDED_WINDOW_SECONDS,
    )?;
    let reply = handshake(p, tenant, &old).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::InvalidSignature,
        "signed with the secret before rotation",
    )?;
    let new = sign_identity(
        p,
        tenant,
        SigningKey::Current,
        &identity,
        RECOMMENDED_WINDOW_SECONDS,
    )?;
    let reply = handshake(p, tenant, &new).await?;
    expect_accepted(&mut c, &reply, "signed with the new secret")?;
    Ok(c.pass())
}

/// A payload expiring `lifetime` seconds from now (by the portal's clock).
async fn expiry(p: &mut dyn Probe, lifetime: i64) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_identity(p, Tenant::Primary, SigningKey::Current, &identity, lifetime)?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    let what = format!("expiresAt = now {lifetime:+} s");
    if lifetime > 0 {
        expect_accepted(&mut c, &reply, &what)?;
        let echoed = expires_at_of(&reply);
        let sent: i64 = serde_json::from_str::<Value>(&signed.user)
            .ok()
            .and_then(|v| v["expiresAt"].as_i64())
            .unwrap_or(0);
        c.expect(
            echoed == Some(sent),
            "the session's expiresAt is the signed one, in seconds",
            || format!("answer expiresAt {echoed:?}, signed {sent}"),
        )?;
    } else {
        expect_refused(&mut c, &reply, AuthFailure::Expired, &what)?;
    }
    Ok(c.pass())
}

/// A correctly signed payload whose `expiresAt` is `literal` (or missing).
async fn expiry_format(p: &mut dyn Probe, form: fn(i64) -> Option<String>, what: &str) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let literal = form(p.now() + RECOMMENDED_WINDOW_SECONDS);
    let user = Layout::compact().render(&fields_with_expiry(&identity, literal.as_deref()));
    let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, user)?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::InvalidPayload,
        &format!("expiresAt {what}"),
    )?;
    Ok(c.pass())
}

/// Sends each HMAC value (as JSON) with a valid user string.
async fn hmac_shapes(p: &mut dyn Probe, shapes: fn(&str) -> Vec<(&'static str, Value)>) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let public_key = p.public_key(Tenant::Primary);
    let origin = p.origin(Site::ShopA);
    for (what, hmac) in shapes(&signed.hmac) {
        let body = handshake_body(&public_key, &signed.user, hmac);
        let reply = p.api(handshake_request(body, Some(origin.clone()))).await?;
        c.expect(
            reply.status < 500,
            format!("HMAC {what}: no server error"),
            || describe(&reply),
        )?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::MalformedHmac,
            &format!("HMAC {what}"),
        )?;
    }
    Ok(c.pass())
}

fn wrong_lengths(hmac: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("empty", json!("")),
        ("of 63 digits", json!(hmac[..63])),
        ("of 65 digits", json!(format!("{hmac}0"))),
        ("of 128 digits", json!(hmac.repeat(2))),
        ("of 100 KB", json!("a".repeat(100 * 1024))),
    ]
}

fn not_hex(hmac: &str) -> Vec<(&'static str, Value)> {
    let raw = hex::decode(hmac).unwrap_or_default();
    vec![
        ("with a non-hex digit", json!(format!("{}g", &hmac[..63]))),
        ("of 64 letters z", json!("z".repeat(64))),
        ("in base64", json!(base64_encode(&raw))),
        ("with 0x prefix", json!(format!("0x{}", &hmac[..62]))),
        ("padded with spaces", json!(format!(" {} ", &hmac[..62]))),
        ("as a number", json!(12345)),
        ("as null", Value::Null),
        ("as an array", json!([hmac])),
    ]
}

/// Standard base64, enough for an HMAC (no dependency for one call).
fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn payload_not_object(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let id = p.unique("user");
    let exp = p.now() + RECOMMENDED_WINDOW_SECONDS;
    let strings: Vec<(&str, String)> = vec![
        (
            "malformed JSON",
            format!("{{\"externalUserId\":\"{id}\",\"expiresAt\":{exp}"),
        ),
        (
            "an array",
            format!("[{{\"externalUserId\":\"{id}\",\"expiresAt\":{exp}}}]"),
        ),
        ("a JSON string", format!("\"{id}\"")),
        ("a number", exp.to_string()),
        ("null", "null".into()),
        ("empty", String::new()),
        (
            "deeply nested arrays",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        ),
        (
            "a deeply nested object",
            format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000)),
        ),
    ];
    for (what, user) in strings {
        let hmac = p.sign(Tenant::Primary, SigningKey::Current, &user)?;
        let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &user, &hmac).await?;
        c.expect(
            reply.status < 500,
            format!("user string {what}: no server error"),
            || describe(&reply),
        )?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::InvalidPayload,
            &format!("user string {what}"),
        )?;
    }
    Ok(c.pass())
}

async fn unknown_public_key(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let key = format!("pk_unknown_{}", p.unique("pk"));
    let body = handshake_body(&key, &signed.user, json!(signed.hmac));
    let origin = p.origin(Site::ShopA);
    let reply = p.api(handshake_request(body, Some(origin))).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::UnknownPublicKey,
        "a public key no tenant has",
    )?;
    Ok(c.pass())
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

/// The `f` quantile (0..=1) of the samples, nearest rank.
fn quantile(samples: &mut [f64], f: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[((samples.len() - 1) as f64 * f).round() as usize]
}

/// The verdict of the timing probe from the refusal latencies (ms) of the
/// HMACs sharing no and 48 leading digits with the right one.
///
/// Load on the machine only ever adds latency, and it adds it to both
/// series alike (they are interleaved), so the lower quartile is the
/// robust figure: a leak shifts the whole `near` series, noise does not.
/// Both the lower quartiles and the medians must differ by over 20 ms.
pub(crate) fn judge_timing(far: &[f64], near: &[f64]) -> (bool, String) {
    let (mut far, mut near) = (far.to_vec(), near.to_vec());
    let low = quantile(&mut near, 0.25) - quantile(&mut far, 0.25);
    let mid = median(&mut near) - median(&mut far);
    let leaks = low > 20.0 && mid > 20.0;
    (
        leaks,
        format!("lower-quartile difference {low:.1} ms, median difference {mid:.1} ms (a leak: both over 20 ms)"),
    )
}

async fn constant_time(p: &mut dyn Probe) -> Outcome {
    const SAMPLES: usize = 15;
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let all_wrong: String = (0..64).fold(signed.hmac.clone(), |h, i| flip_digit(&h, i, 0));
    let first_48_right = (48..64).fold(signed.hmac.clone(), |h, i| flip_digit(&h, i, 0));
    let (mut far, mut near) = (Vec::new(), Vec::new());
    for round in 0..SAMPLES + 2 {
        let order = if round % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for is_near in order {
            let hmac = if is_near { &first_48_right } else { &all_wrong };
            let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &signed.user, hmac).await?;
            if reply.status == 200 {
                return Err(Verdict::fail("a wrong HMAC is refused", describe(&reply)));
            }
            // Premise: only refusals' timing is judged. A 5xx, a hang cut
            // short or any non-refusal says nothing about the comparison.
            if !(400..500).contains(&reply.status) || error_of(&reply).is_none() {
                return Err(Verdict::incomplete(format!(
                    "the premise does not hold: refusal timing is judged on refusals (a 4xx with an error), but a wrong HMAC was answered {}",
                    describe(&reply)
                )));
            }
            if round >= 2 {
                let ms = reply.elapsed.as_secs_f64() * 1000.0;
                if is_near {
                    near.push(ms)
                } else {
                    far.push(ms)
                }
            }
        }
    }
    c.expect(
        true,
        format!(
            "every wrong HMAC was refused with a 4xx error ({} answers)",
            2 * (SAMPLES + 2)
        ),
        String::new,
    )?;
    p.note(format!(
        "refusal latency (ms), 0 digits right: {far:.1?}; 48 digits right: {near:.1?}"
    ));
    let (leaks, account) = judge_timing(&far, &near);
    c.expect(
        !leaks,
        format!("refusal time does not depend on the right leading digits ({SAMPLES} samples each: {account})"),
        || account.clone(),
    )?;
    Ok(c.pass())
}

/// A seeded user and a page that signs them in through its token endpoint.
async fn token_page(
    p: &mut dyn Probe,
    configure: fn(&mut TokenEndpoint),
) -> Result<(HostPage, String), Verdict> {
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let mut endpoint = TokenEndpoint {
        tenant: Tenant::Primary,
        identity: user.identity.clone(),
        key: SigningKey::Current,
        clock_offset_seconds: 0,
        lifetime_seconds: RECOMMENDED_WINDOW_SECONDS,
        reserialize: false,
    };
    configure(&mut endpoint);
    p.note(format!("token endpoint: {endpoint:?}"));
    Ok((
        HostPage::new(PageUser::FromTokenEndpoint(endpoint)),
        user.canary,
    ))
}

/// The browser page's token endpoint makes one documented mistake: `auth_failed (reason)`.
async fn browser_refusal(
    p: &mut dyn Probe,
    configure: fn(&mut TokenEndpoint),
    reason: AuthFailure,
) -> Outcome {
    let mut c = Checks::new();
    let (page, canary) = token_page(p, configure).await?;
    let view = p.open_page(page).await?;
    expect_auth_failed(&mut c, &view, reason)?;
    expect_not_shown(&mut c, &view, &canary, "the user's")?;
    Ok(c.pass())
}

async fn clock_behind_accepted(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (page, canary) = token_page(p, |e| e.clock_offset_seconds = -120).await?;
    let view = p.open_page(page).await?;
    expect_ready(&mut c, &view, Some(&canary))?;
    Ok(c.pass())
}

async fn fails_immediately(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let mut signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    signed.hmac = flip_digit(&signed.hmac, 63, 0);
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    let at = expect_auth_failed(&mut c, &view, AuthFailure::InvalidSignature)?;
    expect_immediate(&mut c, at)?;
    c.expect(
        view.events
            .iter()
            .filter(|e| e.name == crate::contract::EVENT_AUTH_FAILED)
            .count()
            == 1,
        "auth_failed fired once",
        || summary(&view),
    )?;
    expect_not_shown(&mut c, &view, &user.canary, "the user's")?;
    Ok(c.pass())
}

// ------------------------------------------------------------------ origins

/// An API handshake, valid in every other way, from `site`.
async fn origin_refused(p: &mut dyn Probe, site: Site) -> Outcome {
    let origin = p.origin(site);
    origin_string_refused(p, origin, &format!("{site:?}")).await
}

/// The allowlisted origin with only its scheme changed to `http:` (same
/// host, same port): a portal that compares host and port only lets it in.
async fn other_scheme_refused(p: &mut dyn Probe) -> Outcome {
    let allowed = p.origin(Site::ShopA);
    let origin = allowed.replacen("https://", "http://", 1);
    origin_string_refused(p, origin, "the allowlisted origin with scheme http").await
}

async fn origin_string_refused(p: &mut dyn Probe, origin: String, what: &str) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let body = handshake_body(
        &p.public_key(Tenant::Primary),
        &signed.user,
        serde_json::Value::String(signed.hmac.clone()),
    );
    let reply = p.api(handshake_request(body, Some(origin.clone()))).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::OriginNotAllowed,
        &format!("Origin {origin} ({what})"),
    )?;
    expect_no_credentialed_cors(&mut c, &reply, &origin, "the refusal")?;
    Ok(c.pass())
}

/// No `Access-Control-Allow-Credentials: true` for a foreign origin or `*`.
pub(crate) fn expect_no_credentialed_cors(
    c: &mut Checks,
    reply: &crate::probe::ApiReply,
    origin: &str,
    what: &str,
) -> Result<(), Verdict> {
    let allow_origin = reply
        .header("access-control-allow-origin")
        .unwrap_or("")
        .trim()
        .to_string();
    let credentials = reply
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    c.expect(
        !(credentials && (allow_origin == origin || allow_origin == "*")),
        format!("{what}: no credentialed CORS grant for {origin}"),
        || format!("Access-Control-Allow-Origin: {allow_origin:?}, Access-Control-Allow-Credentials: true"),
    )
}

async fn origin_refused_in_browser(p: &mut dyn Probe, claim: bool) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.site = Site::Evil;
    if claim {
        page.claimed_origin = Some(Site::ShopA);
    }
    let view = p.open_page(page).await?;
    expect_auth_failed(&mut c, &view, AuthFailure::OriginNotAllowed)?;
    expect_not_shown(&mut c, &view, &user.canary, "the user's")?;
    Ok(c.pass())
}

async fn claimed_origin_api(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let claimed = p.origin(Site::ShopA);
    let body = json!({
        "publicKey": p.public_key(Tenant::Primary),
        "user": signed.user,
        "userHmac": signed.hmac,
        "origin": claimed,
        "parentOrigin": claimed,
    })
    .to_string();
    let evil = p.origin(Site::Evil);
    let reply = p.api(handshake_request(body, Some(evil))).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::OriginNotAllowed,
        "Origin evil, body claiming the allowlisted origin",
    )?;
    Ok(c.pass())
}

async fn cors_no_reflection(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let evil = p.origin(Site::Evil);
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let reply = handshake_from(p, Tenant::Primary, Site::Evil, &signed.user, &signed.hmac).await?;
    expect_no_credentialed_cors(&mut c, &reply, &evil, "handshake from evil")?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    let token = expect_accepted(&mut c, &reply, "handshake from the allowlisted origin")?;
    let calls = vec![
        (
            "ticket list with Origin evil",
            tickets_request(&token, None).header("origin", evil.clone()),
        ),
        (
            "handshake preflight from evil",
            ApiCall {
                method: "OPTIONS".into(),
                path: crate::contract::HANDSHAKE_PATH.into(),
                headers: Vec::new(),
                body: None,
            }
            .header("origin", evil.clone())
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type"),
        ),
        (
            "ticket list preflight from evil",
            ApiCall {
                method: "OPTIONS".into(),
                path: crate::contract::TICKETS_PATH.into(),
                headers: Vec::new(),
                body: None,
            }
            .header("origin", evil.clone())
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization"),
        ),
    ];
    for (what, call) in calls {
        let reply = p.api(call).await?;
        c.expect(
            reply.status < 500,
            format!("{what}: no server error"),
            || describe(&reply),
        )?;
        expect_no_credentialed_cors(&mut c, &reply, &evil, what)?;
    }
    Ok(c.pass())
}

async fn cors_allowlisted(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let origin = p.origin(Site::ShopA);
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &reply, "handshake from the allowlisted origin")?;
    // The contract leaves `*` (without credentials) or the origin itself
    // to the implementation: the server refuses other origins on its own.
    let allow = reply.header("access-control-allow-origin").map(str::trim);
    c.expect(
        allow == Some(origin.as_str()) || allow == Some("*"),
        "Access-Control-Allow-Origin grants the allowlisted origin (itself or `*`)",
        || format!("{allow:?}"),
    )?;
    let credentials = reply.header("access-control-allow-credentials");
    c.expect(
        credentials.is_none_or(|v| !v.trim().eq_ignore_ascii_case("true")),
        "no Access-Control-Allow-Credentials: the API needs no cookies",
        || format!("{credentials:?}"),
    )?;
    Ok(c.pass())
}

// ------------------------------------------------------------------ catalogue

const API_AUTH: &[Tag] = &[Tag::Api, Tag::Auth];
const API_AUTH_GENERATED: &[Tag] = &[Tag::Api, Tag::Auth, Tag::Generated];
const API_ORIGIN: &[Tag] = &[Tag::Api, Tag::Auth, Tag::Origin];
const BROWSER_AUTH: &[Tag] = &[Tag::Browser, Tag::Auth, Tag::Sdk];
const BROWSER_ORIGIN: &[Tag] = &[Tag::Browser, Tag::Auth, Tag::Origin, Tag::Sdk];
const BROWSER_USERS: &[Need] = &[Need::Browser, Need::Users];

fn drift_scenario(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    run: crate::scenario::RunFn,
) -> Scenario {
    Scenario {
        id,
        title,
        section: Section::Handshake,
        requirements: &["AUTH-HMAC-EXACT-BYTES"],
        level: Must,
        tags: API_AUTH,
        needs: &[],
        budget: API_BUDGET,
        description,
        how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
        run,
    }
}

pub(crate) fn api_scenario(
    id: &'static str,
    title: &'static str,
    requirements: &'static [&'static str],
    description: &'static str,
    how_to_fix: &'static str,
    run: crate::scenario::RunFn,
) -> Scenario {
    Scenario {
        id,
        title,
        section: Section::Handshake,
        requirements,
        level: Must,
        tags: API_AUTH,
        needs: &[],
        budget: API_BUDGET,
        description,
        how_to_fix,
        run,
    }
}

fn browser_scenario(
    id: &'static str,
    title: &'static str,
    requirements: &'static [&'static str],
    description: &'static str,
    how_to_fix: &'static str,
    run: crate::scenario::RunFn,
) -> Scenario {
    Scenario {
        id,
        title,
        section: Section::Handshake,
        requirements,
        level: Must,
        tags: BROWSER_AUTH,
        needs: BROWSER_USERS,
        budget: BROWSER_BUDGET,
        description,
        how_to_fix,
        run,
    }
}

fn lookalike(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    run: crate::scenario::RunFn,
) -> Scenario {
    Scenario {
        tags: API_ORIGIN,
        ..api_scenario(
            id,
            title,
            // The refusal must come without a credentialed CORS grant too.
            &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            description,
            "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); no suffix, prefix or subdomain matching.",
            run,
        )
    }
}

pub fn scenarios() -> Vec<Scenario> {
    let expiry_fix =
        "Refuse expiresAt <= now with `expired`; no grace period, seconds not milliseconds.";
    let format_fix = "Accept expiresAt only as a JSON integer in [0, 2^53]; refuse strings, fractions, negatives and milliseconds with `invalid_payload`.";
    vec![
        drift_scenario(
            "handshake.drift-key-order",
            "Keys in another order than signed",
            "Signs the sorted-key compact payload and sends the same payload in JSON.stringify key order: must be `invalid_signature`; the signed string itself is then accepted as a control.",
            run!(p => drift(p, Layout::compact(), "key order")),
        ),
        drift_scenario(
            "handshake.drift-pretty-printed",
            "Pretty-printed string, compact signature",
            "Signs the sorted compact payload and sends it pretty-printed (2-space indent): must be `invalid_signature`.",
            run!(p => drift(p, Layout { indent: Some(2), ..sorted_compact() }, "pretty-printed")),
        ),
        drift_scenario(
            "handshake.drift-spaced",
            "Spaces after separators, compact signature",
            "Signs the sorted compact payload and sends it with `\": \"` and `\", \"` separators: must be `invalid_signature`.",
            run!(p => drift(p, Layout { spaced: true, ..sorted_compact() }, "spaced")),
        ),
        drift_scenario(
            "handshake.drift-unicode-escapes",
            "\\u escapes in the sent string",
            "Signs the sorted compact payload and sends it with every letter of string values written as `\\u00XX`: must be `invalid_signature`.",
            run!(p => drift(p, Layout { escape_letters: true, ..sorted_compact() }, "\\u-escaped")),
        ),
        drift_scenario(
            "handshake.drift-escaped-slash",
            "\\/ in the sent string",
            "Signs the sorted compact payload of an ID containing `/` and sends it with `\\/` (PHP json_encode): must be `invalid_signature`.",
            run!(p => drift(p, Layout { escape_slash: true, ..sorted_compact() }, "slash-escaped")),
        ),
        drift_scenario(
            "handshake.drift-number-exponent",
            "expiresAt written as 1.7e9",
            "Signs the sorted compact payload and sends expiresAt in exponent form: must be `invalid_signature`.",
            run!(p => drift(p, Layout { number_form: NumberForm::Exponent, ..sorted_compact() }, "exponent-form")),
        ),
        drift_scenario(
            "handshake.drift-number-fraction",
            "expiresAt written as N.0",
            "Signs the sorted compact payload and sends expiresAt with a `.0` fraction: must be `invalid_signature`.",
            run!(p => drift(p, Layout { number_form: NumberForm::Fraction, ..sorted_compact() }, "fraction-form")),
        ),
        drift_scenario(
            "handshake.drift-trailing-newline",
            "Trailing newline after the signed string",
            "Signs the sorted compact payload and sends it with a trailing newline: must be `invalid_signature`.",
            run!(p => drift(p, Layout { trailing_newline: true, ..sorted_compact() }, "newline-terminated")),
        ),
        Scenario {
            tags: API_AUTH_GENERATED,
            ..api_scenario(
                "handshake.tampered-string",
                "Tampered user strings are refused (generated)",
                &["AUTH-HMAC-TAMPER", "AUTH-HMAC-EXACT-BYTES"],
                "Sends a signed string changed in one place (a character replaced, inserted, deleted or upper-cased, a newline appended, a duplicate externalUserId key) with the original HMAC, 12 cases from a noted seed: each must be refused; the untouched pair is accepted as a control.",
                "Verify the HMAC over the exact bytes received, with the full 32-byte comparison.",
                run!(p => tampered_string(p)),
            )
        },
        Scenario {
            tags: API_AUTH_GENERATED,
            ..api_scenario(
                "handshake.tampered-hmac",
                "HMACs changed in any digit are refused (generated)",
                &["AUTH-HMAC-TAMPER"],
                "Sends a valid user string with its HMAC changed in one hex digit: the last, 62nd, 48th, 16th and first digits, then 8 positions from a noted seed. Each must be `invalid_signature`; the untouched pair is accepted as a control.",
                "Compare all 32 bytes of the HMAC, in constant time (e.g. `hmac::Mac::verify_slice`), never a prefix.",
                run!(p => tampered_hmac(p)),
            )
        },
        api_scenario(
            "handshake.unusual-layouts-accepted",
            "Unusual but valid layouts signed exactly are accepted",
            &["AUTH-HMAC-ANY-LAYOUT"],
            "Signs and sends, exactly as written, payloads with sorted keys, spaces, pretty-printing, \\u escapes, \\/ escapes and a trailing newline: each must be accepted.",
            "Verify the raw bytes, then parse with any conforming JSON parser; do not require JSON.stringify's layout.",
            run!(p => accept_layouts(p, unusual_layouts())),
        ),
        Scenario {
            tags: API_AUTH_GENERATED,
            ..api_scenario(
                "handshake.generated-layouts-accepted",
                "Generated valid layouts signed exactly are accepted",
                &["AUTH-HMAC-ANY-LAYOUT"],
                "Eight layouts drawn from a noted seed (key order, spacing, indent, escapes, trailing newline), each signed exactly as sent: each must be accepted.",
                "Verify the raw bytes, then parse with any conforming JSON parser.",
                run!(p => generated_layouts_accepted(p)),
            )
        },
        api_scenario(
            "handshake.other-tenant-secret",
            "Another tenant's secret is refused",
            &["AUTH-WRONG-SECRET"],
            "Signs a valid payload with the secondary tenant's secret and sends it with the primary tenant's public key: must be `invalid_signature`.",
            "Look up the secret by the public key sent and verify with that one only.",
            run!(p => wrong_key(p, SigningKey::OtherTenant)),
        ),
        api_scenario(
            "handshake.unrelated-secret",
            "An unrelated secret is refused",
            &["AUTH-WRONG-SECRET"],
            "Signs a valid payload with a secret no tenant has: must be `invalid_signature`.",
            "Verify with the tenant's current secret only.",
            run!(p => wrong_key(p, SigningKey::Unrelated)),
        ),
        Scenario {
            needs: &[Need::SecretRotation],
            ..api_scenario(
                "handshake.rotated-secret",
                "After rotation the old secret is refused, the new one accepted",
                &["AUTH-ROTATED-SECRET"],
                "Rotates the secondary tenant's secret, then sends a payload signed with the old secret (must be `invalid_signature`) and one signed with the new secret (must be accepted).",
                "Drop the old secret from verification at rotation time; make the new one effective at once.",
                run!(p => rotated_secret(p)),
            )
        },
        api_scenario(
            "handshake.expired-one-second-ago",
            "expiresAt one second in the past is refused",
            &["AUTH-EXPIRY-FUTURE"],
            "Sends a correctly signed payload whose expiresAt is now - 1: must be `expired`.",
            expiry_fix,
            run!(p => expiry(p, -1)),
        ),
        api_scenario(
            "handshake.expires-now",
            "expiresAt equal to now is refused",
            &["AUTH-EXPIRY-FUTURE"],
            "Sends a correctly signed payload whose expiresAt is the current second: must be `expired` (strictly in the future).",
            expiry_fix,
            run!(p => expiry(p, 0)),
        ),
        api_scenario(
            "handshake.recommended-window",
            "expiresAt now + 300 is accepted",
            &["AUTH-EXPIRY-WINDOW"],
            "Sends a payload signed with the documented window (now + 300 s): must be accepted, and the session's expiresAt is the signed value.",
            "Read expiresAt as unix seconds and accept any value in (now, now + 24 h].",
            run!(p => expiry(p, RECOMMENDED_WINDOW_SECONDS)),
        ),
        browser_scenario(
            "handshake.customer-clock-behind",
            "A customer clock 2 minutes behind still works",
            &["AUTH-EXPIRY-WINDOW", "SDK-EVENTS"],
            "The page's token endpoint signs with a clock 120 s behind and the +300 window (expiresAt still 180 s ahead): the portal must become ready and show the user's ticket.",
            "Compare expiresAt with the portal's clock only; do not require a minimum remaining lifetime beyond 'in the future'.",
            run!(p => clock_behind_accepted(p)),
        ),
        browser_scenario(
            "handshake.customer-clock-far-behind",
            "A customer clock 10 minutes behind fails with `expired`",
            &["AUTH-EXPIRY-FUTURE", "SDK-AUTH-FAILED-REASON"],
            "The page's token endpoint signs with a clock 600 s behind and the +300 window (expiresAt 300 s in the past): the SDK must fire auth_failed with `expired` and show no ticket.",
            expiry_fix,
            run!(p => browser_refusal(p, |e| e.clock_offset_seconds = -600, AuthFailure::Expired)),
        ),
        api_scenario(
            "handshake.expires-at-string",
            "expiresAt as a string is refused",
            &["AUTH-EXPIRY-FORMAT"],
            "Sends a correctly signed payload whose expiresAt is the string \"N\": must be `invalid_payload`.",
            format_fix,
            run!(p => expiry_format(p, |exp| Some(format!("\"{exp}\"")), "as a string")),
        ),
        api_scenario(
            "handshake.expires-at-fraction",
            "expiresAt with a fraction is refused",
            &["AUTH-EXPIRY-FORMAT"],
            "Sends a correctly signed payload whose expiresAt is N.5: must be `invalid_payload`.",
            format_fix,
            run!(p => expiry_format(p, |exp| Some(format!("{exp}.5")), "with a fraction")),
        ),
        api_scenario(
            "handshake.expires-at-negative",
            "Negative expiresAt is refused as malformed",
            &["AUTH-EXPIRY-FORMAT"],
            "Sends a correctly signed payload whose expiresAt is -N: must be `invalid_payload` (not merely `expired`).",
            format_fix,
            run!(p => expiry_format(p, |exp| Some(format!("-{exp}")), "negative")),
        ),
        api_scenario(
            "handshake.expires-at-milliseconds",
            "expiresAt in milliseconds is refused",
            &["AUTH-EXPIRY-FORMAT", "AUTH-EXPIRY-MAX-LIFETIME"],
            "Sends a correctly signed payload whose expiresAt is (now + 300) * 1000: must be `invalid_payload`.",
            format_fix,
            run!(p => expiry_format(p, |exp| Some((exp * 1000).to_string()), "in milliseconds")),
        ),
        api_scenario(
            "handshake.expires-at-beyond-2-53",
            "expiresAt beyond 2^53 is refused",
            &["AUTH-EXPIRY-FORMAT"],
            "Sends a correctly signed payload whose expiresAt is 2^53 + 1: must be `invalid_payload`, never a server error.",
            format_fix,
            run!(p => expiry_format(p, |_| Some("9007199254740993".into()), "beyond 2^53")),
        ),
        api_scenario(
            "handshake.expires-at-missing",
            "A payload without expiresAt is refused",
            &["AUTH-EXPIRY-FORMAT"],
            "Sends a correctly signed payload with no expiresAt: must be `invalid_payload`.",
            format_fix,
            run!(p => expiry_format(p, |_| None, "missing")),
        ),
        Scenario {
            level: Should,
            ..api_scenario(
                "handshake.lifetime-over-24h",
                "expiresAt more than 24 h ahead is refused",
                &["AUTH-EXPIRY-MAX-LIFETIME"],
                "Sends a correctly signed payload expiring 25 h from now: should be `invalid_payload`.",
                "Refuse expiresAt > now + 86400 with `invalid_payload`.",
                run!(p => expiry_format(p, |exp| Some((exp - RECOMMENDED_WINDOW_SECONDS + MAX_LIFETIME_SECONDS + 3600).to_string()), "25 h ahead")),
            )
        },
        api_scenario(
            "handshake.hmac-wrong-length",
            "HMACs of the wrong length are `malformed_hmac`",
            &["AUTH-HMAC-SHAPE"],
            "Sends a valid user string with an HMAC that is empty, 63, 65 or 128 digits long, or 100 KB: each must be a 400 `malformed_hmac`, never a 5xx.",
            "Check that userHmac is a string of exactly 64 hex digits before anything else; answer 400 `malformed_hmac`.",
            run!(p => hmac_shapes(p, wrong_lengths)),
        ),
        api_scenario(
            "handshake.hmac-not-hex",
            "HMACs that are not hex strings are `malformed_hmac`",
            &["AUTH-HMAC-SHAPE"],
            "Sends a valid user string with an HMAC that has a non-hex digit, is base64, has a 0x prefix or spaces, or is a number, null or an array: each must be a 400 `malformed_hmac`, never a 5xx.",
            "Check the JSON type and the 64-hex-digit shape of userHmac; answer 400 `malformed_hmac`.",
            run!(p => hmac_shapes(p, not_hex)),
        ),
        api_scenario(
            "handshake.payload-not-object",
            "User strings that are not JSON objects are `invalid_payload`",
            &["AUTH-PAYLOAD-SHAPE"],
            "Signs exactly and sends user strings that are malformed JSON, an array, a string, a number, null, empty, 5000 nested arrays or 3000 nested objects: each must be a 400 `invalid_payload`, never a 5xx.",
            "Parse with a depth-limited parser and refuse anything but a JSON object with `invalid_payload`.",
            run!(p => payload_not_object(p)),
        ),
        api_scenario(
            "handshake.unknown-public-key",
            "An unknown public key is `unknown_public_key`",
            &["AUTH-UNKNOWN-KEY"],
            "Sends a well-formed signed handshake naming a public key no tenant has: must be a 404 `unknown_public_key` (not `invalid_signature`).",
            "Look up the tenant first and answer 404 `unknown_public_key` when there is none.",
            run!(p => unknown_public_key(p)),
        ),
        Scenario {
            budget: Duration::from_secs(30),
            tags: &[Tag::Api, Tag::Auth],
            ..api_scenario(
                "handshake.constant-time-compare",
                "HMAC refusal time does not leak matching digits",
                &["AUTH-HMAC-CONSTANT-TIME", "AUTH-HMAC-TAMPER"],
                "Measures refusal latency of HMACs sharing 0 and 48 leading digits with the right one, 15 interleaved samples each after 2 warm-up rounds; fails when both the lower quartiles and the medians differ by over 20 ms, or when either wrong HMAC is accepted.",
                "Compare HMACs with a constant-time comparison (`subtle::ConstantTimeEq`, `Mac::verify_slice`), never byte by byte with early exit.",
                run!(p => constant_time(p)),
            )
        },
        browser_scenario(
            "handshake.auth-failed-immediately",
            "A wrong HMAC fires auth_failed at once, without tickets",
            &["AUTH-FAIL-IMMEDIATE", "AUTH-HMAC-TAMPER", "SDK-AUTH-FAILED-REASON"],
            "Opens a page whose setUser sends a seeded user's string with the last HMAC digit changed: auth_failed (`invalid_signature`) must fire once within 2 s of setUser, and the user's ticket must show nowhere.",
            "Fire auth_failed on the first refused handshake, with no retries, and render nothing before a successful handshake.",
            run!(p => fails_immediately(p)),
        ),
        browser_scenario(
            "handshake.browser-wrong-secret",
            "A page signed with another tenant's secret fails with `invalid_signature`",
            &["AUTH-WRONG-SECRET", "SDK-AUTH-FAILED-REASON"],
            "The page's token endpoint signs with the secondary tenant's secret: the SDK must fire auth_failed with `invalid_signature` and show no ticket.",
            "Verify with the secret of the tenant named by the public key only.",
            run!(p => browser_refusal(p, |e| e.key = SigningKey::OtherTenant, AuthFailure::InvalidSignature)),
        ),
        browser_scenario(
            "handshake.browser-reserialized",
            "A page that re-serializes the signed string fails with `invalid_signature`",
            &["AUTH-HMAC-EXACT-BYTES", "SDK-AUTH-FAILED-REASON"],
            "The page's token endpoint signs the compact string but hands the SDK a pretty-printed re-serialization: auth_failed with `invalid_signature`, no ticket.",
            "Verify the HMAC over the exact string the SDK sends.",
            run!(p => browser_refusal(p, |e| e.reserialize = true, AuthFailure::InvalidSignature)),
        ),
        browser_scenario(
            "handshake.browser-expired",
            "A page with an expired payload fails with `expired`",
            &["AUTH-EXPIRY-FUTURE", "SDK-AUTH-FAILED-REASON"],
            "The page's token endpoint signs a payload that expired 10 s ago: auth_failed with `expired`, no ticket.",
            expiry_fix,
            run!(p => browser_refusal(p, |e| e.lifetime_seconds = -10, AuthFailure::Expired)),
        ),
        Scenario {
            tags: BROWSER_ORIGIN,
            ..browser_scenario(
                "handshake.origin-not-allowlisted-browser",
                "A page on a non-allowlisted origin fails with `origin_not_allowed`",
                &["AUTH-ORIGIN-ALLOWLIST", "SDK-AUTH-FAILED-REASON"],
                "Opens a correctly signed page for the primary tenant on https://evil.test: the SDK must fire auth_failed with `origin_not_allowed` and show no ticket.",
                "Check the handshake's Origin header against the tenant's allowed origins.",
                run!(p => origin_refused_in_browser(p, false)),
            )
        },
        Scenario {
            tags: API_ORIGIN,
            ..api_scenario(
                "handshake.origin-not-allowlisted-api",
                "A handshake from a non-allowlisted origin is `origin_not_allowed`",
                &["AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
                "Sends a valid handshake with `Origin: https://evil.test`: must be a 403 `origin_not_allowed` without a credentialed CORS grant.",
                "Check the Origin header against the tenant's allowed origins before verifying anything else.",
                run!(p => origin_refused(p, Site::Evil)),
            )
        },
        lookalike(
            "handshake.origin-suffix-lookalike",
            "An origin ending with the allowlisted host is refused",
            "Sends a valid handshake from https://evil-shop-a.test (same port): must be `origin_not_allowed`.",
            run!(p => origin_refused(p, Site::SuffixLookalike)),
        ),
        lookalike(
            "handshake.origin-prefix-lookalike",
            "An origin starting with the allowlisted host is refused",
            "Sends a valid handshake from https://shop-a.test.evil.test: must be `origin_not_allowed`.",
            run!(p => origin_refused(p, Site::PrefixLookalike)),
        ),
        lookalike(
            "handshake.origin-subdomain",
            "A subdomain of the allowlisted host is refused",
            "Sends a valid handshake from https://sub.shop-a.test: must be `origin_not_allowed`.",
            run!(p => origin_refused(p, Site::Subdomain)),
        ),
        lookalike(
            "handshake.origin-other-scheme",
            "The allowlisted host over plain HTTP is refused",
            "Sends a valid handshake from the allowlisted origin with only the scheme changed (http://shop-a.test on the same port): must be `origin_not_allowed`.",
            run!(p => other_scheme_refused(p)),
        ),
        lookalike(
            "handshake.origin-other-port",
            "The allowlisted host on another port is refused",
            "Sends a valid handshake from https://shop-a.test on another port: must be `origin_not_allowed`.",
            run!(p => origin_refused(p, Site::ShopAOtherPort)),
        ),
        Scenario {
            tags: API_ORIGIN,
            ..api_scenario(
                "handshake.claimed-origin-api",
                "An origin claimed in the body is ignored",
                &["AUTH-ORIGIN-BROWSER-ASSERTED", "AUTH-ORIGIN-ALLOWLIST"],
                "Sends a valid handshake with `Origin: https://evil.test` and body fields `origin`/`parentOrigin` naming the allowlisted origin: must be `origin_not_allowed`.",
                "Take the embedding origin from the Origin header only; ignore any origin the page supplies.",
                run!(p => claimed_origin_api(p)),
            )
        },
        Scenario {
            tags: BROWSER_ORIGIN,
            ..browser_scenario(
                "handshake.claimed-origin-browser",
                "A page cannot claim another origin through init",
                &["AUTH-ORIGIN-BROWSER-ASSERTED", "AUTH-ORIGIN-ALLOWLIST", "SDK-AUTH-FAILED-REASON"],
                "Opens a correctly signed page on https://evil.test whose init passes `origin` naming the allowlisted shop: the SDK must fire auth_failed with `origin_not_allowed`.",
                "Do not forward an `origin` option to the server; the server uses the browser's Origin header.",
                run!(p => origin_refused_in_browser(p, true)),
            )
        },
        Scenario {
            tags: API_ORIGIN,
            ..api_scenario(
                "handshake.cors-no-credentialed-reflection",
                "No credentialed CORS grant to a foreign origin",
                &["AUTH-CORS-NO-REFLECTION"],
                "Sends, with `Origin: https://evil.test`, a handshake, a ticket list with a valid token and preflights for both: none may answer with that origin (or `*`) together with `Access-Control-Allow-Credentials: true`.",
                "Answer CORS from the tenant's allowlist only, and never with Access-Control-Allow-Credentials.",
                run!(p => cors_no_reflection(p)),
            )
        },
        Scenario {
            tags: API_ORIGIN,
            ..api_scenario(
                "handshake.cors-allowlisted-origin",
                "The allowlisted origin gets a plain CORS grant",
                &["AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
                "Sends a valid handshake from the allowlisted origin: accepted, `Access-Control-Allow-Origin` is that origin or `*`, and no `Access-Control-Allow-Credentials: true`.",
                "Echo only allowlisted origins and never allow credentials.",
                run!(p => cors_allowlisted(p)),
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_judge_passes_noise_and_catches_the_amplified_leak() {
        let clean: Vec<f64> = (0..15).map(|i| 3.0 + (i % 4) as f64 * 0.7).collect();
        let jittery: Vec<f64> = (0..15)
            .map(|i| if i == 3 { 45.0 } else { 3.5 + (i % 3) as f64 })
            .collect();
        assert!(!judge_timing(&clean, &jittery).0);
        let leaking: Vec<f64> = clean.iter().map(|t| t + 96.0).collect();
        assert!(judge_timing(&clean, &leaking).0);
        // A loaded machine: both series carry the same heavy, irregular
        // extra latency; the leak still shows, and its absence too.
        let load = |i: usize| [0.0, 40.0, 5.0, 120.0, 15.0, 0.0, 70.0][i % 7];
        let far: Vec<f64> = (0..15).map(|i| 3.0 + load(i)).collect();
        let near_clean: Vec<f64> = (0..15).map(|i| 3.2 + load(i + 3)).collect();
        let near_leaking: Vec<f64> = (0..15).map(|i| 99.0 + load(i + 3)).collect();
        assert!(
            !judge_timing(&far, &near_clean).0,
            "{}",
            judge_timing(&far, &near_clean).1
        );
        assert!(
            judge_timing(&far, &near_leaking).0,
            "{}",
            judge_timing(&far, &near_leaking).1
        );
    }

    proptest! {
        #[test]
        fn every_tampering_changes_the_string(how in string_tampers()) {
            let s = r#"{"externalUserId":"u-1","email":"u-1@x.test","expiresAt":1800000300}"#;
            prop_assert_ne!(tamper_string(s, &how), s);
        }

        #[test]
        fn every_flip_changes_the_digit(position in 0usize..64, offset in 0usize..15) {
            let hmac = "0123456789abcdef".repeat(4);
            let flipped = flip_digit(&hmac, position, offset);
            prop_assert_ne!(&flipped[position..position + 1], &hmac[position..position + 1]);
            prop_assert_eq!(&flipped[..position], &hmac[..position]);
        }
    }
}
