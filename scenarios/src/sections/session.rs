//! "Session expired" message: `expiresAt`, `auth_expiring`, re-signing and
//! server-side expiry.

use std::time::Duration;

use crate::checks::*;
use crate::contract::wire::{
    AUTH_EXPIRING_DETAIL, FIELD_EXPIRES_AT, FIELD_SECONDS_LEFT, TICKETS_NO,
};
use crate::contract::{
    expiring_lead_seconds, AuthFailure, EVENT_AUTH_EXPIRING, EVENT_AUTH_FAILED, EVENT_READY,
    SESSION_EXPIRED_TEXT,
};
use crate::probe::{
    HostPage, OnExpiring, PageUser, PageView, Probe, SigningKey, Tenant, TokenEndpoint, UserSpec,
    WaitFor,
};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};
use crate::sections::tenancy::known_ids;

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "SESSION-LIFETIME",
        section: Section::Session,
        level: Must,
        text: "A session stays usable until its signed `expiresAt`.",
        source: "The signed expiresAt has passed.",
        surfaces: &[HttpStatus, RenderedText],
    },
    Requirement {
        id: "SESSION-EXPIRING-EVENT",
        section: Section::Session,
        level: Must,
        text: "`auth_expiring` fires before `expiresAt`, with a lead of 60 s or half the session's lifetime at the handshake when that is shorter (at least 1 s), give or take one second.",
        source: "Listen for the auth_expiring event and re-sign before the timer runs out",
        surfaces: &[SdkEvent],
    },
    Requirement {
        id: "SESSION-RESIGN-CONTINUES",
        section: Section::Session,
        level: Must,
        text: "`setUser` with a fresh signature, called from the `auth_expiring` handler, continues the session: no \"Session expired\" message, the tickets stay.",
        source: "UserHero.setUser(user, userHmac);",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "SESSION-EXPIRED-MESSAGE",
        section: Section::Session,
        level: Must,
        text: "Without a re-sign, the portal shows \"Session expired\" once `expiresAt` passes and no longer shows ticket data.",
        source: "\"Session expired\" message. The signed expiresAt has passed.",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "SESSION-SERVER-EXPIRY",
        section: Section::Session,
        level: Must,
        text: "Once `expiresAt` has passed the portal API refuses the old session (a 4xx answer; 401 `session_expired` recommended), whatever the page shows.",
        source: "The signed expiresAt has passed.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "SESSION-RESIGN-REFUSED",
        section: Section::Session,
        level: Must,
        text: "A re-sign with a bad or expired signature fires `auth_failed` (with its reason) and never extends the session: no ticket data shows after the original `expiresAt`. Keeping the tickets until then or clearing them at once are both conforming.",
        source: "re-sign before the timer runs out",
        surfaces: &[SdkEvent],
    },
];

/// The short lifetime the browser scenarios sign with.
const SHORT_LIFETIME: i64 = 6;
/// How long the re-sign scenarios watch: past the first session's expiresAt.
const PAST_EXPIRY: Duration = Duration::from_secs(SHORT_LIFETIME as u64 + 3);
/// The API session of `session.server-refuses-after-expiry`, in seconds.
const SERVER_EXPIRY_LIFETIME: i64 = 3;
/// The API session of `session.usable-until-expiry`, and how long before
/// its expiresAt it is used, in seconds.
const USABLE_LIFETIME: i64 = 8;
const USABLE_MARGIN: i64 = 2;

fn endpoint(tenant: Tenant, identity: crate::payload::Identity, lifetime: i64) -> TokenEndpoint {
    TokenEndpoint {
        tenant,
        identity,
        key: SigningKey::Current,
        clock_offset_seconds: 0,
        lifetime_seconds: lifetime,
        reserialize: false,
    }
}

/// A seeded user signed in for `SHORT_LIFETIME` seconds through the token
/// endpoint; `on_expiring` builds the page's reaction from the endpoint.
async fn short_session(
    p: &mut dyn Probe,
    on_expiring: fn(&mut dyn Probe, &TokenEndpoint) -> Result<OnExpiring, Verdict>,
    wait_for: WaitFor,
) -> Result<(PageView, String), Verdict> {
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let first = endpoint(Tenant::Primary, user.identity.clone(), SHORT_LIFETIME);
    let mut page = HostPage::new(PageUser::FromTokenEndpoint(first.clone()));
    page.on_expiring = on_expiring(p, &first)?;
    page.wait_for = vec![wait_for];
    page.deadline = Duration::from_secs(SHORT_LIFETIME as u64 + 8);
    Ok((p.open_page(page).await?, user.canary))
}

/// The session demonstrably started (ready), or the verdict why not.
fn started(view: &PageView) -> Result<(), Verdict> {
    if let Some(failed) = view
        .event(EVENT_AUTH_FAILED)
        .filter(|_| view.event(EVENT_READY).is_none())
    {
        // The page signed a valid short session: refusing it breaks
        // SESSION-LIFETIME (a session lasts until its signed expiresAt).
        return Err(Verdict::fail(
            format!("a validly signed {SHORT_LIFETIME} s session starts"),
            format!(
                "auth_failed ({}): {}",
                reason_of(failed).unwrap_or("?"),
                summary(view)
            ),
        ));
    }
    if view.event(EVENT_READY).is_none() {
        return Err(Verdict::incomplete(format!(
            "the session never became ready: {}",
            summary(view)
        )));
    }
    Ok(())
}

/// The re-sign scenarios act in the `auth_expiring` handler: a session
/// watched to its end without that event breaks SESSION-EXPIRING-EVENT
/// (they check it too); one watched less long says nothing.
fn expect_expiring_came(view: &PageView) -> Result<(), Verdict> {
    if view.event(EVENT_AUTH_EXPIRING).is_some() {
        return Ok(());
    }
    if view.watched_ms >= SHORT_LIFETIME as u64 * 1000 {
        return Err(Verdict::fail(
            "auth_expiring before expiresAt, so the page can re-sign",
            format!(
                "no auth_expiring in a {SHORT_LIFETIME} s session: {}",
                summary(view)
            ),
        ));
    }
    Err(Verdict::incomplete(format!(
        "no auth_expiring yet, and the page was watched only {} ms: {}",
        view.watched_ms,
        summary(view)
    )))
}

/// Whether the page was watched past the session's end.
fn watched_past_expiry(view: &PageView) -> bool {
    view.watched_ms >= (SHORT_LIFETIME as u64 + 2) * 1000
}

fn nothing(_: &mut dyn Probe, _: &TokenEndpoint) -> Result<OnExpiring, Verdict> {
    Ok(OnExpiring::Nothing)
}

async fn expiring_event(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (view, _) = short_session(p, nothing, WaitFor::Event(EVENT_AUTH_EXPIRING.into())).await?;
    started(&view)?;
    let Some(event) = view.event(EVENT_AUTH_EXPIRING) else {
        return Err(if watched_past_expiry(&view) {
            Verdict::fail(
                "auth_expiring before expiresAt",
                format!("none while watching past expiry: {}", summary(&view)),
            )
        } else {
            Verdict::incomplete(format!("watching ended before expiry: {}", summary(&view)))
        });
    };
    // expiresAt = floor(now) + 6 at the token fetch: 5-6 s of lifetime at
    // setUser, a lead of 2-3 s, so the event is due 2-4 s after setUser; one
    // second of tolerance either way, and always before expiry.
    let (early, late) = (
        (SHORT_LIFETIME - 1 - expiring_lead_seconds(SHORT_LIFETIME - 1) - 2) as u64 * 1000,
        (SHORT_LIFETIME - expiring_lead_seconds(SHORT_LIFETIME) + 1) as u64 * 1000,
    );
    c.expect(
        (early..=late).contains(&event.at_ms),
        format!("auth_expiring {early}-{late} ms after setUser"),
        || format!("auth_expiring at {} ms", event.at_ms),
    )?;
    let problems = AUTH_EXPIRING_DETAIL.violations(&event.detail);
    c.expect(
        problems.is_empty(),
        format!("detail has the contract's fields (`{FIELD_EXPIRES_AT}`, unix seconds)"),
        || format!("detail {}: {}", event.detail, problems.join("; ")),
    )?;
    // `secondsLeft` is the implementation's choice; when given, it is the lead.
    if let Some(seconds_left) = event.detail.get(FIELD_SECONDS_LEFT) {
        let lead = expiring_lead_seconds(SHORT_LIFETIME) + 1;
        c.expect(
            seconds_left
                .as_f64()
                .is_some_and(|s| (1.0..=lead as f64).contains(&s)),
            format!("detail.{FIELD_SECONDS_LEFT}, when given, is the lead (1-{lead} s)"),
            || format!("detail {}", event.detail),
        )?;
    }
    Ok(c.pass())
}

/// Re-signs each time with another short lifetime, so the re-signed
/// session's own `auth_expiring` falls inside the watch.
fn resign(_: &mut dyn Probe, first: &TokenEndpoint) -> Result<OnExpiring, Verdict> {
    Ok(OnExpiring::Resign(TokenEndpoint {
        lifetime_seconds: SHORT_LIFETIME,
        ..first.clone()
    }))
}

async fn resign_continues(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let wait = WaitFor::Elapsed(PAST_EXPIRY);
    let (view, canary) = short_session(p, resign, wait).await?;
    started(&view)?;
    expect_expiring_came(&view)?;
    c.expect(
        true,
        "auth_expiring fired and the page re-signed",
        String::new,
    )?;
    c.expect(
        view.event(EVENT_AUTH_FAILED).is_none(),
        "the re-sign was accepted (no auth_failed)",
        || summary(&view),
    )?;
    // The re-signed session (6 s from about 3 s in) warns again about 6 s
    // in, inside the watch (and is re-signed again, so it lasts past it):
    // a timer armed once leaves it to die unwarned.
    let warnings = view
        .events
        .iter()
        .filter(|e| e.name == EVENT_AUTH_EXPIRING)
        .count();
    c.expect(
        warnings >= 2,
        "auth_expiring fires again for the re-signed session",
        || {
            format!(
                "{warnings} auth_expiring in {} ms: {}",
                view.watched_ms,
                summary(&view)
            )
        },
    )?;
    if !watched_past_expiry(&view) {
        return Err(Verdict::incomplete(format!(
            "watching ended before the first expiresAt: {}",
            summary(&view)
        )));
    }
    c.expect(
        true,
        format!("watched {} ms, past the first expiresAt", view.watched_ms),
        String::new,
    )?;
    let text = view.frame_text().unwrap_or("");
    c.expect(
        !text.contains(SESSION_EXPIRED_TEXT),
        "no \"Session expired\" after a re-sign",
        || summary(&view),
    )?;
    c.expect(
        text.contains(&canary),
        "the tickets still show after the first expiresAt",
        || summary(&view),
    )?;
    Ok(c.pass())
}

async fn expired_message(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (view, canary) =
        short_session(p, nothing, WaitFor::FrameText(SESSION_EXPIRED_TEXT.into())).await?;
    started(&view)?;
    let text = view.frame_text().unwrap_or("");
    if !text.contains(SESSION_EXPIRED_TEXT) {
        return Err(if watched_past_expiry(&view) {
            Verdict::fail("\"Session expired\" once expiresAt passed", summary(&view))
        } else {
            Verdict::incomplete(format!("watching ended before expiry: {}", summary(&view)))
        });
    }
    c.expect(true, "the frame shows \"Session expired\"", String::new)?;
    c.expect(
        !text.contains(&canary),
        "no ticket text once expired",
        || summary(&view),
    )?;
    Ok(c.pass())
}

fn bad_resign(p: &mut dyn Probe, first: &TokenEndpoint) -> Result<OnExpiring, Verdict> {
    // Signed with a secret no tenant has: wrong in every digit, so the
    // refusal does not hinge on how thoroughly the HMAC is compared
    // (that is AUTH-HMAC-TAMPER's scenarios' job).
    let signed = sign_identity(p, first.tenant, SigningKey::Unrelated, &first.identity, 300)?;
    Ok(OnExpiring::SetUser {
        user: signed.user,
        hmac: signed.hmac,
    })
}

async fn bad_resign_fails(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    // Watched past the original expiresAt whatever the frame shows: the
    // session may end at once or at expiresAt (SESSION-RESIGN-REFUSED).
    let wait = WaitFor::Elapsed(PAST_EXPIRY);
    let (view, canary) = short_session(p, bad_resign, wait).await?;
    started(&view)?;
    expect_expiring_came(&view)?;
    let Some(expiring) = view.event(EVENT_AUTH_EXPIRING) else {
        return Err(Verdict::incomplete(summary(&view)));
    };
    let failed = view
        .events
        .iter()
        .find(|e| e.name == EVENT_AUTH_FAILED && e.at_ms >= expiring.at_ms);
    let Some(failed) = failed else {
        return Err(Verdict::fail(
            "auth_failed for the refused re-sign",
            summary(&view),
        ));
    };
    c.expect(
        reason_of(failed) == Some(AuthFailure::InvalidSignature.as_str()),
        "auth_failed (invalid_signature) after the bad re-sign",
        || format!("auth_failed detail {}", failed.detail),
    )?;
    if !watched_past_expiry(&view) {
        return Err(Verdict::incomplete(format!(
            "watching ended before the original expiresAt: {}",
            summary(&view)
        )));
    }
    c.expect(
        !view.shows(&canary),
        "the session was not extended: no ticket shows after the original expiresAt",
        || summary(&view),
    )?;
    Ok(c.pass())
}

/// An API session for `identity` with `lifetime` seconds, whose ticket
/// list answers 200 at the start (the premise): its token and expiry.
async fn api_session(
    p: &mut dyn Probe,
    c: &mut Checks,
    identity: &crate::payload::Identity,
    lifetime: i64,
) -> Result<(String, i64), Verdict> {
    let signed = sign_identity(p, Tenant::Primary, SigningKey::Current, identity, lifetime)?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    let token = expect_accepted(c, &reply, &format!("a {lifetime} s session"))?;
    let expires_at = expires_at_of(&reply).unwrap_or(p.now() + lifetime);
    let list = p.api(tickets_request(&token, None)).await?;
    c.expect(
        list.status == 200,
        "the ticket list answers 200 at the start",
        || describe(&list),
    )?;
    Ok((token, expires_at))
}

async fn server_expiry(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let (token, expires_at) =
        api_session(p, &mut c, &user.identity, SERVER_EXPIRY_LIFETIME).await?;
    // The premise: while alive, the session reads its ticket both ways.
    let list = p.api(tickets_request(&token, None)).await?;
    c.expect(
        list.status == 200 && list.body.contains(&user.canary),
        "the ticket list answers 200 with the user's ticket at the start",
        || describe(&list),
    )?;
    let by_id = known_ids(&user, &list).into_iter().next();
    if let Some(id) = &by_id {
        let one = p.api(tickets_request(&token, Some(id))).await?;
        c.expect(
            one.status == 200 && one.body.contains(&user.canary),
            format!("ticket {id} answers 200 at the start"),
            || describe(&one),
        )?;
    }
    p.wait_until(expires_at).await?;
    let deadline = expires_at + 3;
    loop {
        let reply = p.api(tickets_request(&token, None)).await?;
        if TICKETS_NO.status.admits(reply.status) {
            c.expect(
                true,
                format!(
                    "the list refused ({}) once expiresAt passed",
                    TICKETS_NO.status.render()
                ),
                String::new,
            )?;
            // Every route checks expiry, not only the list.
            if let Some(id) = &by_id {
                let one = p.api(tickets_request(&token, Some(id))).await?;
                c.expect(
                    TICKETS_NO.status.admits(one.status) && !one.body.contains(&user.canary),
                    format!(
                        "ticket {id} refused ({}) too, without its text",
                        TICKETS_NO.status.render()
                    ),
                    || describe(&one),
                )?;
            }
            return Ok(c.pass());
        }
        if p.now() >= deadline {
            return Err(Verdict::fail(
                format!(
                    "the old session refused ({}) by expiresAt + 3 s",
                    TICKETS_NO.status.render()
                ),
                describe(&reply),
            ));
        }
        let next = p.now() + 1;
        p.wait_until(next).await?;
    }
}

async fn usable_until_expiry(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let (token, expires_at) = api_session(p, &mut c, &identity, USABLE_LIFETIME).await?;
    p.wait_until(expires_at - USABLE_MARGIN).await?;
    let reply = p.api(tickets_request(&token, None)).await?;
    c.expect(
        reply.status == 200,
        "the ticket list still answers 200 two seconds before expiresAt",
        || describe(&reply),
    )?;
    Ok(c.pass())
}

const BROWSER: &[Tag] = &[Tag::Browser, Tag::Session, Tag::Sdk];
const API: &[Tag] = &[Tag::Api, Tag::Session];
const NEEDS: &[Need] = &[Need::Browser, Need::Users];
const PAGE_BUDGET: Duration = Duration::from_secs(SHORT_LIFETIME as u64 + 15);

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "session.expiring-event-timing",
            title: "auth_expiring fires before expiresAt with the documented lead",
            section: Section::Session,
            requirements: &["SESSION-EXPIRING-EVENT", "SDK-EVENTS", "SESSION-LIFETIME"],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: PAGE_BUDGET,
            wait: Duration::from_secs(SHORT_LIFETIME as u64 / 2),
            description: "Signs in through the token endpoint with a 6 s lifetime: auth_expiring must come 1-4 s after setUser (lead: half the lifetime), with detail.expiresAt (and detail.secondsLeft, if given, the lead).",
            how_to_fix: "Schedule auth_expiring at expiresAt - min(60, lifetime/2) (at least 1 s) from the handshake's secondsRemaining.",
            run: run!(p => expiring_event(p)),
        },
        Scenario {
            id: "session.resign-continues",
            title: "A re-sign from auth_expiring continues the session",
            section: Section::Session,
            requirements: &[
                "SESSION-RESIGN-CONTINUES",
                "SESSION-LIFETIME",
                "SESSION-EXPIRING-EVENT",
            ],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: PAGE_BUDGET,
            wait: PAST_EXPIRY,
            description: "6 s session whose auth_expiring handler fetches a fresh 6 s token and calls setUser: 9 s in, the frame still shows the ticket, no \"Session expired\", no auth_failed, and auth_expiring has fired again for the re-signed session.",
            how_to_fix: "On setUser after the first, hand the new session to the frame and reschedule expiry and auth_expiring from it.",
            run: run!(p => resign_continues(p)),
        },
        Scenario {
            id: "session.expired-message",
            title: "Without a re-sign the portal shows \"Session expired\"",
            section: Section::Session,
            requirements: &["SESSION-EXPIRED-MESSAGE", "SESSION-LIFETIME"],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: PAGE_BUDGET,
            wait: Duration::from_secs(SHORT_LIFETIME as u64),
            description: "6 s session, no re-sign: the frame must show \"Session expired\" after expiresAt and no longer the ticket.",
            how_to_fix: "At expiresAt without a new session, clear the tickets and show exactly \"Session expired\".",
            run: run!(p => expired_message(p)),
        },
        Scenario {
            id: "session.bad-resign-fails",
            title: "A re-sign with a bad signature fails and does not extend the session",
            section: Section::Session,
            requirements: &[
                "SESSION-RESIGN-REFUSED",
                "SDK-AUTH-FAILED-REASON",
                "SESSION-LIFETIME",
                "AUTH-FAIL-IMMEDIATE",
                "SESSION-EXPIRING-EVENT",
                "SESSION-EXPIRED-MESSAGE",
            ],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: PAGE_BUDGET,
            wait: PAST_EXPIRY,
            description: "6 s session whose auth_expiring handler calls setUser with an HMAC made with a secret no tenant has: auth_failed (`invalid_signature`) must follow, and 9 s in (past the original expiresAt) no ticket may show, whether the session ended at once or at expiresAt.",
            how_to_fix: "Report a refused re-sign with auth_failed and keep the original expiry (or end the session at once); never extend it.",
            run: run!(p => bad_resign_fails(p)),
        },
        Scenario {
            id: "session.server-refuses-after-expiry",
            title: "The API refuses a session once expiresAt passed",
            section: Section::Session,
            requirements: &["SESSION-SERVER-EXPIRY", "SESSION-LIFETIME"],
            level: Must,
            tags: API,
            needs: &[Need::Users],
            budget: Duration::from_secs(SERVER_EXPIRY_LIFETIME as u64 + 15),
            wait: Duration::from_secs(SERVER_EXPIRY_LIFETIME as u64),
            description: "Seeds a user with a ticket and opens a 3 s session (the list and the ticket by ID answer 200 with its text), waits until expiresAt, then polls the ticket list: refused (any 4xx) within 3 s, and then the ticket by ID refused too, without its text.",
            how_to_fix: "Check the session's expiresAt on every API call and refuse it (401 `session_expired` recommended).",
            run: run!(p => server_expiry(p)),
        },
        Scenario {
            id: "session.usable-until-expiry",
            title: "A session stays usable until its expiresAt",
            section: Section::Session,
            requirements: &["SESSION-LIFETIME"],
            level: Must,
            tags: API,
            needs: &[],
            budget: Duration::from_secs(USABLE_LIFETIME as u64 + 15),
            wait: Duration::from_secs((USABLE_LIFETIME - USABLE_MARGIN) as u64),
            description: "Opens an 8 s session and lists tickets 2 s before expiresAt: still 200.",
            how_to_fix: "Expire sessions at the signed expiresAt, not earlier.",
            run: run!(p => usable_until_expiry(p)),
        },
    ]
}
