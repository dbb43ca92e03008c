//! Ticket text and identity fields are data, never markup: a ticket's
//! subject arrives from whoever wrote to support (an inbound e-mail, a
//! form), and `externalUserId` is whatever the customer's users picked.
//! Parsed as HTML in the portal frame, either runs with the signed user's
//! session, which then reaches beyond that identity's scope.

use std::time::Duration;

use crate::checks::*;
use crate::contract::{AuthFailure, EVENT_AUTH_FAILED, EVENT_READY};
use crate::probe::{HostPage, PageView, Probe, Tenant, UserSpec, WaitFor};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    id: "TENANT-TICKET-TEXT-INERT",
    section: Section::Tenancy,
    level: Must,
    text: "The portal shows ticket text and the signed identity's fields as text: markup in a ticket's subject shows verbatim, and nothing that markup names (an image, a script, a style sheet) is fetched or run, in the frame or the host page.",
    source: "Every API call inside the portal is scoped by the signed identity.",
    surfaces: &[RenderedText, Network],
}];

/// How long the network must stay quiet after `ready` before "nothing was
/// fetched" concludes (any request restarts it).
const QUIET: Duration = Duration::from_millis(1000);

/// Markup that fetches `url` as soon as an HTML parser sees it (no quotes,
/// so it sits in JSON and in an identifier unchanged).
fn markup(url: &str) -> String {
    format!(" <img src={url} alt=x><b>bold</b>")
}

/// Opens `page` and watches it until it has gone quiet (or its deadline).
async fn settled_page(p: &mut dyn Probe, mut page: HostPage) -> Result<PageView, Verdict> {
    page.wait_for = vec![WaitFor::NetworkIdle(QUIET)];
    Ok(p.open_page(page).await?)
}

async fn ticket_text_inert(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    // A ticket whose subject carries markup.
    let subject_label = p.unique("ticket-markup");
    let tail = markup(&p.canary_url(&subject_label));
    let user = p
        .seed_user(Tenant::Primary, UserSpec::SubjectEndsWith(tail))
        .await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    p.note(format!("ticket subject: {:?}", user.canary));
    let view = settled_page(p, signed_page(Tenant::Primary, &signed)).await?;
    // `expect_ready` with the whole subject as the canary: the frame shows
    // it verbatim, markup and all, and the host page does not.
    expect_ready(&mut c, &view, Some(&user.canary))?;
    expect_settled(&view, QUIET)?;
    expect_no_fetch(p, &mut c, &subject_label).await?;

    // An identity whose `externalUserId` carries markup, signed properly.
    let id_label = p.unique("identity-markup");
    let mut identity = fresh_identity(p);
    let id = identity.external_user_id.take().unwrap_or_default();
    identity.external_user_id = Some(format!("{id}{}", markup(&p.canary_url(&id_label))));
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    p.note(format!("signed identity: {:?}", signed.user));
    let view = settled_page(p, signed_page(Tenant::Primary, &signed)).await?;
    match (view.event(EVENT_READY), view.event(EVENT_AUTH_FAILED)) {
        (Some(_), None) => {
            expect_settled(&view, QUIET)?;
            expect_no_fetch(p, &mut c, &id_label).await?;
        }
        // Refusing such an identifier is the implementation's choice; it
        // then renders nothing of it.
        (None, Some(failed)) if reason_of(failed) == Some(AuthFailure::InvalidPayload.as_str()) => {
            p.note("the portal refuses an externalUserId with markup (`invalid_payload`): nothing of it is rendered".into());
            expect_no_fetch(p, &mut c, &id_label).await?;
        }
        _ => expect_ready(&mut c, &view, None)?,
    }
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        id: "tenancy.ticket-text-inert",
        title: "Markup in a ticket's subject or the signed identity shows as text and fetches nothing",
        section: Section::Tenancy,
        requirements: &["TENANT-TICKET-TEXT-INERT"],
        level: Must,
        tags: &[Tag::Browser, Tag::Tenant],
        needs: &[Need::Browser, Need::Users],
        budget: Duration::from_secs(30),
        wait: QUIET.saturating_mul(2),
        description: "Seeds a ticket whose subject ends in `<img src=CANARY alt=x><b>bold</b>` and signs its user in: the frame must show the whole subject verbatim and, once the page has gone quiet, the canary host must have had no request. Then signs in an identity whose `externalUserId` carries the same markup (another canary): it is accepted or refused with `invalid_payload`, and nothing is fetched either way.",
        how_to_fix: "Render ticket fields and identity fields with `textContent` (or a template that escapes), never `innerHTML`; do not let a sanitizer keep elements that fetch.",
        run: run!(p => ticket_text_inert(p)),
    }]
}
