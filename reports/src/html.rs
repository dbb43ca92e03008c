//! The HTML report (`report.html`): one self-contained file that makes no
//! request (no CDN, font or remote image) and works under its own strict
//! Content-Security-Policy, whose hashes are computed over the exact inline
//! style and script. Every piece of run text enters the page through
//! [`escape_html`], which yields [`Html`]; the only other markup is
//! `&'static str` constants, so untrusted text cannot become markup.

use base64::Engine as _;
use scenarios::probe::PageView;
use scenarios::{Section, Tag};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::escape::visible_controls;
use crate::event::{EvidenceItem, HttpExchange, Outcome, RunMeta, SupportInfo};
use crate::record::{summary_line, RunRecord, ScenarioRecord, State};
use crate::text::frame_summary;

/// Markup safe to write into the page: escaped text, or constant markup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// `text` escaped for HTML text and quoted attribute values: `& < > " '`
/// become entities, control characters become visible `\u{..}`.
pub fn escape_html(text: &str) -> Html {
    let text = visible_controls(text);
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Html(out)
}

pub(crate) const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:76rem;padding:1rem 1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem;margin:.3rem 0}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #d0d7de}h3{font-size:1rem;margin:.3rem 0}h4{font-size:.9rem;margin:.6rem 0 .2rem}
.status{padding:.6rem 1rem;border-radius:6px;font-weight:600}
.status.passed{background:#dafbe1}.status.must_failed{background:#ffebe9}.status.should_failed{background:#fff8c5}.status.incomplete{background:#eaeef2}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.75rem;font-weight:700;text-transform:uppercase;color:#fff;background:#6e7781}
.b-fail{background:#cf222e}.b-error{background:#8250df}.b-not-run{background:#57606a}.b-baselined{background:#9a6700}.b-pass{background:#1a7f37}
article{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:.8rem 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.5rem;border-radius:4px;max-height:24rem;overflow:auto;margin:.2rem 0}
blockquote{margin:.2rem 0 .4rem 1rem;color:#59636e}
img.shot{max-width:100%;border:1px solid #d0d7de}
.warn{background:#fff8c5;padding:.5rem 1rem;border-radius:6px}.hit{color:#cf222e;font-weight:600}
fieldset{display:inline-block;border:1px solid #d0d7de;border-radius:6px;margin:.3rem .3rem .3rem 0}label{margin-right:.6rem;white-space:nowrap}
.muted{color:#59636e}[hidden]{display:none!important}
";

const SCRIPT: &str = "
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  function apply() {
    var outcomes = {}, tags = {};
    boxes.forEach(function (b) { if (b.checked) { (b.getAttribute('data-filter') === 'outcome' ? outcomes : tags)[b.value] = true; } });
    Array.prototype.forEach.call(document.querySelectorAll('[data-outcome]'), function (el) {
      var own = (el.getAttribute('data-tags') || '').split(' ').filter(Boolean);
      var tagged = own.length === 0 || own.some(function (t) { return tags[t]; });
      el.hidden = !(outcomes[el.getAttribute('data-outcome')] && tagged);
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
";

/// The CSP `'sha256-…'` source of an inline element's exact text.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy the report's `<meta>` sets.
pub fn content_security_policy() -> String {
    policy(&csp_hash(SCRIPT))
}

/// The policy of a page with no script (the engine matrix).
pub(crate) fn scriptless_policy() -> String {
    policy("'none'")
}

fn policy(script_src: &str) -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {script_src}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
    )
}

/// The page being written: only constants and [`Html`] go in.
pub(crate) struct Doc(pub(crate) String);

impl Doc {
    pub(crate) fn lit(&mut self, markup: &'static str) -> &mut Doc {
        self.0.push_str(markup);
        self
    }

    pub(crate) fn text(&mut self, text: &str) -> &mut Doc {
        self.0.push_str(&escape_html(text).0);
        self
    }

    pub(crate) fn num(&mut self, n: impl Into<u64>) -> &mut Doc {
        self.0.push_str(&n.into().to_string());
        self
    }

    /// `<tag>text</tag>` for a constant open and close tag.
    pub(crate) fn el(&mut self, open: &'static str, text: &str, close: &'static str) -> &mut Doc {
        self.lit(open).text(text).lit(close)
    }
}

/// The record as one self-contained HTML page.
pub fn render_html(record: &RunRecord) -> String {
    let mut d = Doc(String::with_capacity(64 * 1024));
    let meta = &record.meta;
    d.lit("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .text(&content_security_policy())
        .lit("\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>portalcheck: ")
        .text(&meta.target.name)
        .lit("</title>\n<style>")
        .lit(STYLE)
        .lit("</style>\n</head>\n<body>\n");

    header(&mut d, record);
    warnings(&mut d, record);
    summary(&mut d, record);
    filters(&mut d, record);

    d.lit("<h2>Failures and errors</h2>\n");
    let findings: Vec<&ScenarioRecord> =
        [State::Fail, State::Error, State::NotRun, State::Baselined]
            .iter()
            .flat_map(|state| record.scenarios.iter().filter(move |s| s.state() == *state))
            .collect();
    if findings.is_empty() {
        d.lit("<p class=\"muted\">None.</p>\n");
    }
    for scenario in findings {
        finding(&mut d, &record.meta, scenario);
    }
    compact(&mut d, record, State::Skipped, "<h2>Skipped</h2>\n");
    compact(&mut d, record, State::Pass, "<h2>Passed</h2>\n");

    d.lit("<p class=\"muted\">Written by portalcheck ")
        .text(&meta.portalcheck_version)
        .lit(". This page loads nothing from the network.</p>\n<script>")
        .lit(SCRIPT)
        .lit("</script>\n</body>\n</html>\n");
    d.0
}

fn header(d: &mut Doc, record: &RunRecord) {
    let meta = &record.meta;
    d.lit("<header>\n<h1>portalcheck report: ")
        .text(&meta.target.name)
        .lit("</h1>\n");
    d.lit("<p class=\"status ")
        .text(record.status.name())
        .lit("\">")
        .text(&record.status.describe())
        .lit(" (exit ")
        .num(record.status.exit_code().code() as u64)
        .lit(") \u{2014} ")
        .text(&summary_line(record))
        .lit("</p>\n<table>\n");
    let mut row = |name: &'static str, value: &str| {
        d.lit("<tr><th>")
            .lit(name)
            .lit("</th><td>")
            .text(value)
            .lit("</td></tr>\n");
    };
    let target = &meta.target;
    row(
        "Target",
        &format!(
            "{}{}",
            target.name,
            target
                .version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default()
        ),
    );
    if meta.shards.is_empty() {
        row("Portal origin", &target.portal_origin);
    }
    for shard in &meta.shards {
        row("Merged from", &shard.describe());
    }
    if target.reference {
        let defects = if target.defects.is_empty() {
            "none".to_string()
        } else {
            target.defects.join(", ")
        };
        row("Reference portal", &format!("defects on: {defects}"));
    }
    row("Catalogue revision", &meta.catalogue_revision);
    row("portalcheck", &meta.portalcheck_version);
    if let Some(engine) = &meta.engine {
        row("Engine", engine);
    }
    row("Browser", meta.browser.as_deref().unwrap_or("none"));
    if let Some(trust) = &meta.browser_trust {
        row("Certificate trust", trust);
    }
    if let Some(observation) = &meta.browser_observation {
        row("Observation", observation);
    }
    if let Some(driver) = &meta.driver {
        row("Driver", driver);
    }
    row("Started", &meta.started_at);
    if let Some(end) = &record.end {
        row("Duration", &format!("{} ms", end.duration_ms));
    }
    if meta.shards.is_empty() {
        row("Seed", &meta.seed.to_string());
    }
    let s = &meta.selection;
    let mut selection = Vec::new();
    if !s.filter.is_empty() {
        selection.push(format!("filter {}", s.filter.join(", ")));
    }
    if !s.tags.is_empty() {
        selection.push(format!("tags {}", tag_list(&s.tags, ", ")));
    }
    if let Some(level) = &s.level {
        selection.push(format!("level {}", level.as_str().to_ascii_lowercase()));
    }
    if let Some(shard) = &s.shard {
        selection.push(format!("shard {shard}"));
    }
    row(
        "Selection",
        &if selection.is_empty() {
            "everything".to_string()
        } else {
            selection.join("; ")
        },
    );
    d.lit("</table>\n</header>\n");
}

fn warnings(d: &mut Doc, record: &RunRecord) {
    if record.baseline_warnings.is_empty() {
        return;
    }
    d.lit("<section class=\"warn\">\n<h2>Baseline warnings</h2>\n<ul>\n");
    for warning in &record.baseline_warnings {
        d.el("<li>", &warning.message(), "</li>\n");
    }
    d.lit("</ul>\n</section>\n");
}

const COLUMNS: [State; 6] = [
    State::Pass,
    State::Fail,
    State::Baselined,
    State::Error,
    State::Skipped,
    State::NotRun,
];

fn summary(d: &mut Doc, record: &RunRecord) {
    d.lit("<h2>Summary</h2>\n<table>\n<tr><th>Section</th><th>Level</th>");
    for state in COLUMNS {
        d.el("<th>", state.as_str(), "</th>");
    }
    d.lit("</tr>\n");
    let mut sections: Vec<Option<Section>> = Vec::new();
    for s in &record.scenarios {
        if !sections.contains(&s.meta.section) {
            sections.push(s.meta.section);
        }
    }
    for section in sections {
        for level in [scenarios::Level::Must, scenarios::Level::Should] {
            let group: Vec<&ScenarioRecord> = record
                .scenarios
                .iter()
                .filter(|s| s.meta.section == section && s.level() == level)
                .collect();
            if group.is_empty() {
                continue;
            }
            d.lit("<tr><td>")
                .text(&section_heading(section))
                .lit("</td><td>")
                .text(level.as_str())
                .lit("</td>");
            for state in COLUMNS {
                let n = group.iter().filter(|s| s.state() == state).count();
                d.lit("<td class=\"n\">").num(n as u64).lit("</td>");
            }
            d.lit("</tr>\n");
        }
    }
    for level in [scenarios::Level::Must, scenarios::Level::Should] {
        d.lit("<tr><th>All sections</th><th>")
            .text(level.as_str())
            .lit("</th>");
        let counts = record.counts.level(level);
        for state in COLUMNS {
            d.lit("<td class=\"n\">")
                .num(counts.get(state) as u64)
                .lit("</td>");
        }
        d.lit("</tr>\n");
    }
    d.lit("</table>\n");
}

fn filters(d: &mut Doc, record: &RunRecord) {
    d.lit("<h2>Filter</h2>\n<fieldset><legend>Outcome</legend>");
    for state in State::ALL {
        d.lit("<label><input type=\"checkbox\" data-filter=\"outcome\" value=\"")
            .text(state.as_str())
            .lit("\" checked> ")
            .text(state.as_str())
            .lit("</label>");
    }
    d.lit("</fieldset>\n<fieldset><legend>Tag</legend>");
    let mut tags: Vec<&str> = record
        .scenarios
        .iter()
        .flat_map(|s| s.meta.tags.iter().map(|t| t.as_str()))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    for tag in tags {
        d.lit("<label><input type=\"checkbox\" data-filter=\"tag\" value=\"")
            .text(tag)
            .lit("\" checked> ")
            .text(tag)
            .lit("</label>");
    }
    d.lit("</fieldset>\n");
}

/// The `data-outcome`/`data-tags` attributes the filter script reads.
fn filter_attrs(d: &mut Doc, scenario: &ScenarioRecord) {
    d.lit(" data-outcome=\"")
        .text(scenario.state().as_str())
        .lit("\" data-tags=\"")
        .text(&tag_list(&scenario.meta.tags, " "))
        .lit("\"");
}

pub(crate) fn badge(d: &mut Doc, state: State) {
    d.lit("<span class=\"badge b-")
        .text(state.as_str())
        .lit("\">")
        .text(state.as_str())
        .lit("</span> ");
}

fn finding(d: &mut Doc, run: &RunMeta, scenario: &ScenarioRecord) {
    let meta = &scenario.meta;
    let state = scenario.state();
    d.lit("<article id=\"s-").text(&meta.id).lit("\"");
    filter_attrs(d, scenario);
    d.lit(">\n<h3>");
    badge(d, state);
    d.text(scenario.level().as_str())
        .lit(" ")
        .text(&meta.id)
        .lit(": ")
        .text(&meta.title)
        .lit("</h3>\n");
    d.lit("<p class=\"muted\">")
        .text(&section_heading(meta.section));
    if let Some(result) = &scenario.result {
        d.lit(" \u{b7} ")
            .text(&result.started_at)
            .lit(" \u{b7} ")
            .num(result.duration_ms)
            .lit(" ms");
    }
    d.lit("</p>\n");
    for id in &meta.requirements {
        d.lit("<p><code>").text(id).lit("</code>");
        match run.requirement(id) {
            Some(r) => {
                d.lit(" (")
                    .text(r.level.as_str())
                    .lit("): ")
                    .text(&r.text)
                    .lit("</p>\n");
                d.el("<blockquote>", &r.source, "</blockquote>\n");
            }
            None => {
                d.lit(" <span class=\"muted\">(not in the catalogue of this run)</span></p>\n");
            }
        }
    }
    if !meta.description.is_empty() {
        d.el("<p>", &meta.description, "</p>\n");
    }
    match scenario.result.as_ref().map(|r| &r.outcome) {
        Some(Outcome::Fail {
            expected, actual, ..
        }) => {
            d.el("<h4>Expected</h4>\n<pre>", expected, "</pre>\n");
            d.el("<h4>Actual</h4>\n<pre>", actual, "</pre>\n");
        }
        Some(Outcome::Error { reason }) => {
            d.el("<h4>Could not be checked</h4>\n<pre>", reason, "</pre>\n");
        }
        Some(Outcome::NotRun { cause }) => {
            d.el("<h4>Not run</h4>\n<pre>", cause, "</pre>\n");
        }
        _ => {
            d.lit("<h4>Never finished</h4>\n<p>The scenario was selected but reported no result.</p>\n");
        }
    }
    if let Some(entry) = &scenario.baselined {
        d.lit("<p class=\"warn\">Baselined: ").text(&entry.reason);
        if let Some(expires) = &entry.expires {
            d.lit(" (until ").text(expires).lit(")");
        }
        if let Some(issue) = &entry.issue {
            d.lit(" \u{2014} ");
            link(d, issue);
        }
        d.lit("</p>\n");
    }
    if !meta.how_to_fix.is_empty() {
        d.el("<h4>How to fix</h4>\n<p>", &meta.how_to_fix, "</p>\n");
    }
    if !scenario.evidence.is_empty() {
        d.lit("<h4>Evidence</h4>\n");
        for item in &scenario.evidence {
            evidence(d, item);
        }
    }
    d.lit("</article>\n");
}

/// A link when `url` is http(s), plain text otherwise (no `javascript:`).
fn link(d: &mut Doc, url: &str) {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        d.lit("<a href=\"")
            .text(url)
            .lit("\">")
            .text(url)
            .lit("</a>");
    } else {
        d.text(url);
    }
}

fn evidence(d: &mut Doc, item: &EvidenceItem) {
    match item {
        EvidenceItem::Note { text } => {
            d.el("<p>Note: ", text, "</p>\n");
        }
        EvidenceItem::Http(x) => http(d, x),
        EvidenceItem::Page { site, view } => page(d, site, view),
        EvidenceItem::CanaryHit { method, url } => {
            d.lit("<p class=\"hit\">Canary hit: ")
                .text(method)
                .lit(" ")
                .text(url)
                .lit("</p>\n");
        }
        EvidenceItem::Screenshot { png_base64 } => {
            let valid = png_base64
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
            if valid && !png_base64.is_empty() {
                d.lit("<p><img class=\"shot\" alt=\"Screenshot of the host page\" src=\"data:image/png;base64,")
                    .text(png_base64)
                    .lit("\"></p>\n");
            } else {
                d.lit("<p class=\"muted\">Screenshot omitted: not base64.</p>\n");
            }
        }
        EvidenceItem::Support(info) => support(d, info),
    }
}

fn http(d: &mut Doc, x: &HttpExchange) {
    let status = x
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    d.lit("<details><summary>HTTP ")
        .text(&x.method)
        .lit(" ")
        .text(&x.url)
        .lit(" \u{2192} ")
        .text(&status)
        .lit(" (")
        .num(x.elapsed_ms)
        .lit(" ms)</summary>\n");
    headers(d, "Request headers", &x.request_headers);
    if let Some(body) = &x.request_body {
        d.el("<h4>Request body</h4>\n<pre>", body, "</pre>\n");
    }
    headers(d, "Response headers", &x.response_headers);
    if !x.response_body.is_empty() {
        d.el(
            "<h4>Response body</h4>\n<pre>",
            &x.response_body,
            "</pre>\n",
        );
    }
    d.lit("</details>\n");
}

fn headers(d: &mut Doc, title: &'static str, headers: &[(String, String)]) {
    if headers.is_empty() {
        return;
    }
    d.lit("<h4>").lit(title).lit("</h4>\n<table>\n");
    for (name, value) in headers {
        d.el("<tr><th>", name, "</th>")
            .el("<td>", value, "</td></tr>\n");
    }
    d.lit("</table>\n");
}

fn page(d: &mut Doc, site: &str, view: &PageView) {
    d.lit("<details open><summary>Host page ").text(site);
    if !view.url.is_empty() {
        d.lit(" (").text(&view.url).lit(")");
    }
    d.lit(" \u{2014} frame ")
        .text(&frame_summary(view))
        .lit("</summary>\n");
    d.lit("<h4>SDK events</h4>\n");
    if view.events.is_empty() {
        d.lit("<p class=\"muted\">none</p>\n");
    } else {
        d.lit("<table>\n<tr><th>Event</th><th>At</th><th>Detail</th></tr>\n");
        for event in &view.events {
            d.el("<tr><td>", &event.name, "</td>")
                .el("<td>", &format!("{} ms", event.at_ms), "</td>")
                .el(
                    "<td><pre>",
                    &compact_json(&event.detail),
                    "</pre></td></tr>\n",
                );
        }
        d.lit("</table>\n");
    }
    if !view.console.is_empty() {
        d.lit("<h4>Console</h4>\n<table>\n<tr><th>Source</th><th>Level</th><th>Text</th></tr>\n");
        for message in &view.console {
            d.el("<tr><td>", message.source.as_str(), "</td>")
                .el("<td>", &message.level, "</td>")
                .el("<td><pre>", &message.text, "</pre></td></tr>\n");
        }
        d.lit("</table>\n");
    }
    if !view.csp_violations.is_empty() {
        d.lit("<h4>CSP violations</h4>\n<table>\n<tr><th>Directive</th><th>Blocked</th></tr>\n");
        for violation in &view.csp_violations {
            d.el("<tr><td>", &violation.directive, "</td>").el(
                "<td>",
                &violation.blocked_uri,
                "</td></tr>\n",
            );
        }
        d.lit("</table>\n");
    }
    if let Some(text) = view.frame_text().filter(|t| !t.is_empty()) {
        d.el("<h4>Portal frame text</h4>\n<pre>", text, "</pre>\n");
    }
    if !view.host_text.is_empty() {
        d.el(
            "<h4>Host page text</h4>\n<pre>",
            &view.host_text,
            "</pre>\n",
        );
    }
    d.lit("</details>\n");
}

fn support(d: &mut Doc, info: &SupportInfo) {
    d.lit("<h4>Support info (\u{201c}Still stuck?\u{201d})</h4>\n<table>\n");
    d.el(
        "<tr><th>Public key</th><td>",
        info.public_key.as_deref().unwrap_or("-"),
        "</td></tr>\n",
    );
    d.el(
        "<tr><th>External user ID</th><td>",
        info.external_user_id.as_deref().unwrap_or("-"),
        "</td></tr>\n",
    );
    d.el("<tr><th>Time</th><td>", &info.timestamp, "</td></tr>\n");
    d.lit("<tr><th>Console errors</th><td>");
    if info.console_errors.is_empty() {
        d.lit("none");
    }
    for error in &info.console_errors {
        d.el("<pre>", error, "</pre>");
    }
    d.lit("</td></tr>\n</table>\n");
}

/// Skips and passes: one table row each, with the reason or what was checked.
fn compact(d: &mut Doc, record: &RunRecord, state: State, title: &'static str) {
    let rows: Vec<&ScenarioRecord> = record
        .scenarios
        .iter()
        .filter(|s| s.state() == state)
        .collect();
    if rows.is_empty() {
        return;
    }
    d.lit(title)
        .lit("<table>\n<tr><th>Scenario</th><th>Level</th><th>Requirements</th><th>");
    d.lit(if state == State::Pass {
        "Checked"
    } else {
        "Reason"
    })
    .lit("</th></tr>\n");
    for scenario in rows {
        d.lit("<tr");
        filter_attrs(d, scenario);
        d.lit("><td>")
            .text(&scenario.meta.id)
            .lit("<br><span class=\"muted\">")
            .text(&scenario.meta.title)
            .lit("</span></td>");
        d.el("<td>", scenario.level().as_str(), "</td>").el(
            "<td>",
            &scenario.meta.requirements.join(", "),
            "</td><td>",
        );
        match scenario.result.as_ref().map(|r| &r.outcome) {
            Some(Outcome::Pass { checked }) => {
                d.lit("<ul>");
                for check in checked {
                    d.el("<li>", check, "</li>");
                }
                d.lit("</ul>");
            }
            Some(Outcome::Skipped { reason }) => {
                d.text(reason);
            }
            _ => {}
        }
        d.lit("</td></tr>\n");
    }
    d.lit("</table>\n");
}

fn compact_json(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The documentation heading of a section, or `unknown`.
fn section_heading(section: Option<Section>) -> String {
    section
        .map(Section::heading)
        .unwrap_or("unknown")
        .to_string()
}

fn tag_list(tags: &[Tag], separator: &str) -> String {
    let tags: Vec<&str> = tags.iter().map(|t| t.as_str()).collect();
    tags.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape_html("<a href='x'>\"&\u{0}</a>").as_str(),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;\\u{0}&lt;/a&gt;"
        );
    }

    #[test]
    fn policy_hashes_the_inline_style_and_script() {
        let policy = content_security_policy();
        assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(policy.contains(&csp_hash(SCRIPT)));
        assert_ne!(csp_hash(STYLE), csp_hash(SCRIPT));
    }
}
