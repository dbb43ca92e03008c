//! "Session expired" message: `expiresAt`, `auth_expiring`, re-signing and
//! server-side expiry.

__IMPORTS__
use crate::checks::*;
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "SESSION-LIFETIME",
        section: Section::Session,
        level: Must,
        text: "A session stays usable until its signed `expiresAt`.",
        source: "The signed expiresAt has passed.",
        surfaces: &[HttpStatus, RenderedText],
    },
    Requirement {
        id: "SESSION-EXPIRING-EVENT",
        section: Section::Session,
        level: Must,
        text: "`auth_expiring` fires before `expiresAt`, with a lead of 60 s or half the session's lifetime at the handshake when that is shorter (at least 1 s), give or take one second.",
        source: "Listen for the auth_expiring event and re-sign before the timer runs out",
        surfaces: &[SdkEvent],
    },
    Requirement {
        id: "SESSION-RESIGN-CONTINUES",
        section: Section::Session,
        level: Must,
        text: "`setUser` with a fresh signature, called from the `auth_expiring` handler, continues the session: no \"Session expired\" message, the tickets stay.",
        source: "UserHero.setUser(user, userHmac);",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "SESSION-EXPIRED-MESSAGE",
        section: Section::Session,
        level: Must,
        text: "Without a re-sign, the portal shows \"Session expired\" once `expiresAt` passes and no longer shows ticket data.",
        source: "\"Session expired\" message. The signed expiresAt has passed.",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "SESSION-SERVER-EXPIRY",
        section: Section::Session,
        level: Must,
        text: "Once `expiresAt` has passed the portal API refuses the old session (401 `session_expired`), whatever the page shows.",
        source: "The signed expiresAt has passed.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "SESSION-RESIGN-REFUSED",
        section: Section::Session,
        level: Must,
        text: "A re-sign with a bad or expired signature fires `auth_failed` and does not extend the session.",
        source: "re-sign before the timer runs out",
        surfaces: &[SdkEvent],
    },
];

