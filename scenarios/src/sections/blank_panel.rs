//! "The portal panel is blank": the host page's Content-Security-Policy and
//! the script tag, and the portal's own part: it must not need third-party
//! cookies, which Safari and Firefox block or partition by default.

use std::time::Duration;

use crate::checks::*;
use crate::contract::{AuthFailure, EVENT_READY};
use crate::probe::{
    CspViolation, FrameCookie, PageView, Probe, Site, Tenant, ThirdPartyCookies, UserSpec,
};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "CSP-MINIMAL-POLICY",
        section: Section::BlankPanel,
        level: Must,
        text: "The portal works under a host policy that allows the portal origin only in `script-src`, `frame-src` and `connect-src` (plus a nonce for the host's own inline scripts): it needs no `unsafe-inline`, no `unsafe-eval` and no other host, and causes no violation.",
        source: "your site may be blocking userhero.co in frame-src or connect-src. See Allowed origins.",
        surfaces: &[BrowserRefusal, SdkEvent],
    },
    Requirement {
        id: "CSP-FRAME-SRC-RESPECTED",
        section: Section::BlankPanel,
        level: Must,
        text: "When the host policy leaves the portal origin out of `frame-src`, the violation is observable in the host page and the SDK does not work around it (no ticket data rendered in the host page).",
        source: "Check the browser console for CSP errors — your site may be blocking userhero.co in frame-src",
        surfaces: &[BrowserRefusal, RenderedText],
    },
    Requirement {
        id: "CSP-CONNECT-SRC-RESPECTED",
        section: Section::BlankPanel,
        level: Must,
        text: "When the host policy leaves the portal origin out of `connect-src`, the handshake is blocked observably, `auth_failed` fires with `network`, and the SDK does not work around the policy (no JSONP, no other channel).",
        source: "your site may be blocking userhero.co in ... connect-src.",
        surfaces: &[BrowserRefusal, SdkEvent],
    },
    // MUST: the documentation names the host's policy and script tag as
    // the causes of a blank panel, so a host that got both right is owed a
    // working panel. The portal is always a cross-site frame, and Safari
    // (and Firefox, or any browser whose user asks) blocks or partitions a
    // cross-site frame's cookies by default: a portal that needs them is
    // blank for those users, and no host setting can fix it.
    Requirement {
        id: "PANEL-NO-THIRD-PARTY-COOKIES",
        section: Section::BlankPanel,
        level: Must,
        text: "The portal keeps working when the browser blocks third-party cookies and partitions storage: in a browser that refuses the portal frame's cookies, a signed-in user's tickets show and `ready` fires, as with cookies allowed.",
        source: "The portal panel is blank · Check the browser console for CSP errors … Confirm the script tag points to https://userhero.co/portal.js and is loaded with async.",
        surfaces: &[RenderedText, SdkEvent],
    },
];

/// A violation of `directive` that blocked something on the portal origin.
fn portal_violation<'v>(
    view: &'v PageView,
    directive: &str,
    portal: &str,
) -> Option<&'v CspViolation> {
    let host = portal.split("://").nth(1).unwrap_or(portal);
    view.csp_violations
        .iter()
        .find(|v| v.directive == directive && v.blocked_uri.contains(host))
}

/// How long a page under a host policy is watched. A frame the policy
/// refuses announces nothing, so `blank-panel.frame-src-blocked` watches to
/// the end, for an SDK that falls back to the host page late.
const CSP_WATCH: Duration = Duration::from_secs(8);

/// A seeded user signed in on a page with `csp`.
async fn open_with_csp(p: &mut dyn Probe, csp: String) -> Result<(PageView, String), Verdict> {
    let (view, canary, _) = open_signed_with_csp(p, csp).await?;
    Ok((view, canary))
}

/// Like [`open_with_csp`], also returning the signed user the page used.
async fn open_signed_with_csp(
    p: &mut dyn Probe,
    csp: String,
) -> Result<(PageView, String, Signed), Verdict> {
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    p.note(format!("host page policy: {csp}"));
    page.csp = Some(csp);
    page.deadline = CSP_WATCH;
    Ok((p.open_page(page).await?, user.canary, signed))
}

/// Premise of "nothing leaked": the portal does serve this user's ticket
/// to a session made from the page's own signed user. Without it (an API
/// that hangs or refuses everything) an empty host page proves nothing.
async fn expect_ticket_served(
    c: &mut Checks,
    p: &mut dyn Probe,
    signed: &Signed,
    canary: &str,
) -> Result<(), Verdict> {
    let reply = handshake_from(p, Tenant::Primary, Site::ShopA, &signed.user, &signed.hmac).await?;
    let accepted = (reply.status == 200)
        .then(|| {
            reply
                .json()?
                .get("sessionToken")?
                .as_str()
                .map(str::to_string)
        })
        .flatten();
    let Some(token) = accepted else {
        return Err(Verdict::incomplete(format!(
            "the premise does not hold: the page's signed user is not accepted by the handshake, so nothing could have leaked: {}",
            describe(&reply)
        )));
    };
    let tickets = p.api(tickets_request(&token, None)).await?;
    if tickets.status != 200 || !tickets.body.contains(canary) {
        return Err(Verdict::incomplete(format!(
            "the premise does not hold: the portal does not serve the user's ticket, so nothing could have leaked: {}",
            describe(&tickets)
        )));
    }
    c.expect(
        true,
        "premise: the portal serves the page user's ticket to a session of the same signed user",
        String::new,
    )
}

async fn strict_policy_works(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (view, canary) = open_with_csp(p, strict_csp()).await?;
    expect_ready(&mut c, &view, Some(&canary))?;
    // The host page's own requests (a favicon under `default-src 'none'`)
    // are the page's business; everything else is the portal's.
    let own = p.origin(Site::ShopA);
    let portal_caused: Vec<&CspViolation> = view
        .csp_violations
        .iter()
        .filter(|v| !v.blocked_uri.starts_with(&own))
        .collect();
    c.expect(
        portal_caused.is_empty(),
        "no CSP violation caused by the portal under the minimal policy",
        || format!("violations: {portal_caused:?}"),
    )?;
    Ok(c.pass())
}

async fn frame_src_blocked(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let csp = strict_csp().replace("frame-src {portal}", "frame-src 'self'");
    let (view, canary, signed) = open_signed_with_csp(p, csp).await?;
    c.expect(
        !view.host_text.contains(&canary),
        "no ticket data rendered in the host page",
        || format!("the host page shows the ticket: {}", summary(&view)),
    )?;
    if view.frame_text().is_some_and(|t| t.contains(&canary)) {
        return Err(Verdict::incomplete(format!(
            "the browser showed the frame despite frame-src: {}",
            summary(&view)
        )));
    }
    let portal = p.facts().portal_origin.clone();
    match portal_violation(&view, "frame-src", &portal) {
        Some(v) => c.expect(
            true,
            format!("a frame-src violation for {} is observable", v.blocked_uri),
            String::new,
        )?,
        None => {
            return Err(Verdict::incomplete(format!(
                "no frame-src violation for the portal observed: {}",
                summary(&view)
            )))
        }
    }
    expect_ticket_served(&mut c, p, &signed, &canary).await?;
    Ok(c.pass())
}

async fn connect_src_blocked(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let csp = strict_csp().replace("connect-src {portal}", "connect-src 'self'");
    let (view, canary) = open_with_csp(p, csp).await?;
    c.expect(
        view.event(EVENT_READY).is_none(),
        "no `ready`: the handshake did not go through another channel",
        || summary(&view),
    )?;
    expect_not_shown(&mut c, &view, &canary, "the user's")?;
    expect_auth_failed(&mut c, &view, AuthFailure::Network)?;
    let portal = p.facts().portal_origin.clone();
    let violation = portal_violation(&view, "connect-src", &portal);
    c.expect(
        violation.is_some(),
        "a connect-src violation for the portal is observable",
        || summary(&view),
    )?;
    Ok(c.pass())
}

/// The normal signed-in flow in a browser that blocks third-party cookies.
/// Premise: a cookie the portal frame writes after the watch does not
/// stick (else this browser did not block them, and nothing is proven).
async fn third_party_cookies_blocked(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.third_party_cookies = ThirdPartyCookies::Blocked;
    page.deadline = Duration::from_secs(10);
    p.note("the browser blocks third-party cookies for this page".into());
    let view = p.open_page(page).await?;
    match view.frame_cookie {
        Some(FrameCookie::Refused) => c.expect(
            true,
            "premise: this browser refuses the cross-site portal frame's cookie (`SameSite=None; Secure`, written by the frame, not read back)",
            String::new,
        )?,
        Some(FrameCookie::Kept) => {
            return Err(Verdict::incomplete(
                "the premise does not hold: this browser kept a cookie the cross-site portal frame wrote, so it does not block third-party cookies and nothing can be concluded",
            ))
        }
        None => {
            return Err(Verdict::incomplete(format!(
                "the premise could not be established: whether this browser blocks the portal frame's cookies was not observed: {}",
                summary(&view)
            )))
        }
    }
    expect_ready(&mut c, &view, Some(&user.canary))?;
    Ok(c.pass())
}

const TAGS: &[Tag] = &[Tag::Browser, Tag::Csp, Tag::Sdk];
const NEEDS: &[Need] = &[Need::Browser, Need::Users];

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "blank-panel.strict-csp-works",
            title: "The portal works under the minimal host policy",
            section: Section::BlankPanel,
            requirements: &["CSP-MINIMAL-POLICY"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A page with `default-src 'none'` that allows the portal only in script-src, frame-src and connect-src (its own inline scripts by nonce): `ready` must fire, the frame show the ticket, and no CSP violation occur.",
            how_to_fix: "Load nothing but portal.js, one fetch and one iframe from the portal origin in the host page; no eval, no inline styles or scripts.",
            run: run!(p => strict_policy_works(p)),
        },
        Scenario {
            id: "blank-panel.frame-src-blocked",
            title: "A host policy without the portal in frame-src is respected",
            section: Section::BlankPanel,
            requirements: &["CSP-FRAME-SRC-RESPECTED"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: CSP_WATCH,
            description: "The minimal policy with `frame-src 'self'`: a frame-src violation naming the portal must be observable and no ticket text may appear in the host page.",
            how_to_fix: "Render tickets only inside the portal iframe; never fall back to rendering in the host document.",
            run: run!(p => frame_src_blocked(p)),
        },
        Scenario {
            id: "blank-panel.connect-src-blocked",
            title: "A host policy without the portal in connect-src fails with `network`",
            section: Section::BlankPanel,
            requirements: &["CSP-CONNECT-SRC-RESPECTED", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The minimal policy with `connect-src 'self'`: a connect-src violation naming the portal must be observable, auth_failed must fire with `network`, and neither `ready` nor any ticket may appear.",
            how_to_fix: "When the handshake fetch fails, fire auth_failed with `network`; never retry through JSONP or another channel.",
            run: run!(p => connect_src_blocked(p)),
        },
        Scenario {
            id: "blank-panel.third-party-cookies-blocked",
            title: "The portal works when the browser blocks third-party cookies",
            section: Section::BlankPanel,
            requirements: &["PANEL-NO-THIRD-PARTY-COOKIES"],
            level: Must,
            tags: &[Tag::Browser, Tag::Sdk],
            needs: NEEDS,
            budget: Duration::from_secs(30),
            wait: NO_WAIT,
            description: "A signed-in user on the allowlisted page, in a browser set to block third-party cookies (Chromium launched for this page with third-party cookies blocked; Firefox and WebKit as they ship). Premise: a `SameSite=None; Secure` cookie the portal frame writes is not read back. Then `ready` must fire and the frame show the user's ticket.",
            how_to_fix: "Keep the session in the frame's memory, handed over by postMessage, and send it as a bearer token; never rely on a cookie the portal frame sets or reads.",
            run: run!(p => third_party_cookies_blocked(p)),
        },
    ]
}
