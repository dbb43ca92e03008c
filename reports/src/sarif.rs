//! The SARIF 2.1.0 report (`report.sarif`), built by hand with serde_json,
//! in the shape GitHub code scanning ingests: one rule per catalogue
//! requirement, one result per failing scenario per requirement it checks.
//! Every result has a physical location (the target file, else the
//! requirement's heading in `REQUIREMENTS.md`) and fingerprints made of the
//! scenario and requirement alone, so an alert is the same from run to run.
//! Baselined failures are results with an accepted external suppression;
//! errors, unfinished scenarios and baseline warnings are tool execution
//! notifications. No rule links anywhere: the project states no public
//! address.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use scenarios::{requirements_doc, Level};

use crate::escape::json_escape_controls;
use crate::event::TargetMeta;
use crate::record::{RunRecord, State};
use crate::status::RunStatus;
use crate::text::failure_sentence;

const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base the relative artifact URIs are resolved against: the working
/// directory of the run, which in CI is the repository's root.
pub const SRCROOT: &str = "%SRCROOT%";

/// The fingerprint GitHub code scanning tracks alerts by.
pub const LINE_HASH: &str = "primaryLocationLineHash";
/// The same identity, readable.
pub const SCENARIO_FINGERPRINT: &str = "portalcheckScenario/v1";

/// GitHub's limit on a rule's `name`, and on its descriptions.
const NAME_LIMIT: usize = 255;
const DESCRIPTION_LIMIT: usize = 1024;
/// Messages are cut here (the whole text is in `report.json` and
/// `report.html`), so that however much a target sends, the file stays far
/// below code scanning's 10 MB upload limit.
const MESSAGE_LIMIT: usize = 2000;

struct Rule {
    id: String,
    level: Level,
    value: Value,
}

/// The record as a SARIF 2.1.0 log.
pub fn render_sarif(record: &RunRecord) -> String {
    let rules = rules(record);
    let target_file = target_file_uri(&record.meta.target);
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
            let (uri, line) = match &target_file {
                Some(uri) => (uri.clone(), 1),
                None => (
                    requirements_doc::PATH.to_string(),
                    requirements_doc::heading_line(requirement).unwrap_or(1),
                ),
            };
            let mut result = json!({
                "ruleId": requirement,
                "ruleIndex": index,
                "kind": "fail",
                "level": sarif_level(rule.level),
                "message": { "text": clamp(&format!("{} ({}): {sentence}", meta.title, meta.id), MESSAGE_LIMIT) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri, "uriBaseId": SRCROOT },
                        "region": { "startLine": line },
                    },
                    "logicalLocations": [{
                        "name": meta.id,
                        "fullyQualifiedName": format!("{}/{}", meta.section_slug(), meta.id),
                        "kind": "test",
                    }],
                }],
                "partialFingerprints": fingerprints(&meta.id, requirement),
                "properties": { "scenario": meta.id, "section": meta.section_slug(), "tags": meta.tags },
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
    let mut log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "portalcheck",
                "version": meta.portalcheck_version,
                "rules": rules.into_iter().map(|r| r.value).collect::<Vec<_>>(),
            }},
            "automationDetails": { "id": format!("portalcheck/{}/", meta.target.name) },
            "invocations": [Value::Object(invocation)],
            "results": results,
            "properties": {
                "catalogueRevision": meta.catalogue_revision,
                "target": meta.target.name,
                "targetVersion": meta.target.version,
                "targetFile": meta.target.file,
                "portalOrigin": meta.target.portal_origin,
                "seed": meta.seed,
                "status": record.status.name(),
                "engine": meta.engine,
                "browser": meta.browser,
                "browserTrust": meta.browser_trust,
                "browserObservation": meta.browser_observation,
            },
        }],
    });
    if !meta.shards.is_empty() {
        // A merged run: each shard's own origin, seed and start.
        log["runs"][0]["properties"]["mergedFrom"] = meta
            .shards
            .iter()
            .map(|s| {
                json!({
                    "shard": s.shard,
                    "portalOrigin": s.portal_origin,
                    "seed": s.seed,
                    "startedAt": s.started_at,
                })
            })
            .collect();
    }
    let mut text = json_escape_controls(serde_json::to_string_pretty(&log).unwrap_or_default());
    text.push('\n');
    text
}

/// The fingerprints of one result: the scenario and the requirement,
/// nothing that changes from run to run (no time, port, seed or path).
fn fingerprints(scenario: &str, requirement: &str) -> Value {
    let digest = Sha256::digest(format!("portalcheck\0{scenario}\0{requirement}").as_bytes());
    json!({
        LINE_HASH: format!("{}:1", hex16(&digest[..8])),
        SCENARIO_FINGERPRINT: format!("{scenario}:{requirement}"),
    })
}

fn hex16(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The target file as a relative URI reference, when it is one code
/// scanning can match to a file of the repository: relative, inside the
/// working directory. `None` sends results to `REQUIREMENTS.md`.
fn target_file_uri(target: &TargetMeta) -> Option<String> {
    let path = target.file.as_deref()?;
    let inside = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "..");
    inside.then(|| uri_path(path))
}

/// `path` percent-encoded as the path of a URI reference: everything but
/// unreserved characters and `/` is encoded (`:` too, so a first segment
/// never reads as a scheme).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One rule per requirement of the run's catalogue (as the record holds
/// it), then one for any requirement a scenario names that it does not.
fn rules(record: &RunRecord) -> Vec<Rule> {
    let mut rules: Vec<Rule> = record
        .meta
        .requirements
        .iter()
        .map(|r| {
            let doc = documented_at(&r.id);
            Rule {
                id: r.id.clone(),
                level: r.level,
                value: json!({
                    "id": r.id,
                    "name": clamp(&rule_name(&r.id), NAME_LIMIT),
                    "shortDescription": { "text": clamp(&r.text, DESCRIPTION_LIMIT) },
                    "fullDescription": { "text": clamp(&format!("{} ({} \u{2014} {}.) Documentation: \u{201c}{}\u{201d}", r.text, r.level.as_str(), r.section.heading(), r.source), DESCRIPTION_LIMIT) },
                    "help": { "text": format!("{} {doc}", r.text) },
                    "defaultConfiguration": { "level": sarif_level(r.level) },
                    "properties": { "tags": [r.section.slug(), r.level.as_str().to_ascii_lowercase()] },
                }),
            }
        })
        .collect();
    for scenario in &record.scenarios {
        for id in &scenario.meta.requirements {
            if rules.iter().all(|r| &r.id != id) {
                let level = scenario.level();
                let text = format!("{id} (not in this catalogue revision)");
                rules.push(Rule {
                    id: id.clone(),
                    level,
                    value: json!({
                        "id": id,
                        "name": clamp(&rule_name(id), NAME_LIMIT),
                        "shortDescription": { "text": clamp(&text, DESCRIPTION_LIMIT) },
                        "fullDescription": { "text": clamp(&format!("{text}: the report names a requirement that catalogue revision {} does not have.", record.meta.catalogue_revision), DESCRIPTION_LIMIT) },
                        "help": { "text": format!("{text}. Compare the catalogue revision of the report with this portalcheck's.") },
                        "defaultConfiguration": { "level": sarif_level(level) },
                        "properties": { "tags": [scenario.meta.section_slug(), level.as_str().to_ascii_lowercase()] },
                    }),
                });
            }
        }
    }
    rules
}

/// Where a requirement is written down, for a rule's help text.
fn documented_at(id: &str) -> String {
    let line = requirements_doc::heading_line(id)
        .map(|n| format!(", line {n}"))
        .unwrap_or_default();
    format!(
        "See {}{line}, or run `portalcheck explain {id}`.",
        requirements_doc::PATH
    )
}

/// At most `limit` characters, the last an ellipsis when cut.
fn clamp(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit - 1).collect();
    out.push('\u{2026}');
    out
}

fn notifications(record: &RunRecord) -> Vec<Value> {
    let mut out = Vec::new();
    for scenario in &record.scenarios {
        let state = scenario.state();
        if matches!(state, State::Error | State::NotRun) {
            out.push(json!({
                "level": "error",
                "message": { "text": clamp(&format!("{}: {}", scenario.meta.id, failure_sentence(scenario)), MESSAGE_LIMIT) },
                "locations": [{ "logicalLocations": [{ "name": scenario.meta.id, "kind": "test" }] }],
            }));
        }
    }
    if let RunStatus::Incomplete { reason } = &record.status {
        out.push(json!({ "level": "error", "message": { "text": clamp(&format!("the run is incomplete: {reason}"), MESSAGE_LIMIT) } }));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn target(file: Option<&str>) -> TargetMeta {
        TargetMeta {
            name: "t".into(),
            version: None,
            portal_origin: "https://p.test".into(),
            reference: false,
            defects: Vec::new(),
            file: file.map(str::to_string),
        }
    }

    #[test]
    fn only_a_target_file_inside_the_working_directory_is_a_location() {
        let uri = |file| target_file_uri(&target(file));
        assert_eq!(
            uri(Some("ci/acme portal.toml")).as_deref(),
            Some("ci/acme%20portal.toml")
        );
        assert_eq!(uri(Some("c:x#1.toml")).as_deref(), Some("c%3Ax%231.toml"));
        assert_eq!(uri(Some("d\u{e9}.toml")).as_deref(), Some("d%C3%A9.toml"));
        for outside in ["/etc/t.toml", "../t.toml", "a/../../t.toml", "", "a//b"] {
            assert_eq!(uri(Some(outside)), None, "{outside}");
        }
        assert_eq!(uri(None), None);
    }

    #[test]
    fn fingerprints_depend_on_scenario_and_requirement_only() {
        let a = fingerprints("s.one", "REQ-A");
        assert_eq!(a, fingerprints("s.one", "REQ-A"));
        assert_ne!(a[LINE_HASH], fingerprints("s.one", "REQ-B")[LINE_HASH]);
        assert_ne!(a[LINE_HASH], fingerprints("s.two", "REQ-A")[LINE_HASH]);
        let hash = a[LINE_HASH].as_str().unwrap();
        let (hex, occurrence) = hash.split_once(':').unwrap();
        assert_eq!((hex.len(), occurrence), (16, "1"));
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn clamp_counts_characters() {
        assert_eq!(clamp("abc", 3), "abc");
        assert_eq!(clamp("\u{e9}\u{e9}\u{e9}\u{e9}", 3), "\u{e9}\u{e9}\u{2026}");
    }
}
