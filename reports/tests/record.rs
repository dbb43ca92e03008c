//! The record folded from events: counts, the run status and its
//! precedence, the baseline, `summary_line`, merging and comparing.

mod common;

use common::*;
use reports::event::RunEnd;
use reports::{
    baseline_from_record, compare, merge, read_json_report, render_json, Baseline, BaselineWarning,
    Event, MergeError, Outcome, Redactor, ReportError, RunStatus, ScenarioResult, State,
};

fn finish(id: &str, outcome: Outcome) -> Event {
    Event::ScenarioFinished(ScenarioResult {
        id: id.into(),
        outcome,
        started_at: "2026-11-25T10:00:01Z".into(),
        duration_ms: 1,
    })
}

fn pass() -> Outcome {
    Outcome::Pass {
        checked: vec!["it held".into()],
    }
}

fn fail() -> Outcome {
    Outcome::Fail {
        expected: "e".into(),
        actual: "a".into(),
        general_requirement: None,
    }
}

fn end(incomplete: Option<&str>) -> Event {
    Event::RunFinished(RunEnd {
        finished_at: "2026-11-25T10:01:00Z".into(),
        duration_ms: 1,
        incomplete: incomplete.map(Into::into),
    })
}

/// A run of a MUST scenario `m` and a SHOULD scenario `s`.
fn run(m: Option<Outcome>, s: Option<Outcome>, incomplete: Option<&str>) -> Vec<Event> {
    let metas = vec![
        scenario_meta(
            "m",
            "embedding",
            "FRAME-ALLOWED-PARENT",
            "must",
            &["framing"],
        ),
        scenario_meta(
            "s",
            "handshake",
            "AUTH-EXPIRY-MAX-LIFETIME",
            "should",
            &["auth"],
        ),
    ];
    let mut events = vec![Event::RunStarted(run_meta(metas))];
    events.extend(m.map(|o| finish("m", o)));
    events.extend(s.map(|o| finish("s", o)));
    events.push(end(incomplete));
    events
}

fn status(events: &[Event], baseline: Option<&str>) -> RunStatus {
    record_of(
        events,
        baseline.map(|b| Baseline::parse(b).unwrap()),
        Redactor::default(),
    )
    .status
}

fn is_incomplete(status: &RunStatus, says: &str) -> bool {
    matches!(status, RunStatus::Incomplete { reason } if reason.contains(says))
}

#[test]
fn status_precedence() {
    let error = || Outcome::Error {
        reason: "gone".into(),
    };
    let skip = || Outcome::Skipped {
        reason: "n/a".into(),
    };
    assert_eq!(
        status(&run(Some(pass()), Some(pass()), None), None),
        RunStatus::Passed
    );
    assert_eq!(
        status(&run(Some(pass()), Some(skip()), None), None),
        RunStatus::Passed
    );
    assert_eq!(
        status(&run(Some(pass()), Some(fail()), None), None),
        RunStatus::ShouldFailed
    );
    // MUST failure beats everything, errors and incompleteness included.
    assert_eq!(
        status(
            &run(Some(fail()), Some(error()), Some("browser died")),
            None
        ),
        RunStatus::MustFailed
    );
    assert_eq!(
        status(&run(Some(fail()), None, None), None),
        RunStatus::MustFailed
    );
    // Incomplete beats SHOULD failures.
    assert!(is_incomplete(
        &status(&run(Some(error()), Some(fail()), None), None),
        "could not be checked: m"
    ));
    assert!(is_incomplete(
        &status(&run(Some(pass()), Some(pass()), Some("browser died")), None),
        "browser died"
    ));
    assert!(is_incomplete(
        &status(&run(Some(pass()), None, None), None),
        "never finished: s"
    ));
    assert!(is_incomplete(
        &status(&run(Some(skip()), Some(skip()), None), None),
        "no scenario ran"
    ));
    let nothing = vec![Event::RunStarted(run_meta(Vec::new())), end(None)];
    assert!(is_incomplete(
        &status(&nothing, None),
        "no scenario was selected"
    ));
    let unfinished = &run(Some(pass()), Some(pass()), None)[..3];
    assert!(is_incomplete(&status(unfinished, None), "did not finish"));
    assert!(is_incomplete(&status(&[], None), "never started"));
}

#[test]
fn baseline_excuses_failures_until_it_expires() {
    let entry = |expires: &str| {
        format!("[[expected_failure]]\nscenario = \"m\"\nreason = \"known\"\n{expires}")
    };
    let events = run(Some(fail()), Some(pass()), None);
    assert_eq!(status(&events, Some(&entry(""))), RunStatus::Passed);
    assert_eq!(
        status(&events, Some(&entry("expires = \"2026-11-25\""))),
        RunStatus::Passed
    );
    assert_eq!(
        status(&events, Some(&entry("expires = \"2026-11-24\""))),
        RunStatus::MustFailed
    );
    // An error is not excused by a baseline entry.
    let errored = run(
        Some(Outcome::Error {
            reason: "gone".into(),
        }),
        Some(pass()),
        None,
    );
    assert!(matches!(
        status(&errored, Some(&entry(""))),
        RunStatus::Incomplete { .. }
    ));
}

#[test]
fn fixture_counts_status_and_warnings() {
    let record = record();
    assert_eq!(record.status, RunStatus::MustFailed);
    let states: Vec<State> = record.scenarios.iter().map(|s| s.state()).collect();
    assert_eq!(
        states,
        [
            State::Pass,
            State::Fail,
            State::Fail,
            State::Error,
            State::Skipped,
            State::Baselined
        ]
    );
    let (m, s) = (record.counts.must, record.counts.should);
    assert_eq!(
        (m.pass, m.fail, m.error, m.skipped, m.baselined, m.not_run),
        (1, 1, 1, 1, 0, 0)
    );
    assert_eq!(
        (s.pass, s.fail, s.error, s.skipped, s.baselined, s.not_run),
        (0, 1, 0, 0, 1, 0)
    );
    assert_eq!(
        record.baseline_warnings,
        [
            BaselineWarning::NowPasses {
                scenario: "embedding.allowed-parent".into()
            },
            BaselineWarning::Expired {
                scenario: "handshake.max-lifetime".into(),
                expires: "2026-01-01".into()
            },
            BaselineWarning::Unmatched {
                scenario: "sdk.removed-scenario".into()
            },
        ]
    );
    assert_eq!(
        reports::summary_line(&record),
        "1 passed, 2 failed, 1 errors, 1 skipped, 1 baselined"
    );
    assert_eq!(record.scenarios[1].evidence.len(), 6);
}

#[test]
fn events_for_unannounced_scenarios_are_kept() {
    let mut events = run(Some(pass()), Some(pass()), None);
    events.insert(3, finish("extra.unknown", fail()));
    let record = record_of(&events, None, Redactor::default());
    let extra = record.scenario("extra.unknown").unwrap();
    assert_eq!(extra.meta.section, None);
    assert_eq!(extra.meta.section_slug(), "unknown");
    assert_eq!(record.status, RunStatus::MustFailed);
}

#[test]
fn baseline_written_from_a_record_reads_back() {
    let record = record();
    let text = baseline_from_record(&record);
    let baseline = Baseline::parse(&text).unwrap();
    let ids: Vec<&str> = baseline
        .entries
        .iter()
        .map(|e| e.scenario.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "embedding.ancestors-allowlist",
            "handshake.max-lifetime",
            "support.console-diagnostic"
        ]
    );
    // Existing entries keep their reason, date and issue.
    assert_eq!(baseline.entries[2], common::baseline().entries[0]);
    insta::assert_snapshot!("baseline_from_record", text);
    // Judged with it, the same run passes the gate.
    let rejudged = record_of(&events(), Some(baseline), Redactor::default());
    assert!(
        matches!(rejudged.status, RunStatus::Incomplete { .. }),
        "the error still makes it incomplete"
    );
}

fn shard(ids: &[&str], shard: &str) -> reports::RunRecord {
    let events: Vec<Event> = events()
        .into_iter()
        .filter_map(|event| match event {
            Event::RunStarted(mut meta) => {
                meta.scenarios.retain(|s| ids.contains(&s.id.as_str()));
                meta.selection.shard = Some(reports::event::Shard::parse(shard).unwrap());
                Some(Event::RunStarted(meta))
            }
            Event::ScenarioStarted { ref id, .. } | Event::EvidenceCaptured { ref id, .. }
                if !ids.contains(&id.as_str()) =>
            {
                None
            }
            Event::ScenarioFinished(ref r) if !ids.contains(&r.id.as_str()) => None,
            other => Some(other),
        })
        .collect();
    record_of(&events, Some(common::baseline()), Redactor::default())
}

const FIRST: [&str; 3] = [
    "embedding.allowed-parent",
    "embedding.ancestors-allowlist",
    "handshake.max-lifetime",
];
const SECOND: [&str; 3] = [
    "tenancy.isolation",
    "session.expiring-event",
    "support.console-diagnostic",
];

#[test]
fn merged_shards_equal_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut read = Vec::new();
    for (i, (ids, name)) in [(&FIRST, "1/2"), (&SECOND, "2/2")].into_iter().enumerate() {
        let path = dir.path().join(format!("shard{i}.json"));
        std::fs::write(&path, render_json(&shard(ids, name))).unwrap();
        read.push(read_json_report(&path).unwrap());
    }
    // A shard alone warns about baseline entries for the other shard's scenarios.
    assert!(read[0]
        .baseline_warnings
        .contains(&BaselineWarning::Unmatched {
            scenario: "support.console-diagnostic".into()
        }));
    let merged = merge(read).unwrap();
    let whole = record();
    assert_eq!(merged.counts, whole.counts);
    assert_eq!(merged.status, whole.status);
    assert_eq!(merged.baseline_warnings, whole.baseline_warnings);
    assert_eq!(merged.scenarios, whole.scenarios);
    assert_eq!(merged.meta.selection.shard, None);
}

#[test]
fn merge_refuses_overlap_and_mismatch_and_notices_missing_shards() {
    let overlap = merge(vec![shard(&FIRST, "1/2"), shard(&FIRST, "2/2")]);
    assert!(
        matches!(&overlap, Err(ReportError::Merge(MergeError::Overlap(id))) if id == "embedding.allowed-parent"),
        "{overlap:?}"
    );
    let mut other = shard(&SECOND, "2/2");
    other.meta.catalogue_revision = "2027-01-01.1".into();
    assert!(matches!(
        merge(vec![shard(&FIRST, "1/2"), other]),
        Err(ReportError::Merge(MergeError::CatalogueRevision { .. }))
    ));
    assert!(matches!(
        merge(Vec::new()),
        Err(ReportError::Merge(MergeError::Empty))
    ));
    let mut second = shard(&SECOND, "2/3");
    second.status = RunStatus::Passed;
    let merged = merge(vec![shard(&FIRST, "1/3"), second]).unwrap();
    let end = merged.end.unwrap();
    assert_eq!(end.incomplete.as_deref(), Some("shards missing: 3/3"));
}

/// Each shard of the bundled reference starts its own portal on a port of
/// its own: the origin is not part of the target's identity.
#[test]
fn shards_of_one_target_on_different_ports_merge() {
    let mut second = shard(&SECOND, "2/2");
    second.meta.target.portal_origin = "https://portal.test:45999".into();
    let merged = merge(vec![shard(&FIRST, "1/2"), second]).unwrap();
    assert_eq!(merged.scenarios, record().scenarios);
    assert_eq!(
        merged.meta.target.portal_origin,
        "https://portal.test:41234"
    );
    // Every shard's own origin stays in the merged record and its reports.
    let origins: Vec<(Option<String>, &str)> = merged
        .meta
        .shards
        .iter()
        .map(|s| (s.shard.map(|s| s.to_string()), s.portal_origin.as_str()))
        .collect();
    assert_eq!(
        origins,
        [
            (Some("1/2".to_string()), "https://portal.test:41234"),
            (Some("2/2".to_string()), "https://portal.test:45999")
        ]
    );
    for (format, text) in [
        ("markdown", reports::render_markdown(&merged)),
        ("html", reports::render_html(&merged)),
        ("junit", reports::render_junit(&merged)),
        ("sarif", reports::render_sarif(&merged)),
    ] {
        for origin in ["https://portal.test:41234", "https://portal.test:45999"] {
            assert!(text.contains(origin), "{format} lacks {origin}");
        }
    }
    // A merged record merges again, keeping its shards.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merged.json");
    std::fs::write(&path, render_json(&merged)).unwrap();
    let again = merge(vec![read_json_report(&path).unwrap()]).unwrap();
    assert_eq!(again.meta.shards, merged.meta.shards);
    // The same defects in another order are the same reference.
    let (mut a, mut b) = (shard(&FIRST, "1/2"), shard(&SECOND, "2/2"));
    a.meta.target.defects = vec!["x".into(), "y".into()];
    b.meta.target.defects = vec!["y".into(), "x".into()];
    assert!(merge(vec![a, b]).is_ok());
}

#[test]
fn merge_says_which_part_of_the_target_differs() {
    type Change = fn(&mut reports::event::TargetMeta);
    let cases: [(Change, &str); 5] = [
        (
            |t| t.name = "acme".into(),
            "targets differ in name: \"reference\" and \"acme\"",
        ),
        (
            |t| t.version = Some("4.2.0".into()),
            "targets differ in version: \"4.1.0\" and \"4.2.0\"",
        ),
        (
            |t| t.version = None,
            "targets differ in version: \"4.1.0\" and none",
        ),
        (
            |t| t.reference = false,
            "targets differ in kind: the bundled reference and a target file",
        ),
        (
            |t| t.defects.clear(),
            "targets differ in defects: frame-ancestors-wildcard and none",
        ),
    ];
    for (change, message) in cases {
        let mut other = shard(&SECOND, "2/2");
        change(&mut other.meta.target);
        let err = merge(vec![shard(&FIRST, "1/2"), other]).unwrap_err();
        assert!(matches!(err, ReportError::Merge(MergeError::Target { .. })));
        let ReportError::Merge(inner) = &err else {
            unreachable!()
        };
        assert_eq!(inner.to_string(), message);
        assert_eq!(err.to_string(), "cannot merge reports");
    }
}

#[test]
fn json_report_round_trips_and_checks_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, render_json(&record())).unwrap();
    assert_eq!(read_json_report(&path).unwrap(), record());
    std::fs::write(
        &path,
        render_json(&record()).replace("\"schema_version\": 1", "\"schema_version\": 9"),
    )
    .unwrap();
    assert!(matches!(
        read_json_report(&path),
        Err(ReportError::SchemaVersion { found: 9, .. })
    ));
    std::fs::write(&path, "{").unwrap();
    assert!(matches!(
        read_json_report(&path),
        Err(ReportError::ParseReport { .. })
    ));
}

#[test]
fn compare_tabulates_implementations() {
    let reference = record();
    let mut other = record_of(&events(), None, Redactor::default());
    other.meta.target.name = "acme|portal".into();
    other.meta.target.version = None;
    let table = compare(&[reference, other]);
    insta::assert_snapshot!("compare", table);
}

/// A report shows the requirement texts its own run judged against: a
/// merged or re-rendered report from an older catalogue keeps its wording.
#[test]
fn reports_render_the_runs_requirement_texts_not_todays() {
    let mut old = record();
    let failing = old
        .scenarios
        .iter()
        .find(|s| s.state() == reports::State::Fail)
        .expect("the fixture has a failure");
    let id = failing.meta.requirements[0].clone();
    let requirement = old
        .meta
        .requirements
        .iter_mut()
        .find(|r| r.id == id)
        .unwrap();
    requirement.text = "WORDING OF AN OLDER CATALOGUE".into();
    for (format, text) in [
        ("html", reports::render_html(&old)),
        ("junit", reports::render_junit(&old)),
        ("sarif", reports::render_sarif(&old)),
    ] {
        assert!(
            text.contains("WORDING OF AN OLDER CATALOGUE"),
            "{format} does not show the run's text for {id}"
        );
    }
}

/// One target on two engines: the engine matrix names each engine's
/// verdict and explains every scenario whose outcome differs by what each
/// engine said.
#[test]
fn engine_matrix_explains_every_difference() {
    let chromium = record();
    let mut firefox = record();
    firefox.meta.engine = Some("firefox".into());
    firefox.meta.browser = Some("Mozilla Firefox 140.5.0esr".into());
    firefox.meta.browser_trust = Some("the run's CA, imported into a fresh profile".into());
    let passing = firefox
        .scenarios
        .iter_mut()
        .find(|s| s.state() == State::Pass)
        .expect("the fixture has a pass");
    let result = passing.result.as_mut().unwrap();
    result.outcome = Outcome::Error {
        reason: "geckodriver offers no log of the cross-origin frame's console".into(),
    };
    let runs = [
        reports::EngineRun {
            engine: "chromium",
            record: &chromium,
            dir: "chromium",
        },
        reports::EngineRun {
            engine: "firefox",
            record: &firefox,
            dir: "firefox",
        },
    ];
    let matrix = reports::EngineMatrix::of(&runs);
    let differing: Vec<&str> = matrix.differences().map(|r| r.scenario.as_str()).collect();
    assert_eq!(differing.len(), 1, "{differing:?}");
    let markdown = reports::render_engines_markdown(&matrix, Some(&chromium.meta));
    assert!(markdown.contains("geckodriver offers no log"));
    insta::assert_snapshot!("engines_markdown", markdown);
    let html = reports::render_engines_html(&matrix, Some(&chromium.meta));
    assert!(html.contains("<a href=\"firefox/report.html\">firefox</a>"));
    assert!(!html.contains("<script"), "the engine matrix has no script");
    insta::assert_snapshot!("engines_html", html);
}

#[test]
fn compare_names_each_runs_engine() {
    let mut firefox = record();
    firefox.meta.engine = Some("firefox".into());
    let table = compare(&[record(), firefox]);
    assert!(
        table.starts_with(
            "| Requirement | Level | reference 4.1.0 on chromium | reference 4.1.0 on firefox |"
        ),
        "{table}"
    );
}
