//! "Customers see another customer's tickets": every call scoped by the
//! signed identity, within its tenant.

use crate::checks::*;
use crate::contract::wire::TICKET_NOT_YOURS;
use crate::contract::{AuthFailure, RECOMMENDED_WINDOW_SECONDS};
use crate::payload::Identity;
use crate::probe::{ApiReply, Probe, SeededUser, SigningKey, Tenant, UserSpec};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

/// One user's tickets never reach another user: also judged on every page
/// ([`super::sdk_exposure::foreign_tickets`]).
pub const SCOPED_BY_IDENTITY: &str = "TENANT-SCOPED-BY-IDENTITY";

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: SCOPED_BY_IDENTITY,
        section: Section::Tenancy,
        level: Must,
        text: "Every ticket API call returns only the signed identity's tickets: one user's ticket text never reaches another user, in the portal or in any API response. Also checked on every page of every scenario: no ticket text of a user another scenario seeded (or a declared user the scenario did not ask for) shows in the portal frame, the host page, a URL, storage, a console or a window message.",
        source: "This should never happen. Every API call inside the portal is scoped by the signed identity.",
        surfaces: &[RenderedText, HttpStatus],
    },
    Requirement {
        id: "TENANT-NO-FOREIGN-OBJECTS",
        section: Section::Tenancy,
        level: Must,
        text: "A ticket of another identity, requested by its ID with one's own session, is refused (any 4xx; 404 recommended, so that it cannot be told from a missing ticket) and none of its data is returned.",
        source: "Every API call inside the portal is scoped by the signed identity.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "TENANT-ISOLATION",
        section: Section::Tenancy,
        level: Must,
        text: "Identities are scoped within their tenant: the same `externalUserId` in two tenants is two users who never see each other's tickets.",
        source: "Customers see another customer's tickets",
        surfaces: &[HttpStatus, RenderedText],
    },
    Requirement {
        id: "TENANT-NO-HMAC-REUSE",
        section: Section::Tenancy,
        level: Must,
        text: "An HMAC valid for one user's payload is refused with any other user's payload: a signature is bound to its exact string.",
        source: "Confirm you're not reusing the same HMAC across users (re-sign per request).",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "TENANT-UNIQUE-IDENTIFIER",
        section: Section::Tenancy,
        level: Must,
        text: "A payload with no non-empty `externalUserId`, `email` or `phone` is refused with `invalid_payload`; a payload with any one of them is accepted.",
        source: "Make sure the user payload contains a unique identifier (externalUserId, email, or phone).",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "TENANT-PRIVATE-CACHING",
        section: Section::Tenancy,
        level: Must,
        text: "Per-user API responses (the handshake's answer with its session token, ticket lists, tickets) carry `Cache-Control: no-store` or `private`, so no shared cache can serve one user's session or tickets to another.",
        source: "Every API call inside the portal is scoped by the signed identity.",
        surfaces: &[HttpHeader],
    },
];

/// A session token for a seeded user, from a handshake on its tenant's site.
pub(crate) async fn session_for(
    p: &mut dyn Probe,
    c: &mut Checks,
    user: &SeededUser,
) -> Result<String, Verdict> {
    let signed = sign_valid(p, user.tenant, &user.identity)?;
    let reply = handshake(p, user.tenant, &signed).await?;
    expect_accepted(
        c,
        &reply,
        &format!("handshake as {}", user.identity.label()),
    )
}

/// The premise of a scenario about `user`'s tickets: a session of their
/// own, whose list shows their ticket. Returns the session token.
pub(crate) async fn own_session_listing(
    p: &mut dyn Probe,
    c: &mut Checks,
    user: &SeededUser,
) -> Result<String, Verdict> {
    let token = session_for(p, c, user).await?;
    let own = p.api(tickets_request(&token, None)).await?;
    c.expect(
        own.status == 200 && own.body.contains(&user.canary),
        format!(
            "premise: {}'s own session lists their ticket",
            user.identity.label()
        ),
        || describe(&own),
    )?;
    Ok(token)
}

/// The list answer holds `own` and not `foreign`.
fn expect_only_own(
    c: &mut Checks,
    reply: &ApiReply,
    own: &SeededUser,
    foreign: &SeededUser,
    what: &str,
) -> Result<(), Verdict> {
    c.expect(
        reply.status == 200 && reply.body.contains(&own.canary),
        format!("{what}: lists the user's own ticket"),
        || describe(reply),
    )?;
    c.expect(
        !reply.body.contains(&foreign.canary),
        format!("{what}: no ticket text of another user"),
        || describe(reply),
    )
}

/// The IDs of a user's tickets: the seeded one and whatever their list shows.
pub(crate) fn known_ids(user: &SeededUser, list: &ApiReply) -> Vec<String> {
    let mut ids: Vec<String> = user.ticket_id.iter().cloned().collect();
    for id in ticket_ids(list) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

async fn replay_with_other_session(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let alice = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let bob = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let alice_token = session_for(p, &mut c, &alice).await?;
    let bob_token = session_for(p, &mut c, &bob).await?;
    let alice_list = p.api(tickets_request(&alice_token, None)).await?;
    expect_only_own(
        &mut c,
        &alice_list,
        &alice,
        &bob,
        "A's list with A's session",
    )?;
    let ids = known_ids(&alice, &alice_list);
    if ids.is_empty() {
        return Err(Verdict::incomplete(
            "A's ticket IDs are unknown: the list has no `id` and the seed gave none",
        ));
    }
    // Replay every request A made, with B's session (Autorize-style).
    let bob_list = p.api(tickets_request(&bob_token, None)).await?;
    expect_only_own(
        &mut c,
        &bob_list,
        &bob,
        &alice,
        "the list replayed with B's session",
    )?;
    for id in &ids {
        let own = p.api(tickets_request(&alice_token, Some(id))).await?;
        c.expect(
            own.status == 200 && own.body.contains(&alice.canary),
            format!("A's ticket {id} with A's session"),
            || describe(&own),
        )?;
        let replayed = p.api(tickets_request(&bob_token, Some(id))).await?;
        c.expect(
            TICKET_NOT_YOURS.status.admits(replayed.status),
            format!(
                "A's ticket {id} with B's session: refused ({})",
                TICKET_NOT_YOURS.status.render()
            ),
            || describe(&replayed),
        )?;
        c.expect(
            !replayed.body.contains(&alice.canary),
            format!("A's ticket {id} with B's session: no ticket text"),
            || describe(&replayed),
        )?;
    }
    Ok(c.pass())
}

async fn other_users_ticket_not_shown(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let alice = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let bob = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &bob.identity)?;
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    expect_ready(&mut c, &view, Some(&bob.canary))?;
    expect_not_shown(&mut c, &view, &alice.canary, "another user's")?;
    Ok(c.pass())
}

/// A user in the primary tenant and one with the same externalUserId in the secondary.
pub(crate) async fn twins(p: &mut dyn Probe) -> Result<(SeededUser, SeededUser), Verdict> {
    let primary = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let secondary = p
        .seed_user(
            Tenant::Secondary,
            UserSpec::SameIdAs(primary.identity.clone()),
        )
        .await?;
    if secondary.identity.external_user_id != primary.identity.external_user_id {
        return Err(Verdict::incomplete(
            "the target could not give both tenants the same externalUserId",
        ));
    }
    Ok((primary, secondary))
}

async fn same_id_across_tenants(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (primary, secondary) = twins(p).await?;
    let primary_token = session_for(p, &mut c, &primary).await?;
    let secondary_token = session_for(p, &mut c, &secondary).await?;
    let list = p.api(tickets_request(&primary_token, None)).await?;
    expect_only_own(&mut c, &list, &primary, &secondary, "primary tenant's list")?;
    let ids = known_ids(&primary, &list);
    let list = p.api(tickets_request(&secondary_token, None)).await?;
    expect_only_own(
        &mut c,
        &list,
        &secondary,
        &primary,
        "secondary tenant's list, same externalUserId",
    )?;
    for id in &ids {
        let reply = p.api(tickets_request(&secondary_token, Some(id))).await?;
        c.expect(
            TICKET_NOT_YOURS.status.admits(reply.status) && !reply.body.contains(&primary.canary),
            format!(
                "primary tenant's ticket {id} from the secondary tenant: refused ({})",
                TICKET_NOT_YOURS.status.render()
            ),
            || describe(&reply),
        )?;
    }
    Ok(c.pass())
}

async fn same_id_across_tenants_browser(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (primary, secondary) = twins(p).await?;
    let signed = sign_valid(p, Tenant::Secondary, &secondary.identity)?;
    let view = p.open_page(signed_page(Tenant::Secondary, &signed)).await?;
    expect_ready(&mut c, &view, Some(&secondary.canary))?;
    expect_not_shown(
        &mut c,
        &view,
        &primary.canary,
        "the other tenant's same-ID user's",
    )?;
    Ok(c.pass())
}

async fn hmac_reuse(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (alice, bob) = (fresh_identity(p), fresh_identity(p));
    let alice_signed = sign_valid(p, Tenant::Primary, &alice)?;
    let reply = handshake(p, Tenant::Primary, &alice_signed).await?;
    expect_accepted(&mut c, &reply, "A's own string and HMAC")?;
    let bob_string = bob.compact(p.now() + RECOMMENDED_WINDOW_SECONDS);
    let reply = handshake_from(
        p,
        Tenant::Primary,
        home_site(Tenant::Primary),
        &bob_string,
        &alice_signed.hmac,
    )
    .await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::InvalidSignature,
        "B's string with A's HMAC",
    )?;
    Ok(c.pass())
}

async fn hmac_reuse_browser(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let alice = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let bob = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let alice_signed = sign_valid(p, Tenant::Primary, &alice.identity)?;
    let reply = handshake(p, Tenant::Primary, &alice_signed).await?;
    expect_accepted(&mut c, &reply, "A's own string and HMAC (API)")?;
    let reused = Signed {
        user: bob.identity.compact(p.now() + RECOMMENDED_WINDOW_SECONDS),
        hmac: alice_signed.hmac,
    };
    let view = p.open_page(signed_page(Tenant::Primary, &reused)).await?;
    expect_auth_failed(&mut c, &view, AuthFailure::InvalidSignature)?;
    expect_not_shown(&mut c, &view, &alice.canary, "A's")?;
    expect_not_shown(&mut c, &view, &bob.canary, "B's")?;
    Ok(c.pass())
}

async fn no_identifier(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let exp = p.now() + RECOMMENDED_WINDOW_SECONDS;
    let strings = [
        ("only expiresAt", format!("{{\"expiresAt\":{exp}}}")),
        (
            "an empty externalUserId",
            format!("{{\"externalUserId\":\"\",\"expiresAt\":{exp}}}"),
        ),
        (
            "all identifiers empty",
            format!(
                "{{\"externalUserId\":\"\",\"email\":\"\",\"phone\":\"\",\"expiresAt\":{exp}}}"
            ),
        ),
        (
            "identifiers null",
            format!("{{\"externalUserId\":null,\"email\":null,\"expiresAt\":{exp}}}"),
        ),
        (
            "an identifier that is not a string",
            format!("{{\"externalUserId\":{{}},\"expiresAt\":{exp}}}"),
        ),
    ];
    for (what, user) in strings {
        let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, user)?;
        let reply = handshake(p, Tenant::Primary, &signed).await?;
        expect_refused(
            &mut c,
            &reply,
            AuthFailure::InvalidPayload,
            &format!("payload with {what}"),
        )?;
    }
    Ok(c.pass())
}

async fn single_identifier(p: &mut dyn Probe, spec: UserSpec) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, spec.clone()).await?;
    let identity: &Identity = &user.identity;
    let present = [&identity.external_user_id, &identity.email, &identity.phone]
        .iter()
        .filter(|v| v.is_some())
        .count();
    if present != 1 {
        return Err(Verdict::incomplete(format!(
            "the target gave a {spec:?} user {present} identifiers"
        )));
    }
    let token = session_for(p, &mut c, &user).await?;
    let list = p.api(tickets_request(&token, None)).await?;
    c.expect(
        list.status == 200 && list.body.contains(&user.canary),
        format!("the {spec:?} user's ticket is listed"),
        || describe(&list),
    )?;
    Ok(c.pass())
}

async fn private_caching(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    // The handshake's answer is per user too: it carries the session token.
    let signed = sign_valid(p, user.tenant, &user.identity)?;
    let accepted = handshake(p, user.tenant, &signed).await?;
    let token = expect_accepted(&mut c, &accepted, "handshake")?;
    let list = p.api(tickets_request(&token, None)).await?;
    let ids = known_ids(&user, &list);
    let mut replies = vec![
        ("handshake answer".to_string(), accepted),
        ("ticket list".to_string(), list),
    ];
    if let Some(id) = ids.first() {
        replies.push((
            format!("ticket {id}"),
            p.api(tickets_request(&token, Some(id))).await?,
        ));
    }
    for (what, reply) in replies {
        c.expect(reply.status == 200, format!("{what}: 200"), || {
            describe(&reply)
        })?;
        let cache = reply
            .header("cache-control")
            .unwrap_or("")
            .to_ascii_lowercase();
        let private = cache.contains("no-store") || cache.contains("private");
        let shared = cache.contains("public") || cache.contains("s-maxage");
        c.expect(
            private && !shared,
            format!("{what}: Cache-Control no-store/private ({cache})"),
            || format!("Cache-Control: {cache:?}"),
        )?;
    }
    Ok(c.pass())
}

const API: &[Tag] = &[Tag::Api, Tag::Tenant];
const BROWSER: &[Tag] = &[Tag::Browser, Tag::Tenant];

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "tenancy.other-users-ticket-not-shown",
            title: "One user's portal never shows another user's ticket",
            section: Section::Tenancy,
            requirements: &["TENANT-SCOPED-BY-IDENTITY"],
            level: Must,
            tags: BROWSER,
            needs: &[Need::Browser, Need::Users],
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Seeds users A and B with canary tickets, signs B in: B's portal shows B's ticket and A's canary shows nowhere on the page.",
            how_to_fix: "Filter every ticket query by the session's signed identity and tenant.",
            run: run!(p => other_users_ticket_not_shown(p)),
        },
        Scenario {
            id: "tenancy.replay-with-other-session",
            title: "A's requests replayed with B's session reveal nothing of A",
            section: Section::Tenancy,
            requirements: &["TENANT-SCOPED-BY-IDENTITY", "TENANT-NO-FOREIGN-OBJECTS"],
            level: Must,
            tags: API,
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Autorize-style: opens sessions as A and B, learns A's ticket IDs from A's list, then replays the list and each by-ID request with B's token: no A canary in any answer and 404 for A's IDs.",
            how_to_fix: "Scope the list and the by-ID lookup by the session's identity; answer 404 for tickets of anyone else.",
            run: run!(p => replay_with_other_session(p)),
        },
        Scenario {
            id: "tenancy.same-id-across-tenants",
            title: "The same externalUserId in two tenants is two users",
            section: Section::Tenancy,
            requirements: &["TENANT-ISOLATION", "TENANT-NO-FOREIGN-OBJECTS"],
            level: Must,
            tags: API,
            needs: &[Need::Users, Need::TwoTenants],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Seeds the same externalUserId in both tenants, each with its own canary ticket: each tenant's session lists only its own ticket, and the primary's ticket ID is 404 for the secondary's session.",
            how_to_fix: "Key identities by (tenant, identifier), never by the identifier alone.",
            run: run!(p => same_id_across_tenants(p)),
        },
        Scenario {
            id: "tenancy.same-id-across-tenants-browser",
            title: "The other tenant's same-ID user never shows in the portal",
            section: Section::Tenancy,
            requirements: &["TENANT-ISOLATION"],
            level: Must,
            tags: BROWSER,
            needs: &[Need::Browser, Need::Users, Need::TwoTenants],
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Seeds the same externalUserId in both tenants and signs in on the secondary tenant's shop: its ticket shows, the primary tenant's canary shows nowhere.",
            how_to_fix: "Key identities by (tenant, identifier), never by the identifier alone.",
            run: run!(p => same_id_across_tenants_browser(p)),
        },
        Scenario {
            id: "tenancy.hmac-reuse-refused",
            title: "One user's HMAC does not sign in another user",
            section: Section::Tenancy,
            requirements: &["TENANT-NO-HMAC-REUSE"],
            level: Must,
            tags: &[Tag::Api, Tag::Tenant, Tag::Auth],
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs A in (accepted), then sends B's user string with A's HMAC: must be `invalid_signature`.",
            how_to_fix: "Verify every handshake's HMAC against its own user string; never cache accepted HMACs.",
            run: run!(p => hmac_reuse(p)),
        },
        Scenario {
            id: "tenancy.hmac-reuse-refused-browser",
            title: "A page reusing another user's HMAC fails",
            section: Section::Tenancy,
            requirements: &["TENANT-NO-HMAC-REUSE", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: &[Tag::Browser, Tag::Tenant, Tag::Auth],
            needs: &[Need::Browser, Need::Users],
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Signs A in through the API, then opens a page calling setUser with B's string and A's HMAC: auth_failed `invalid_signature`, and neither A's nor B's ticket shows.",
            how_to_fix: "Verify every handshake's HMAC against its own user string.",
            run: run!(p => hmac_reuse_browser(p)),
        },
        Scenario {
            id: "tenancy.no-identifier-refused",
            title: "A payload without an identifier is `invalid_payload`",
            section: Section::Tenancy,
            requirements: &["TENANT-UNIQUE-IDENTIFIER"],
            level: Must,
            tags: &[Tag::Api, Tag::Tenant, Tag::Auth],
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Signs exactly and sends payloads with only expiresAt, empty identifiers, null identifiers and a non-string identifier: each must be `invalid_payload`.",
            how_to_fix: "Require at least one non-empty string among externalUserId, email and phone.",
            run: run!(p => no_identifier(p)),
        },
        Scenario {
            id: "tenancy.email-only-accepted",
            title: "An email-only payload is accepted",
            section: Section::Tenancy,
            requirements: &["TENANT-UNIQUE-IDENTIFIER"],
            level: Must,
            tags: API,
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Seeds a user with only an email and signs them in: accepted, and their ticket is listed.",
            how_to_fix: "Accept any one of externalUserId, email, phone as the identity.",
            run: run!(p => single_identifier(p, UserSpec::EmailOnly)),
        },
        Scenario {
            id: "tenancy.phone-only-accepted",
            title: "A phone-only payload is accepted",
            section: Section::Tenancy,
            requirements: &["TENANT-UNIQUE-IDENTIFIER"],
            level: Must,
            tags: API,
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Seeds a user with only a phone and signs them in: accepted, and their ticket is listed.",
            how_to_fix: "Accept any one of externalUserId, email, phone as the identity.",
            run: run!(p => single_identifier(p, UserSpec::PhoneOnly)),
        },
        Scenario {
            id: "tenancy.private-caching",
            title: "Ticket answers are not cacheable by shared caches",
            section: Section::Tenancy,
            requirements: &["TENANT-PRIVATE-CACHING"],
            level: Must,
            tags: API,
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Opens a session and fetches the ticket list and one ticket: the handshake answer (it carries the session token) and both ticket answers must carry Cache-Control with no-store or private and without public or s-maxage.",
            how_to_fix: "Send `Cache-Control: no-store, private` on every per-user API answer.",
            run: run!(p => private_caching(p)),
        },
    ]
}
