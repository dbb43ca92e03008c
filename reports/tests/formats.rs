//! Each format on the fixed fixture run: snapshots, and the structural
//! checks harnesses get wrong (JUnit element mapping, SARIF required
//! properties, the HTML policy, the JSON Schema, Markdown length).

mod common;

use std::collections::HashMap;

use base64::Engine as _;
use common::*;
use quick_xml::events::Event as Xml;
use reports::{
    render_html, render_json, render_junit, render_markdown, render_sarif, FileReporters, Redactor,
    Reporter, RunOutputs, REPORT_SCHEMA,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            "[time]",
        ),
        (r"(://[A-Za-z0-9.\-]+):\d{2,5}", "$1:[port]"),
        (r#"time="[0-9.]+""#, r#"time="[secs]""#),
        (r#"/tmp/[^\s"'<]+"#, "[tmp]"),
    ]
}

macro_rules! snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({ filters => filters() }, { insta::assert_snapshot!($name, $text) })
    };
}

#[test]
fn json_snapshot() {
    // The run's requirement texts are the catalogue's (the fixture copies
    // them); the snapshot leaves them out, so catalogue edits do not churn it.
    let mut record = record();
    assert_eq!(
        record.meta.requirements.len(),
        scenarios::requirements().len()
    );
    record.meta.requirements.clear();
    snapshot!("json", render_json(&record));
}

#[test]
fn junit_snapshot() {
    snapshot!("junit", render_junit(&record()));
}

#[test]
fn sarif_snapshot() {
    // The rules mirror the catalogue and are checked field by field below;
    // the snapshot keeps their count only, so catalogue edits do not churn it.
    let mut sarif: Value = serde_json::from_str(&render_sarif(&record())).unwrap();
    let rules = &mut sarif["runs"][0]["tool"]["driver"]["rules"];
    *rules = Value::String(format!("[{} rules]", rules.as_array().unwrap().len()));
    // Likewise rule indexes and REQUIREMENTS.md lines (sarif_ingestion.rs checks them).
    for result in sarif["runs"][0]["results"].as_array_mut().unwrap() {
        result["ruleIndex"] = "[index]".into();
        result["locations"][0]["physicalLocation"]["region"]["startLine"] = "[line]".into();
    }
    snapshot!("sarif", serde_json::to_string_pretty(&sarif).unwrap());
}

#[test]
fn html_snapshot() {
    snapshot!("html", render_html(&record()));
}

#[test]
fn markdown_snapshot() {
    snapshot!("markdown", render_markdown(&record()));
}

/// `additionalProperties: false` on every object schema that lists its
/// properties, so a field the schema does not describe fails the test.
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(strict);
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

fn schema_errors(instance: &Value) -> Vec<String> {
    let mut schema: Value = serde_json::from_str(REPORT_SCHEMA).expect("the schema is JSON");
    strict(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn written_reports_validate_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut reporter = RunOutputs::new(
        ["s3cret"].into_iter().collect(),
        Some(baseline()),
        Some(&out),
    );
    for event in events() {
        reporter.on_event(&event).unwrap();
    }
    let written = reporter.finish().unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "report.json",
            "junit.xml",
            "report.sarif",
            "report.html",
            "summary.md",
            "events.jsonl"
        ]
    );
    assert_eq!(reporter.record().unwrap().status.exit_code().code(), 1);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&written[0]).unwrap()).unwrap();
    assert_eq!(schema_errors(&json), Vec::<String>::new());

    // A run that never finished, without baseline or results, validates too.
    let mut partial = FileReporters::new(Some(dir.path().join("partial")), None);
    partial.on_event(&events()[0]).unwrap();
    let written = partial.finish().unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&written[0]).unwrap()).unwrap();
    assert_eq!(schema_errors(&json), Vec::<String>::new());
    assert_eq!(json["status"]["status"], "incomplete");
    assert_eq!(json["end"], Value::Null);

    // The schema does reject what it should.
    let mut broken = json.clone();
    broken["scenarios"] = serde_json::json!([{ "id": 1 }]);
    assert!(!schema_errors(&broken).is_empty());
}

/// `(suite, classname, name)` → (child element, its attributes).
type Cases = HashMap<(String, String, String), Vec<(String, HashMap<String, String>)>>;

fn junit_cases(xml: &str) -> Cases {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases = Cases::new();
    let mut suite = String::new();
    let mut case: Option<(String, String, String)> = None;
    loop {
        let event = reader.read_event().expect("junit.xml parses");
        let (start, empty) = match &event {
            Xml::Start(e) => (Some(e.clone()), false),
            Xml::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
            let attrs: HashMap<String, String> = e
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.unescape_value().unwrap().into_owned(),
                    )
                })
                .collect();
            match name.as_str() {
                "testsuite" => suite = attrs["name"].clone(),
                "testcase" => {
                    let key = (
                        suite.clone(),
                        attrs["classname"].clone(),
                        attrs["name"].clone(),
                    );
                    cases.entry(key.clone()).or_default();
                    case = (!empty).then_some(key);
                }
                "failure" | "error" | "skipped" => {
                    let key = case.clone().expect("outcome element inside a testcase");
                    cases.get_mut(&key).unwrap().push((name, attrs));
                }
                _ => {}
            }
        }
        match event {
            Xml::End(e) if e.name().as_ref() == b"testcase" => case = None,
            Xml::Eof => break,
            _ => {}
        }
    }
    cases
}

fn key(suite: &str, name: &str) -> (String, String, String) {
    (suite.to_string(), suite.to_string(), name.to_string())
}

#[test]
fn junit_maps_outcomes_to_elements() {
    let cases = junit_cases(&render_junit(&record()));
    let only = |suite: &str, name: &str| -> Option<(String, HashMap<String, String>)> {
        let children = &cases[&key(suite, name)];
        assert!(children.len() <= 1, "{name} has {children:?}");
        children.first().cloned()
    };
    assert_eq!(
        only("embedding", "embedding.allowed-parent"),
        None,
        "a pass has no outcome element"
    );
    let (element, attrs) = only("embedding", "embedding.ancestors-allowlist").unwrap();
    assert_eq!(element, "failure");
    assert_eq!(attrs["type"], "must-failure");
    assert!(
        attrs["message"].contains("expected the browser refuses")
            && attrs["message"].contains("actual the portal loaded")
    );
    let (element, attrs) = only("handshake", "handshake.max-lifetime").unwrap();
    assert_eq!(
        (element.as_str(), attrs["type"].as_str()),
        ("failure", "should-failure")
    );
    let (element, attrs) = only("tenancy", "tenancy.isolation").unwrap();
    assert_eq!(
        (element.as_str(), attrs["message"].as_str()),
        ("error", "the browser went away")
    );
    let (element, attrs) = only("session", "session.expiring-event").unwrap();
    assert_eq!(
        (element.as_str(), attrs["message"].as_str()),
        ("skipped", "the target has no short session lifetime")
    );
    let (element, attrs) = only("support", "support.console-diagnostic").unwrap();
    assert_eq!(element, "skipped");
    assert!(attrs["message"].starts_with("baselined: console diagnostics ship in portal 4.2"));
    // Baseline warnings show as skipped cases of their own suite.
    let warnings: Vec<_> = cases
        .keys()
        .filter(|k| k.0 == "portalcheck.baseline")
        .collect();
    assert_eq!(warnings.len(), 3);
    assert_eq!(cases.len(), 9);
}

#[test]
fn junit_counts_a_scenario_without_result_as_error() {
    let mut events = events();
    events.retain(
        |e| !matches!(e, reports::Event::ScenarioFinished(r) if r.id == "embedding.allowed-parent"),
    );
    let record = record_of(&events, None, Redactor::default());
    let cases = junit_cases(&render_junit(&record));
    let children = &cases[&key("embedding", "embedding.allowed-parent")];
    assert_eq!(children[0].0, "error");
    assert_eq!(children[0].1["type"], "not-run");
}

/// The fixture run stopped early: its last scenario was not run, with a
/// cause, after the breaker tripped.
fn stopped_record() -> reports::RunRecord {
    let cause = "the target is dead or hostile: portal.test does not answer (no TLS handshake in time) (3 scenarios in a row)";
    let mut events = events();
    for e in &mut events {
        match e {
            reports::Event::ScenarioFinished(r) if r.id == "embedding.allowed-parent" => {
                r.outcome = reports::event::Outcome::NotRun {
                    cause: cause.into(),
                };
            }
            reports::Event::RunFinished(end) => {
                end.incomplete = Some(format!("the run stopped early: {cause}"));
            }
            _ => {}
        }
    }
    record_of(&events, None, Redactor::default())
}

#[test]
fn a_stopped_run_is_incomplete_and_every_format_names_the_cause() {
    let record = stopped_record();
    // MUST failures were found before the stop, but the run is incomplete.
    assert!(record.counts.must.fail > 0);
    assert_eq!(record.status.exit_code().code(), 3);
    assert_eq!(record.counts.total().not_run, 1);
    let markdown = render_markdown(&record);
    let first = markdown.lines().next().unwrap();
    assert!(
        first.contains("stopped early") && first.contains("does not answer"),
        "{first}"
    );
    for (name, text) in [
        ("json", render_json(&record)),
        ("junit", render_junit(&record)),
        ("sarif", render_sarif(&record)),
        ("html", render_html(&record)),
        ("markdown", markdown.clone()),
    ] {
        assert!(
            text.contains("does not answer"),
            "{name} does not name the cause"
        );
    }
    let cases = junit_cases(&render_junit(&record));
    let children = &cases[&key("embedding", "embedding.allowed-parent")];
    assert_eq!(children[0].0, "error");
    assert_eq!(children[0].1["type"], "not-run");
    assert!(children[0].1["message"].contains("does not answer"));
    let json: Value = serde_json::from_str(&render_json(&record)).unwrap();
    assert_eq!(schema_errors(&json), Vec::<String>::new());
    let back: reports::RunRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back.status, record.status);
}

#[test]
fn sarif_has_the_required_properties() {
    let sarif: Value = serde_json::from_str(&render_sarif(&record())).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"]
        .as_str()
        .unwrap()
        .contains("sarif-schema-2.1.0"));
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "portalcheck");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), scenarios::requirements().len());
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let requirement = scenarios::requirement(id).unwrap();
        assert_eq!(rule["shortDescription"]["text"], requirement.text);
        assert_eq!(rule.get("helpUri"), None);
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("portalcheck explain {id}")));
        let level = if requirement.level == scenarios::Level::Must {
            "error"
        } else {
            "warning"
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level);
    }
    let results = run["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "FRAME-ANCESTORS-ALLOWLIST",
            "AUTH-EXPIRY-MAX-LIFETIME",
            "SUPPORT-CONSOLE-DIAGNOSTIC"
        ]
    );
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let scenario = result["locations"][0]["logicalLocations"][0]["name"]
            .as_str()
            .unwrap();
        assert!(result["partialFingerprints"]["portalcheckScenario/v1"]
            .as_str()
            .unwrap()
            .starts_with(scenario));
    }
    assert_eq!(results[0]["level"], "error");
    assert!(results[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("frame-ancestors *"));
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(results[1].get("suppressions"), None);
    assert_eq!(results[2]["suppressions"][0]["status"], "accepted");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .contains("tenancy.isolation")));
    assert_eq!(notes.iter().filter(|n| n["level"] == "warning").count(), 3);
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .map(|rest| &rest[..rest.find(close).unwrap()])
        .collect()
}

fn sha256(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

#[test]
fn html_is_self_contained_under_its_own_policy() {
    let html = render_html(&record());
    let styles = between(&html, "<style>", "</style>");
    let scripts = between(&html, "<script>", "</script>");
    assert_eq!((styles.len(), scripts.len()), (1, 1));
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("<style").count(), 1);
    let policy = between(
        &html,
        "http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    )[0];
    assert_eq!(
        policy.replace("&#39;", "'"),
        format!(
            "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
            sha256(styles[0]),
            sha256(scripts[0])
        )
    );
    // Nothing is fetched: every src is a data: URL, no stylesheet links, no inline style attributes or handlers.
    for src in between(&html, " src=\"", "\"") {
        assert!(src.starts_with("data:image/png;base64,"), "{src}");
    }
    assert!(html.contains(&format!("src=\"data:image/png;base64,{PNG}\"")));
    for forbidden in [
        "<link",
        "@import",
        "url(",
        " style=\"",
        " onclick=",
        " onchange=",
        "<iframe",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // The parts the report must show.
    for needed in [
        "The portal document carries `Content-Security-Policy: frame-ancestors`",
        "How to fix embedding.ancestors-allowlist.",
        "auth_failed",
        "Refused to frame",
        "frame-ancestors *",
        "Canary hit: GET https://canary.test:41236/leak",
        "pk_test_1",
        "Baselined: console diagnostics ship in portal 4.2",
        "baseline entry sdk.removed-scenario matches no selected scenario",
        "`ready` fired within 118 ms",
        "data-filter=\"outcome\" value=\"fail\"",
        "data-filter=\"tag\" value=\"csp\"",
        "data-outcome=\"baselined\" data-tags=\"support browser\"",
    ] {
        assert!(
            html.contains(&needed.replace('\'', "&#39;")),
            "the report lacks {needed}"
        );
    }
}

#[test]
fn markdown_is_short_and_names_the_failures() {
    let md = render_markdown(&record());
    assert!(md.lines().count() <= reports::markdown::MAX_LINES);
    assert!(md.starts_with("## portalcheck: MUST requirements failed (exit 1)"));
    assert!(md.contains("| `embedding.ancestors-allowlist` | MUST | `FRAME-ANCESTORS-ALLOWLIST` |"));

    // A run with many failures still fits.
    let metas: Vec<_> = (0..200)
        .map(|i| {
            scenario_meta(
                &format!("s{i}"),
                "embedding",
                "FRAME-ALLOWED-PARENT",
                if i % 2 == 0 { "must" } else { "should" },
                &[],
            )
        })
        .collect();
    let mut events = vec![reports::Event::RunStarted(run_meta(metas.clone()))];
    for (i, meta) in metas.iter().enumerate() {
        let outcome = match i % 3 {
            0 => reports::Outcome::Fail {
                expected: "e".into(),
                actual: "a".into(),
                general_requirement: None,
            },
            1 => reports::Outcome::Error { reason: "r".into() },
            _ => continue,
        };
        events.push(reports::Event::ScenarioFinished(reports::ScenarioResult {
            id: meta.id.clone(),
            outcome,
            started_at: String::new(),
            duration_ms: 0,
        }));
    }
    let baseline: String = (0..40)
        .map(|i| format!("[[expected_failure]]\nscenario = \"gone{i}\"\nreason = \"r\"\n"))
        .collect();
    let record = record_of(
        &events,
        Some(reports::Baseline::parse(&baseline).unwrap()),
        Redactor::default(),
    );
    let md = render_markdown(&record);
    assert!(
        md.lines().count() <= reports::markdown::MAX_LINES,
        "{} lines:\n{md}",
        md.lines().count()
    );
    assert!(md.contains("more in `report.html`"));
}

/// The schema's closed lists (sections, tags) are the catalogue's, so a
/// new section or tag cannot reach reports the schema then rejects.
#[test]
fn the_schemas_closed_lists_are_the_catalogues() {
    let schema: Value = serde_json::from_str(REPORT_SCHEMA).unwrap();
    let strings = |pointer: &str| -> Vec<String> {
        schema
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{pointer} is a list"))
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let sections: Vec<String> = scenarios::Section::ALL
        .iter()
        .map(|s| s.slug().to_string())
        .collect();
    let tags: Vec<String> = scenarios::Tag::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    assert_eq!(
        strings("/$defs/scenario_meta/properties/section/enum"),
        sections
    );
    assert_eq!(
        strings("/$defs/run_meta/properties/requirements/items/properties/section/enum"),
        sections
    );
    assert_eq!(
        strings("/$defs/scenario_meta/properties/tags/items/enum"),
        tags
    );
    assert_eq!(strings("/$defs/selection/properties/tags/items/enum"), tags);
}

/// A merged record (shards listed) validates too.
#[test]
fn a_merged_report_validates_against_the_schema() {
    let mut first = record_of(&events(), None, reports::Redactor::default());
    first.meta.selection.shard = reports::event::Shard::parse("1/1");
    let merged = reports::merge(vec![first]).unwrap();
    assert_eq!(merged.meta.shards.len(), 1);
    let json: Value = serde_json::from_str(&reports::render_json(&merged)).unwrap();
    assert_eq!(schema_errors(&json), Vec::<String>::new());
}
