//! `portalcheck list` and `portalcheck explain`: the catalogue and its
//! threat model rendered for people (a table) and machines (JSON),
//! straight from the registry.

use std::fmt::Write;

use scenarios::catalogue::{requirement, requirements, scenario, scenarios_for};
use scenarios::threat_model::{attack_class, classes_for_scenario, AttackClass, Coverage};
use serde_json::json;

use crate::run::runner::Filter;

/// The catalogue as a table or JSON.
pub fn list(filter: &Filter, as_json: bool, requirements_view: bool) -> String {
    if requirements_view {
        let rows: Vec<_> = requirements()
            .into_iter()
            .map(|r| {
                let covering: Vec<&str> = scenarios_for(r.id).iter().map(|s| s.id).collect();
                (r, covering)
            })
            .collect();
        if as_json {
            let items: Vec<_> = rows
                .iter()
                .map(|(r, covering)| {
                    json!({"id": r.id, "section": r.section.slug(), "level": r.level.as_str(), "text": r.text,
                           "source": r.source, "scenarios": covering})
                })
                .collect();
            return serde_json::to_string_pretty(&items).unwrap_or_default() + "\n";
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<32} {:<7} {:<12} SCENARIOS",
            "REQUIREMENT", "LEVEL", "SECTION"
        );
        for (r, covering) in rows {
            let _ = writeln!(
                out,
                "{:<32} {:<7} {:<12} {}",
                r.id,
                r.level.as_str(),
                r.section.slug(),
                covering.len()
            );
        }
        return out;
    }
    let selected = filter.select(scenarios::scenarios());
    if as_json {
        let items: Vec<_> = selected
            .iter()
            .map(|s| {
                json!({"id": s.id, "title": s.title, "section": s.section.slug(), "level": s.level.as_str(),
                       "requirements": s.requirements, "tags": s.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                       "budget_seconds": s.budget.as_secs(), "wait_ms": s.wait.as_millis() as u64, "description": s.description, "how_to_fix": s.how_to_fix})
            })
            .collect();
        return serde_json::to_string_pretty(&items).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    let width = selected
        .iter()
        .map(|s| s.id.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        out,
        "{:<width$} {:<7} {:<22} REQUIREMENTS",
        "SCENARIO", "LEVEL", "TAGS"
    );
    for s in &selected {
        let tags: Vec<&str> = s.tags.iter().map(|t| t.as_str()).collect();
        let _ = writeln!(
            out,
            "{:<width$} {:<7} {:<22} {}",
            s.id,
            s.level.as_str(),
            tags.join(","),
            s.requirements.join(" ")
        );
    }
    let _ = writeln!(out, "{} scenarios", selected.len());
    out
}

/// A requirement or scenario explained; `None` for an unknown ID.
pub fn explain(id: &str) -> Option<String> {
    let mut out = String::new();
    if let Some(r) = requirement(id) {
        let _ = writeln!(out, "{} ({})", r.id, r.level.as_str());
        let _ = writeln!(out, "Section: {}", r.section.heading());
        let _ = writeln!(out, "\n{}\n", r.text);
        let _ = writeln!(out, "Documentation: \"{}\"", r.source);
        let surfaces: Vec<&str> = r.surfaces.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(out, "A failure shows as: {}", surfaces.join(", "));
        let _ = writeln!(out, "\nChecked by:");
        for s in scenarios_for(r.id) {
            let _ = writeln!(out, "  {:<44} {}", s.id, s.title);
        }
        return Some(out);
    }
    if let Some(a) = attack_class(id) {
        return Some(explain_attack_class(a));
    }
    let s = scenario(id)?;
    let tags: Vec<&str> = s.tags.iter().map(|t| t.as_str()).collect();
    let _ = writeln!(out, "{} ({})", s.id, s.level.as_str());
    let _ = writeln!(out, "{}\n", s.title);
    let _ = writeln!(out, "Section: {}", s.section.heading());
    let _ = writeln!(out, "Tags: {}", tags.join(", "));
    if s.wait.is_zero() {
        let _ = writeln!(out, "Budget: {} s\n", s.budget.as_secs());
    } else {
        let _ = writeln!(
            out,
            "Budget: {} s, of which {} ms is a real-time wait (started first)\n",
            s.budget.as_secs(),
            s.wait.as_millis()
        );
    }
    let _ = writeln!(out, "What it does: {}\n", s.description);
    let _ = writeln!(out, "How to fix a failure: {}\n", s.how_to_fix);
    let _ = writeln!(out, "Requirements:");
    for rid in s.requirements {
        if let Some(r) = requirement(rid) {
            let _ = writeln!(out, "  {} ({}): {}", r.id, r.level.as_str(), r.text);
        }
    }
    let classes = classes_for_scenario(s.id);
    if !classes.is_empty() {
        let _ = writeln!(out, "\nAttack classes it tries:");
        for a in classes {
            let _ = writeln!(out, "  {:<44} {}", a.id, a.title);
        }
    }
    Some(out)
}

/// One attack class: where it sits, what it is, its sources and how the
/// catalogue answers it.
fn explain_attack_class(a: &AttackClass) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", a.id, a.title);
    let _ = writeln!(out, "Boundary: {}", a.boundary.title());
    let _ = writeln!(out, "Crosses: {}", a.asset.as_str());
    let _ = writeln!(out, "\n{}\n", a.attack);
    let _ = writeln!(out, "Sources:");
    for source in a.sources {
        let _ = writeln!(out, "  {} <{}>", source.title, source.url);
    }
    match a.coverage {
        Coverage::Scenarios(ids) => {
            let _ = writeln!(out, "\nTried by:");
            for id in ids {
                let title = scenario(id)
                    .map(|s| s.title)
                    .unwrap_or("(unknown scenario)");
                let _ = writeln!(out, "  {id:<44} {title}");
            }
        }
        Coverage::Unobservable(reason) => {
            let _ = writeln!(out, "\nNo black-box test can observe it: {reason}");
        }
        Coverage::Gap(reason) => {
            let _ = writeln!(out, "\nNot yet tried (gap): {reason}");
        }
    }
    out
}
