//! "This site cannot be embedded": `frame-ancestors`, HTTPS parents and the
//! origin allowlist.

use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::Scenario;

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
];

pub fn scenarios() -> Vec<Scenario> {
    Vec::new()
}
