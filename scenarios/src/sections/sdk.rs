//! The SDK surface every section presupposes: `portal.js` loaded with
//! `async`, the `UserHero` global and its queue stub, `init`, `setUser`,
//! `on` and the events.

use crate::checks::*;
use crate::contract::{AuthFailure, EMBED_PATH, EVENT_READY};
use crate::probe::{FrameView, Probe, ScriptLoading, Tenant, UserSpec};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "SDK-SCRIPT-ASYNC",
        section: Section::Sdk,
        level: Must,
        text: "portal.js works when loaded with `<script async>`, including when it runs after the page has finished loading.",
        source: "Confirm the script tag points to https://userhero.co/portal.js and is loaded with async.",
        surfaces: &[SdkEvent],
    },
    Requirement {
        id: "SDK-STUB-QUEUE",
        section: Section::Sdk,
        level: Must,
        text: "Calls made on the `UserHero` stub before portal.js loads (`init`, `on`, `setUser`) are replayed in order; none is lost.",
        source: "Confirm the script tag points to https://userhero.co/portal.js and is loaded with async.",
        surfaces: &[SdkEvent],
    },
    Requirement {
        id: "SDK-MOUNT",
        section: Section::Sdk,
        level: Must,
        text: "`UserHero.init({publicKey, container})` mounts exactly one iframe whose document comes from the portal origin.",
        source: "The portal panel is blank",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "SDK-EVENTS",
        section: Section::Sdk,
        level: Must,
        text: "`UserHero.on(name, handler)` delivers `ready` once the signed user's tickets show, and `auth_failed` / `auth_expiring` as specified, each with a `detail` object.",
        source: "UserHero.on('auth_expiring', async () => { ... });",
        surfaces: &[SdkEvent],
    },
    Requirement {
        id: "SDK-AUTH-FAILED-REASON",
        section: Section::Sdk,
        level: Must,
        text: "`auth_failed` carries `detail.reason`, one of invalid_signature, expired, invalid_payload, malformed_hmac, origin_not_allowed, unknown_public_key, network, naming the actual cause.",
        source: "auth_failed fired immediately. The HMAC handshake was rejected. Common causes: ...",
        surfaces: &[SdkEvent],
    },
];

/// A seeded user signed in on a page loaded with `loading`: ready, ticket shown.
async fn ready_with(p: &mut dyn Probe, loading: ScriptLoading) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.loading = loading;
    let view = p.open_page(page).await?;
    expect_mounted(&mut c, &view)?;
    expect_ready(&mut c, &view, Some(&user.canary))?;
    let readies = view.events.iter().filter(|e| e.name == EVENT_READY).count();
    c.expect(
        readies == 1,
        format!("`ready` delivered once with {loading:?} loading"),
        || summary(&view),
    )?;
    Ok(c.pass())
}

async fn single_frame(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    expect_ready(&mut c, &view, Some(&user.canary))?;
    c.expect(
        view.portal_frames == 1,
        "exactly one portal iframe in the page",
        || format!("{} portal iframes", view.portal_frames),
    )?;
    let embed = format!("{}{EMBED_PATH}", p.facts().portal_origin);
    let url = match &view.frame {
        FrameView::Loaded { url, .. } => url.clone(),
        other => {
            return Err(Verdict::incomplete(format!(
                "the frame did not load: {other:?}"
            )))
        }
    };
    c.expect(
        url.starts_with(&embed),
        format!("the iframe's document is {embed}"),
        || url.clone(),
    )?;
    Ok(c.pass())
}

async fn reason_malformed(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let mut signed = sign_valid(p, Tenant::Primary, &identity)?;
    signed.hmac = "not-a-hmac".into();
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    expect_auth_failed(&mut c, &view, AuthFailure::MalformedHmac)?;
    Ok(c.pass())
}

const TAGS: &[Tag] = &[Tag::Browser, Tag::Sdk];
const NEEDS: &[Need] = &[Need::Browser, Need::Users];

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "sdk.async-tag-ready",
            title: "The async script tag with the stub queue becomes ready",
            section: Section::Sdk,
            requirements: &["SDK-SCRIPT-ASYNC", "SDK-STUB-QUEUE", "SDK-EVENTS"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A page with the stub, queued init/on/setUser calls and `<script async>`: `ready` must fire once, with a detail object, and the frame must show the seeded user's ticket.",
            how_to_fix: "Replay `UserHero.q` in order when portal.js loads, then fire `ready` once the tickets render.",
            run: run!(p => ready_with(p, ScriptLoading::AsyncTag)),
        },
        Scenario {
            id: "sdk.script-after-load",
            title: "portal.js inserted after the load event still mounts",
            section: Section::Sdk,
            requirements: &["SDK-SCRIPT-ASYNC", "SDK-STUB-QUEUE", "SDK-EVENTS"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The script tag is inserted only after the window's `load` event: `ready` must still fire and the ticket show.",
            how_to_fix: "Mount at once when `document.readyState` is already `interactive` or `complete`; do not wait for DOMContentLoaded.",
            run: run!(p => ready_with(p, ScriptLoading::AfterLoad)),
        },
        Scenario {
            id: "sdk.onload-callback",
            title: "Calls made from the script's onload work without the stub",
            section: Section::Sdk,
            requirements: &["SDK-SCRIPT-ASYNC", "SDK-EVENTS"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "No stub: `<script async onload=...>` makes the init/on/setUser calls: `ready` must fire and the ticket show.",
            how_to_fix: "Define the `UserHero` API synchronously when portal.js runs, so calls from `onload` work.",
            run: run!(p => ready_with(p, ScriptLoading::OnLoadCallback)),
        },
        Scenario {
            id: "sdk.single-frame",
            title: "init mounts exactly one portal iframe",
            section: Section::Sdk,
            requirements: &["SDK-MOUNT"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "After a successful sign-in the page must hold exactly one iframe on the portal origin, whose document is the portal's `/embed`.",
            how_to_fix: "Mount once per init (guard against replaying init from the queue twice) into the container.",
            run: run!(p => single_frame(p)),
        },
        Scenario {
            id: "sdk.auth-failed-reason-malformed-hmac",
            title: "auth_failed names `malformed_hmac`",
            section: Section::Sdk,
            requirements: &["SDK-AUTH-FAILED-REASON", "SDK-EVENTS", "AUTH-HMAC-SHAPE"],
            level: Must,
            tags: TAGS,
            needs: &[Need::Browser],
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The page calls setUser with a valid user string and the HMAC `not-a-hmac`: auth_failed must carry `detail.reason` = `malformed_hmac`.",
            how_to_fix: "Pass the handshake's `error` through as `detail.reason` of auth_failed.",
            run: run!(p => reason_malformed(p)),
        },
    ]
}
