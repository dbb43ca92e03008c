//! A fixed, hand-built run shared by the integration tests: a pass, a MUST
//! failure with screenshot and page evidence, a SHOULD failure (whose
//! baseline entry expired), an error, a skip and a baselined failure.

#![allow(dead_code)]

use reports::event::{HttpExchange, RunEnd, Selection, SupportInfo, TargetMeta};
use reports::{
    Baseline, Event, EvidenceItem, Outcome, RecordBuilder, Redactor, RunMeta, RunRecord,
    ScenarioMeta, ScenarioResult,
};
use serde_json::json;

/// A 1×1 PNG.
pub const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

pub const BASELINE: &str = r#"
[[expected_failure]]
scenario = "support.console-diagnostic"
reason = "console diagnostics ship in portal 4.2"
expires = "2027-01-31"
issue = "https://tracker.example/PORTAL-42"

[[expected_failure]]
scenario = "embedding.allowed-parent"
reason = "was flaky in 4.0"

[[expected_failure]]
scenario = "handshake.max-lifetime"
reason = "lifetime cap was planned for 2025"
expires = "2026-01-01"

[[expected_failure]]
scenario = "sdk.removed-scenario"
reason = "renamed since"
"#;

pub fn scenario_meta(
    id: &str,
    section: &str,
    requirement: &str,
    level: &str,
    tags: &[&str],
) -> ScenarioMeta {
    ScenarioMeta {
        id: id.to_string(),
        title: format!("Title of {id}"),
        section: Some(
            scenarios::Section::ALL
                .into_iter()
                .find(|s| s.slug() == section)
                .expect("a catalogue section"),
        ),
        requirements: vec![requirement.to_string()],
        level: scenarios::Level::parse(level).expect("must or should"),
        tags: tags
            .iter()
            .map(|t| scenarios::Tag::parse(t).expect("a catalogue tag"))
            .collect(),
        description: format!("What {id} does."),
        how_to_fix: format!("How to fix {id}."),
    }
}

pub fn metas() -> Vec<ScenarioMeta> {
    vec![
        scenario_meta(
            "embedding.allowed-parent",
            "embedding",
            "FRAME-ALLOWED-PARENT",
            "must",
            &["framing", "browser"],
        ),
        scenario_meta(
            "embedding.ancestors-allowlist",
            "embedding",
            "FRAME-ANCESTORS-ALLOWLIST",
            "must",
            &["framing", "csp", "browser"],
        ),
        scenario_meta(
            "handshake.max-lifetime",
            "handshake",
            "AUTH-EXPIRY-MAX-LIFETIME",
            "should",
            &["auth", "api"],
        ),
        scenario_meta(
            "tenancy.isolation",
            "tenancy",
            "TENANT-ISOLATION",
            "must",
            &["tenant", "api"],
        ),
        scenario_meta(
            "session.expiring-event",
            "session",
            "SESSION-EXPIRING-EVENT",
            "must",
            &["session", "browser"],
        ),
        scenario_meta(
            "support.console-diagnostic",
            "support",
            "SUPPORT-CONSOLE-DIAGNOSTIC",
            "should",
            &["support", "browser"],
        ),
    ]
}

pub fn run_meta(scenarios: Vec<ScenarioMeta>) -> RunMeta {
    RunMeta {
        portalcheck_version: "0.1.0".into(),
        catalogue_revision: "2026-11-25.1".into(),
        target: TargetMeta {
            name: "reference".into(),
            version: Some("4.1.0".into()),
            portal_origin: "https://portal.test:41234".into(),
            reference: true,
            defects: vec!["frame-ancestors-wildcard".into()],
            file: None,
        },
        browser: Some("Chromium 156.0.8078.73".into()),
        driver: Some("chromedriver 156.0.8078.73".into()),
        engine: Some("chromium".into()),
        browser_trust: Some("exactly the run's keys (SPKI pin list)".into()),
        browser_observation: Some(
            "DevTools: console, log entries and requests of every frame".into(),
        ),
        started_at: "2026-11-25T10:00:00Z".into(),
        seed: 42,
        selection: Selection::default(),
        scenarios,
        requirements: reports::event::RequirementMeta::catalogue(),
        shards: Vec::new(),
    }
}

pub fn page_view() -> Box<scenarios::probe::PageView> {
    serde_json::from_value(json!({
        "url": "https://evil-parent.test:41235/host.html",
        "events": [
            { "name": "ready", "detail": { "user": "u-1" }, "at_ms": 118 },
            { "name": "auth_failed", "detail": { "reason": "invalid_signature" }, "at_ms": 130 }
        ],
        "csp_violations": [{ "directive": "frame-ancestors", "blocked_uri": "https://portal.test:41234/embed" }],
        "console": [{ "source": "HostPage", "level": "error", "text": "Refused to frame 'https://portal.test:41234/'" }],
        "frame": { "Loaded": { "url": "https://portal.test:41234/embed", "text": "Your tickets", "styles": {} } },
        "host_text": "Acme support",
        "reached": null,
        "watched_ms": 2000
    }))
    .expect("a page view")
}

fn result(id: &str, outcome: Outcome, ms: u64) -> Event {
    Event::ScenarioFinished(ScenarioResult {
        id: id.into(),
        outcome,
        started_at: "2026-11-25T10:00:01Z".into(),
        duration_ms: ms,
    })
}

fn evidence(id: &str, item: EvidenceItem) -> Event {
    Event::EvidenceCaptured {
        id: id.into(),
        item,
    }
}

pub fn http_exchange() -> HttpExchange {
    HttpExchange {
        method: "GET".into(),
        url: "https://portal.test:41234/embed?publicKey=pk_test_1".into(),
        request_headers: vec![(
            "Referer".into(),
            "https://evil-parent.test:41235/host.html".into(),
        )],
        request_body: None,
        status: Some(200),
        response_headers: vec![("Content-Security-Policy".into(), "frame-ancestors *".into())],
        response_body: "<!doctype html><title>portal</title>".into(),
        elapsed_ms: 12,
    }
}

/// The whole run as events, in order.
pub fn events() -> Vec<Event> {
    let metas = metas();
    let mut events = vec![Event::RunStarted(run_meta(metas.clone()))];
    for meta in &metas {
        events.push(Event::ScenarioStarted {
            id: meta.id.clone(),
            started_at: "2026-11-25T10:00:01Z".into(),
        });
        let id = meta.id.as_str();
        match id {
            "embedding.allowed-parent" => events.push(result(
                id,
                Outcome::Pass {
                    checked: vec![
                        "`ready` fired within 118 ms".into(),
                        "the portal text shows".into(),
                    ],
                },
                840,
            )),
            "embedding.ancestors-allowlist" => {
                events.push(evidence(
                    id,
                    EvidenceItem::Note {
                        text: "parent https://evil-parent.test is not allowlisted".into(),
                    },
                ));
                events.push(evidence(id, EvidenceItem::Http(http_exchange())));
                events.push(evidence(
                    id,
                    EvidenceItem::Page {
                        site: "evil-parent".into(),
                        view: page_view(),
                    },
                ));
                events.push(evidence(
                    id,
                    EvidenceItem::Screenshot {
                        png_base64: PNG.into(),
                    },
                ));
                events.push(evidence(
                    id,
                    EvidenceItem::CanaryHit {
                        method: "GET".into(),
                        url: "https://canary.test:41236/leak".into(),
                    },
                ));
                events.push(evidence(
                    id,
                    EvidenceItem::Support(SupportInfo {
                        public_key: Some("pk_test_1".into()),
                        external_user_id: Some("u-1".into()),
                        timestamp: "2026-11-25T10:00:02Z".into(),
                        console_errors: vec!["auth_failed: invalid_signature (pk_test_1)".into()],
                    }),
                ));
                events.push(result(
                    id,
                    Outcome::Fail {
                        expected: "the browser refuses to frame the portal in a non-allowlisted parent".into(),
                        actual: "the portal loaded inside https://evil-parent.test; its CSP is `frame-ancestors *`".into(),
                        general_requirement: None,
                    },
                    2310,
                ));
            }
            "handshake.max-lifetime" => events.push(result(
                id,
                Outcome::Fail {
                    expected: "HTTP 401 invalid_payload".into(),
                    actual: "HTTP 200 with a session".into(),
                    general_requirement: None,
                },
                35,
            )),
            "tenancy.isolation" => events.push(result(
                id,
                Outcome::Error {
                    reason: "the browser went away".into(),
                },
                30000,
            )),
            "session.expiring-event" => events.push(result(
                id,
                Outcome::Skipped {
                    reason: "the target has no short session lifetime".into(),
                },
                0,
            )),
            _ => events.push(result(
                id,
                Outcome::Fail {
                    expected: "a console error naming the public key".into(),
                    actual: "no console error".into(),
                    general_requirement: None,
                },
                900,
            )),
        }
    }
    events.push(Event::RunFinished(RunEnd {
        finished_at: "2026-11-25T10:00:40Z".into(),
        duration_ms: 40000,
        incomplete: None,
    }));
    events
}

pub fn baseline() -> Baseline {
    Baseline::parse(BASELINE).expect("fixture baseline parses")
}

/// The record of `events`, each scrubbed by `redactor` first (what the
/// stream's edge does in a run).
pub fn record_of(events: &[Event], baseline: Option<Baseline>, redactor: Redactor) -> RunRecord {
    let mut builder = RecordBuilder::new(baseline.map(|b| redactor.scrub_baseline(b)));
    for event in events {
        builder.on_event(&redactor.scrub_event(event));
    }
    builder.finish()
}

/// The fixture run, judged with the fixture baseline.
pub fn record() -> RunRecord {
    record_of(&events(), Some(baseline()), Redactor::default())
}
