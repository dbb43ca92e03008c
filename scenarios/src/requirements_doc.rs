//! Renders `REQUIREMENTS.md` from the registry (the requirements, then the
//! threat model), and says where in it each requirement's heading is. The
//! checked-in file is compared with this output by a test, so the two
//! cannot drift.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

use crate::catalogue::{requirements, scenarios_for, CATALOGUE_REVISION};
use crate::requirement::Section;

/// The path of the rendered document in the repository.
pub const PATH: &str = "REQUIREMENTS.md";

/// How a requirement's heading starts; the ID and a backtick follow.
const HEADING: &str = "### `";

/// The 1-based line of requirement `id`'s heading in [`render`]'s output.
pub fn heading_line(id: &str) -> Option<usize> {
    static LINES: OnceLock<HashMap<String, usize>> = OnceLock::new();
    LINES
        .get_or_init(|| {
            render()
                .lines()
                .enumerate()
                .filter_map(|(i, line)| {
                    let (id, _) = line.strip_prefix(HEADING)?.split_once('`')?;
                    Some((id.to_string(), i + 1))
                })
                .collect()
        })
        .get(id)
        .copied()
}

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
            let _ = writeln!(out, "{HEADING}{}` ({})", r.id, r.level.as_str());
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", r.text);
            let _ = writeln!(out);
            let _ = writeln!(out, "> {}", r.source);
            let _ = writeln!(out);
            let surfaces: Vec<&str> = r.surfaces.iter().map(|s| s.as_str()).collect();
            let _ = writeln!(out, "- Shows as: {}", surfaces.join(", "));
            for settled in crate::contract::wire::SETTLED
                .iter()
                .filter(|x| x.requirement == r.id)
            {
                let _ = writeln!(
                    out,
                    "- Settled ([CONTRACT.md](CONTRACT.md#settled)): {} {} Why: {}.",
                    settled.question, settled.decision, settled.why
                );
            }
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
    render_threat_model(&mut out);
    out
}

/// The trust-boundary map and the attack classes, after the requirements.
fn render_threat_model(out: &mut String) {
    use crate::threat_model::{answered, classes_at, Boundary, Coverage, ATTACK_CLASSES};
    let answered_count = ATTACK_CLASSES.iter().filter(|a| answered(a)).count();
    let _ = writeln!(out);
    let _ = writeln!(out, "## Threat model {{#threat-model}}");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Every place where data passes from one party to another, what crosses it, and the attack classes an implementation can get wrong there, each with a public source. {} attack classes: {answered_count} tried by scenarios or shown unobservable from outside, {} open gaps. `portalcheck explain THREAT-ID` prints one; `portalcheck explain SCENARIO` lists the classes a scenario tries.",
        ATTACK_CLASSES.len(),
        ATTACK_CLASSES.len() - answered_count
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| Boundary | What crosses it | Attack classes |");
    let _ = writeln!(out, "|---|---|---|");
    for b in Boundary::ALL {
        let crossing: Vec<&str> = b.crossing().iter().map(|a| a.as_str()).collect();
        let _ = writeln!(
            out,
            "| [{}](#threat-{}) | {} | {} |",
            b.title(),
            b.slug(),
            crossing.join(", "),
            classes_at(b).len()
        );
    }
    for b in Boundary::ALL {
        let _ = writeln!(out);
        let _ = writeln!(out, "### {} {{#threat-{}}}", b.title(), b.slug());
        for a in classes_at(b) {
            let _ = writeln!(out);
            let _ = writeln!(out, "#### `{}`: {}", a.id, a.title);
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", a.attack);
            let _ = writeln!(out);
            let _ = writeln!(out, "- Crosses: {}", a.asset.as_str());
            let sources: Vec<String> = a
                .sources
                .iter()
                .map(|s| format!("[{}]({})", s.title, s.url))
                .collect();
            let _ = writeln!(out, "- Sources: {}", sources.join("; "));
            match a.coverage {
                Coverage::Scenarios(ids) => {
                    let ids: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
                    let _ = writeln!(out, "- Tried by: {}", ids.join(", "));
                }
                Coverage::Unobservable(reason) => {
                    let _ = writeln!(out, "- No black-box test: {reason}");
                }
                Coverage::Gap(reason) => {
                    let _ = writeln!(out, "- Gap (not yet tried): {reason}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_requirement_has_its_heading_line() {
        let text = super::render();
        let lines: Vec<&str> = text.lines().collect();
        for r in crate::requirements() {
            let line = super::heading_line(r.id).unwrap_or_else(|| panic!("{}", r.id));
            assert_eq!(
                lines[line - 1],
                format!("### `{}` ({})", r.id, r.level.as_str())
            );
        }
        assert_eq!(super::heading_line("NO-SUCH-REQUIREMENT"), None);
    }

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
