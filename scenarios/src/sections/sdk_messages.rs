//! Messages between the host window and the portal frame, the boundary the
//! documentation leaves to the implementation ("the portal, in an iframe,
//! shows that user's own tickets"). Without knowing the implementation's
//! message format, two attacks can still be made black-box:
//! - a foreign window replays the frame's own messages to the host window:
//!   the SDK must not act on them (`event.origin` / `event.source`);
//! - the SDK's frame is navigated to a foreign document before a re-sign:
//!   nothing the SDK then posts may reach it (targetOrigin the portal
//!   origin, never `*`);
//! - a foreign frame posts into another user's portal frame the host's
//!   messages that signed one user in (recorded where the page cannot see):
//!   the portal frame must not act on them (login CSRF);
//! - a third-party frame comes first on the page: nothing carrying a
//!   credential may reach it, whoever posts (also a general check on every
//!   page, [`exposures`](super::sdk_exposure::exposures)).

use serde_json::Value;

use crate::checks::*;
use crate::contract::{EVENT_AUTH_FAILED, EVENT_READY, RECOMMENDED_WINDOW_SECONDS};
use crate::probe::{
    ForeignKind, ForeignMark, Forger, ForgerTarget, OnReady, PageView, Probe, SigningKey, Site,
    Tenant, UserSpec, WaitFor,
};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};
use crate::sections::sdk_exposure::{
    bearer_tokens, contains_credential, Credential, CredentialKind, MIN_CREDENTIAL_LEN,
};

/// The SDK acts only on its own frame's messages.
pub const MESSAGES_FROM_FRAME_ONLY: &str = "SDK-MESSAGES-FROM-FRAME-ONLY";
/// The SDK addresses what it posts to the portal origin.
pub const MESSAGES_TO_PORTAL_ONLY: &str = "SDK-MESSAGES-TO-PORTAL-ONLY";
/// The portal frame acts only on its host window's messages.
pub const FRAME_MESSAGES_FROM_HOST_ONLY: &str = "FRAME-MESSAGES-FROM-HOST-ONLY";
/// No credential reaches another frame of the page.
pub const NO_CREDENTIAL_TO_OTHER_FRAMES: &str = "SDK-NO-CREDENTIAL-TO-OTHER-FRAMES";

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: MESSAGES_FROM_FRAME_ONLY,
        section: Section::Sdk,
        level: Must,
        text: "The SDK acts only on window messages from its own portal frame (`event.source` that frame's window, `event.origin` the portal origin): the frame's own messages, replayed into the host window by a frame of another origin, deliver no `ready` (nor any other event). Otherwise any third-party frame on the page, or an opener, forges the portal's side of the conversation. (OWASP WSTG 4.11.11; PortSwigger: controlling the web message source.)",
        source: "The page hands that same string and its HMAC to the SDK (`UserHero.setUser(user, userHmac)`), and the portal, in an iframe, shows that user's own tickets",
        surfaces: &[SdkEvent],
    },
    Requirement {
        id: MESSAGES_TO_PORTAL_ONLY,
        section: Section::Sdk,
        level: Must,
        text: "The SDK posts what it sends the portal frame with targetOrigin the portal origin, never `*`: once the frame's window holds a document of another origin (a navigation), a re-sign delivers that document no message carrying a credential (the session token, the user string, the HMAC, or any token-like string of 16 characters or more). (WHATWG HTML, cross-document messaging: authors should not use `*` for messages that contain any confidential information.)",
        source: "The page hands that same string and its HMAC to the SDK (`UserHero.setUser(user, userHmac)`)",
        surfaces: &[Network],
    },
    Requirement {
        id: FRAME_MESSAGES_FROM_HOST_ONLY,
        section: Section::Sdk,
        level: Must,
        text: "The portal frame acts only on window messages from the host page that embeds it (`event.source` its parent window, `event.origin` that page's origin): the messages that signed one user in, posted into another user's portal frame by a frame of another origin on the same page, change nothing there. The frame keeps showing its own user's tickets, never the other user's. Otherwise any third-party frame on the shop, or a window holding a reference to it, signs the visitor in as the attacker (login CSRF: the visitor then writes to the attacker's tickets) or signs them out. (OWASP WSTG 4.11.11; PortSwigger: DOM-based web message vulnerabilities; OWASP ASVS 5.0 V3.5.)",
        source: "the portal, in an iframe, shows that user's own tickets",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: NO_CREDENTIAL_TO_OTHER_FRAMES,
        section: Section::Sdk,
        level: Must,
        text: "Neither the SDK nor the portal frame delivers a credential (the session token, the user string, the HMAC, or any token-like string of 16 characters or more) in a window message to a document of a third origin on the page (neither the portal's nor the host page's), and the portal still signs in when such a frame comes first on the page. A shop page carries other frames (ads, analytics, chat, payment widgets); an SDK that finds \"its\" frame by `window.frames[0]` or the page's first `iframe`, or that broadcasts to every frame, hands the session to whichever frame is there. Checked by a dedicated scenario and on every page of every scenario. (WHATWG HTML, cross-document messaging; OWASP WSTG 4.11.11; CWE-201.)",
        source: "The page hands that same string and its HMAC to the SDK (`UserHero.setUser(user, userHmac)`), and the portal, in an iframe, shows that user's own tickets",
        surfaces: &[Network],
    },
];

/// Why `sdk.foreign-window-messages-ignored` skips a portal whose frame
/// talks over a `MessagePort` only (quoted in its skip reason).
pub const NOTHING_TO_REPLAY: &str = "no window message a foreign window could post again";

/// Why `sdk.frame-ignores-foreign-messages` is incomplete on an engine
/// that offers no isolated world (quoted in its reason).
pub const NO_FRAME_RECORDER: &str = "no listener in the portal frame that the page cannot see";

/// How long the page must stay quiet after a foreign document is done
/// before its absence of effect is taken as such.
const QUIET: std::time::Duration = std::time::Duration::from_millis(1500);

/// The frame's messages to the host window that a foreign window can post
/// again as they are: from the portal origin, data that survived JSON, no
/// ports.
fn replayable(view: &PageView, portal_origin: &str) -> Vec<Value> {
    view.messages
        .iter()
        .filter(|m| m.origin == portal_origin && m.ports == 0 && !m.data.is_null())
        .map(|m| m.data.clone())
        .collect()
}

fn marks(view: &PageView, kind: ForeignKind, origin: &str) -> Vec<ForeignMark> {
    view.foreign
        .iter()
        .filter(|m| m.kind == kind && m.origin == origin)
        .cloned()
        .collect()
}

/// The credentials a page held: the user strings and HMACs it signed in
/// with, and the session tokens its requests carried.
fn page_credentials(view: &PageView, signed: &[&Signed]) -> Vec<Credential> {
    let credential = |kind, value: &str| Credential {
        kind,
        value: value.to_string(),
    };
    let mut known: Vec<Credential> = signed
        .iter()
        .flat_map(|s| {
            [
                credential(CredentialKind::UserString, &s.user),
                credential(CredentialKind::Hmac, &s.hmac),
            ]
        })
        .collect();
    known.extend(
        bearer_tokens(view)
            .iter()
            .map(|t| credential(CredentialKind::SessionToken, t)),
    );
    known
}

/// How many messages the catcher on `origin` reported receiving, and the
/// shapes (never the values) of those carrying a credential, with who
/// posted each.
fn caught_credentials(view: &PageView, origin: &str, known: &[Credential]) -> (usize, Vec<String>) {
    let caught = marks(view, ForeignKind::Caught, origin);
    let leaked = caught
        .iter()
        .filter(|m| carries_credential(&m.data, known))
        .map(|m| {
            format!(
                "from {}: {}",
                m.from.as_deref().unwrap_or("?"),
                crate::probe::value_shape(&m.data)
            )
        })
        .collect();
    (caught.len(), leaked)
}

/// Whether `value` holds something that reads as a credential: one of
/// `known` (matched as the general checks match them), or a token-like run
/// of characters (see [`token_like`]).
pub fn carries_credential(value: &Value, known: &[Credential]) -> bool {
    match value {
        Value::String(s) => {
            known.iter().any(|k| contains_credential(s, k))
                || s.split(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/=_".contains(c)))
                    .any(token_like)
        }
        Value::Array(items) => items.iter().any(|v| carries_credential(v, known)),
        Value::Object(members) => members.values().any(|v| carries_credential(v, known)),
        _ => false,
    }
}

/// A run of token characters long enough, with letters and digits both (so
/// type tags such as `userhero.session-update` are not taken for one).
fn token_like(run: &str) -> bool {
    run.len() >= MIN_CREDENTIAL_LEN
        && run.chars().any(|c| c.is_ascii_digit())
        && run.chars().any(|c| c.is_ascii_alphabetic())
}

/// Whether a page a foreign frame replayed messages on can be judged: the
/// premise held (else incomplete, saying what `premise` was), the network
/// was watched, and the page was seen quiet after the replay (without that
/// spell, an absent effect proves nothing).
fn replay_settled(forged: &PageView, premise_held: bool, premise: String) -> Result<(), Verdict> {
    if !premise_held {
        return Err(Verdict::incomplete(format!(
            "premise not established: {premise}; {}; foreign reports {:?}",
            summary(forged),
            forged
                .foreign
                .iter()
                .map(|m| (m.kind, m.origin.as_str()))
                .collect::<Vec<_>>()
        )));
    }
    expect_network_observed(forged)?;
    if !matches!(forged.reached, Some(WaitFor::ForeignDone(_))) {
        return Err(Verdict::incomplete(format!(
            "the page was not seen quiet after the replay (the network could not be watched, or never went quiet): {}",
            summary(forged)
        )));
    }
    Ok(())
}

/// A refused page; a foreign frame then replays what the portal frame sent
/// the host window on a signed-in page. No `ready` may follow.
async fn foreign_messages_ignored(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    expect_ready(&mut c, &view, Some(&user.canary))?;
    let portal = p.facts().portal_origin.clone();
    let messages = replayable(&view, &portal);
    if messages.is_empty() {
        return Err(Verdict::skipped(format!(
            "the portal frame sent the host window {NOTHING_TO_REPLAY} ({} message(s) seen, none from {portal} without ports): its side of the conversation cannot be forged this way",
            view.messages.len()
        )));
    }
    let refused = sign_identity(
        p,
        Tenant::Primary,
        SigningKey::Unrelated,
        &user.identity,
        RECOMMENDED_WINDOW_SECONDS,
    )?;
    let mut page = signed_page(Tenant::Primary, &refused);
    page.forger = Some(Forger {
        site: Site::Evil,
        into: ForgerTarget::HostWindow,
        after_event: EVENT_AUTH_FAILED.into(),
        messages: messages.clone(),
    });
    page.wait_for = vec![WaitFor::ForeignDone(QUIET)];
    page.deadline = std::time::Duration::from_secs(15);
    let forged = p.open_page(page).await?;
    let evil = p.origin(Site::Evil);
    let done = marks(&forged, ForeignKind::Done, &evil);
    replay_settled(
        &forged,
        forged.event(EVENT_AUTH_FAILED).is_some() && !done.is_empty(),
        format!(
            "the page with a signature from an unrelated secret was to be refused (`auth_failed`) and the frame from {evil} was then to replay {} message(s)",
            messages.len()
        ),
    )?;
    c.expect(
        forged.event(EVENT_READY).is_none(),
        format!(
            "{MESSAGES_FROM_FRAME_ONLY}: no `ready` after a frame from {evil} replayed the portal frame's {} message(s) on a refused page",
            messages.len()
        ),
        || {
            format!(
                "the SDK took the foreign frame's messages for the portal's: {}",
                summary(&forged)
            )
        },
    )?;
    Ok(c.pass())
}

/// The host's messages to the portal frame that a foreign frame can post
/// again as they are: from the parent window on `host`, data that survived
/// JSON, no ports.
fn replayable_into_frame(view: &PageView, host: &str) -> Option<Vec<Value>> {
    view.frame_messages.as_ref().map(|received| {
        received
            .iter()
            .filter(|m| m.from_parent && m.origin == host && m.ports == 0 && !m.data.is_null())
            .map(|m| m.data.clone())
            .collect()
    })
}

/// An attacker signs in on one page, and what the host window sent the
/// portal frame is recorded; a victim then signs in on another, and a
/// foreign frame posts those messages into the victim's portal frame. The
/// victim's tickets must stay, and the attacker's must not show.
async fn frame_ignores_foreign_messages(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let attacker = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let victim = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &attacker.identity)?;
    let first = signed_page(Tenant::Primary, &signed);
    let host = p.origin(first.site);
    let view = p.open_page(first).await?;
    expect_ready(&mut c, &view, Some(&attacker.canary))?;
    let Some(messages) = replayable_into_frame(&view, &host) else {
        return Err(Verdict::incomplete(format!(
            "this browser offers the harness {NO_FRAME_RECORDER} (no isolated world: DevTools or WebDriver BiDi), so what the host window sent the frame is unknown"
        )));
    };
    if messages.is_empty() {
        return Err(Verdict::skipped(format!(
            "the host window sent the portal frame {NOTHING_TO_REPLAY} ({} message(s) seen in the frame, none from its parent on {host} without ports): the host's side of the conversation cannot be forged this way",
            view.frame_messages.as_ref().map_or(0, Vec::len)
        )));
    }
    let victim_signed = sign_valid(p, Tenant::Primary, &victim.identity)?;
    let mut page = signed_page(Tenant::Primary, &victim_signed);
    page.forger = Some(Forger {
        site: Site::Evil,
        into: ForgerTarget::SiblingFrames,
        after_event: EVENT_READY.into(),
        messages: messages.clone(),
    });
    page.wait_for = vec![WaitFor::ForeignDone(QUIET)];
    page.deadline = std::time::Duration::from_secs(20);
    let forged = p.open_page(page).await?;
    let evil = p.origin(Site::Evil);
    if forged.event(EVENT_READY).is_none() {
        expect_ready(&mut c, &forged, None)?;
        return Err(Verdict::incomplete(format!(
            "the victim's page never became ready: {}",
            summary(&forged)
        )));
    }
    let delivered = forged
        .frame_messages
        .iter()
        .flatten()
        .filter(|m| !m.from_parent && m.origin == evil)
        .count();
    replay_settled(
        &forged,
        !marks(&forged, ForeignKind::Done, &evil).is_empty() && delivered > 0,
        format!(
            "the frame from {evil} was to post {} message(s) into the victim's portal frame once it was ready, and the frame to receive them ({delivered} seen there)",
            messages.len()
        ),
    )?;
    c.expect(
        !forged.shows(&attacker.canary),
        format!(
            "{FRAME_MESSAGES_FROM_HOST_ONLY}: the victim's portal frame shows none of another user's tickets after a frame from {evil} posted into it the {} message(s) that signed that user in",
            messages.len()
        ),
        || {
            format!(
                "the portal frame took the foreign frame's messages for its host's and now shows the other user's ticket: {}",
                summary(&forged)
            )
        },
    )?;
    c.expect(
        forged
            .frame_text()
            .is_some_and(|t| t.contains(&victim.canary)),
        format!(
            "{FRAME_MESSAGES_FROM_HOST_ONLY}: the victim's portal frame still shows the victim's own ticket after the foreign frame posted into it"
        ),
        || {
            format!(
                "the portal frame acted on the foreign frame's messages (the victim's ticket is gone): {}",
                summary(&forged)
            )
        },
    )?;
    Ok(c.pass())
}

/// A signed-in page navigates the SDK's frame to a foreign catcher, then
/// re-signs: the catcher must get nothing carrying a credential.
async fn session_not_posted_to_foreign_frame(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    // A second signing that differs from the first (an SDK may ignore a
    // repeated identical setUser).
    let resign = sign_identity(
        p,
        Tenant::Primary,
        SigningKey::Current,
        &user.identity,
        RECOMMENDED_WINDOW_SECONDS - 7,
    )?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.on_ready = OnReady::NavigateFrameThenSetUser {
        to: Site::Evil,
        user: resign.user.clone(),
        hmac: resign.hmac.clone(),
    };
    page.wait_for = vec![WaitFor::ForeignDone(QUIET)];
    page.deadline = std::time::Duration::from_secs(20);
    let view = p.open_page(page).await?;
    if view.event(EVENT_READY).is_none() {
        // The first sign-in is judged as everywhere else (a refusal of a
        // valid page fails, nothing observed is incomplete).
        expect_ready(&mut c, &view, None)?;
        return Err(Verdict::incomplete(format!(
            "the page never became ready: {}",
            summary(&view)
        )));
    }
    let evil = p.origin(Site::Evil);
    expect_network_observed(&view)?;
    if marks(&view, ForeignKind::Loaded, &evil).is_empty()
        || !matches!(view.reached, Some(WaitFor::ForeignDone(_)))
    {
        return Err(Verdict::incomplete(format!(
            "premise not established: the SDK's frame was to hold a document from {evil}, the page then to re-sign and stay quiet; {}; foreign reports {:?}",
            summary(&view),
            view.foreign.iter().map(|m| (m.kind, m.origin.as_str())).collect::<Vec<_>>()
        )));
    }
    if view.event(EVENT_AUTH_FAILED).is_some() {
        return Err(Verdict::incomplete(format!(
            "the re-sign was refused, so the SDK had no new session to post: {}",
            summary(&view)
        )));
    }
    let known = page_credentials(&view, &[&signed, &resign]);
    let (caught, leaked) = caught_credentials(&view, &evil, &known);
    c.expect(
        leaked.is_empty(),
        format!(
            "{MESSAGES_TO_PORTAL_ONLY}: after the SDK's frame was navigated to {evil}, the re-sign delivered it nothing carrying a credential ({} message(s) reached it)",
            caught
        ),
        || {
            format!(
                "the document from {evil} in the SDK's frame received {} message(s) carrying a credential (shapes; values withheld): {}",
                leaked.len(),
                leaked.join("; ")
            )
        },
    )?;
    Ok(c.pass())
}

/// A third-party frame comes first on the page and reports every message
/// it receives; once it loaded the page signs in. Nothing carrying a
/// credential may reach it, and the portal must still sign in.
async fn other_frames_get_no_credential(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.bystander = Some(Site::Evil);
    page.wait_for = vec![
        WaitFor::NetworkIdle(QUIET),
        WaitFor::Event(EVENT_AUTH_FAILED.into()),
    ];
    page.deadline = std::time::Duration::from_secs(15);
    let view = p.open_page(page).await?;
    let evil = p.origin(Site::Evil);
    if marks(&view, ForeignKind::Loaded, &evil).is_empty() {
        return Err(Verdict::incomplete(format!(
            "premise not established: the third-party frame from {evil} never said it loaded, so the page never signed in: {}",
            summary(&view)
        )));
    }
    let known = page_credentials(&view, &[&signed]);
    let (caught, leaked) = caught_credentials(&view, &evil, &known);
    c.expect(
        leaked.is_empty(),
        format!(
            "{NO_CREDENTIAL_TO_OTHER_FRAMES}: the third-party frame from {evil}, first on the page, received nothing carrying a credential ({} message(s) reached it)",
            caught
        ),
        || {
            format!(
                "it received {} message(s) carrying a credential (shapes; values withheld): {}",
                leaked.len(),
                leaked.join("; ")
            )
        },
    )?;
    expect_ready(&mut c, &view, Some(&user.canary))?;
    expect_network_observed(&view)?;
    if !matches!(view.reached, Some(WaitFor::NetworkIdle(_))) {
        return Err(Verdict::incomplete(format!(
            "the page was not seen quiet after `ready`, so a later message to the third-party frame could still come: {}",
            summary(&view)
        )));
    }
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "sdk.foreign-window-messages-ignored",
            title: "The SDK ignores the portal frame's messages replayed by a foreign frame",
            section: Section::Sdk,
            requirements: &[MESSAGES_FROM_FRAME_ONLY],
            level: Must,
            tags: &[Tag::Browser, Tag::Sdk, Tag::Origin],
            needs: &[Need::Browser, Need::Users],
            budget: MESSAGES_BUDGET,
            wait: QUIET,
            description: "A signed-in page records the window messages the portal frame sends the host window. Then a page signed with an unrelated secret is refused (`auth_failed`), and a hidden frame from another origin posts those same messages to the host window: the SDK must not deliver `ready`.",
            how_to_fix: "In the SDK's message listener, act only when `event.source === iframe.contentWindow` and `event.origin` is exactly the portal origin.",
            run: run!(p => foreign_messages_ignored(p)),
        },
        Scenario {
            id: "sdk.session-not-posted-to-foreign-frame",
            title: "A re-sign posts nothing to the SDK's frame once it holds a foreign document",
            section: Section::Sdk,
            requirements: &[MESSAGES_TO_PORTAL_ONLY],
            level: Must,
            tags: &[Tag::Browser, Tag::Sdk, Tag::Session],
            needs: &[Need::Browser, Need::Users],
            budget: MESSAGES_BUDGET,
            wait: QUIET,
            description: "A seeded user signs in; once `ready` fired, the page navigates the SDK's iframe to a document on another origin that reports every message it gets, and re-signs with a fresh valid signature. Nothing carrying a credential may reach that document.",
            how_to_fix: "Post to the frame with `postMessage(message, PORTAL_ORIGIN)` (or over a MessagePort handed over that way), never with `*`.",
            run: run!(p => session_not_posted_to_foreign_frame(p)),
        },
        Scenario {
            id: "sdk.frame-ignores-foreign-messages",
            title: "The portal frame ignores the host's messages posted into it by a foreign frame",
            section: Section::Sdk,
            requirements: &[FRAME_MESSAGES_FROM_HOST_ONLY],
            level: Must,
            tags: &[Tag::Browser, Tag::Sdk, Tag::Origin, Tag::Tenant, Tag::Session],
            needs: &[Need::Browser, Need::Users],
            budget: MESSAGES_BUDGET,
            wait: QUIET,
            description: "One seeded user (the attacker) signs in, and a listener in the portal frame that the page cannot see records the window messages the host window sends it. A second user (the victim) then signs in on another page, and once `ready` fired a hidden frame from another origin posts those same messages into every other frame of the page, the portal frame among them. The victim's frame must keep the victim's ticket and show none of the attacker's.",
            how_to_fix: "In the portal frame's message listener, act only when `event.source === window.parent` and `event.origin` is the origin the handshake allowed for this embed (the allowlisted host page's).",
            run: run!(p => frame_ignores_foreign_messages(p)),
        },
        Scenario {
            id: "sdk.other-frames-get-no-credential",
            title: "A third-party frame first on the page receives no credential, and the portal still signs in",
            section: Section::Sdk,
            requirements: &[NO_CREDENTIAL_TO_OTHER_FRAMES],
            level: Must,
            tags: &[Tag::Browser, Tag::Sdk, Tag::Session],
            needs: &[Need::Browser, Need::Users],
            budget: MESSAGES_BUDGET,
            wait: QUIET,
            description: "The host page carries a frame from another origin (an ad, say) before the portal's container, so it is the page's first frame; it reports every window message it receives. Once it loaded, a seeded user signs in. Nothing carrying a credential may reach that frame, the portal must show the user's ticket, and the page is watched until the network stays quiet after `ready`.",
            how_to_fix: "Keep a reference to the iframe the SDK created and post only to `iframe.contentWindow` with targetOrigin the portal origin (or over a MessagePort handed over that way); never `window.frames[i]`, the page's first `iframe`, or a broadcast to every frame. In the portal frame, post only to `window.parent` with the host page's origin.",
            run: run!(p => other_frames_get_no_credential(p)),
        },
    ]
}

/// Two pages, or one watched to a quiet spell after a re-sign.
const MESSAGES_BUDGET: std::time::Duration = std::time::Duration::from_secs(45);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn known(value: &str) -> Credential {
        Credential {
            kind: CredentialKind::UserString,
            value: value.into(),
        }
    }

    #[test]
    fn tokens_and_known_values_read_as_credentials_type_tags_do_not() {
        assert!(carries_credential(
            &json!({"type": "uh:session", "token": "tok_0123456789abcdef"}),
            &[]
        ));
        assert!(carries_credential(
            &json!({"u": "{\"externalUserId\":\"u 1\"}"}),
            &[known("{\"externalUserId\":\"u 1\"}")]
        ));
        assert!(!carries_credential(
            &json!({"type": "uh:hello", "n": 3, "ok": true}),
            &[]
        ));
        assert!(!carries_credential(
            &json!({"type": "userhero.session-update-started"}),
            &[]
        ));
        assert!(!carries_credential(
            &json!({"type": "userhero:connect"}),
            &[known("short")]
        ));
    }
}
