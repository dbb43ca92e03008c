//! "Wrong secret. If you rotated the secret recently, your server may
//! still be using the old one": a string signed with any other secret
//! is refused, a rotation takes effect, and the secret never leaves the
//! portal's server in any answer.

use super::*;
use crate::probe::FrameView;

pub const REQUIREMENTS: &[Requirement] = &[
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
        id: SECRET_NEVER_SENT,
        section: Section::Handshake,
        level: Must,
        text: "No answer of the portal carries a tenant's secret (the current one, or one before a rotation) as is, in hex or in base64: not its SDK script, the embed document or what that document loads, a handshake or ticket answer, a refusal or an error page. The HMAC proves that the customer's server signed the user only while the secret stays there; a portal that ships it (to check the signature in the browser, or by serializing a whole tenant record into an answer) lets anyone who opens the page sign any user.",
        source: "Wrong secret.",
        surfaces: &[HttpStatus, RenderedText],
    },
];

/// The secret stays on the portal's server.
pub const SECRET_NEVER_SENT: &str = "AUTH-SECRET-NEVER-SENT";

/// The encodings an implementation writes a secret in, each with its
/// name: as is, hex of its bytes (either case), base64 and base64url
/// (with and without padding). A secret under 8 bytes gives none: it
/// would match by chance.
pub fn secret_forms(secret: &str) -> Vec<(&'static str, String)> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine;
    if secret.len() < 8 {
        return Vec::new();
    }
    let bytes = secret.as_bytes();
    vec![
        ("as is", secret.to_string()),
        ("in hex", hex::encode(bytes)),
        ("in upper-case hex", hex::encode_upper(bytes)),
        ("in base64", STANDARD.encode(bytes)),
        ("in base64", STANDARD_NO_PAD.encode(bytes)),
        ("in base64url", URL_SAFE_NO_PAD.encode(bytes)),
    ]
}

/// How `text` holds `secret` ([`secret_forms`]), if it does.
pub fn shows_secret(text: &str, secret: &str) -> Option<&'static str> {
    secret_forms(secret)
        .into_iter()
        .find(|(_, form)| text.contains(form.as_str()))
        .map(|(name, _)| name)
}

/// `https://portal.test/embed?pk=1#x` → `/embed?pk=1`.
fn path_of(url: &str, origin: &str) -> Option<String> {
    let rest = url.strip_prefix(origin)?;
    let rest = rest.split('#').next().unwrap_or_default();
    rest.starts_with('/').then(|| rest.to_string())
}

/// The most documents of the page fetched again.
const MAX_REFETCHED: usize = 24;

/// A signed-in page first (the premise: the portal works for this user);
/// then every answer of the portal a browser or a client gets is read for
/// the tenant's secret: the documents the page loaded from the portal
/// (fetched again), the SDK script, a handshake and its ticket list, a
/// refusal and an unknown path.
async fn answers_carry_no_secret(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let tenant = Tenant::Primary;
    let user = p.seed_user(tenant, UserSpec::Fresh).await?;
    // Two strings (one for the client, one for the page): neither is reused.
    let for_api = sign_identity(
        p,
        tenant,
        SigningKey::Current,
        &user.identity,
        RECOMMENDED_WINDOW_SECONDS - 10,
    )?;
    let for_page = sign_valid(p, tenant, &user.identity)?;
    let view = p.open_page(signed_page(tenant, &for_page)).await?;
    expect_ready(&mut c, &view, Some(&user.canary))?;
    let portal = p.facts().portal_origin.clone();
    let mut paths: Vec<String> = vec![crate::contract::SCRIPT_PATH.to_string()];
    if let FrameView::Loaded { url, .. } = &view.frame {
        paths.extend(path_of(url, &portal));
    }
    for r in view.requests.iter().flatten() {
        if r.method == "GET" {
            paths.extend(path_of(&r.url, &portal));
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for path in paths {
        if !unique.contains(&path) && unique.len() < MAX_REFETCHED {
            unique.push(path);
        }
    }
    let mut answers = Vec::new();
    for path in unique {
        let reply = p.api(ApiCall::get(path.clone())).await?;
        answers.push((format!("GET {path}"), reply));
    }
    let reply = handshake(p, tenant, &for_api).await?;
    let token = expect_accepted(&mut c, &reply, "a fresh signed user")?;
    answers.push(("the handshake's answer".to_string(), reply));
    let reply = p.api(tickets_request(&token, None)).await?;
    answers.push(("the ticket list".to_string(), reply));
    let stranger = fresh_identity(p);
    let wrong = sign_identity(
        p,
        tenant,
        SigningKey::Unrelated,
        &stranger,
        RECOMMENDED_WINDOW_SECONDS,
    )?;
    let reply = handshake(p, tenant, &wrong).await?;
    answers.push(("a refused handshake".to_string(), reply));
    let missing = format!("/portalcheck-{}", p.unique("missing"));
    let reply = p.api(ApiCall::get(missing.clone())).await?;
    answers.push((format!("GET {missing} (no such path)"), reply));
    for (what, reply) in &answers {
        let headers: String = reply
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}\n"))
            .collect();
        let form = p
            .secret_shown(tenant, &reply.body)
            .or_else(|| p.secret_shown(tenant, &headers));
        c.expect(
            form.is_none(),
            format!(
                "{SECRET_NEVER_SENT}: no tenant secret in {what} ({})",
                reply.status
            ),
            || {
                format!(
                    "the tenant's secret, {}, in {what}",
                    form.unwrap_or_default()
                )
            },
        )?;
    }
    Ok(c.pass())
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

/// Keys no tenant was given but that flawed verifiers fall back to: an
/// empty key (a secret lookup that misses and yields `""`), the tenant's
/// public key (the key confusion of JWT libraries that verify an HMAC with
/// the key meant for another algorithm), and the strings a missing value
/// becomes in JavaScript. None is a secret, so the scenario signs with them
/// itself.
pub fn degenerate_keys(public_key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("an empty key", String::new()),
        ("the public key as the secret", public_key.to_string()),
        ("the key \"undefined\"", "undefined".into()),
        ("the key \"null\"", "null".into()),
        ("a key of one zero byte", "\0".into()),
    ]
}

/// Signatures of a user string that anyone computes without any key: what
/// a verifier with a "checksum" fallback, or one keyed with the message
/// itself, accepts.
/// How one keyless "signature" is computed from the user string.
pub type Keyless = fn(&str) -> String;

pub const KEYLESS_SIGNATURES: [(&str, Keyless); 3] = [
    ("the bare SHA-256 of the string (no key)", |user| {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(user.as_bytes()))
    }),
    ("an HMAC keyed with the string itself", |user| {
        crate::contract::hmac_hex(user.as_bytes(), user.as_bytes())
    }),
    ("64 zero digits", |_| "0".repeat(64)),
];

/// A fresh identity's payload, with the HMAC `sign` makes of it, must be
/// refused as `invalid_signature`.
async fn expect_fresh_signature_refused(
    p: &mut dyn Probe,
    c: &mut Checks,
    tenant: Tenant,
    what: &str,
    sign: impl Fn(&str) -> String,
) -> Result<(), Verdict> {
    let identity = fresh_identity(p);
    let user = identity.compact(p.now() + RECOMMENDED_WINDOW_SECONDS);
    let hmac = sign(&user);
    p.note(format!("{what}: {user:?}"));
    let reply = handshake(p, tenant, &Signed { user, hmac }).await?;
    expect_refused(c, &reply, AuthFailure::InvalidSignature, what)
}

async fn degenerate_secrets(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let tenant = Tenant::Primary;
    // Premise: this tenant signs users in at all, so refusals below mean
    // something.
    let identity = fresh_identity(p);
    let signed = sign_valid(p, tenant, &identity)?;
    let reply = handshake(p, tenant, &signed).await?;
    expect_accepted(&mut c, &reply, "signed with the tenant's secret")?;
    for (what, key) in degenerate_keys(&p.public_key(tenant)) {
        let sign = |user: &str| crate::contract::hmac_hex(key.as_bytes(), user.as_bytes());
        expect_fresh_signature_refused(p, &mut c, tenant, &format!("signed with {what}"), sign)
            .await?;
    }
    for (what, sign) in KEYLESS_SIGNATURES {
        let what = format!("\"signed\" with {what}");
        expect_fresh_signature_refused(p, &mut c, tenant, &what, sign).await?;
    }
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

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "handshake.other-tenant-secret",
            title: "Another tenant's secret is refused",
            section: Section::Handshake,
            requirements: &["AUTH-WRONG-SECRET"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs a valid payload with the secondary tenant's secret and sends it with the primary tenant's public key: must be `invalid_signature`.",
            how_to_fix: "Look up the secret by the public key sent and verify with that one only.",
            run: run!(p => wrong_key(p, SigningKey::OtherTenant)),
        },
        Scenario {
            id: "handshake.unrelated-secret",
            title: "An unrelated secret is refused",
            section: Section::Handshake,
            requirements: &["AUTH-WRONG-SECRET"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs a valid payload with a secret no tenant has: must be `invalid_signature`.",
            how_to_fix: "Verify with the tenant's current secret only.",
            run: run!(p => wrong_key(p, SigningKey::Unrelated)),
        },
        Scenario {
            id: "handshake.degenerate-secrets",
            title: "An empty key, the public key, `undefined` or no key at all is refused",
            section: Section::Handshake,
            requirements: &["AUTH-WRONG-SECRET"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "After a correctly signed payload is accepted (the premise), signs fresh payloads with keys a flawed verifier falls back to: an empty key, the tenant's public key, the strings `undefined` and `null`, one zero byte. Then sends fresh payloads with values anyone computes without a key: the bare SHA-256 of the string, an HMAC keyed with the string itself, 64 zero digits. Each must be `invalid_signature`.",
            how_to_fix: "Verify with the tenant's stored secret only; a missing secret is an error that refuses, never an empty or default key, and the public key is never a verification key. Never accept an unkeyed digest (a \"checksum\" fallback) in place of the HMAC.",
            run: run!(p => degenerate_secrets(p)),
        },
        Scenario {
            id: "handshake.rotated-secret",
            title: "After rotation the old secret is refused, the new one accepted",
            section: Section::Handshake,
            requirements: &["AUTH-ROTATED-SECRET"],
            level: Must,
            tags: API_AUTH,
            needs: &[Need::SecretRotation],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Rotates the secondary tenant's secret, then sends a payload signed with the old secret (must be `invalid_signature`) and one signed with the new secret (must be accepted).",
            how_to_fix: "Drop the old secret from verification at rotation time; make the new one effective at once.",
            run: run!(p => rotated_secret(p)),
        },
        Scenario {
            id: "handshake.answers-carry-no-secret",
            title: "No answer of the portal carries the tenant's secret",
            section: Section::Handshake,
            requirements: &[SECRET_NEVER_SENT],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A seeded user's page loads and shows the ticket (the premise); then every document the page loaded from the portal is fetched again (the SDK script, the embed document, its scripts and styles), and a handshake, its ticket list, a refused handshake and an unknown path are asked for: no body or header may hold the tenant's secret as is, in hex or in base64.",
            how_to_fix: "Keep tenant secrets on the server: verify the HMAC there only, and build answers from the fields they need, never from a whole tenant record.",
            run: run!(p => answers_carry_no_secret(p)),
        },
        Scenario {
            id: "handshake.browser-wrong-secret",
            title: "A page signed with another tenant's secret fails with `invalid_signature`",
            section: Section::Handshake,
            requirements: &["AUTH-WRONG-SECRET", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The page's token endpoint signs with the secondary tenant's secret: the SDK must fire auth_failed with `invalid_signature` and show no ticket.",
            how_to_fix: "Verify with the secret of the tenant named by the public key only.",
            run: run!(p => browser_refusal(p, |e| e.key = SigningKey::OtherTenant, AuthFailure::InvalidSignature)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_found_as_is_in_hex_and_in_base64_and_a_short_one_never() {
        let secret = "sk_live_0123456789";
        assert_eq!(
            shows_secret(&format!("key={secret};"), secret),
            Some("as is")
        );
        let hexed = hex::encode(secret.as_bytes());
        assert_eq!(
            shows_secret(&format!("{{\"k\":\"{hexed}\"}}"), secret),
            Some("in hex")
        );
        assert_eq!(
            shows_secret(&hex::encode_upper(secret.as_bytes()), secret),
            Some("in upper-case hex")
        );
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(secret.as_bytes());
        assert_eq!(shows_secret(&b64, secret), Some("in base64"));
        // `??>` is `Pz8+` in base64 and `Pz8-` in base64url.
        let odd = "??>secret-value!";
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(odd.as_bytes());
        assert!(url.starts_with("Pz8-"), "{url}");
        assert_eq!(shows_secret(&url, odd), Some("in base64url"));
        assert_eq!(shows_secret("nothing here", secret), None);
        assert_eq!(shows_secret("short", "short"), None, "under 8 bytes: never");
    }

    #[test]
    fn only_the_portals_own_urls_are_fetched_again() {
        let portal = "https://portal.test:8443";
        assert_eq!(
            path_of("https://portal.test:8443/embed?pk=1#x", portal).as_deref(),
            Some("/embed?pk=1")
        );
        assert_eq!(path_of("https://evil.test/embed", portal), None);
        assert_eq!(path_of("https://portal.test:84430/x", portal), None);
    }
}
