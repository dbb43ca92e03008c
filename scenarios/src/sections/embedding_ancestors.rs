//! "…and that the parent origin is in your allowlist", for every ancestor:
//! frame trees in which the host page is itself framed — a foreign page
//! around the allowlisted one, a foreign page between two allowlisted
//! ones. `frame-ancestors` holds the whole chain to the allowlist; a
//! decision taken from the parent alone (its `Referer`, the handshake's
//! message origin, `ancestorOrigins[0]`) lets a foreign top page clickjack
//! the signed-in portal. Known trees are always tried, generated ones are
//! added on top.

use std::time::Duration;

use proptest::prelude::*;

use super::embedding::{expect_frame_loads, expect_frame_refused};
use crate::checks::*;
use crate::probe::{HostPage, Probe, Site, Tenant, UserSpec, WaitFor};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag};

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    id: "FRAME-EVERY-ANCESTOR",
    section: Section::Embedding,
    level: Must,
    text: "The portal shows only where every document above it, not only its parent, is on one of the tenant's allowlisted HTTPS origins: a foreign page that frames the allowlisted page, or sits between two allowlisted pages, does not get the portal. The `frame-ancestors` header does this; a decision taken from the parent alone (the `Referer`, the handshake's message origin, `ancestorOrigins[0]`) does not.",
    source: "The browser is enforcing frame-ancestors. Make sure the page where you mount the portal is loaded over HTTPS, and that the parent origin is in your allowlist.",
    surfaces: &[BrowserRefusal, RenderedText],
}];

/// Frame trees that must always be refused, as the pages above the
/// allowlisted host page (outermost first): a foreign, other-tenant,
/// lookalike, subdomain, other-port or plain-HTTP page framing it…
pub(crate) const KNOWN_FOREIGN_PARENTS_OF_PARENT: [&[Site]; 6] = [
    &[Site::Evil],
    &[Site::ShopB],
    &[Site::SuffixLookalike],
    &[Site::Subdomain],
    &[Site::ShopAOtherPort],
    &[Site::ShopAHttp],
];

/// …and foreign pages above or between allowlisted ones.
pub(crate) const KNOWN_FOREIGN_BETWEEN: [&[Site]; 3] = [
    &[Site::Evil, Site::ShopA],
    &[Site::ShopA, Site::Evil],
    &[Site::ShopA, Site::PrefixLookalike, Site::ShopA],
];

/// Chains of one to three pages above the host page, at least one of them
/// not the allowlisted origin (so each must be refused). A plain-HTTP page
/// is only ever the top one: below an HTTPS page the browser blocks it as
/// mixed content, and the tree would never reach the host page.
fn foreign_chains() -> impl Strategy<Value = Vec<Site>> {
    prop::collection::vec(prop::sample::select(&Site::ALL[..]), 1..=3).prop_filter(
        "a chain with a foreign page, plain HTTP only on top",
        |chain| {
            chain.iter().any(|s| *s != Site::ShopA)
                && !chain.iter().skip(1).any(|s| *s == Site::ShopAHttp)
        },
    )
}

/// `evil.test → shop-a.test → host page`, for messages.
fn describe_chain(p: &dyn Probe, chain: &[Site]) -> String {
    let mut parts: Vec<String> = chain.iter().map(|s| p.origin(*s)).collect();
    parts.push(format!("the host page on {}", p.origin(Site::ShopA)));
    parts.join(" → ")
}

/// The premise (an allowlisted page framing the allowlisted host page shows
/// the portal), then each of `chains` (the pages above the host page) has
/// the portal frame refused and none of the user's tickets shown.
async fn refused_under(p: &mut dyn Probe, chains: Vec<Vec<Site>>) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let page = |chain: &[Site]| -> HostPage {
        let mut page = signed_page(Tenant::Primary, &signed);
        page.framed_in = chain.to_vec();
        page.wait_for = vec![WaitFor::FrameSettled];
        page.deadline = Duration::from_secs(6);
        page
    };
    // Premise: nesting itself works here, so a refusal below is the
    // foreign page's doing.
    let portal = p.facts().portal_origin.clone();
    let control_chain = [Site::ShopA];
    let control = p.open_page(page(&control_chain)).await?;
    let where_ = describe_chain(p, &control_chain);
    expect_frame_loads(&mut c, &control, &portal, &where_)?;
    for chain in chains {
        let view = p.open_page(page(&chain)).await?;
        let under = describe_chain(p, &chain);
        expect_frame_refused(&mut c, &view, &user.canary, &under)?;
    }
    Ok(c.pass())
}

async fn known_trees(p: &mut dyn Probe, known: &[&[Site]]) -> Outcome {
    let chains = known.iter().map(|c| c.to_vec()).collect();
    refused_under(p, chains).await
}

async fn generated_trees(p: &mut dyn Probe) -> Outcome {
    let mut chains: Vec<Vec<Site>> = Vec::new();
    for chain in generate(p, "frame trees", foreign_chains(), 4) {
        if !chains.contains(&chain) {
            chains.push(chain);
        }
    }
    refused_under(p, chains).await
}

const TAGS: &[Tag] = &[Tag::Browser, Tag::Framing];
/// What a refused tree under a foreign page proves (the trees with a page
/// on plain HTTP also prove the HTTPS-only rule).
const REQUIREMENTS_WITH_HTTP: &[&str] = &[
    "FRAME-EVERY-ANCESTOR",
    "FRAME-ANCESTORS-ALLOWLIST",
    "FRAME-HTTPS-PARENT-ONLY",
];
const NEEDS: &[Need] = &[Need::Browser, Need::Users];
const FIX: &str = "Send `Content-Security-Policy: frame-ancestors` with the tenant's allowlisted origins on every embed document, whatever the request's Referer says: the browser then checks every ancestor, not only the parent.";

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "embedding.foreign-ancestor-refused",
            title: "A foreign page above the allowlisted one gets no portal",
            section: Section::Embedding,
            requirements: REQUIREMENTS_WITH_HTTP,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: NESTED_BUDGET,
            wait: NO_WAIT,
            description: "Frames the allowlisted host page (correctly signed) inside another page: first an allowlisted one (premise: the portal loads), then https://evil.test, the other tenant's site, a lookalike, a subdomain, the allowlisted host on another port and over plain HTTP: the browser must refuse the portal frame under each and show none of the user's tickets.",
            how_to_fix: FIX,
            run: run!(p => known_trees(p, &KNOWN_FOREIGN_PARENTS_OF_PARENT)),
        },
        Scenario {
            id: "embedding.foreign-page-between-refused",
            title: "A foreign page between allowlisted ones gets no portal",
            section: Section::Embedding,
            requirements: &["FRAME-EVERY-ANCESTOR", "FRAME-ANCESTORS-ALLOWLIST"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "As `embedding.foreign-ancestor-refused`, for deeper trees: evil above an allowlisted page above the host page, evil between an allowlisted top page and the host page, and a lookalike between allowlisted pages: each refused, none of the user's tickets shown.",
            how_to_fix: FIX,
            run: run!(p => known_trees(p, &KNOWN_FOREIGN_BETWEEN)),
        },
        Scenario {
            id: "embedding.generated-frame-trees",
            title: "Generated frame trees with a foreign page get no portal",
            section: Section::Embedding,
            requirements: REQUIREMENTS_WITH_HTTP,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "As `embedding.foreign-ancestor-refused`, for four frame trees generated from a noted seed: one to three pages above the allowlisted host page, from any of the run's sites, at least one foreign, plain HTTP only on top.",
            how_to_fix: FIX,
            run: run!(p => generated_trees(p)),
        },
    ]
}

/// A page nested in other pages opens a browser document per level (and
/// one per refused frame): more than one page's budget on a loaded machine.
const NESTED_BUDGET: std::time::Duration = std::time::Duration::from_secs(40);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_chains_each_hold_a_foreign_page() {
        for chain in KNOWN_FOREIGN_PARENTS_OF_PARENT
            .iter()
            .chain(KNOWN_FOREIGN_BETWEEN.iter())
        {
            assert!(chain.iter().any(|s| *s != Site::ShopA), "{chain:?}");
            assert!(
                !chain.iter().skip(1).any(|s| *s == Site::ShopAHttp),
                "{chain:?}"
            );
        }
    }

    proptest! {
        /// Every generated tree has one to three pages and a foreign one
        /// among them (proptest prints the seed of a failure).
        #[test]
        fn generated_trees_are_foreign(chain in foreign_chains()) {
            prop_assert!((1..=3).contains(&chain.len()), "{:?}", chain);
            prop_assert!(chain.iter().any(|s| *s != Site::ShopA), "{:?}", chain);
            prop_assert!(!chain.iter().skip(1).any(|s| *s == Site::ShopAHttp), "{:?}", chain);
        }
    }
}
