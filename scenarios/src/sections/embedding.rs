//! "This site cannot be embedded": `frame-ancestors`, HTTPS parents and the
//! origin allowlist.

use std::time::Duration;

use super::sdk_exposure::uri_component;
use crate::checks::*;
use crate::contract::wire::EMBED_UNKNOWN;
use crate::contract::EMBED_PATH;
use crate::probe::{
    ApiCall, ApiReply, FrameView, PageView, Probe, Site, Tenant, UserSpec, WaitFor,
};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "FRAME-ALLOWED-PARENT",
        section: Section::Embedding,
        level: Must,
        text: "An allowlisted HTTPS parent page shows the portal.",
        source: "Make sure the page where you mount the portal is loaded over HTTPS, and that the parent origin is in your allowlist.",
        surfaces: &[RenderedText, SdkEvent],
    },
    Requirement {
        id: "FRAME-ANCESTORS-ALLOWLIST",
        section: Section::Embedding,
        level: Must,
        text: "The portal document carries `Content-Security-Policy: frame-ancestors` naming exactly the tenant's allowlisted HTTPS origins (no wildcard), so the browser refuses any other parent.",
        source: "The browser is enforcing frame-ancestors. ... and that the parent origin is in your allowlist.",
        surfaces: &[BrowserRefusal, HttpHeader],
    },
    Requirement {
        id: "FRAME-HTTPS-PARENT-ONLY",
        section: Section::Embedding,
        level: Must,
        text: "A parent page loaded over plain HTTP is refused by the browser, even on an allowlisted host.",
        source: "Make sure the page where you mount the portal is loaded over HTTPS",
        surfaces: &[BrowserRefusal],
    },
    Requirement {
        id: "FRAME-ANCESTORS-EVERY-DOCUMENT",
        section: Section::Embedding,
        level: Must,
        text: "Every HTML document the portal serves, error views (unknown public key, bad request) included, carries `frame-ancestors`.",
        source: "The browser is enforcing frame-ancestors.",
        surfaces: &[HttpHeader],
    },
    Requirement {
        id: ERROR_VIEW_INERT,
        section: Section::Embedding,
        level: Must,
        text: "The portal's error views show what the request carried (a public key, a theme) as text, if at all: markup in a query parameter never comes back as markup in an HTML answer, where it would run in the portal's origin (reflected XSS).",
        source: "\"This site cannot be embedded\" error: the portal serves its own error views",
        surfaces: &[HttpHeader],
    },
];

/// Requirement: error views reflect no markup.
pub const ERROR_VIEW_INERT: &str = "FRAME-ERROR-VIEW-INERT";

async fn allowlisted_parent(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    if let FrameView::Refused { url } = &view.frame {
        return Err(Verdict::fail(
            "the portal frame shows in an allowlisted HTTPS parent",
            format!(
                "the browser refused the portal frame ({url}): {}",
                summary(&view)
            ),
        ));
    }
    expect_ready(&mut c, &view, Some(&user.canary))?;
    Ok(c.pass())
}

/// A correctly signed page for the primary tenant on `site`: the browser
/// must refuse to show the portal document there.
async fn parent_refused(p: &mut dyn Probe, site: Site) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    // Watch until the frame is refused or its document loaded; SDK events
    // alone end too early (the handshake may answer before the frame).
    let settled = |site: Site| {
        let mut page = signed_page(Tenant::Primary, &signed);
        page.site = site;
        page.wait_for = vec![WaitFor::FrameSettled];
        page.deadline = Duration::from_secs(6);
        page
    };
    // Premise: the same frame loads in the allowlisted HTTPS parent, so a
    // refusal below is the parent's doing, not any browser error page (a
    // redirect loop, a dead embed endpoint).
    let control = p.open_page(settled(Site::ShopA)).await?;
    let portal = p.facts().portal_origin.clone();
    expect_frame_loads(&mut c, &control, &portal, "the allowlisted HTTPS parent")?;
    let view = p.open_page(settled(site)).await?;
    expect_frame_refused(&mut c, &view, &user.canary, &format!("a {site:?} parent"))?;
    Ok(c.pass())
}

/// Premise of a refusal: the portal frame loads from `portal` `where_`
/// (the allowlisted place), so a refusal elsewhere is the place's doing.
pub(super) fn expect_frame_loads(
    c: &mut Checks,
    control: &PageView,
    portal: &str,
    where_: &str,
) -> Result<(), Verdict> {
    match &control.frame {
        FrameView::Loaded { url, .. } if url.starts_with(portal) => c.expect(
            true,
            format!("premise: the same portal frame loads in {where_} ({url})"),
            String::new,
        ),
        _ => Err(Verdict::incomplete(format!(
            "the premise does not hold: the same portal frame does not load in {where_} either, so a refusal would prove nothing: {}",
            summary(control)
        ))),
    }
}

/// The browser refused the portal frame in `view` (a page `under` some
/// parent), and nothing of `canary`'s tickets shows.
pub(super) fn expect_frame_refused(
    c: &mut Checks,
    view: &PageView,
    canary: &str,
    under: &str,
) -> Result<(), Verdict> {
    expect_not_shown(c, view, canary, "the user's")?;
    match &view.frame {
        FrameView::Refused { url } => c.expect(
            true,
            format!("the browser refused the portal frame in {under} ({url})"),
            String::new,
        ),
        FrameView::Loaded { url, .. } => Err(Verdict::fail(
            format!("the browser refuses to frame the portal in {under}"),
            format!(
                "the portal document loaded in the frame ({url}): {}",
                summary(view)
            ),
        )),
        FrameView::Absent => Err(Verdict::incomplete(format!(
            "the page has no portal frame to judge: {}",
            summary(view)
        ))),
    }
}

fn normalized(source: &str) -> String {
    source.trim_end_matches('/').to_ascii_lowercase()
}

/// `frame-ancestors` is present and has no wildcard and no plain-HTTP source.
fn expect_tight_ancestors(
    c: &mut Checks,
    reply: &ApiReply,
    what: &str,
) -> Result<Vec<String>, Verdict> {
    let Some(sources) = frame_ancestors(reply) else {
        return Err(Verdict::fail(
            format!("{what}: Content-Security-Policy with frame-ancestors"),
            format!("HTTP {} with CSP {:?}", reply.status, csp_headers(reply)),
        ));
    };
    c.expect(
        !sources.is_empty(),
        format!("{what}: frame-ancestors is present"),
        || "empty".into(),
    )?;
    c.expect(
        !sources.iter().any(|s| {
            s.contains('*')
                || s.eq_ignore_ascii_case("http:")
                || normalized(s).starts_with("http://")
        }),
        format!("{what}: frame-ancestors has no wildcard and no http source"),
        || format!("frame-ancestors {}", sources.join(" ")),
    )?;
    Ok(sources)
}

async fn ancestors_header(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    // Plainly, then as a browser asks for it when a page frames it (from a
    // foreign site, and from the allowlisted one, whose Referer names only
    // the parent): the policy must not follow the request.
    let asks: [(Tenant, Option<Site>); 4] = [
        (Tenant::Primary, None),
        (Tenant::Secondary, None),
        (Tenant::Primary, Some(Site::Evil)),
        (Tenant::Primary, Some(Site::ShopA)),
    ];
    for (tenant, framed_by) in asks {
        let key = p.public_key(tenant);
        let mut call = ApiCall::get(format!("{EMBED_PATH}?pk={key}"));
        let what = match framed_by {
            Some(site) => {
                let parent = p.origin(site);
                call = call
                    .header("referer", format!("{parent}/"))
                    .header("sec-fetch-dest", "iframe")
                    .header("sec-fetch-site", "cross-site");
                format!("{tenant:?} tenant's embed document, asked as a frame of {parent}")
            }
            None => format!("{tenant:?} tenant's embed document"),
        };
        let reply = p.api(call).await?;
        c.expect(reply.status == 200, format!("{what}: 200"), || {
            describe(&reply)
        })?;
        let sources = expect_tight_ancestors(&mut c, &reply, &what)?;
        let allowed = normalized(&p.origin(home_site(tenant)));
        let listed: Vec<String> = sources.iter().map(|s| normalized(s)).collect();
        c.expect(
            listed == vec![allowed.clone()],
            format!("{what}: frame-ancestors is exactly {allowed}"),
            || format!("frame-ancestors {}", sources.join(" ")),
        )?;
    }
    Ok(c.pass())
}

async fn unknown_key_view(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let key = format!("pk_unknown_{}", p.unique("pk"));
    let reply = p
        .api(ApiCall::get(format!("{EMBED_PATH}?pk={key}")))
        .await?;
    c.expect(
        EMBED_UNKNOWN.status.admits(reply.status),
        format!(
            "unknown public key: the error view is refused ({})",
            EMBED_UNKNOWN.status.render()
        ),
        || describe(&reply),
    )?;
    let sources = expect_tight_ancestors(&mut c, &reply, "unknown-key error view")?;
    c.expect(
        sources == ["'none'"],
        "unknown-key error view: frame-ancestors 'none'",
        || format!("frame-ancestors {}", sources.join(" ")),
    )?;
    Ok(c.pass())
}

/// `GET path`, an error view's request: whatever it answers, not a 5xx.
async fn error_view_answer(
    p: &mut dyn Probe,
    c: &mut Checks,
    what: &str,
    path: String,
) -> Result<ApiReply, Verdict> {
    let reply = p.api(ApiCall::get(path)).await?;
    c.expect(
        reply.status < 500,
        format!("{what}: no server error"),
        || describe(&reply),
    )?;
    Ok(reply)
}

async fn bad_request_view(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let key = p.public_key(Tenant::Primary);
    let requests = [
        ("embed without pk", EMBED_PATH.to_string()),
        ("embed with an empty pk", format!("{EMBED_PATH}?pk=")),
        (
            "embed with a theme that is not JSON",
            format!("{EMBED_PATH}?pk={key}&theme=%7Bnot-json"),
        ),
    ];
    for (what, path) in requests {
        let reply = error_view_answer(p, &mut c, what, path).await?;
        let html = reply
            .header("content-type")
            .is_some_and(|t| t.contains("html"));
        if html || !csp_headers(&reply).is_empty() {
            expect_tight_ancestors(&mut c, &reply, what)?;
        } else {
            c.expect(
                true,
                format!(
                    "{what}: not an HTML document ({:?})",
                    reply.header("content-type")
                ),
                String::new,
            )?;
        }
    }
    Ok(c.pass())
}

/// Markup no error view may send back verbatim, around a unique `mark`.
fn reflected_markup(mark: &str) -> String {
    format!("<img src=\"/{mark}\" id=\"{mark}\"><script>/*{mark}*/</script>")
}

/// The error views, asked with markup in each parameter they might echo:
/// an HTML answer must not hold that markup as sent.
async fn error_views_inert(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let key = p.public_key(Tenant::Primary);
    let mark = format!("uh-pc-{}", p.unique("reflect"));
    let markup = reflected_markup(&mark);
    let encoded = uri_component(&markup);
    let requests = [
        (
            "unknown public key carrying markup",
            format!("{EMBED_PATH}?pk={encoded}"),
        ),
        (
            "a theme that is not JSON, carrying markup",
            format!("{EMBED_PATH}?pk={key}&theme={encoded}"),
        ),
        ("an unknown path carrying markup", format!("/{encoded}")),
    ];
    for (what, path) in requests {
        let reply = error_view_answer(p, &mut c, what, path).await?;
        let type_ = reply.header("content-type").unwrap_or("");
        // Without a type a browser sniffs, and may take it for HTML.
        let html = type_.is_empty() || type_.contains("html");
        c.expect(
            !html || !reply.body.contains(&markup),
            format!("{what}: the markup is not sent back as markup"),
            || describe(&reply),
        )?;
    }
    Ok(c.pass())
}

const BROWSER: &[Tag] = &[Tag::Browser, Tag::Framing];
const API: &[Tag] = &[Tag::Api, Tag::Framing];
const NEEDS: &[Need] = &[Need::Browser, Need::Users];

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "embedding.allowlisted-https-parent",
            title: "An allowlisted HTTPS parent shows the portal",
            section: Section::Embedding,
            requirements: &["FRAME-ALLOWED-PARENT"],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A correctly signed page on the primary tenant's allowlisted HTTPS origin: `ready` must fire and the frame show the seeded user's ticket.",
            how_to_fix: "Serve /embed for known tenants with frame-ancestors naming their allowlisted origins.",
            run: run!(p => allowlisted_parent(p)),
        },
        Scenario {
            id: "embedding.http-parent-refused",
            title: "A plain-HTTP parent on the allowlisted host is refused",
            section: Section::Embedding,
            requirements: &["FRAME-HTTPS-PARENT-ONLY", "FRAME-ANCESTORS-ALLOWLIST"],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A correctly signed page on http://shop-a.test: the browser must refuse the portal frame and no ticket may show.",
            how_to_fix: "List only https:// origins in frame-ancestors; never a scheme-less host or `http:`.",
            run: run!(p => parent_refused(p, Site::ShopAHttp)),
        },
        Scenario {
            id: "embedding.foreign-parent-refused",
            title: "A non-allowlisted HTTPS parent is refused",
            section: Section::Embedding,
            requirements: &["FRAME-ANCESTORS-ALLOWLIST"],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A page on https://evil.test initialising the primary tenant's portal: the browser must refuse the portal frame and no ticket may show.",
            how_to_fix: "Send frame-ancestors with exactly the tenant's allowlisted origins, never `*`.",
            run: run!(p => parent_refused(p, Site::Evil)),
        },
        Scenario {
            id: "embedding.other-tenant-parent-refused",
            title: "Another tenant's allowlisted parent is refused",
            section: Section::Embedding,
            requirements: &["FRAME-ANCESTORS-ALLOWLIST"],
            level: Must,
            tags: BROWSER,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A page on https://shop-b.test, which only the secondary tenant allowlists, initialising the primary tenant's portal: the browser must refuse the portal frame and no ticket may show.",
            how_to_fix: "Build each tenant's frame-ancestors from that tenant's allowlist alone, never from every tenant's origins.",
            run: run!(p => parent_refused(p, Site::ShopB)),
        },
        Scenario {
            id: "embedding.frame-ancestors-header",
            title: "The embed document names exactly the allowlisted origins",
            section: Section::Embedding,
            requirements: &[
                "FRAME-ANCESTORS-ALLOWLIST",
                "FRAME-ANCESTORS-EVERY-DOCUMENT",
                "FRAME-ALLOWED-PARENT",
                "FRAME-HTTPS-PARENT-ONLY",
            ],
            level: Must,
            tags: API,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Fetches /embed for each tenant, and the primary's again with the `Referer` and `Sec-Fetch-*` headers of a frame on https://evil.test and of one on the allowlisted https://shop-a.test: each 200 with a `frame-ancestors` header listing exactly that tenant's allowlisted HTTPS origin, no wildcard, no http.",
            how_to_fix: "Build frame-ancestors from the tenant's allowlist of full https origins.",
            run: run!(p => ancestors_header(p)),
        },
        Scenario {
            id: "embedding.error-views-reflect-no-markup",
            title: "Error views send no request markup back",
            section: Section::Embedding,
            requirements: &[ERROR_VIEW_INERT],
            level: Must,
            tags: API,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Fetches /embed with an unknown public key carrying `<img>` and `<script>` markup, /embed with such a theme that is not JSON, and an unknown path carrying it: no HTML answer may hold the markup as sent (escaped, or left out, is fine).",
            how_to_fix: "Escape everything an error view echoes (`&`, `<`, `>`, `\"`), or echo nothing: the view's message needs no request data.",
            run: run!(p => error_views_inert(p)),
        },
        Scenario {
            id: "embedding.unknown-key-view-frame-ancestors",
            title: "The unknown-key error view cannot be framed",
            section: Section::Embedding,
            requirements: &[
                "FRAME-ANCESTORS-EVERY-DOCUMENT",
                "FRAME-ANCESTORS-ALLOWLIST",
                "FRAME-HTTPS-PARENT-ONLY",
            ],
            level: Must,
            tags: API,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Fetches /embed with a public key no tenant has: 404 with `frame-ancestors 'none'`.",
            how_to_fix: "Send `frame-ancestors 'none'` on every error view.",
            run: run!(p => unknown_key_view(p)),
        },
        Scenario {
            id: "embedding.bad-request-view-frame-ancestors",
            title: "Bad-request views carry frame-ancestors",
            section: Section::Embedding,
            requirements: &[
                "FRAME-ANCESTORS-EVERY-DOCUMENT",
                "FRAME-ANCESTORS-ALLOWLIST",
                "FRAME-HTTPS-PARENT-ONLY",
                "FRAME-ALLOWED-PARENT",
            ],
            level: Must,
            tags: API,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Fetches /embed without pk, with an empty pk and with a theme that is not JSON: no server error, and every HTML answer carries a frame-ancestors without wildcard or http.",
            how_to_fix: "Set the CSP header in a layer every HTML response passes through, errors included.",
            run: run!(p => bad_request_view(p)),
        },
    ]
}
