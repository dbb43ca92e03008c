//! A second user signing in in the same frame (a shared computer, a
//! support agent switching accounts): after `setUser` for user B, nothing
//! of user A may remain on screen.

use std::time::Duration;

use crate::checks::*;
use crate::contract::EVENT_READY;
use crate::probe::{OnReady, Probe, Tenant, UserSpec, WaitFor};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag};

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    id: "TENANT-USER-SWITCH-CLEARS",
    section: Section::Tenancy,
    level: Must,
    text: "When the page calls `setUser` for another identity in the same frame, the portal shows that identity's tickets and nothing of the previous identity's: the previous user's ticket text is gone from the frame and the host page.",
    source: "This should never happen. Every API call inside the portal is scoped by the signed identity.",
    surfaces: &[RenderedText],
}];

async fn switch_clears(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let a = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let b = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed_a = sign_valid(p, Tenant::Primary, &a.identity)?;
    let signed_b = sign_valid(p, Tenant::Primary, &b.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed_a);
    page.on_ready = OnReady::SetUser {
        user: signed_b.user.clone(),
        hmac: signed_b.hmac.clone(),
    };
    page.wait_for = vec![WaitFor::FrameText(b.canary.clone())];
    page.deadline = Duration::from_secs(12);
    p.note("user A signs in; once `ready` fires the page calls setUser for user B".into());
    let view = p.open_page(page).await?;
    // The premise: A was signed in (ready fired, which the SDK promises
    // once the signed user's tickets show) before the switch.
    c.expect(
        view.event(EVENT_READY).is_some(),
        "user A was signed in first: `ready` fired before the switch",
        || summary(&view),
    )?;
    c.expect(
        view.frame_text().is_some_and(|t| t.contains(&b.canary)),
        "after setUser for user B the frame shows B's ticket",
        || summary(&view),
    )?;
    c.expect(
        !view.shows(&a.canary),
        "nothing of user A's tickets remains in the frame or the host page",
        || {
            format!(
                "user A's ticket subject {:?} still shows: {}",
                a.canary,
                summary(&view)
            )
        },
    )?;
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        id: "tenancy.user-switch-clears",
        title: "setUser for another user in the same frame leaves nothing of the first",
        section: Section::Tenancy,
        requirements: &["TENANT-USER-SWITCH-CLEARS", "SESSION-RESIGN-CONTINUES", "TENANT-SCOPED-BY-IDENTITY"],
        level: Must,
        tags: &[Tag::Browser, Tag::Tenant, Tag::Session],
        needs: &[Need::Browser, Need::Users],
        budget: Duration::from_secs(25),
        wait: NO_WAIT,
        description: "User A signs in; when `ready` fires the page calls setUser for user B of the same tenant. The frame must come to show B's ticket, and A's ticket subject must show nowhere, in the frame or the host page.",
        how_to_fix: "On every new session, clear everything rendered for the previous one before showing the new user's data; let the latest setUser win.",
        run: run!(p => switch_clears(p)),
    }]
}
