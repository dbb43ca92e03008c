//! The one registry: every requirement and every scenario, gathered from
//! the section modules in document order. `portalcheck list`,
//! `REQUIREMENTS.md` and the invariant tests are all generated from here.

use crate::requirement::{Requirement, Section};
use crate::scenario::Scenario;
use crate::sections;

/// Bumped whenever a requirement or scenario is added, removed or changed
/// in meaning; reports carry it so results can be compared.
pub const CATALOGUE_REVISION: &str = "2026-12-03.1";

/// Every requirement, in document order.
pub fn requirements() -> Vec<&'static Requirement> {
    [
        sections::sdk::REQUIREMENTS,
        sections::handshake::REQUIREMENTS,
        sections::handshake_variants::REQUIREMENTS,
        sections::blank_panel::REQUIREMENTS,
        sections::embedding::REQUIREMENTS,
        sections::tenancy::REQUIREMENTS,
        sections::tenancy_variants::REQUIREMENTS,
        sections::theming::REQUIREMENTS,
        sections::session::REQUIREMENTS,
        sections::session_tokens::REQUIREMENTS,
        sections::support::REQUIREMENTS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every scenario, in document order.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(sections::sdk::scenarios());
    all.extend(sections::handshake::scenarios());
    all.extend(sections::handshake_variants::scenarios());
    all.extend(sections::blank_panel::scenarios());
    all.extend(sections::embedding::scenarios());
    all.extend(sections::tenancy::scenarios());
    all.extend(sections::tenancy_variants::scenarios());
    all.extend(sections::theming::scenarios());
    all.extend(sections::session::scenarios());
    all.extend(sections::session_tokens::scenarios());
    all.extend(sections::support::scenarios());
    all
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

/// The requirements of one section.
pub fn section_requirements(section: Section) -> Vec<&'static Requirement> {
    requirements()
        .into_iter()
        .filter(|r| r.section == section)
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

    #[test]
    fn requirements_sit_in_their_section_file() {
        for section in Section::ALL {
            for r in section_requirements(section) {
                assert_eq!(r.section, section);
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
