//! Plain-text renderings shared by the formats that have no markup of
//! their own (JUnit system-out, SARIF messages): one line per piece of
//! evidence, and the key evidence of a failure in one sentence. Callers
//! escape the result for their format.

use scenarios::probe::{FrameView, PageView};

use crate::escape::one_line;
use crate::event::{EvidenceItem, HttpExchange, Outcome};
use crate::record::ScenarioRecord;

/// One line per evidence item (screenshots only named).
pub(crate) fn evidence_lines(items: &[EvidenceItem]) -> Vec<String> {
    items.iter().map(evidence_line).collect()
}

fn evidence_line(item: &EvidenceItem) -> String {
    match item {
        EvidenceItem::Note { text } => format!("note: {text}"),
        EvidenceItem::Http(x) => http_line(x),
        EvidenceItem::Page { site, view } => format!(
            "page {site}: {} SDK events [{}], {} console messages, {} CSP violations, frame {}",
            view.events.len(),
            event_names(view).join(", "),
            view.console.len(),
            view.csp_violations.len(),
            frame_summary(view),
        ),
        EvidenceItem::CanaryHit { method, url } => format!("canary hit: {method} {url}"),
        EvidenceItem::Screenshot { png_base64 } => {
            format!(
                "screenshot: {} bytes of PNG (see report.html)",
                png_base64.len() / 4 * 3
            )
        }
        EvidenceItem::Support(s) => format!(
            "support info: public key {}, external user {}, at {}, {} console errors",
            s.public_key.as_deref().unwrap_or("-"),
            s.external_user_id.as_deref().unwrap_or("-"),
            s.timestamp,
            s.console_errors.len()
        ),
    }
}

pub(crate) fn http_line(x: &HttpExchange) -> String {
    let status = x
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    format!("{} {} -> {} ({} ms)", x.method, x.url, status, x.elapsed_ms)
}

/// The SDK event names of a page view, in order.
pub(crate) fn event_names(view: &PageView) -> Vec<String> {
    view.events.iter().map(|e| e.name.clone()).collect()
}

/// `absent`, `refused (url)` or `loaded (url)`: the page view's frame.
pub(crate) fn frame_summary(view: &PageView) -> String {
    match &view.frame {
        FrameView::Absent => "absent".to_string(),
        FrameView::Refused { url } => format!("refused ({url})"),
        FrameView::Loaded { url, .. } => format!("loaded ({url})"),
    }
}

/// The failure in one sentence: expected, actual and the key evidence.
pub(crate) fn failure_sentence(scenario: &ScenarioRecord) -> String {
    let mut out = match scenario.result.as_ref().map(|r| &r.outcome) {
        Some(Outcome::Fail {
            expected, actual, ..
        }) => {
            format!("Expected: {expected}. Actual: {actual}.")
        }
        Some(Outcome::Error { reason }) => format!("Could not be checked: {reason}."),
        Some(Outcome::Skipped { reason }) => format!("Skipped: {reason}."),
        Some(Outcome::Pass { .. }) => "Passed.".to_string(),
        Some(Outcome::NotRun { cause }) => format!("Not run: {cause}."),
        None => "Never finished.".to_string(),
    };
    let key = key_evidence(&scenario.evidence);
    if !key.is_empty() {
        out.push_str(" Evidence: ");
        out.push_str(&key.join("; "));
        out.push('.');
    }
    out
}

/// The few evidence facts worth a summary line: canary hits, CSP
/// violations, SDK events, HTTP statuses, the first note.
pub(crate) fn key_evidence(items: &[EvidenceItem]) -> Vec<String> {
    let mut out = Vec::new();
    let hits = items
        .iter()
        .filter(|i| matches!(i, EvidenceItem::CanaryHit { .. }))
        .count();
    if hits > 0 {
        out.push(format!("{hits} canary hit(s)"));
    }
    for item in items {
        match item {
            EvidenceItem::Http(x) => out.push(one_line(&http_line(x), 160)),
            EvidenceItem::Page { site, view } => {
                let csp = view.csp_violations.len();
                out.push(one_line(
                    &format!(
                        "page {site}: events [{}], {csp} CSP violation(s), frame {}",
                        event_names(view).join(", "),
                        frame_summary(view)
                    ),
                    200,
                ));
            }
            _ => {}
        }
    }
    if let Some(EvidenceItem::Note { text }) = items
        .iter()
        .find(|i| matches!(i, EvidenceItem::Note { .. }))
    {
        out.push(one_line(text, 160));
    }
    out.truncate(4);
    out
}
