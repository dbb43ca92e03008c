//! "The portal panel is blank": the host page's Content-Security-Policy and
//! the script tag.

use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::Scenario;

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
];

pub fn scenarios() -> Vec<Scenario> {
    Vec::new()
}
