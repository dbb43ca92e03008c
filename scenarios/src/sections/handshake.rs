//! "auth_failed fired immediately": the HMAC handshake. One file per
//! cause the documentation lists (`different_string`, `secret`, `clock`,
//! `origin`); this one holds what is common to them: the payload's
//! shape, unknown public keys and the immediacy of `auth_failed`, and the
//! helpers the handshake scenarios share.

pub mod clock;
pub mod different_string;
pub mod origin;
pub mod secret;

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
use crate::sections::handshake::different_string::flip_digit;

pub const REQUIREMENTS: &[Requirement] = &[
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
        id: "AUTH-FAIL-IMMEDIATE",
        section: Section::Handshake,
        level: Must,
        text: "A refused handshake fires `auth_failed` within 2 seconds of `setUser`, and the portal shows no ticket data.",
        source: "auth_failed fired immediately",
        surfaces: &[SdkEvent, RenderedText],
    },
];

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

pub(crate) const API_AUTH: &[Tag] = &[Tag::Api, Tag::Auth];
pub(crate) const API_AUTH_GENERATED: &[Tag] = &[Tag::Api, Tag::Auth, Tag::Generated];
pub(crate) const API_ORIGIN: &[Tag] = &[Tag::Api, Tag::Auth, Tag::Origin];
pub(crate) const BROWSER_AUTH: &[Tag] = &[Tag::Browser, Tag::Auth, Tag::Sdk];
pub(crate) const BROWSER_ORIGIN: &[Tag] = &[Tag::Browser, Tag::Auth, Tag::Origin, Tag::Sdk];
pub(crate) const BROWSER_USERS: &[Need] = &[Need::Browser, Need::Users];

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "handshake.payload-not-object",
            title: "User strings that are not JSON objects are `invalid_payload`",
            section: Section::Handshake,
            requirements: &["AUTH-PAYLOAD-SHAPE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs exactly and sends user strings that are malformed JSON, an array, a string, a number, null, empty, 5000 nested arrays or 3000 nested objects: each must be a 400 `invalid_payload`, never a 5xx.",
            how_to_fix: "Parse with a depth-limited parser and refuse anything but a JSON object with `invalid_payload`.",
            run: run!(p => payload_not_object(p)),
        },
        Scenario {
            id: "handshake.unknown-public-key",
            title: "An unknown public key is `unknown_public_key`",
            section: Section::Handshake,
            requirements: &["AUTH-UNKNOWN-KEY"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a well-formed signed handshake naming a public key no tenant has: must be a 404 `unknown_public_key` (not `invalid_signature`).",
            how_to_fix: "Look up the tenant first and answer 404 `unknown_public_key` when there is none.",
            run: run!(p => unknown_public_key(p)),
        },
        Scenario {
            id: "handshake.auth-failed-immediately",
            title: "A wrong HMAC fires auth_failed at once, without tickets",
            section: Section::Handshake,
            requirements: &["AUTH-FAIL-IMMEDIATE", "AUTH-HMAC-TAMPER", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Opens a page whose setUser sends a seeded user's string with the last HMAC digit changed: auth_failed (`invalid_signature`) must fire once within 2 s of setUser, and the user's ticket must show nowhere.",
            how_to_fix: "Fire auth_failed on the first refused handshake, with no retries, and render nothing before a successful handshake.",
            run: run!(p => fails_immediately(p)),
        },
    ]
}
