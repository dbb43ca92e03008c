//! What must never reach an output: the run's secrets, tokens, markup or
//! control characters from the target, unbounded bulk. Every format is
//! written for a run whose evidence carries all of these.

mod common;

use common::*;
use proptest::prelude::*;
use quick_xml::events::Event as Xml;
use reports::event::{HttpExchange, SupportInfo};
use reports::html::escape_html;
use reports::{
    render_html, render_json, render_junit, render_markdown, render_sarif, Baseline, BaselineEntry,
    Event, EvidenceItem, Outcome, Redactor, Reporter, RunOutputs, RunRecord, ScenarioResult,
    Secrets,
};
use serde_json::{json, Value};

const SECRETS: [&str; 2] = [
    "whsec_tenantA_9f8e7d6c5b4a3210",
    "tenant B secret/with+chars",
];
const BEARER: &str = "eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbg.sig";
const COOKIE: &str = "sess_7d1e2f";

fn hmac() -> String {
    "0123456789abcdef".repeat(4)
}

/// Every secret in the places a careless harness would put it.
fn secret_events() -> Vec<Event> {
    let [a, b] = SECRETS;
    let id = "embedding.ancestors-allowlist";
    let mut events = events();
    let at = events
        .iter()
        .position(|e| matches!(e, Event::ScenarioFinished(r) if r.id == id))
        .unwrap();
    let items = vec![
        EvidenceItem::Note {
            text: format!("signed with {a} and {b}"),
        },
        EvidenceItem::Http(HttpExchange {
            method: "POST".into(),
            url: format!(
                "https://portal.test/api/session?secret={}&sig={}",
                "tenant%20B%20secret%2Fwith%2Bchars",
                hmac()
            ),
            request_headers: vec![
                ("Authorization".into(), format!("Bearer {BEARER}")),
                ("Cookie".into(), format!("sid={COOKIE}")),
                ("X-UserHero-Signature".into(), hmac()),
                ("X-Debug-Secret".into(), a.into()),
            ],
            request_body: Some(json!({ "secret": b, "userHash": hmac() }).to_string()),
            status: Some(500),
            response_headers: vec![(
                "Set-Cookie".into(),
                format!("sid={COOKIE}; Path=/; Secure; HttpOnly"),
            )],
            response_body: format!("stack trace: HMAC key {a} rejected"),
            elapsed_ms: 3,
        }),
        EvidenceItem::Page {
            site: "host".into(),
            view: serde_json::from_value(json!({ "host_text": format!("debug: {b}"), "console": [{ "source": "HostPage", "level": "log", "text": a }], "frame": { "Loaded": { "url": "u", "text": "t", "styles": { a: "key" } } } })).unwrap(),
        },
        EvidenceItem::Support(SupportInfo {
            public_key: Some("pk_test_1".into()),
            external_user_id: Some("u-1".into()),
            timestamp: "2026-11-25T10:00:02Z".into(),
            console_errors: vec![format!("bad signature {} for secret {a}", hmac())],
        }),
    ];
    for (i, item) in items.into_iter().enumerate() {
        events.insert(
            at + i,
            Event::EvidenceCaptured {
                id: id.into(),
                item,
            },
        );
    }
    if let Event::ScenarioFinished(result) = &mut events[at + 4] {
        result.outcome = Outcome::Fail {
            expected: "HTTP 401".into(),
            actual: format!("HTTP 500 leaking {a} and {}", hmac()),
            general_requirement: None,
        };
    }
    if let Event::RunStarted(meta) = &mut events[0] {
        meta.scenarios[1].description = format!("uses {b}");
    }
    events
}

fn write_all(
    dir: &std::path::Path,
    events: &[Event],
    secrets: Secrets,
    baseline: Option<Baseline>,
) -> Vec<(String, String)> {
    let mut reporter = RunOutputs::new(secrets, baseline, Some(dir));
    for event in events {
        reporter.on_event(event).unwrap();
    }
    reporter
        .finish()
        .unwrap()
        .into_iter()
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect()
}

#[test]
fn no_format_carries_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = write_all(
        dir.path(),
        &secret_events(),
        SECRETS.into_iter().collect(),
        Some(baseline()),
    );
    let percent = "tenant%20B%20secret%2Fwith%2Bchars";
    let hmac = hmac();
    for (name, text) in &outputs {
        for needle in [
            SECRETS[0],
            SECRETS[1],
            percent,
            hmac.as_str(),
            BEARER,
            COOKIE,
        ] {
            assert!(!text.contains(needle), "{name} carries {needle}");
        }
    }
    let (_, json) = &outputs[0];
    assert!(
        json.contains("[REDACTED]") && json.contains("01234567…"),
        "the test must exercise the redactor"
    );
    assert!(
        json.contains("Bearer [REDACTED]")
            && json.contains("sid=[REDACTED]; Path=/; Secure; HttpOnly")
    );
    let (_, html) = &outputs[3];
    assert!(html.contains("[REDACTED]"));
}

/// Everything a hostile target could send back, in one string.
const PAYLOAD: &str = "</script><script>alert(1)</script> ]]> <!-- x --> <![CDATA[ y ]]> \u{0}\u{1}\u{8}\u{b}\u{1b}[31mred\u{7f}\u{85}\u{fffe}\u{ffff} \"q\" 'a' & &amp; <img src=x onerror=alert(1)> | [link](javascript:alert(1)) \n# heading\r\n`code` @everyone $x$";

fn hostile_events() -> Vec<Event> {
    let p = PAYLOAD.to_string();
    let big = "A<".repeat(2_500_000);
    let mut events = events();
    for event in &mut events {
        match event {
            Event::RunStarted(meta) => {
                meta.target.name = p.clone();
                meta.browser = Some(p.clone());
                for s in &mut meta.scenarios {
                    s.title = p.clone();
                    s.description = p.clone();
                    s.how_to_fix = p.clone();
                }
                // Tags, sections and levels are types; a requirement's
                // text comes with the run and may be anything.
                meta.scenarios[0].requirements.push(p.clone());
                meta.requirements.push(reports::event::RequirementMeta {
                    id: p.clone(),
                    section: scenarios::Section::Sdk,
                    level: scenarios::Level::Must,
                    text: p.clone(),
                    source: p.clone(),
                });
            }
            Event::ScenarioFinished(ScenarioResult { outcome, .. }) => {
                *outcome = match outcome {
                    Outcome::Pass { .. } => Outcome::Pass {
                        checked: vec![p.clone()],
                    },
                    Outcome::Fail { .. } => Outcome::Fail {
                        expected: p.clone(),
                        actual: p.clone(),
                        general_requirement: None,
                    },
                    Outcome::Error { .. } => Outcome::Error { reason: p.clone() },
                    Outcome::Skipped { .. } => Outcome::Skipped { reason: p.clone() },
                    Outcome::NotRun { .. } => Outcome::NotRun { cause: p.clone() },
                }
            }
            _ => {}
        }
    }
    let id = "embedding.ancestors-allowlist";
    let items = vec![
        EvidenceItem::Note { text: p.clone() },
        EvidenceItem::Http(HttpExchange {
            method: p.clone(),
            url: p.clone(),
            request_headers: vec![(p.clone(), p.clone())],
            request_body: Some(p.clone()),
            status: None,
            response_headers: vec![(p.clone(), p.clone())],
            response_body: big,
            elapsed_ms: 1,
        }),
        EvidenceItem::Page {
            site: p.clone(),
            view: serde_json::from_value(json!({
                "url": p, "host_text": p,
                "events": [{ "name": p, "detail": { p.clone(): p }, "at_ms": 1 }],
                "console": [{ "source": "PortalFrame", "level": p, "text": p }],
                "csp_violations": [{ "directive": p, "blocked_uri": p }],
                "frame": { "Loaded": { "url": p, "text": p, "styles": { p.clone(): p } } },
                "storage": [{ "owner": "PortalFrame", "origin": p, "local": [[p, p]], "session": null, "cookies": p }],
            }))
            .unwrap(),
        },
        EvidenceItem::CanaryHit {
            method: p.clone(),
            url: p.clone(),
        },
        EvidenceItem::Screenshot {
            png_base64: format!("\"><script>{p}"),
        },
        EvidenceItem::Support(SupportInfo {
            public_key: Some(p.clone()),
            external_user_id: Some(p.clone()),
            timestamp: p.clone(),
            console_errors: vec![p.clone()],
        }),
    ];
    let at = events
        .iter()
        .position(|e| matches!(e, Event::ScenarioFinished(r) if r.id == id))
        .unwrap();
    for (i, item) in items.into_iter().enumerate() {
        events.insert(
            at + i,
            Event::EvidenceCaptured {
                id: id.into(),
                item,
            },
        );
    }
    events
}

fn hostile_baseline() -> Baseline {
    let entry = |scenario: &str, issue: &str| BaselineEntry {
        scenario: scenario.into(),
        reason: PAYLOAD.into(),
        expires: None,
        issue: Some(issue.into()),
    };
    Baseline {
        entries: vec![
            entry(PAYLOAD, "https://x.test/\"><script>alert(1)</script>"),
            entry("support.console-diagnostic", "javascript:alert(1)"),
        ],
    }
}

/// A character no output may hold raw.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'))
}

fn xml_parses(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Xml::Eof) => break,
            Ok(Xml::Start(e) | Xml::Empty(e)) => {
                for attr in e.attributes() {
                    attr.expect("well-formed attribute")
                        .unescape_value()
                        .expect("escaped attribute");
                }
            }
            Ok(Xml::Text(t)) => {
                t.unescape().expect("escaped text");
            }
            Ok(Xml::CData(_) | Xml::Comment(_) | Xml::DocType(_) | Xml::PI(_)) => {
                panic!("junit.xml has markup from the payload")
            }
            Ok(_) => {}
            Err(e) => panic!("junit.xml does not parse: {e}"),
        }
    }
}

/// No payload became markup: no raw tag, comment, CDATA or script link in
/// the HTML, no raw HTML or live link in the Markdown.
fn assert_markup_inert(html: &str, md: &str) {
    for raw in [
        "<img src=x",
        "<!-- x",
        "<![CDATA[",
        "href=\"javascript",
        "\"><script",
    ] {
        assert!(!html.contains(raw), "html holds raw {raw}");
    }
    assert!(!md.contains('<'), "markdown holds raw HTML");
    assert!(!md.contains("[link]("), "markdown holds a live link");
}

fn check_outputs(json: &str, junit: &str, sarif: &str, html: &str, md: &str) {
    for (name, text) in [
        ("json", json),
        ("junit", junit),
        ("sarif", sarif),
        ("html", html),
        ("markdown", md),
    ] {
        assert_eq!(
            raw_control(text),
            None,
            "{name} holds a raw control character"
        );
    }
    let record: RunRecord = serde_json::from_str(json).expect("report.json reads back");
    assert_eq!(record.scenarios.len(), 6);
    xml_parses(junit);
    let sarif: Value = serde_json::from_str(sarif).expect("report.sarif is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert_eq!(html.matches("</script>").count(), 1);
    assert_markup_inert(html, md);
    assert!(!md.contains(" @everyone"), "markdown holds a live mention");
    assert!(
        md.lines().all(|l| !l.starts_with("# heading")),
        "markdown holds a payload heading"
    );
}

/// Every format of the hostile run, written into `dir`.
fn hostile_outputs(dir: &std::path::Path) -> Vec<(String, String)> {
    write_all(
        dir,
        &hostile_events(),
        Secrets::default(),
        Some(hostile_baseline()),
    )
}

#[test]
fn hostile_text_stays_text_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = hostile_outputs(dir.path());
    let text = |name: &str| outputs.iter().find(|(n, _)| n == name).unwrap().1.as_str();
    check_outputs(
        text("report.json"),
        text("junit.xml"),
        text("report.sarif"),
        text("report.html"),
        text("summary.md"),
    );
    // The 5 MB body is cut, and says by how much.
    assert!(
        text("report.json").len() < 1_000_000,
        "report.json is {} bytes",
        text("report.json").len()
    );
    assert!(text("report.json").contains("bytes cut)"));
    assert!(text("report.html").contains("screenshot dropped: not base64"));
}

#[test]
fn renderers_escape_even_an_unscrubbed_record() {
    // A record built by hand skips the redactor: the edges must hold alone.
    let mut record = record_of(&events(), Some(hostile_baseline()), Redactor::default());
    let raw = hostile_events();
    let Event::RunStarted(meta) = &raw[0] else {
        unreachable!()
    };
    record.meta = meta.clone();
    for event in &raw {
        match event {
            Event::EvidenceCaptured { id, item } => record
                .scenarios
                .iter_mut()
                .find(|s| &s.meta.id == id)
                .unwrap()
                .evidence
                .push(item.clone()),
            Event::ScenarioFinished(result) => {
                let scenario = record
                    .scenarios
                    .iter_mut()
                    .find(|s| s.meta.id == result.id)
                    .unwrap();
                scenario.result = Some(result.clone());
            }
            _ => {}
        }
    }
    for (scenario, meta) in record.scenarios.iter_mut().zip(&meta.scenarios) {
        scenario.meta = meta.clone();
    }
    check_outputs(
        &render_json(&record),
        &render_junit(&record),
        &render_sarif(&record),
        &render_html(&record),
        &render_markdown(&record),
    );
}

fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match raw_control(&c.to_string()) {
            Some(c) => format!("\\u{{{:x}}}", c as u32),
            None => c.to_string(),
        })
        .collect()
}

fn html_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn one_failure(text: &str) -> RunRecord {
    let metas = vec![scenario_meta(
        "p.q",
        "embedding",
        "FRAME-ALLOWED-PARENT",
        "must",
        &["framing"],
    )];
    let events = vec![
        Event::RunStarted(run_meta(metas)),
        Event::EvidenceCaptured {
            id: "p.q".into(),
            item: EvidenceItem::Note { text: text.into() },
        },
        Event::ScenarioFinished(ScenarioResult {
            id: "p.q".into(),
            outcome: Outcome::Fail {
                expected: text.into(),
                actual: text.into(),
                general_requirement: None,
            },
            started_at: String::new(),
            duration_ms: 0,
        }),
    ];
    // Built unredacted: the renderers alone must keep the text inert.
    let mut record = record_of(&events, None, Redactor::default());
    record.scenarios[0].result = Some(ScenarioResult {
        id: "p.q".into(),
        outcome: Outcome::Fail {
            expected: text.into(),
            actual: text.into(),
            general_requirement: None,
        },
        started_at: String::new(),
        duration_ms: 0,
    });
    record
}

/// The text of every `<failure>` element.
fn failure_texts(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut inside, mut texts) = (false, Vec::new());
    loop {
        match reader.read_event().expect("junit.xml parses") {
            Xml::Start(e) if e.name().as_ref() == b"failure" => {
                inside = true;
                texts.push(String::new());
            }
            Xml::End(e) if e.name().as_ref() == b"failure" => inside = false,
            Xml::Text(t) if inside => texts.last_mut().unwrap().push_str(&t.unescape().unwrap()),
            Xml::Eof => return texts,
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn html_escaping_round_trips(text in any::<String>()) {
        let escaped = escape_html(&text).into_string();
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        prop_assert_eq!(raw_control(&escaped), None);
        prop_assert_eq!(html_unescape(&escaped), visible(&text));
    }

    #[test]
    fn junit_text_round_trips(text in any::<String>()) {
        let xml = render_junit(&one_failure(&text));
        xml_parses(&xml);
        let texts = failure_texts(&xml);
        prop_assert_eq!(texts.len(), 1);
        let expected = format!("Expected: {}\n", visible(&text));
        prop_assert!(texts[0].starts_with(&expected), "{:?} does not start with {:?}", texts[0], expected);
    }

    #[test]
    fn html_report_keeps_any_text_inert(text in any::<String>()) {
        let html = render_html(&one_failure(&text));
        prop_assert_eq!(html.matches("<script").count(), 1);
        let escaped = escape_html(&text).into_string();
        let expected = format!("<pre>{}</pre>", escaped);
        prop_assert!(html.contains(&expected));
    }
}

/// The engine matrix of a hostile run stays text, in both of its files.
#[test]
fn engine_matrix_keeps_hostile_text_inert() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = hostile_outputs(dir.path());
    let json = &outputs.iter().find(|(n, _)| n == "report.json").unwrap().1;
    let hostile: RunRecord = serde_json::from_str(json).unwrap();
    let mut other = hostile.clone();
    for scenario in &mut other.scenarios {
        if let Some(result) = scenario.result.as_mut() {
            result.outcome = Outcome::Skipped {
                reason: "<img src=x onerror=alert(1)> [link](javascript:x) \u{1b}[31m".into(),
            };
        }
    }
    let runs = [
        reports::EngineRun {
            engine: "chromium",
            record: &hostile,
            dir: "chromium",
        },
        reports::EngineRun {
            engine: "webkit",
            record: &other,
            dir: "webkit",
        },
    ];
    let written = reports::write_engine_files(&runs, dir.path()).unwrap();
    assert_eq!(written.len(), 2);
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let md = std::fs::read_to_string(dir.path().join("engines.md")).unwrap();
    for (name, text) in [("html", &html), ("markdown", &md)] {
        assert_eq!(raw_control(text), None, "{name} holds a raw control");
    }
    assert!(!html.contains("<script"));
    assert_markup_inert(&html, &md);
}
