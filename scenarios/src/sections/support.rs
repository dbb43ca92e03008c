//! "Still stuck?": what a customer sends support must be there to send.

__IMPORTS__
use crate::checks::*;
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    id: "SUPPORT-CONSOLE-DIAGNOSTIC",
    section: Section::Support,
    level: Should,
    text: "Every auth failure writes a console error in the host page naming the reason and the public key, so the customer has \"any browser console errors\" to send.",
    source: "Email hello@userhero.co with the public key, the customer's externalUserId, the timestamp of the failure, and any browser console errors.",
    surfaces: &[Console],
}];

