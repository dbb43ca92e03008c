//! "The HMAC was computed over a different string than the one sent":
//! the HMAC is verified over the exact bytes received, whatever their
//! layout, and any other string or digest is refused.

use super::*;

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: REFUSAL_NO_ORACLE,
        section: Section::Handshake,
        level: Must,
        text: "A handshake refusal names its cause and nothing that helps forge a signature: no answer (body or headers) carries the HMAC the portal computed for the string sent, or any half of it, or a secret. Debug output of the expected digest turns every refusal into a signing oracle.",
        source: "The HMAC handshake was rejected. Common causes: The HMAC was computed over a different string than the one sent.",
        surfaces: &[HttpStatus],
    },
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
];

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
        let what = format!("string tampered by {how:?}");
        expect_any_refusal(&mut c, &reply, &what)?;
        expect_no_oracle(p, &mut c, Tenant::Primary, &sent, &reply, &what)?;
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
        let what = format!("HMAC with digit {position} changed");
        expect_refused(&mut c, &reply, AuthFailure::InvalidSignature, &what)?;
        expect_no_oracle(p, &mut c, Tenant::Primary, &signed.user, &reply, &what)?;
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

async fn generated_layouts_accepted(p: &mut dyn Probe) -> Outcome {
    let layouts = generate(p, "layouts", crate::payload::valid_layouts(), 8);
    accept_layouts(p, layouts).await
}

/// HMACs over a part of the user string (the identifier alone) with the
/// whole string: the signature covers the bytes sent, nothing less.
async fn hmac_over_identifier(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let parts = [
        ("externalUserId", identity.external_user_id.clone()),
        ("email", identity.email.clone()),
    ];
    for (field, value) in parts {
        let Some(value) = value else { continue };
        let hmac = p.sign(Tenant::Primary, SigningKey::Current, &value)?;
        let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &signed.user, &hmac).await?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::InvalidSignature,
            &format!("an HMAC over the {field} alone"),
        )?;
    }
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &reply, "control: the whole string's HMAC")?;
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
        // The right HMAC truncated (RFC 2104 allows truncated MACs; the
        // contract does not): 248, 160 and 128 bits.
        ("truncated to its first 62 digits", json!(hmac[..62])),
        ("truncated to its first 40 digits", json!(hmac[..40])),
        ("truncated to its first 32 digits", json!(hmac[..32])),
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

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "handshake.drift-key-order",
            title: "Keys in another order than signed",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted-key compact payload and sends the same payload in JSON.stringify key order: must be `invalid_signature`; the signed string itself is then accepted as a control.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout::compact(), "key order")),
        },
        Scenario {
            id: "handshake.drift-pretty-printed",
            title: "Pretty-printed string, compact signature",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload and sends it pretty-printed (2-space indent): must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { indent: Some(2), ..sorted_compact() }, "pretty-printed")),
        },
        Scenario {
            id: "handshake.drift-spaced",
            title: "Spaces after separators, compact signature",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload and sends it with `\": \"` and `\", \"` separators: must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { spaced: true, ..sorted_compact() }, "spaced")),
        },
        Scenario {
            id: "handshake.drift-unicode-escapes",
            title: "\\u escapes in the sent string",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload and sends it with every letter of string values written as `\\u00XX`: must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { escape_letters: true, ..sorted_compact() }, "\\u-escaped")),
        },
        Scenario {
            id: "handshake.drift-escaped-slash",
            title: "\\/ in the sent string",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload of an ID containing `/` and sends it with `\\/` (PHP json_encode): must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { escape_slash: true, ..sorted_compact() }, "slash-escaped")),
        },
        Scenario {
            id: "handshake.drift-number-exponent",
            title: "expiresAt written as 1.7e9",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload and sends expiresAt in exponent form: must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { number_form: NumberForm::Exponent, ..sorted_compact() }, "exponent-form")),
        },
        Scenario {
            id: "handshake.drift-number-fraction",
            title: "expiresAt written as N.0",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload and sends expiresAt with a `.0` fraction: must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { number_form: NumberForm::Fraction, ..sorted_compact() }, "fraction-form")),
        },
        Scenario {
            id: "handshake.drift-trailing-newline",
            title: "Trailing newline after the signed string",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the sorted compact payload and sends it with a trailing newline: must be `invalid_signature`.",
            how_to_fix: "Verify the HMAC over the raw bytes of `user` as received; never parse and re-serialize before verifying.",
            run: run!(p => drift(p, Layout { trailing_newline: true, ..sorted_compact() }, "newline-terminated")),
        },
        Scenario {
            id: "handshake.hmac-over-identifier-refused",
            title: "An HMAC over the identifier alone is refused",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs the `externalUserId` alone, then the `email` alone, with the tenant's secret (the identity-verification scheme of other support widgets) and sends each HMAC with the whole user string: each must be `invalid_signature`; the whole string's own HMAC is accepted as a control.",
            how_to_fix: "Verify only an HMAC over the exact user string received; never also accept one over the identifier, which covers no `expiresAt` and never expires.",
            run: run!(p => hmac_over_identifier(p)),
        },
        Scenario {
            id: "handshake.tampered-string",
            title: "Tampered user strings are refused (generated)",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-TAMPER", "AUTH-HMAC-EXACT-BYTES", REFUSAL_NO_ORACLE],
            level: Must,
            tags: API_AUTH_GENERATED,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a signed string changed in one place (a character replaced, inserted, deleted or upper-cased, a newline appended, a duplicate externalUserId key) with the original HMAC, 12 cases from a noted seed: each must be refused, and no refusal may carry the HMAC the portal expected for the string sent (or its first half); the untouched pair is accepted as a control.",
            how_to_fix: "Verify the HMAC over the exact bytes received, with the full 32-byte comparison.",
            run: run!(p => tampered_string(p)),
        },
        Scenario {
            id: "handshake.tampered-hmac",
            title: "HMACs changed in any digit are refused (generated)",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-TAMPER", REFUSAL_NO_ORACLE],
            level: Must,
            tags: API_AUTH_GENERATED,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid user string with its HMAC changed in one hex digit: the last, 62nd, 48th, 16th and first digits, then 8 positions from a noted seed. Each must be `invalid_signature`, and no refusal may carry the right HMAC (or its first half); the untouched pair is accepted as a control.",
            how_to_fix: "Compare all 32 bytes of the HMAC, in constant time (e.g. `hmac::Mac::verify_slice`), never a prefix.",
            run: run!(p => tampered_hmac(p)),
        },
        Scenario {
            id: "handshake.unusual-layouts-accepted",
            title: "Unusual but valid layouts signed exactly are accepted",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-ANY-LAYOUT"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs and sends, exactly as written, payloads with sorted keys, spaces, pretty-printing, \\u escapes, \\/ escapes and a trailing newline: each must be accepted.",
            how_to_fix: "Verify the raw bytes, then parse with any conforming JSON parser; do not require JSON.stringify's layout.",
            run: run!(p => accept_layouts(p, unusual_layouts())),
        },
        Scenario {
            id: "handshake.generated-layouts-accepted",
            title: "Generated valid layouts signed exactly are accepted",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-ANY-LAYOUT"],
            level: Must,
            tags: API_AUTH_GENERATED,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Eight layouts drawn from a noted seed (key order, spacing, indent, escapes, trailing newline), each signed exactly as sent: each must be accepted.",
            how_to_fix: "Verify the raw bytes, then parse with any conforming JSON parser.",
            run: run!(p => generated_layouts_accepted(p)),
        },
        Scenario {
            id: "handshake.hmac-wrong-length",
            title: "HMACs of the wrong length are `malformed_hmac`",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-SHAPE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid user string with an HMAC that is empty, 63, 65 or 128 digits long, 100 KB, or the right HMAC truncated to its first 62, 40 or 32 digits: each must be a 400 `malformed_hmac`, never a 5xx.",
            how_to_fix: "Check that userHmac is a string of exactly 64 hex digits before anything else; answer 400 `malformed_hmac`.",
            run: run!(p => hmac_shapes(p, wrong_lengths)),
        },
        Scenario {
            id: "handshake.hmac-not-hex",
            title: "HMACs that are not hex strings are `malformed_hmac`",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-SHAPE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid user string with an HMAC that has a non-hex digit, is base64, has a 0x prefix or spaces, or is a number, null or an array: each must be a 400 `malformed_hmac`, never a 5xx.",
            how_to_fix: "Check the JSON type and the 64-hex-digit shape of userHmac; answer 400 `malformed_hmac`.",
            run: run!(p => hmac_shapes(p, not_hex)),
        },
        Scenario {
            id: "handshake.constant-time-compare",
            title: "HMAC refusal time does not leak matching digits",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-CONSTANT-TIME", "AUTH-HMAC-TAMPER"],
            level: Must,
            tags: &[Tag::Api, Tag::Auth],
            needs: &[],
            budget: Duration::from_secs(30),
            wait: NO_WAIT,
            description: "Measures refusal latency of HMACs sharing 0 and 48 leading digits with the right one, 15 interleaved samples each after 2 warm-up rounds; fails when both the lower quartiles and the medians differ by over 20 ms, or when either wrong HMAC is accepted.",
            how_to_fix: "Compare HMACs with a constant-time comparison (`subtle::ConstantTimeEq`, `Mac::verify_slice`), never byte by byte with early exit.",
            run: run!(p => constant_time(p)),
        },
        Scenario {
            id: "handshake.browser-reserialized",
            title: "A page that re-serializes the signed string fails with `invalid_signature`",
            section: Section::Handshake,
            requirements: &["AUTH-HMAC-EXACT-BYTES", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The page's token endpoint signs the compact string but hands the SDK a pretty-printed re-serialization: auth_failed with `invalid_signature`, no ticket.",
            how_to_fix: "Verify the HMAC over the exact string the SDK sends.",
            run: run!(p => browser_refusal(p, |e| e.reserialize = true, AuthFailure::InvalidSignature)),
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
