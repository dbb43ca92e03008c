//! The Markdown summary (`summary.md`): short enough for a pull-request
//! comment or a CI job summary (at most [`MAX_LINES`] lines). Run text goes
//! through [`escape_md`], which writes `< > &` as entities and
//! backslash-escapes the Markdown punctuation that can start markup, so a payload cannot become HTML,
//! a link or table structure.

use scenarios::Level;

use crate::escape::{one_line, visible_controls};
use crate::event::Outcome;
use crate::record::{summary_line, RunRecord, ScenarioRecord, State};
use crate::status::RunStatus;

/// The most lines the summary has.
pub const MAX_LINES: usize = 60;

const MAX_FAILURES: usize = 15;
const MAX_ERRORS: usize = 6;
const MAX_BASELINED: usize = 5;
const MAX_WARNINGS: usize = 4;

/// `text` on one line, safe as Markdown inline text and in a table cell.
pub fn escape_md(text: &str) -> String {
    let text = visible_controls(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '|' | '~' | '@' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A scenario or requirement ID: as code when it is plain, escaped otherwise.
pub(crate) fn md_id(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        format!("`{text}`")
    } else {
        escape_md(text)
    }
}

/// The record as a short Markdown summary.
pub fn render_markdown(record: &RunRecord) -> String {
    let meta = &record.meta;
    let mut out: Vec<String> = Vec::new();
    let verdict = match &record.status {
        RunStatus::Passed => "passed".to_string(),
        RunStatus::MustFailed => "MUST requirements failed".to_string(),
        RunStatus::ShouldFailed => "SHOULD findings".to_string(),
        RunStatus::Incomplete { reason } => {
            format!("incomplete \u{2014} {}", escape_md(&one_line(reason, 200)))
        }
    };
    out.push(format!(
        "## portalcheck: {verdict} (exit {})",
        record.status.exit_code().code()
    ));
    out.push(String::new());
    let version = meta
        .target
        .version
        .as_deref()
        .map(|v| format!(" {}", escape_md(v)))
        .unwrap_or_default();
    // A merged record's shards each ran at an origin and seed of their own.
    let place = if meta.shards.is_empty() {
        format!(
            " at {} \u{b7} catalogue {} \u{b7} seed {}",
            escape_md(&meta.target.portal_origin),
            escape_md(&meta.catalogue_revision),
            meta.seed
        )
    } else {
        format!(" \u{b7} catalogue {}", escape_md(&meta.catalogue_revision))
    };
    out.push(format!(
        "Target **{}**{version}{place} \u{b7} {}",
        escape_md(&meta.target.name),
        escape_md(&summary_line(record)),
    ));
    if !meta.shards.is_empty() {
        out.push(String::new());
        let shards: Vec<String> = meta
            .shards
            .iter()
            .map(|s| escape_md(&s.describe()))
            .collect();
        out.push(format!("Merged from: {}", shards.join("; ")));
    }
    if let Some(engine) = &meta.engine {
        out.push(String::new());
        out.push(format!(
            "Engine **{}** ({}) \u{b7} certificate trust: {} \u{b7} observation: {}",
            escape_md(engine),
            escape_md(meta.browser.as_deref().unwrap_or("version unknown")),
            escape_md(meta.browser_trust.as_deref().unwrap_or("unknown")),
            escape_md(meta.browser_observation.as_deref().unwrap_or("unknown")),
        ));
    }
    out.push(String::new());
    out.push("| Level | Pass | Fail | Baselined | Error | Skipped | Not run |".to_string());
    out.push("|---|---:|---:|---:|---:|---:|---:|".to_string());
    for level in [Level::Must, Level::Should] {
        let c = record.counts.level(level);
        out.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            level.as_str(),
            c.pass,
            c.fail,
            c.baselined,
            c.error,
            c.skipped,
            c.not_run
        ));
    }

    let failures: Vec<&ScenarioRecord> = [Level::Must, Level::Should]
        .iter()
        .flat_map(|level| {
            record
                .scenarios
                .iter()
                .filter(move |s| s.state() == State::Fail && s.level() == *level)
        })
        .collect();
    table(
        &mut out,
        "Failures",
        "| Scenario | Level | Requirements | Actual |",
        "|---|---|---|---|",
        &failures,
        MAX_FAILURES,
        |s| {
            let actual = match s.result.as_ref().map(|r| &r.outcome) {
                Some(Outcome::Fail { actual, .. }) => actual.as_str(),
                _ => "",
            };
            format!(
                "| {} | {} | {} | {} |",
                md_id(&s.meta.id),
                s.level().as_str(),
                s.meta
                    .requirements
                    .iter()
                    .map(|r| md_id(r))
                    .collect::<Vec<_>>()
                    .join(", "),
                escape_md(&one_line(actual, 140))
            )
        },
    );

    let errors: Vec<&ScenarioRecord> = record
        .scenarios
        .iter()
        .filter(|s| matches!(s.state(), State::Error | State::NotRun))
        .collect();
    table(
        &mut out,
        "Errors",
        "| Scenario | Reason |",
        "|---|---|",
        &errors,
        MAX_ERRORS,
        |s| {
            let reason = match s.result.as_ref().map(|r| &r.outcome) {
                Some(Outcome::Error { reason }) => reason.as_str(),
                _ => s.not_run_cause().unwrap_or("never finished"),
            };
            format!(
                "| {} | {} |",
                md_id(&s.meta.id),
                escape_md(&one_line(reason, 160))
            )
        },
    );

    let baselined: Vec<&ScenarioRecord> = record
        .scenarios
        .iter()
        .filter(|s| s.state() == State::Baselined)
        .collect();
    table(
        &mut out,
        "Baselined (not failing the gate)",
        "| Scenario | Reason |",
        "|---|---|",
        &baselined,
        MAX_BASELINED,
        |s| {
            let reason = s
                .baselined
                .as_ref()
                .map(|e| e.reason.as_str())
                .unwrap_or_default();
            format!(
                "| {} | {} |",
                md_id(&s.meta.id),
                escape_md(&one_line(reason, 160))
            )
        },
    );

    if !record.baseline_warnings.is_empty() {
        out.push(String::new());
        out.push("### Baseline warnings".to_string());
        for warning in record.baseline_warnings.iter().take(MAX_WARNINGS) {
            out.push(format!("- {}", escape_md(&warning.message())));
        }
        more(&mut out, record.baseline_warnings.len(), MAX_WARNINGS);
    }
    out.push(String::new());
    out.push("Details, evidence and fixes: `report.html`.".to_string());
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn table(
    out: &mut Vec<String>,
    title: &str,
    head: &str,
    rule: &str,
    rows: &[&ScenarioRecord],
    max: usize,
    row: impl Fn(&ScenarioRecord) -> String,
) {
    if rows.is_empty() {
        return;
    }
    out.push(String::new());
    out.push(format!("### {title} ({})", rows.len()));
    out.push(head.to_string());
    out.push(rule.to_string());
    out.extend(rows.iter().take(max).map(|s| row(s)));
    more(out, rows.len(), max);
}

fn more(out: &mut Vec<String>, total: usize, shown: usize) {
    if total > shown {
        out.push(format!(
            "\n\u{2026} and {} more in `report.html`.",
            total - shown
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_inert() {
        assert_eq!(
            escape_md("<img src=x>|[a](b)\n`c`"),
            "&lt;img src=x&gt;\\|\\[a\\](b) \\`c\\`"
        );
        assert_eq!(md_id("auth.hmac-exact"), "`auth.hmac-exact`");
        assert_eq!(md_id("a`b"), "a\\`b");
    }
}
