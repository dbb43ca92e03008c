//! The JUnit XML report (`junit.xml`), written with `quick-junit`: one
//! testsuite per section, one testcase per scenario (`classname` = section,
//! `name` = scenario ID). A failure is `<failure>` with expected and actual,
//! an error or a scenario that never finished is `<error>`, a skip is
//! `<skipped>` with its reason, and a baselined failure is `<skipped>` whose
//! message starts with `baselined:` (it does not fail the gate). Baseline
//! warnings are skipped testcases of a `portalcheck.baseline` suite.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::escape::{one_line, visible_controls};
use crate::event::{Outcome, RunMeta};
use crate::record::{RunRecord, ScenarioRecord, State};
use crate::text::evidence_lines;

/// The record as JUnit XML.
pub fn render_junit(record: &RunRecord) -> String {
    let mut report = Report::new("portalcheck");
    if let Some(end) = &record.end {
        report.set_time(Duration::from_millis(end.duration_ms));
    }
    let mut sections: Vec<Option<scenarios::Section>> = Vec::new();
    for s in &record.scenarios {
        if !sections.contains(&s.meta.section) {
            sections.push(s.meta.section);
        }
    }
    for section in sections {
        let mut suite = TestSuite::new(section.map(scenarios::Section::slug).unwrap_or("unknown"));
        suite.add_properties(run_properties(record));
        for scenario in record
            .scenarios
            .iter()
            .filter(|s| s.meta.section == section)
        {
            suite.add_test_case(test_case(&record.meta, scenario));
        }
        report.add_test_suite(suite);
    }
    if !record.baseline_warnings.is_empty() {
        let mut suite = TestSuite::new("portalcheck.baseline");
        for warning in &record.baseline_warnings {
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(x(&warning.message()))
                .set_type("baseline-warning");
            let mut case = TestCase::new(x(warning.scenario()), status);
            case.set_classname("portalcheck.baseline");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    // quick-junit writes to memory; it cannot fail on text we cleaned.
    report.to_string().unwrap_or_default()
}

fn run_properties(record: &RunRecord) -> Vec<Property> {
    let meta = &record.meta;
    let mut props = vec![
        Property::new("portalcheck.version", x(&meta.portalcheck_version)),
        Property::new("catalogue.revision", x(&meta.catalogue_revision)),
        Property::new("target.name", x(&meta.target.name)),
        Property::new("target.portal_origin", x(&meta.target.portal_origin)),
        Property::new("seed", meta.seed.to_string()),
        Property::new("status", x(&record.status.describe())),
    ];
    if let Some(version) = &meta.target.version {
        props.push(Property::new("target.version", x(version)));
    }
    for (i, shard) in meta.shards.iter().enumerate() {
        props.push(Property::new(
            format!("merged.{}", i + 1),
            x(&shard.describe()),
        ));
    }
    if let Some(browser) = &meta.browser {
        props.push(Property::new("browser", x(browser)));
    }
    if let Some(engine) = &meta.engine {
        props.push(Property::new("engine", x(engine)));
    }
    if let Some(trust) = &meta.browser_trust {
        props.push(Property::new("browser.trust", x(trust)));
    }
    if let Some(observation) = &meta.browser_observation {
        props.push(Property::new("browser.observation", x(observation)));
    }
    props
}

fn test_case(run: &RunMeta, scenario: &ScenarioRecord) -> TestCase {
    let meta = &scenario.meta;
    let level = scenario.level().as_str();
    let requirements = meta.requirements.join(", ");
    let outcome = scenario.result.as_ref().map(|r| &r.outcome);
    let status = match (scenario.state(), outcome) {
        (State::Pass, _) => TestCaseStatus::success(),
        (
            State::Fail,
            Some(Outcome::Fail {
                expected, actual, ..
            }),
        ) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(x(&one_line(
                    &format!("{level} {requirements}: expected {expected}; actual {actual}"),
                    300,
                )))
                .set_type(format!("{}-failure", level.to_ascii_lowercase()))
                .set_description(x(&details(
                    run,
                    scenario,
                    &format!("Expected: {expected}\nActual: {actual}"),
                )));
            status
        }
        (
            State::Baselined,
            Some(Outcome::Fail {
                expected, actual, ..
            }),
        ) => {
            let entry = scenario.baselined.as_ref();
            let reason = entry.map(|e| e.reason.as_str()).unwrap_or_default();
            let issue = entry
                .and_then(|e| e.issue.as_deref())
                .map(|i| format!(" ({i})"))
                .unwrap_or_default();
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(x(&one_line(&format!("baselined: {reason}{issue}"), 300)))
                .set_type("baselined")
                .set_description(x(&details(
                    run,
                    scenario,
                    &format!("Expected: {expected}\nActual: {actual}"),
                )));
            status
        }
        (State::Error, Some(Outcome::Error { reason })) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(x(&one_line(reason, 300)))
                .set_type("error")
                .set_description(x(&details(
                    run,
                    scenario,
                    &format!("Could not be checked: {reason}"),
                )));
            status
        }
        (State::Skipped, Some(Outcome::Skipped { reason })) => {
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(x(&one_line(reason, 300)))
                .set_type("skipped");
            status
        }
        _ => {
            let cause = scenario
                .not_run_cause()
                .unwrap_or("the scenario never finished");
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(x(&one_line(&format!("not run: {cause}"), 300)))
                .set_type("not-run");
            status
        }
    };
    let mut case = TestCase::new(x(&meta.id), status);
    case.set_classname(meta.section_slug());
    if let Some(result) = &scenario.result {
        case.set_time(Duration::from_millis(result.duration_ms));
    }
    case.add_property(Property::new("level", level));
    case.add_property(Property::new("requirements", x(&requirements)));
    case.add_property(Property::new("title", x(&meta.title)));
    let mut out = String::new();
    if let Some(Outcome::Pass { checked }) = outcome {
        for check in checked {
            out.push_str(&format!("checked: {check}\n"));
        }
    }
    for line in evidence_lines(&scenario.evidence) {
        out.push_str(&line);
        out.push('\n');
    }
    if !out.is_empty() {
        case.set_system_out(x(&out));
    }
    case
}

/// The text of a `<failure>`/`<error>`/baselined `<skipped>` element.
fn details(run: &RunMeta, scenario: &ScenarioRecord, head: &str) -> String {
    let meta = &scenario.meta;
    let mut out = format!("{head}\n{}: {}\n", meta.id, meta.title);
    for id in &meta.requirements {
        match run.requirement(id) {
            Some(r) => out.push_str(&format!("{} {id}: {}\n", r.level.as_str(), r.text)),
            None => out.push_str(&format!("{id}\n")),
        }
    }
    if !meta.how_to_fix.is_empty() {
        out.push_str(&format!("How to fix: {}\n", meta.how_to_fix));
    }
    out
}

/// Text fit for XML: control characters and non-characters made visible
/// (quick-junit escapes markup, and would silently drop these).
fn x(text: &str) -> String {
    visible_controls(text).into_owned()
}
