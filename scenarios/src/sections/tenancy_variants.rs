//! Identity confusion between users and tenants that the base tenancy
//! scenarios do not try: identifiers that a normalising store folds into
//! another user's (case, white space, NUL, full-width forms), and ticket
//! requests that try to re-scope a session by query parameter or header.
//! The known-dangerous forms are fixed cases; generated case variants are
//! added on top, with their seed noted.

use proptest::prelude::*;

use crate::checks::*;
use crate::contract::AuthFailure;
use crate::payload::Identity;
use crate::probe::{ApiCall, Probe, SeededUser, SigningKey, Tenant, UserSpec};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};
use crate::sections::tenancy::{own_session_listing, session_for, twins};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "TENANT-IDENTITY-EXACT",
        section: Section::Tenancy,
        level: Must,
        text: "Identifiers are opaque and matched exactly: an `externalUserId` differing from another user's only in letter case, surrounding white space, a NUL and what follows it, or full-width (compatibility) forms is another user, who sees none of the first user's tickets (or is refused with `invalid_payload`).",
        source: "Make sure the user payload contains a unique identifier (externalUserId, email, or phone).",
        surfaces: &[HttpStatus, RenderedText],
    },
    Requirement {
        id: "TENANT-IDENTIFIERS-DISTINCT",
        section: Section::Tenancy,
        level: Must,
        text: "Each identifier field is its own namespace, and a user with an `externalUserId` is that `externalUserId`: a user whose `externalUserId` (or phone) is another user's email, whose `externalUserId` is another user's phone, or who shares another user's email under a different `externalUserId`, is another user, who sees none of their tickets (or is refused with `invalid_payload`).",
        source: "Make sure the user payload contains a unique identifier (externalUserId, email, or phone).",
        surfaces: &[HttpStatus, RenderedText],
    },
];

/// `text` in full-width forms (U+FF01..U+FF5E for printable ASCII).
fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The known-dangerous spellings of `id` a normalising store confuses with it.
fn confusable_ids(id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("upper case", id.to_uppercase()),
        ("first letter upper case", {
            let mut chars = id.chars();
            chars
                .next()
                .map(|f| f.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }),
        ("a trailing space", format!("{id} ")),
        ("a leading space", format!(" {id}")),
        ("a trailing tab", format!("{id}\t")),
        ("NUL and more after it", format!("{id}\u{0}-attacker")),
        ("a trailing NUL", format!("{id}\u{0}")),
        ("full-width forms", fullwidth(id)),
    ]
}

/// A random letter-case variant of `id` (at least one letter flipped).
fn case_variants(id: &str) -> impl Strategy<Value = String> {
    let id = id.to_string();
    proptest::collection::vec(any::<bool>(), id.chars().count().max(1)).prop_map(move |flips| {
        let mut out: String = id
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
            .collect();
        if out == id {
            out = id.to_uppercase();
        }
        out
    })
}

async fn identity_exact(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let victim = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let Some(id) = victim.identity.external_user_id.clone() else {
        return Err(Verdict::incomplete("the seeded user has no externalUserId"));
    };
    if !id.chars().any(|ch| ch.is_ascii_lowercase()) {
        return Err(Verdict::incomplete(format!(
            "the seeded externalUserId {id:?} has no lower-case letter to vary"
        )));
    }
    own_session_listing(p, &mut c, &victim).await?;
    let mut variants = confusable_ids(&id);
    for generated in generate(p, "letter-case variants", case_variants(&id), 3) {
        variants.push(("generated letter case", generated));
    }
    let mut attempts: Vec<(String, Signed)> = Vec::new();
    for (what, variant) in variants {
        let attacker = Identity {
            external_user_id: Some(variant.clone()),
            email: None,
            phone: None,
        };
        let signed = sign_valid(p, Tenant::Primary, &attacker)?;
        attempts.push((
            format!("the victim's externalUserId with {what} ({variant:?})"),
            signed,
        ));
    }
    // The victim's identifier in another JSON type, signed exactly: a store
    // that coerces it to text (`String(["id"])` is `"id"`) names the victim.
    let expires = p.now() + crate::contract::RECOMMENDED_WINDOW_SECONDS;
    for (what, value) in [
        ("in a one-element array", serde_json::json!([id])),
        ("in a nested array", serde_json::json!([[id]])),
    ] {
        let user = serde_json::json!({ "externalUserId": value, "expiresAt": expires }).to_string();
        let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, user)?;
        attempts.push((format!("the victim's externalUserId {what}"), signed));
    }
    expect_none_of_victims(p, &mut c, &victim, attempts).await?;
    Ok(c.pass())
}

/// Each of `attempts` (what it is, a signed user of the primary tenant)
/// is refused with `invalid_payload`, or is accepted and sees none of
/// `victim`'s tickets, by list or by ID.
async fn expect_none_of_victims(
    p: &mut dyn Probe,
    c: &mut Checks,
    victim: &SeededUser,
    attempts: Vec<(String, Signed)>,
) -> Result<(), Verdict> {
    for (label, signed) in attempts {
        let reply = handshake(p, Tenant::Primary, &signed).await?;
        if reply.status != 200 {
            // Refusing a suspicious identifier is fine; the answer must be the documented one.
            expect_refused(c, &reply, AuthFailure::InvalidPayload, &label)?;
            continue;
        }
        let token = expect_accepted(c, &reply, &label)?;
        let list = p.api(tickets_request(&token, None)).await?;
        c.expect(
            list.status == 200 && !list.body.contains(&victim.canary),
            format!("{label}: lists none of the victim's tickets"),
            || describe(&list),
        )?;
        if let Some(ticket) = &victim.ticket_id {
            let one = p.api(tickets_request(&token, Some(ticket))).await?;
            c.expect(
                !one.body.contains(&victim.canary),
                format!("{label}: cannot read the victim's ticket by ID"),
                || describe(&one),
            )?;
        }
    }
    Ok(())
}

/// Victims identified by `externalUserId` and email, by email only and by
/// phone only (each first lists their own ticket: the premise); then, for
/// each, identities that share or reuse one of its values in another field.
async fn identifiers_distinct(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let full = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let by_email = p.seed_user(Tenant::Primary, UserSpec::EmailOnly).await?;
    let by_phone = p.seed_user(Tenant::Primary, UserSpec::PhoneOnly).await?;
    for victim in [&full, &by_email, &by_phone] {
        own_session_listing(p, &mut c, victim).await?;
    }
    let (Some(email), Some(only_email), Some(only_phone)) = (
        full.identity.email.clone(),
        by_email.identity.email.clone(),
        by_phone.identity.phone.clone(),
    ) else {
        return Err(Verdict::incomplete(
            "the seeded users lack the email or phone this scenario varies",
        ));
    };
    let other_id = p.unique("other");
    let cases: Vec<(&SeededUser, &str, Identity)> = vec![
        (
            &full,
            "another externalUserId with the victim's email",
            Identity {
                external_user_id: Some(other_id),
                email: Some(email),
                phone: None,
            },
        ),
        (
            &by_email,
            "the email-only victim's email as an externalUserId",
            Identity {
                external_user_id: Some(only_email.clone()),
                email: None,
                phone: None,
            },
        ),
        (
            &by_email,
            "the email-only victim's email as a phone",
            Identity {
                external_user_id: None,
                email: None,
                phone: Some(only_email),
            },
        ),
        (
            &by_phone,
            "the phone-only victim's phone as an externalUserId",
            Identity {
                external_user_id: Some(only_phone),
                email: None,
                phone: None,
            },
        ),
    ];
    for (victim, what, attacker) in cases {
        let signed = sign_valid(p, Tenant::Primary, &attacker)?;
        let label = format!("{what} ({})", attacker.label());
        expect_none_of_victims(p, &mut c, victim, vec![(label, signed)]).await?;
    }
    Ok(c.pass())
}

/// One re-scoping attempt: what it is, the path and query, extra headers.
type Attempt = (&'static str, String, Vec<(&'static str, String)>);

/// Headers through which a server might take the caller's identity from
/// the request: support-impersonation hooks, and the identity headers an
/// authenticating proxy sets (which a client can send as well).
pub const IDENTITY_HEADERS: &[(&str, IdentityField)] = &[
    ("x-user-id", IdentityField::Id),
    ("x-external-user-id", IdentityField::Id),
    ("x-userhero-user", IdentityField::Id),
    ("x-impersonate-user", IdentityField::Id),
    ("x-forwarded-user", IdentityField::Id),
    ("x-remote-user", IdentityField::Id),
    ("x-forwarded-email", IdentityField::Email),
    ("x-user-email", IdentityField::Email),
];

/// Which of a user's identifiers a header carries.
#[derive(Debug, Clone, Copy)]
pub enum IdentityField {
    Id,
    Email,
}

/// [`IDENTITY_HEADERS`], each naming the user `id` / `email`.
fn identity_headers(id: &str, email: &str) -> Vec<(&'static str, String)> {
    IDENTITY_HEADERS
        .iter()
        .map(|(name, field)| {
            let value = match field {
                IdentityField::Id => id,
                IdentityField::Email => email,
            };
            (*name, value.to_string())
        })
        .collect()
}

/// `call` with `headers` added.
fn with_headers(mut call: ApiCall, headers: &[(&str, String)]) -> ApiCall {
    for (name, value) in headers {
        call = call.header(*name, value.clone());
    }
    call
}

async fn request_cannot_rescope(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (own, twin) = twins(p).await?;
    let neighbour: SeededUser = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let token = session_for(p, &mut c, &own).await?;
    let neighbour_id = neighbour
        .identity
        .external_user_id
        .clone()
        .unwrap_or_default();
    let neighbour_email = neighbour.identity.email.clone().unwrap_or_default();
    let other_key = p.public_key(Tenant::Secondary);
    let path = crate::contract::TICKETS_PATH;
    let attempts: Vec<Attempt> = vec![
        (
            "a query naming the neighbour's externalUserId",
            format!("{path}?externalUserId={neighbour_id}"),
            vec![],
        ),
        (
            "a query naming the neighbour's email",
            format!("{path}?email={}", neighbour_email.replace('@', "%40")),
            vec![],
        ),
        (
            "the identifier twice in the query (parameter pollution)",
            format!("{path}?externalUserId={neighbour_id}&externalUserId={neighbour_id}&userId={neighbour_id}&user={neighbour_id}"),
            vec![],
        ),
        (
            "a query naming the other tenant's public key",
            format!("{path}?publicKey={other_key}&pk={other_key}&tenant=secondary"),
            vec![],
        ),
        (
            "a query naming a phone of nobody here",
            format!("{path}?phone=%2B15550100999&phoneNumber=%2B15550100999"),
            vec![],
        ),
        (
            "headers naming the other tenant",
            path.to_string(),
            vec![("x-public-key", other_key.clone()), ("x-tenant", "secondary".into())],
        ),
        (
            "headers naming the neighbour (impersonation and proxy identity headers)",
            path.to_string(),
            identity_headers(&neighbour_id, &neighbour_email),
        ),
    ];
    // By ID: the neighbour's ticket, asked for with headers naming them.
    if let Some(id) = neighbour.ticket_id.as_deref() {
        let headers = identity_headers(&neighbour_id, &neighbour_email);
        let reply = p
            .api(with_headers(tickets_request(&token, Some(id)), &headers))
            .await?;
        c.expect(
            (400..500).contains(&reply.status) && !reply.body.contains(&neighbour.canary),
            "the neighbour's ticket by ID, with headers naming the neighbour: refused (4xx), without its text",
            || describe(&reply),
        )?;
    }
    for (what, path, headers) in attempts {
        let call = with_headers(tickets_request(&token, None), &headers);
        let call = ApiCall { path, ..call };
        let reply = p.api(call).await?;
        // Refusing a request that tries to re-scope is as safe as ignoring
        // the attempt; answering with another scope is not.
        let refused = (400..500).contains(&reply.status);
        c.expect(
            refused || (reply.status == 200 && reply.body.contains(&own.canary)),
            format!("{what}: refused (4xx), or the session still lists its own ticket"),
            || describe(&reply),
        )?;
        c.expect(
            !reply.body.contains(&neighbour.canary) && !reply.body.contains(&twin.canary),
            format!("{what}: no ticket of another user or tenant"),
            || describe(&reply),
        )?;
    }
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "tenancy.identity-exact-match",
            title: "Identifiers that only a normalising store confuses are other users",
            section: Section::Tenancy,
            requirements: &["TENANT-IDENTITY-EXACT", "TENANT-SCOPED-BY-IDENTITY", "TENANT-NO-FOREIGN-OBJECTS"],
            level: Must,
            tags: &[Tag::Api, Tag::Tenant, Tag::Generated],
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Seeds a victim with a ticket, then signs in as the victim's externalUserId in upper case, with a leading/trailing space or tab, with a NUL (and more) after it, in full-width forms, in three generated letter-case variants, and inside a one-element and a nested array: each must be refused with `invalid_payload` or see none of the victim's tickets, by list or by ID.",
            how_to_fix: "Store and compare identifiers byte for byte: no case-insensitive collation, trimming, NUL truncation or Unicode normalisation.",
            run: run!(p => identity_exact(p)),
        },
        Scenario {
            id: "tenancy.identifier-fields-distinct",
            title: "One user's email or phone in another identifier field is another user",
            section: Section::Tenancy,
            requirements: &["TENANT-IDENTIFIERS-DISTINCT", "TENANT-SCOPED-BY-IDENTITY"],
            level: Must,
            tags: &[Tag::Api, Tag::Tenant],
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Seeds victims identified by externalUserId and email, by email only and by phone only, each listing their own ticket (the premise); then signs in with another externalUserId and the first victim's email, with the email-only victim's email as an externalUserId and as a phone, and with the phone-only victim's phone as an externalUserId: each must be refused with `invalid_payload` or see none of that victim's tickets, by list or by ID.",
            how_to_fix: "Key users by the field they were identified by (`externalUserId` first, then email, then phone), each in its own namespace: never one column for all three, and never an email match across different externalUserIds.",
            run: run!(p => identifiers_distinct(p)),
        },
        Scenario {
            id: "tenancy.request-cannot-rescope",
            title: "Query parameters and headers cannot re-scope a session",
            section: Section::Tenancy,
            requirements: &["TENANT-SCOPED-BY-IDENTITY", "TENANT-ISOLATION"],
            level: Must,
            tags: &[Tag::Api, Tag::Tenant],
            needs: &[Need::Users, Need::TwoTenants],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "With a user's own session, lists tickets adding a query naming a neighbour's externalUserId or email (also repeated), a phone query, a query naming the other tenant's public key, X-Public-Key / X-Tenant headers, or identity headers naming the neighbour (X-User-Id, X-External-User-Id, X-UserHero-User, X-Impersonate-User, X-Forwarded-User, X-Remote-User, X-Forwarded-Email, X-User-Email): every answer is a 4xx refusal or lists the user's own ticket, and none shows the neighbour's ticket or the same-ID user's in the other tenant; the neighbour's ticket by ID with those headers is refused.",
            how_to_fix: "Scope the ticket queries by the session's tenant and identity only; ignore identity or tenant in the request, and take no identity from headers a client can send (strip proxy identity headers at the edge, and keep support impersonation out of the customer-facing API).",
            run: run!(p => request_cannot_rescope(p)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;

    #[test]
    fn fullwidth_maps_printable_ascii() {
        assert_eq!(fullwidth("ab-1"), "ａｂ－１");
    }

    proptest! {
        #[test]
        fn case_variants_always_differ(flips in "[a-z0-9-]{1,12}") {
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            let value = case_variants(&flips).new_tree(&mut runner).unwrap().current();
            if flips.chars().any(|c| c.is_ascii_lowercase()) {
                prop_assert_ne!(value, flips);
            }
        }
    }
}
