//! "Wrong secret. If you rotated the secret recently, your server may
//! still be using the old one": a string signed with any other secret
//! is refused, and a rotation takes effect.

use super::*;

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
];

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
        let identity = fresh_identity(p);
        let user = identity.compact(p.now() + RECOMMENDED_WINDOW_SECONDS);
        let hmac = crate::contract::hmac_hex(key.as_bytes(), user.as_bytes());
        p.note(format!("signed with {what}: {user:?}"));
        let reply = handshake(p, tenant, &Signed { user, hmac }).await?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::InvalidSignature,
            &format!("signed with {what}"),
        )?;
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
            description: "Signs a valid payload with a secret no tenant has: must be `invalid_signature`.",
            how_to_fix: "Verify with the tenant's current secret only.",
            run: run!(p => wrong_key(p, SigningKey::Unrelated)),
        },
        Scenario {
            id: "handshake.degenerate-secrets",
            title: "An empty key, the public key or `undefined` as the secret is refused",
            section: Section::Handshake,
            requirements: &["AUTH-WRONG-SECRET"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            description: "After a correctly signed payload is accepted (the premise), signs fresh payloads with keys a flawed verifier falls back to: an empty key, the tenant's public key, the strings `undefined` and `null`, one zero byte. Each must be `invalid_signature`.",
            how_to_fix: "Verify with the tenant's stored secret only; a missing secret is an error that refuses, never an empty or default key, and the public key is never a verification key.",
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
            description: "Rotates the secondary tenant's secret, then sends a payload signed with the old secret (must be `invalid_signature`) and one signed with the new secret (must be accepted).",
            how_to_fix: "Drop the old secret from verification at rotation time; make the new one effective at once.",
            run: run!(p => rotated_secret(p)),
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
            description: "The page's token endpoint signs with the secondary tenant's secret: the SDK must fire auth_failed with `invalid_signature` and show no ticket.",
            how_to_fix: "Verify with the secret of the tenant named by the public key only.",
            run: run!(p => browser_refusal(p, |e| e.key = SigningKey::OtherTenant, AuthFailure::InvalidSignature)),
        },
    ]
}
