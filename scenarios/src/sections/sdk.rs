//! The SDK surface every section presupposes: `portal.js` loaded with
//! `async`, the `UserHero` global and its queue stub, `init`, `setUser`,
//! `on` and the events.

use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::Scenario;

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

pub fn scenarios() -> Vec<Scenario> {
    Vec::new()
}
