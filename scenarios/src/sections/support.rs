//! "Still stuck?": what a customer sends support must be there to send.

use crate::checks::*;
use crate::contract::AuthFailure;
use crate::probe::{ConsoleSource, Probe, SigningKey, Site, Tenant};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag};

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    id: "SUPPORT-CONSOLE-DIAGNOSTIC",
    section: Section::Support,
    level: Should,
    text: "Every auth failure writes a console error in the host page naming the reason and the public key, so the customer has \"any browser console errors\" to send.",
    source: "Email hello@userhero.co with the public key, the customer's externalUserId, the timestamp of the failure, and any browser console errors.",
    surfaces: &[Console],
}];

/// A failing page: the host console must name the reason and the public key.
async fn console_names_failure(p: &mut dyn Probe, site: Site, reason: AuthFailure) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    // A bad signature is made with a secret no tenant has, wrong in every
    // digit, so the refusal does not hinge on how the HMAC is compared.
    let key = match reason {
        AuthFailure::InvalidSignature => SigningKey::Unrelated,
        _ => SigningKey::Current,
    };
    let signed = sign_identity(
        p,
        Tenant::Primary,
        key,
        &identity,
        crate::contract::RECOMMENDED_WINDOW_SECONDS,
    )?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.site = site;
    let view = p.open_page(page).await?;
    // That auth_failed fired is the precondition; what its detail says is
    // SDK-AUTH-FAILED-REASON's business, not this scenario's.
    if view.event(crate::contract::EVENT_AUTH_FAILED).is_some() {
        c.expect(true, "auth_failed fired", String::new)?;
    } else {
        expect_auth_failed(&mut c, &view, reason)?;
    }
    let key = p.public_key(Tenant::Primary);
    let logged = view.console.iter().find(|m| {
        m.source == ConsoleSource::HostPage
            && (m.level.eq_ignore_ascii_case("error") || m.level.eq_ignore_ascii_case("severe"))
            && m.text.contains(reason.as_str())
            && m.text.contains(&key)
    });
    c.expect(
        logged.is_some(),
        format!(
            "a host console error names `{}` and the public key",
            reason.as_str()
        ),
        || {
            let texts: Vec<String> = view
                .console
                .iter()
                .map(|m| format!("{:?} {}: {}", m.source, m.level, m.text))
                .collect();
            format!("console: {texts:?}")
        },
    )?;
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "support.console-error-on-bad-signature",
            title: "A refused signature is logged with reason and public key",
            section: Section::Support,
            requirements: &["SUPPORT-CONSOLE-DIAGNOSTIC"],
            level: Should,
            tags: &[Tag::Browser, Tag::Support],
            needs: &[Need::Browser],
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A page whose HMAC was made with a secret no tenant has: besides auth_failed, the host console should have an error naming `invalid_signature` and the public key.",
            how_to_fix: "console.error('UserHero: auth_failed (REASON) for public key PK') on every auth failure.",
            run: run!(p => console_names_failure(p, Site::ShopA, AuthFailure::InvalidSignature)),
        },
        Scenario {
            id: "support.console-error-on-origin-refusal",
            title: "A refused origin is logged with reason and public key",
            section: Section::Support,
            // It can only look for the log line once the origin is refused,
            // so it observes the refusal too.
            requirements: &["SUPPORT-CONSOLE-DIAGNOSTIC", "AUTH-ORIGIN-ALLOWLIST"],
            level: Should,
            tags: &[Tag::Browser, Tag::Support, Tag::Origin],
            needs: &[Need::Browser],
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A correctly signed page on a non-allowlisted origin: the host console should have an error naming `origin_not_allowed` and the public key.",
            how_to_fix: "console.error('UserHero: auth_failed (REASON) for public key PK') on every auth failure.",
            run: run!(p => console_names_failure(p, Site::Evil, AuthFailure::OriginNotAllowed)),
        },
    ]
}
