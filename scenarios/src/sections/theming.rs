//! "Theme or CSS variables don't apply": the variable allowlist and the
//! silently dropped dangerous values.

__IMPORTS__
use crate::checks::*;
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "THEME-ALLOWED-APPLIES",
        section: Section::Theming,
        level: Must,
        text: "A supported variable (`--uh-brand-color`, `--uh-text-color`, `--uh-background`, `--uh-font-family`, `--uh-radius`) with a safe value is applied inside the portal.",
        source: "Check that the variable name is in the supported allowlist (see Theming).",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "THEME-UNKNOWN-DROPPED",
        section: Section::Theming,
        level: Must,
        text: "A variable or property outside the allowlist is dropped.",
        source: "Check that the variable name is in the supported allowlist (see Theming).",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "THEME-DANGEROUS-DROPPED",
        section: Section::Theming,
        level: Must,
        text: "A value containing `;`, `url(`, `expression(`, `@import`, or anything else that could fetch or break out of its declaration (`{`, `}`, `\\`, `<`, comments, any function other than rgb/rgba/hsl/hsla/calc), in any letter case, is dropped, and nothing is fetched.",
        source: "Values containing semicolons, url(), expression(), or @import are silently dropped for security.",
        surfaces: &[RenderedText, Network],
    },
    Requirement {
        id: "THEME-DROP-SILENT",
        section: Section::Theming,
        level: Must,
        text: "Dropping is silent: no `auth_failed`, the portal still becomes ready, and the rest of the theme still applies.",
        source: "... are silently dropped for security.",
        surfaces: &[SdkEvent, RenderedText],
    },
];

