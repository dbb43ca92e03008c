//! `report.sarif` against GitHub code scanning's ingestion rules (the
//! required properties and upload limits of "SARIF support for code
//! scanning"), on the fixture run, on a run against a target file, and on a
//! worst case where every catalogue scenario fails with hostile text; then,
//! when it is installed, Microsoft's `sarif-multitool validate` with its
//! GitHub rules (`scripts/validate-sarif`).

mod common;

use std::collections::HashSet;
use std::process::Command;

use common::*;
use reports::event::RunEnd;
use reports::{render_sarif, Event, Outcome, Redactor, RunRecord, ScenarioMeta, ScenarioResult};
use serde_json::Value;

/// Upload limits: per file (gzip-compressed, so the uncompressed size is
/// a safe bound), runs per file, results and rules per run, locations per
/// result (only 10 are read), tags per rule.
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
const MAX_RUNS: usize = 20;
const MAX_RESULTS: usize = 25_000;
const MAX_RULES: usize = 25_000;
const MAX_LOCATIONS: usize = 10;
const MAX_TAGS: usize = 20;
const MAX_NAME: usize = 255;
const MAX_DESCRIPTION: usize = 1024;
const LEVELS: [&str; 4] = ["none", "note", "warning", "error"];

fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A URI reference code scanning matches to a file of the repository:
/// relative (no scheme, no leading `/`), inside it (no `..`), and only
/// characters a URI may hold (anything else percent-encoded).
fn relative_uri_problem(uri: &str) -> Option<&'static str> {
    if uri.is_empty() {
        return Some("is empty");
    }
    let first = uri.split('/').next().unwrap_or_default();
    if first.contains(':') {
        return Some("has a scheme");
    }
    if uri.starts_with('/') {
        return Some("is absolute");
    }
    if uri.split('/').any(|part| part == ".." || part.is_empty()) {
        return Some("leaves the repository or has an empty segment");
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~/%!$&'()*+,;=@".contains(&b);
    if !uri.bytes().all(allowed) {
        return Some("has characters that are not percent-encoded");
    }
    None
}

fn location_problems(location: &Value, at: &str, out: &mut Vec<String>) {
    let Some(physical) = location.get("physicalLocation") else {
        out.push(format!("{at}: expected a physical location"));
        return;
    };
    match text_at(physical, "/artifactLocation/uri") {
        None => out.push(format!("{at}: no physicalLocation.artifactLocation.uri")),
        Some(uri) => {
            if let Some(problem) = relative_uri_problem(uri) {
                out.push(format!("{at}: uri {uri:?} {problem}"));
            }
        }
    }
    match physical
        .pointer("/region/startLine")
        .and_then(Value::as_u64)
    {
        Some(line) if line >= 1 => {}
        _ => out.push(format!("{at}: region.startLine must be an integer >= 1")),
    }
}

/// Every way `sarif` breaks GitHub's ingestion rules, one line each.
fn ingestion_problems(sarif: &Value, size: usize) -> Vec<String> {
    let mut out = Vec::new();
    if size > MAX_FILE_BYTES {
        out.push(format!("file is {size} bytes, over {MAX_FILE_BYTES}"));
    }
    if text_at(sarif, "/$schema").is_none() {
        out.push("no $schema".into());
    }
    if sarif["version"] != "2.1.0" {
        out.push("version is not 2.1.0".into());
    }
    let runs = sarif["runs"].as_array().cloned().unwrap_or_default();
    if runs.is_empty() || runs.len() > MAX_RUNS {
        out.push(format!("{} runs", runs.len()));
    }
    for (r, run) in runs.iter().enumerate() {
        let at = format!("runs[{r}]");
        if text_at(run, "/tool/driver/name").is_none() {
            out.push(format!("{at}: tool.driver.name is not set"));
        }
        let rules = run
            .pointer("/tool/driver/rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if rules.len() > MAX_RULES {
            out.push(format!("{at}: {} rules", rules.len()));
        }
        let mut ids = HashSet::new();
        for (i, rule) in rules.iter().enumerate() {
            let at = format!("{at}.rules[{i}]");
            match text_at(rule, "/id") {
                Some(id) if ids.insert(id.to_string()) => {}
                Some(id) => out.push(format!("{at}: duplicate id {id}")),
                None => out.push(format!("{at}: no id")),
            }
            for (field, limit) in [
                ("/shortDescription/text", MAX_DESCRIPTION),
                ("/fullDescription/text", MAX_DESCRIPTION),
                ("/help/text", usize::MAX),
            ] {
                match text_at(rule, field) {
                    None => out.push(format!("{at}: no {field}")),
                    Some(text) if text.chars().count() > limit => {
                        out.push(format!("{at}: {field} over {limit} characters"))
                    }
                    Some(_) => {}
                }
            }
            if rule["name"]
                .as_str()
                .is_some_and(|n| n.chars().count() > MAX_NAME)
            {
                out.push(format!("{at}: name over {MAX_NAME} characters"));
            }
            if let Some(level) = rule.pointer("/defaultConfiguration/level") {
                if !["note", "warning", "error"].contains(&level.as_str().unwrap_or_default()) {
                    out.push(format!("{at}: defaultConfiguration.level {level}"));
                }
            }
            let tags = rule.pointer("/properties/tags").and_then(Value::as_array);
            if tags.is_some_and(|t| t.len() > MAX_TAGS) {
                out.push(format!("{at}: over {MAX_TAGS} tags"));
            }
        }
        let Some(results) = run["results"].as_array() else {
            out.push(format!("{at}: no results array"));
            continue;
        };
        if results.len() > MAX_RESULTS {
            out.push(format!("{at}: {} results", results.len()));
        }
        for (i, result) in results.iter().enumerate() {
            let at = format!("{at}.results[{i}]");
            let rule_id = text_at(result, "/ruleId");
            match rule_id {
                Some(id) if ids.contains(id) => {}
                _ => out.push(format!("{at}: ruleId {rule_id:?} is not a rule of the run")),
            }
            if let Some(index) = result.get("ruleIndex") {
                let named = index
                    .as_u64()
                    .and_then(|i| rules.get(i as usize))
                    .and_then(|rule| rule["id"].as_str());
                if named.is_none() || named != rule_id {
                    out.push(format!(
                        "{at}: ruleIndex {index} names {named:?}, not {rule_id:?}"
                    ));
                }
            }
            if text_at(result, "/message/text").is_none() {
                out.push(format!("{at}: message.text is empty"));
            }
            if let Some(level) = result.get("level") {
                if !LEVELS.contains(&level.as_str().unwrap_or_default()) {
                    out.push(format!("{at}: level {level}"));
                }
            }
            let locations = result["locations"].as_array().cloned().unwrap_or_default();
            if locations.is_empty() {
                out.push(format!("{at}: expected at least one location"));
            }
            if locations.len() > MAX_LOCATIONS {
                out.push(format!("{at}: {} locations", locations.len()));
            }
            for (l, location) in locations.iter().enumerate() {
                location_problems(location, &format!("{at}.locations[{l}]"), &mut out);
            }
            let related = result["relatedLocations"].as_array().cloned();
            for (l, location) in related.unwrap_or_default().iter().enumerate() {
                location_problems(location, &format!("{at}.relatedLocations[{l}]"), &mut out);
            }
            match result["partialFingerprints"].as_object() {
                Some(f)
                    if text_at(result, "/partialFingerprints/primaryLocationLineHash")
                        .is_some() =>
                {
                    if f.values().any(|v| v.as_str().is_none_or(str::is_empty)) {
                        out.push(format!("{at}: an empty partialFingerprint"));
                    }
                }
                _ => out.push(format!(
                    "{at}: no partialFingerprints.primaryLocationLineHash"
                )),
            }
        }
    }
    out
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("report.sarif is JSON")
}

fn assert_ingestible(text: &str) -> Value {
    let sarif = parse(text);
    let problems = ingestion_problems(&sarif, text.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    sarif
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

fn uri_and_line(result: &Value) -> (&str, u64) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"].as_str().unwrap(),
        physical["region"]["startLine"].as_u64().unwrap(),
    )
}

#[test]
fn the_fixture_run_is_ingestible_and_points_into_requirements_md() {
    let sarif = assert_ingestible(&render_sarif(&record()));
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../REQUIREMENTS.md"))
        .unwrap();
    let lines: Vec<&str> = doc.lines().collect();
    assert_eq!(results(&sarif).len(), 3);
    for result in results(&sarif) {
        let (uri, line) = uri_and_line(result);
        assert_eq!(uri, "REQUIREMENTS.md");
        let rule = result["ruleId"].as_str().unwrap();
        let heading = lines[line as usize - 1];
        assert!(
            heading.starts_with(&format!("### `{rule}`")),
            "line {line} of REQUIREMENTS.md is {heading:?}, not {rule}'s heading"
        );
    }
    // No rule or driver links to an address the project does not have.
    let text = render_sarif(&record());
    assert!(!text.contains("helpUri"), "a helpUri is back");
    assert!(
        !text.contains("informationUri"),
        "an informationUri is back"
    );
}

#[test]
fn a_run_against_a_target_file_points_at_that_file() {
    let mut run = record();
    run.meta.target.file = Some("ci/acme portal.toml".into());
    let sarif = assert_ingestible(&render_sarif(&run));
    for result in results(&sarif) {
        assert_eq!(uri_and_line(result), ("ci/acme%20portal.toml", 1));
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
    }
    assert_eq!(
        sarif["runs"][0]["properties"]["targetFile"],
        "ci/acme portal.toml"
    );
    // A file outside the working directory is no repository path.
    run.meta.target.file = Some("/etc/portalcheck/acme.toml".into());
    let sarif = assert_ingestible(&render_sarif(&run));
    assert_eq!(uri_and_line(&results(&sarif)[0]).0, "REQUIREMENTS.md");
}

#[test]
fn fingerprints_are_the_same_from_run_to_run() {
    let first = record();
    let mut second = record();
    second.meta.started_at = "2027-03-01T08:00:00Z".into();
    second.meta.seed = 7;
    second.meta.target.portal_origin = "https://portal.test:50001".into();
    for scenario in &mut second.scenarios {
        if let Some(result) = &mut scenario.result {
            result.started_at = "2027-03-01T08:00:01Z".into();
            result.duration_ms += 17;
            if let Outcome::Fail { actual, .. } = &mut result.outcome {
                actual.push_str(" at https://portal.test:50001/tmp/portalcheck-x1y2");
            }
        }
    }
    let fingerprints = |run: &RunRecord| -> Vec<Value> {
        results(&parse(&render_sarif(run)))
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let (a, b) = (fingerprints(&first), fingerprints(&second));
    assert_eq!(a, b);
    let hashes: HashSet<&str> = a
        .iter()
        .map(|f| f["primaryLocationLineHash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes.len(), a.len(), "two results share a fingerprint");
}

/// Every catalogue scenario fails, with long hostile text: still within
/// the limits, still one location and fingerprint per result.
#[test]
fn the_worst_case_run_stays_within_the_upload_limits() {
    let hostile = format!(
        "\u{0}\u{1b}[31m\u{202e}<script>{}</script>",
        "\u{7f}x".repeat(32 * 1024)
    );
    let metas: Vec<ScenarioMeta> = scenarios::scenarios()
        .iter()
        .map(ScenarioMeta::from_catalogue)
        .collect();
    let mut events = vec![Event::RunStarted(run_meta(metas.clone()))];
    for meta in &metas {
        events.push(Event::ScenarioFinished(ScenarioResult {
            id: meta.id.clone(),
            outcome: Outcome::Fail {
                expected: hostile.clone(),
                actual: hostile.clone(),
                general_requirement: None,
            },
            started_at: "2026-11-25T10:00:01Z".into(),
            duration_ms: 1,
        }));
    }
    events.push(Event::RunFinished(RunEnd {
        finished_at: "2026-11-25T10:05:00Z".into(),
        duration_ms: 300_000,
        incomplete: None,
    }));
    let run = record_of(&events, None, Redactor::default());
    let text = render_sarif(&run);
    let sarif = assert_ingestible(&text);
    let expected: usize = metas.iter().map(|m| m.requirements.len()).sum();
    assert_eq!(results(&sarif).len(), expected);
    // Messages are cut, so no target can push the file near the limit.
    assert!(text.len() < MAX_FILE_BYTES / 10, "{} bytes", text.len());
    eprintln!(
        "worst case: {} results, {} bytes of SARIF",
        expected,
        text.len()
    );
}

/// The checker finds each way a SARIF file is refused, so a pass above
/// means something.
#[test]
fn the_ingestion_check_catches_what_github_refuses() {
    let good = parse(&render_sarif(&record()));
    type Break = fn(&mut Value);
    let breaks: [(&str, Break); 12] = [
        ("only a logical location", |s| {
            s["runs"][0]["results"][0]["locations"][0]
                .as_object_mut()
                .unwrap()
                .remove("physicalLocation");
        }),
        ("no location", |s| {
            s["runs"][0]["results"][0]["locations"] = Value::Array(vec![]);
        }),
        ("absolute uri", |s| {
            s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] = "file:///work/REQUIREMENTS.md".into();
        }),
        ("uri leaving the repository", |s| {
            s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] = "../REQUIREMENTS.md".into();
        }),
        ("startLine 0", |s| {
            s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into();
        }),
        ("unknown rule", |s| {
            s["runs"][0]["results"][0]["ruleId"] = "NO-SUCH-RULE".into();
        }),
        ("ruleIndex of another rule", |s| {
            let index = s["runs"][0]["results"][0]["ruleIndex"].as_u64().unwrap();
            s["runs"][0]["results"][0]["ruleIndex"] = (index + 1).into();
        }),
        ("no fingerprints", |s| {
            s["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("partialFingerprints");
        }),
        ("empty message", |s| {
            s["runs"][0]["results"][0]["message"]["text"] = "".into();
        }),
        ("bad level", |s| {
            s["runs"][0]["results"][0]["level"] = "fatal".into();
        }),
        ("no driver name", |s| {
            s["runs"][0]["tool"]["driver"]["name"] = "".into();
        }),
        ("rule without help", |s| {
            s["runs"][0]["tool"]["driver"]["rules"][0]
                .as_object_mut()
                .unwrap()
                .remove("help");
        }),
    ];
    assert!(ingestion_problems(&good, 1000).is_empty());
    for (what, break_it) in breaks {
        let mut sarif = good.clone();
        break_it(&mut sarif);
        assert!(
            !ingestion_problems(&sarif, 1000).is_empty(),
            "not caught: {what}"
        );
    }
    assert!(!ingestion_problems(&good, MAX_FILE_BYTES + 1).is_empty());
}

/// Microsoft's validator with its GitHub rules, through
/// `scripts/validate-sarif --no-install` (exit 3: not installed here).
#[test]
fn sarif_multitool_validates_the_report() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/validate-sarif");
    let dir = tempfile::tempdir().unwrap();
    let mut run = record();
    run.meta.target.file = Some("ci/acme.toml".into());
    let files = [
        ("requirements.sarif", render_sarif(&record())),
        ("target.sarif", render_sarif(&run)),
    ];
    let mut cmd = Command::new(script);
    cmd.arg("--no-install");
    for (name, text) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        cmd.arg(path);
    }
    let out = cmd.output().expect("run scripts/validate-sarif");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => eprintln!("{}", said.trim()),
        Some(3) => eprintln!(
            "SKIPPED: sarif-multitool validate did not run: {} Install it with `scripts/validate-sarif --install` (scripts/test does).",
            said.trim()
        ),
        code => panic!("sarif-multitool refused the report (exit {code:?}):\n{said}"),
    }
}
