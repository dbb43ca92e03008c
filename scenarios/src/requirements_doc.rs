//! Renders `REQUIREMENTS.md` from the registry. The checked-in file is
//! compared with this output by a test, so the two cannot drift.

use std::fmt::Write;

use crate::catalogue::{requirements, scenarios_for, CATALOGUE_REVISION};
use crate::requirement::Section;

/// The full text of `REQUIREMENTS.md`.
pub fn render() -> String {
    let mut out = String::new();
    let all = requirements();
    let must = all.iter().filter(|r| r.level == crate::Level::Must).count();
    let _ = writeln!(out, "# The UserHero Embedded Portal contract");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Generated from the `scenarios` crate by `portalcheck requirements` (catalogue revision {CATALOGUE_REVISION}); do not edit by hand."
    );
    let _ = writeln!(
        out,
        "Each requirement comes from a sentence of the Embedded Portal troubleshooting documentation, quoted under it. {} requirements, {must} of them MUST.",
        all.len()
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "The wire details they refer to (paths, event names, reasons, theme variables, lead time) are in `scenarios/src/contract.rs`; `portalcheck explain ID` prints one requirement with its scenarios.");
    for section in Section::ALL {
        let reqs: Vec<_> = all.iter().filter(|r| r.section == section).collect();
        if reqs.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "## {} {{#{}}}", section.heading(), section.slug());
        for r in reqs {
            let _ = writeln!(out);
            let _ = writeln!(out, "### `{}` ({})", r.id, r.level.as_str());
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", r.text);
            let _ = writeln!(out);
            let _ = writeln!(out, "> {}", r.source);
            let _ = writeln!(out);
            let surfaces: Vec<&str> = r.surfaces.iter().map(|s| s.as_str()).collect();
            let _ = writeln!(out, "- Shows as: {}", surfaces.join(", "));
            let checked_by: Vec<String> = scenarios_for(r.id)
                .iter()
                .map(|s| format!("`{}`", s.id))
                .collect();
            let checked = if checked_by.is_empty() {
                "(none yet)".to_string()
            } else {
                checked_by.join(", ")
            };
            let _ = writeln!(out, "- Checked by: {checked}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn checked_in_requirements_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../REQUIREMENTS.md");
        let expected = super::render();
        if std::env::var_os("PORTALCHECK_BLESS").is_some() {
            std::fs::write(path, &expected).expect("write REQUIREMENTS.md");
            return;
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "REQUIREMENTS.md is out of date: run `PORTALCHECK_BLESS=1 cargo test -p scenarios` (or `portalcheck requirements > REQUIREMENTS.md`)"
        );
    }
}
