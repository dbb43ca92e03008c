//! The one registry: every requirement and every scenario, gathered from
//! the section modules in document order. `portalcheck list`,
//! `REQUIREMENTS.md` and the invariant tests are all generated from here.

use crate::requirement::{Requirement, Section};
use crate::scenario::Scenario;
use crate::sections;

/// Bumped whenever a requirement or scenario is added, removed or changed
/// in meaning; reports carry it so results can be compared.
pub const CATALOGUE_REVISION: &str = "2026-12-07.5";

/// One file of `sections/`: the documentation section it belongs to, its
/// module path under `sections` (what the invariant test holds the section
/// to), its requirements and its scenarios.
struct SectionFile {
    section: Section,
    /// Read only by `requirements_sit_in_their_section_file`.
    #[cfg_attr(not(test), allow(dead_code))]
    module: &'static str,
    requirements: &'static [Requirement],
    scenarios: fn() -> Vec<Scenario>,
}

macro_rules! section_file {
    ($section:ident, $($module:ident)::+) => {
        SectionFile {
            section: Section::$section,
            module: stringify!($($module)::+),
            requirements: sections::$($module)::+::REQUIREMENTS,
            scenarios: sections::$($module)::+::scenarios,
        }
    };
}

/// Every file of `sections/`, in document order.
const FILES: &[SectionFile] = &[
    section_file!(Sdk, sdk),
    section_file!(Sdk, sdk_exposure),
    section_file!(Sdk, sdk_messages),
    section_file!(Handshake, handshake::different_string),
    section_file!(Handshake, handshake::secret),
    section_file!(Handshake, handshake::clock),
    section_file!(Handshake, handshake),
    section_file!(Handshake, handshake::origin),
    section_file!(Handshake, handshake_variants),
    section_file!(BlankPanel, blank_panel),
    section_file!(Embedding, embedding),
    section_file!(Embedding, embedding_ancestors),
    section_file!(Tenancy, tenancy),
    section_file!(Tenancy, tenancy_variants),
    section_file!(Tenancy, tenancy_user_switch),
    section_file!(Tenancy, tenancy_ticket_text),
    section_file!(Theming, theming),
    section_file!(Session, session),
    section_file!(Session, session_tokens),
    section_file!(Support, support),
];

/// Every requirement, in document order.
pub fn requirements() -> Vec<&'static Requirement> {
    FILES.iter().flat_map(|f| f.requirements).collect()
}

/// Every scenario, in document order.
pub fn scenarios() -> Vec<Scenario> {
    FILES.iter().flat_map(|f| (f.scenarios)()).collect()
}

pub fn requirement(id: &str) -> Option<&'static Requirement> {
    requirements().into_iter().find(|r| r.id == id)
}

pub fn scenario(id: &str) -> Option<Scenario> {
    scenarios().into_iter().find(|s| s.id == id)
}

/// The scenarios that check a requirement.
pub fn scenarios_for(requirement_id: &str) -> Vec<Scenario> {
    scenarios()
        .into_iter()
        .filter(|s| s.requirements.contains(&requirement_id))
        .collect()
}

/// The requirements of one section, from its files.
pub fn section_requirements(section: Section) -> Vec<&'static Requirement> {
    FILES
        .iter()
        .filter(|f| f.section == section)
        .flat_map(|f| f.requirements)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn requirement_ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for r in requirements() {
            assert!(seen.insert(r.id), "duplicate requirement ID {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
                "requirement ID {} must be UPPER-KEBAB",
                r.id
            );
            assert!(
                !r.surfaces.is_empty(),
                "{} says nowhere its failure shows",
                r.id
            );
        }
    }

    /// The section a file's module path names: its first segment, with
    /// `_` read as `-`, starts with the section's slug (`handshake::clock`
    /// and `handshake_variants` are handshake files).
    fn named_section(module: &str) -> Option<Section> {
        let first = module.split("::").next()?.trim().replace('_', "-");
        Section::ALL
            .into_iter()
            .filter(|s| first.starts_with(s.slug()))
            .max_by_key(|s| s.slug().len())
    }

    #[test]
    fn requirements_sit_in_their_section_file() {
        for file in FILES {
            assert_eq!(
                named_section(file.module),
                Some(file.section),
                "sections::{} is not the file of {:?}",
                file.module,
                file.section
            );
            for r in file.requirements {
                assert_eq!(
                    r.section, file.section,
                    "{} sits in sections::{}, the file of another section",
                    r.id, file.module
                );
            }
            for s in (file.scenarios)() {
                assert_eq!(
                    s.section, file.section,
                    "{} sits in sections::{}, the file of another section",
                    s.id, file.module
                );
                assert!(
                    s.id.starts_with(&format!("{}.", file.section.slug())),
                    "{} sits in sections::{} but is not named after its section",
                    s.id,
                    file.module
                );
            }
        }
    }

    #[test]
    fn scenario_ids_are_unique_and_name_known_requirements() {
        let mut seen = HashSet::new();
        for s in scenarios() {
            assert!(seen.insert(s.id), "duplicate scenario ID {}", s.id);
            assert!(
                s.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
                "scenario ID {} must be lower-kebab with dots",
                s.id
            );
            assert!(!s.requirements.is_empty(), "{} checks no requirement", s.id);
            for r in s.requirements {
                assert!(
                    requirement(r).is_some(),
                    "{} names unknown requirement {r}",
                    s.id
                );
            }
            assert!(
                !s.how_to_fix.is_empty() && !s.description.is_empty(),
                "{} lacks prose",
                s.id
            );
            assert_eq!(
                s.needs_browser(),
                s.tags.contains(&crate::Tag::Browser),
                "{}: Browser need and tag disagree",
                s.id
            );
        }
    }

    #[test]
    fn declared_waits_fit_their_budgets() {
        for s in scenarios() {
            // The budget must leave room for the work besides the wait.
            assert!(
                s.wait * 2 <= s.budget,
                "{}: its wait ({:?}) takes more than half its budget ({:?})",
                s.id,
                s.wait,
                s.budget
            );
        }
        // The waits the session section is built on are declared, so the
        // runner starts them first.
        let waiting = |id: &str| {
            scenarios()
                .iter()
                .find(|s| s.id == id)
                .is_some_and(|s| !s.wait.is_zero())
        };
        for id in [
            "session.resign-continues",
            "session.bad-resign-fails",
            "session.expired-message",
            "session.usable-until-expiry",
        ] {
            assert!(waiting(id), "{id} declares no wait");
        }
    }

    #[test]
    fn every_requirement_has_a_scenario() {
        let missing: Vec<&str> = requirements()
            .into_iter()
            .filter(|r| scenarios_for(r.id).is_empty())
            .map(|r| r.id)
            .collect();
        assert!(
            missing.is_empty(),
            "requirements without a scenario: {missing:?}"
        );
    }
}
