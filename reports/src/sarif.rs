//! The SARIF 2.1.0 report (`report.sarif`), built by hand with serde_json:
//! one rule per catalogue requirement, one result per failing scenario per
//! requirement it checks, located logically at the scenario so results are
//! stable from run to run. Baselined failures are results with an accepted
//! external suppression; errors, unfinished scenarios and baseline warnings
//! are tool execution notifications.

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use scenarios::Level;

use crate::escape::json_escape_controls;
use crate::record::{RunRecord, State};
use crate::status::RunStatus;
use crate::text::failure_sentence;

/// Where the requirements are documented; a rule's `helpUri` is this plus
/// `#` and the lowercased requirement ID.
pub const REQUIREMENTS_DOC: &str =
    "https://github.com/userhero/portalcheck/blob/main/REQUIREMENTS.md";
pub const INFORMATION_URI: &str = "https://github.com/userhero/portalcheck";
const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

struct Rule {
    id: String,
    level: Level,
    value: Value,
}

/// The record as a SARIF 2.1.0 log.
pub fn render_sarif(record: &RunRecord) -> String {
    let rules = rules(record);
    let mut results = Vec::new();
    for scenario in &record.scenarios {
        let state = scenario.state();
        if !matches!(state, State::Fail | State::Baselined) {
            continue;
        }
        let meta = &scenario.meta;
        let sentence = failure_sentence(scenario);
        for requirement in &meta.requirements {
            let Some(index) = rules.iter().position(|r| &r.id == requirement) else {
                continue;
            };
            let rule = &rules[index];
            let mut result = json!({
                "ruleId": requirement,
                "ruleIndex": index,
                "kind": "fail",
                "level": sarif_level(rule.level),
                "message": { "text": format!("{} ({}): {sentence}", meta.title, meta.id) },
                "locations": [{
                    "logicalLocations": [{
                        "name": meta.id,
                        "fullyQualifiedName": format!("{}/{}", meta.section, meta.id),
                        "kind": "test",
                    }],
                }],
                "relatedLocations": [{
                    "id": 0,
                    "logicalLocations": [{ "name": meta.id, "fullyQualifiedName": format!("{}/{}", meta.section, meta.id) }],
                    "message": { "text": format!("scenario {}: {}", meta.id, meta.title) },
                }],
                "partialFingerprints": { "portalcheckScenario/v1": format!("{}:{requirement}", meta.id) },
                "properties": { "scenario": meta.id, "section": meta.section, "tags": meta.tags },
            });
            if let Some(entry) = &scenario.baselined {
                let mut suppression = json!({ "kind": "external", "status": "accepted", "justification": entry.reason });
                if let Some(issue) = &entry.issue {
                    suppression["properties"] = json!({ "issue": issue });
                }
                result["suppressions"] = json!([suppression]);
                result["baselineState"] = json!("unchanged");
            }
            results.push(result);
        }
    }

    let mut invocation = Map::new();
    // The tool did all it was asked: every scenario has a verdict and the run finished.
    let complete = record.end.as_ref().is_some_and(|e| e.incomplete.is_none())
        && record
            .scenarios
            .iter()
            .all(|s| !matches!(s.state(), State::Error | State::NotRun));
    invocation.insert("executionSuccessful".into(), json!(complete));
    if let Some(start) = timestamp(&record.meta.started_at) {
        invocation.insert("startTimeUtc".into(), json!(start));
    }
    if let Some(end) = record.end.as_ref().and_then(|e| timestamp(&e.finished_at)) {
        invocation.insert("endTimeUtc".into(), json!(end));
    }
    invocation.insert(
        "toolExecutionNotifications".into(),
        Value::Array(notifications(record)),
    );

    let meta = &record.meta;
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "portalcheck",
                "version": meta.portalcheck_version,
                "informationUri": INFORMATION_URI,
                "rules": rules.into_iter().map(|r| r.value).collect::<Vec<_>>(),
            }},
            "automationDetails": { "id": format!("portalcheck/{}/", meta.target.name) },
            "invocations": [Value::Object(invocation)],
            "results": results,
            "properties": {
                "catalogueRevision": meta.catalogue_revision,
                "target": meta.target.name,
                "targetVersion": meta.target.version,
                "portalOrigin": meta.target.portal_origin,
                "seed": meta.seed,
                "status": record.status.name(),
            },
        }],
    });
    let mut text = json_escape_controls(serde_json::to_string_pretty(&log).unwrap_or_default());
    text.push('\n');
    text
}

/// One rule per catalogue requirement, then one for any requirement the
/// record names that the catalogue does not know.
fn rules(record: &RunRecord) -> Vec<Rule> {
    let mut rules: Vec<Rule> = scenarios::requirements()
        .into_iter()
        .map(|r| Rule {
            id: r.id.to_string(),
            level: r.level,
            value: json!({
                "id": r.id,
                "name": rule_name(r.id),
                "shortDescription": { "text": r.text },
                "fullDescription": { "text": format!("{} ({} \u{2014} {}.) Documentation: \u{201c}{}\u{201d}", r.text, r.level.as_str(), r.section.heading(), r.source) },
                "helpUri": help_uri(r.id),
                "help": { "text": format!("{} See {}", r.text, help_uri(r.id)) },
                "defaultConfiguration": { "level": sarif_level(r.level) },
                "properties": { "tags": [r.section.slug(), r.level.as_str().to_ascii_lowercase()] },
            }),
        })
        .collect();
    for scenario in &record.scenarios {
        for id in &scenario.meta.requirements {
            if rules.iter().all(|r| &r.id != id) {
                let level = scenario.level();
                rules.push(Rule {
                    id: id.clone(),
                    level,
                    value: json!({
                        "id": id,
                        "name": rule_name(id),
                        "shortDescription": { "text": format!("{id} (not in this catalogue revision)") },
                        "helpUri": help_uri(id),
                        "defaultConfiguration": { "level": sarif_level(level) },
                        "properties": { "tags": [scenario.meta.section.clone(), level.as_str().to_ascii_lowercase()] },
                    }),
                });
            }
        }
    }
    rules
}

fn notifications(record: &RunRecord) -> Vec<Value> {
    let mut out = Vec::new();
    for scenario in &record.scenarios {
        let state = scenario.state();
        if matches!(state, State::Error | State::NotRun) {
            out.push(json!({
                "level": "error",
                "message": { "text": format!("{}: {}", scenario.meta.id, failure_sentence(scenario)) },
                "locations": [{ "logicalLocations": [{ "name": scenario.meta.id, "kind": "test" }] }],
            }));
        }
    }
    if let RunStatus::Incomplete { reason } = &record.status {
        out.push(json!({ "level": "error", "message": { "text": format!("the run is incomplete: {reason}") } }));
    }
    for warning in &record.baseline_warnings {
        out.push(json!({ "level": "warning", "message": { "text": warning.message() } }));
    }
    out
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Must => "error",
        Level::Should => "warning",
    }
}

/// The documentation anchor of a requirement.
pub fn help_uri(requirement: &str) -> String {
    format!("{REQUIREMENTS_DOC}#{}", requirement.to_ascii_lowercase())
}

/// `AUTH-HMAC-EXACT-BYTES` → `AuthHmacExactBytes`.
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `text` as a SARIF timestamp (UTC, RFC 3339), when it is one.
fn timestamp(text: &str) -> Option<String> {
    let time = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    time.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok()
}
