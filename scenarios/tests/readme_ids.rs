//! The README's examples name IDs that exist: every `portalcheck explain
//! ID` names a requirement, scenario or attack class, and every
//! `--filter PREFIX` selects at least one scenario.

use scenarios::threat_model::attack_class;
use scenarios::{requirement, scenario, scenarios};

const README: &str = include_str!("../../README.md");

/// The word after each occurrence of `flag` (up to a space or backtick).
fn words_after<'a>(text: &'a str, flag: &str) -> Vec<&'a str> {
    text.match_indices(flag)
        .filter_map(|(at, _)| {
            let rest = &text[at + flag.len()..];
            let word = rest.split([' ', '`', '\n', ')']).next()?;
            (!word.is_empty() && !word.starts_with(['-', '<'])).then_some(word)
        })
        .collect()
}

#[test]
fn every_explained_id_exists() {
    let ids = words_after(README, "portalcheck explain ");
    assert!(
        !ids.is_empty(),
        "the README shows no `portalcheck explain` example"
    );
    for id in ids {
        assert!(
            requirement(id).is_some() || scenario(id).is_some() || attack_class(id).is_some(),
            "README: `portalcheck explain {id}` names no requirement, scenario or attack class"
        );
    }
}

#[test]
fn every_filter_example_selects_a_scenario() {
    let catalogue = scenarios();
    for prefix in words_after(README, "--filter ") {
        assert!(
            prefix == "PREFIX" || catalogue.iter().any(|s| s.id.starts_with(prefix)),
            "README: `--filter {prefix}` selects no scenario"
        );
    }
}
