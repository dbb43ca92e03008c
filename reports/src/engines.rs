//! One implementation's runs on several engines, side by side: the engine
//! matrix a run with more than one `--browser` writes over the per-engine
//! report directories (`OUT/engines.md` and `OUT/index.html`). Each
//! scenario is a row and each engine a column; a scenario whose outcome is
//! not the same on every engine is a difference, and each difference is
//! explained by every engine's own words (what it expected and saw, why it
//! could not check or was skipped) and its key evidence.

use crate::event::{Outcome, RunMeta};
use crate::html::{badge, scriptless_policy, Doc, STYLE};
use crate::markdown::{escape_md, md_id};
use crate::record::{RunRecord, ScenarioRecord, State};
use crate::status::RunStatus;
use crate::text::failure_sentence;

/// The Markdown engine matrix's file name in the run's output directory.
pub const ENGINES_MARKDOWN_FILE: &str = "engines.md";
/// The HTML engine matrix's file name in the run's output directory.
pub const ENGINES_HTML_FILE: &str = "index.html";

/// One engine's run: its record and where its own reports are, relative
/// to the matrix (`chromium/`).
#[derive(Debug, Clone, Copy)]
pub struct EngineRun<'a> {
    pub engine: &'a str,
    pub record: &'a RunRecord,
    pub dir: &'a str,
}

/// One scenario on every engine.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    pub scenario: String,
    pub title: String,
    pub requirements: Vec<String>,
    /// Per engine, in the matrix's engine order: the state and the
    /// engine's explanation (`None` where that engine did not select it).
    pub cells: Vec<Option<(State, String)>>,
}

impl MatrixRow {
    /// Whether the engines disagree: different states, or a scenario that
    /// some engines ran and others did not.
    pub fn differs(&self) -> bool {
        let mut states = self.cells.iter().map(|c| c.as_ref().map(|(s, _)| *s));
        match states.next() {
            Some(first) => states.any(|s| s != first),
            None => false,
        }
    }
}

/// The matrix of several engines' runs of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineMatrix {
    pub engines: Vec<EngineColumn>,
    pub rows: Vec<MatrixRow>,
}

/// One engine's column head: its run's verdict and the facts that explain
/// engine differences (browser version, how it trusted the run's
/// certificates).
#[derive(Debug, Clone, PartialEq)]
pub struct EngineColumn {
    pub engine: String,
    pub dir: String,
    pub status: RunStatus,
    pub browser: Option<String>,
    pub trust: Option<String>,
    /// What of the browser's reports reached the harness.
    pub observation: Option<String>,
    /// Pass, fail, error, skipped, not-run counts over every level.
    pub counts: [(State, usize); 6],
}

impl EngineMatrix {
    /// The matrix of `runs`, scenarios in the first run's order, then any
    /// only later runs selected.
    pub fn of(runs: &[EngineRun<'_>]) -> EngineMatrix {
        let engines = runs
            .iter()
            .map(|run| {
                let total = run.record.counts.total();
                EngineColumn {
                    engine: run.engine.to_string(),
                    dir: run.dir.to_string(),
                    status: run.record.status.clone(),
                    browser: run.record.meta.browser.clone(),
                    trust: run.record.meta.browser_trust.clone(),
                    observation: run.record.meta.browser_observation.clone(),
                    counts: State::ALL.map(|s| (s, total.get(s))),
                }
            })
            .collect();
        let mut order: Vec<(&str, &str, &[String])> = Vec::new();
        for run in runs {
            for s in &run.record.scenarios {
                if order.iter().all(|(id, _, _)| *id != s.meta.id) {
                    order.push((&s.meta.id, &s.meta.title, &s.meta.requirements));
                }
            }
        }
        let rows = order
            .into_iter()
            .map(|(id, title, requirements)| MatrixRow {
                scenario: id.to_string(),
                title: title.to_string(),
                requirements: requirements.to_vec(),
                cells: runs
                    .iter()
                    .map(|run| run.record.scenario(id).map(|s| (s.state(), explanation(s))))
                    .collect(),
            })
            .collect();
        EngineMatrix { engines, rows }
    }

    /// The rows whose engines disagree.
    pub fn differences(&self) -> impl Iterator<Item = &MatrixRow> {
        self.rows.iter().filter(|r| r.differs())
    }
}

/// What one engine said of a scenario: for a pass, what it checked; for
/// anything else, the expected and actual, the reason, and key evidence.
fn explanation(scenario: &ScenarioRecord) -> String {
    match scenario.result.as_ref().map(|r| &r.outcome) {
        Some(Outcome::Pass { checked }) if !checked.is_empty() => {
            format!("Passed, having checked: {}.", checked.join("; "))
        }
        _ => failure_sentence(scenario),
    }
}

/// Said of a scenario an engine's run did not select, in both formats.
const NOT_SELECTED: &str = "this engine's run did not select the scenario.";
/// Said when no scenario's outcome differs, in both formats.
const NO_DIFFERENCES: &str = "None: every scenario has the same outcome on every engine.";

fn state_word(cell: &Option<(State, String)>) -> &'static str {
    match cell {
        Some((state, _)) => state.as_str(),
        None => "not selected",
    }
}

fn status_word(status: &RunStatus) -> &'static str {
    match status {
        RunStatus::Passed => "passed",
        RunStatus::MustFailed => "MUST failed",
        RunStatus::ShouldFailed => "SHOULD failed",
        RunStatus::Incomplete { .. } => "incomplete",
    }
}

fn counts_line(column: &EngineColumn) -> String {
    column
        .counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The target's name and version as the first run states it.
fn target_line(meta: Option<&RunMeta>) -> String {
    match meta {
        Some(meta) => match &meta.target.version {
            Some(v) => format!("{} {v}", meta.target.name),
            None => meta.target.name.clone(),
        },
        None => "no run".to_string(),
    }
}

/// The matrix as Markdown (`engines.md`): the engines' verdicts, then every
/// difference with each engine's explanation, then the full matrix.
pub fn render_engines_markdown(matrix: &EngineMatrix, meta: Option<&RunMeta>) -> String {
    let mut out = format!(
        "# portalcheck: {} on {} engines\n\n",
        escape_md(&target_line(meta)),
        matrix.engines.len()
    );
    out.push_str("| Engine | Verdict | Scenarios | Browser | Certificate trust | Observation | Report |\n|---|---|---|---|---|---|---|\n");
    for e in &matrix.engines {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}report.html |\n",
            md_id(&e.engine),
            status_word(&e.status),
            escape_md(&counts_line(e)),
            escape_md(e.browser.as_deref().unwrap_or("none")),
            escape_md(e.trust.as_deref().unwrap_or("none")),
            escape_md(e.observation.as_deref().unwrap_or("none")),
            escape_md(&format!("{}/", e.dir)),
        ));
    }
    let differences: Vec<&MatrixRow> = matrix.differences().collect();
    out.push_str(&format!(
        "\n## Differences between engines ({})\n\n",
        differences.len()
    ));
    if differences.is_empty() {
        out.push_str(NO_DIFFERENCES);
        out.push('\n');
    }
    for row in &differences {
        out.push_str(&format!(
            "### {} — {}\n\n",
            md_id(&row.scenario),
            escape_md(&row.title)
        ));
        for (e, cell) in matrix.engines.iter().zip(&row.cells) {
            let why = match cell {
                Some((_, why)) => escape_md(why),
                None => escape_md(NOT_SELECTED),
            };
            out.push_str(&format!(
                "- {} **{}**: {why}\n",
                md_id(&e.engine),
                state_word(cell)
            ));
        }
        out.push('\n');
    }
    out.push_str("\n## Every scenario\n\n| Scenario | Requirements |");
    for e in &matrix.engines {
        out.push_str(&format!(" {} |", md_id(&e.engine)));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(matrix.engines.len()));
    out.push('\n');
    for row in &matrix.rows {
        let requirements: Vec<String> = row.requirements.iter().map(|r| md_id(r)).collect();
        out.push_str(&format!(
            "| {} | {} |",
            md_id(&row.scenario),
            requirements.join(" ")
        ));
        for cell in &row.cells {
            let word = state_word(cell);
            if row.differs() {
                out.push_str(&format!(" **{word}** |"));
            } else {
                out.push_str(&format!(" {word} |"));
            }
        }
        out.push('\n');
    }
    out
}

/// The matrix as one self-contained HTML page (`index.html`), under the
/// same strict policy as `report.html` (without a script): the engine
/// matrix at the top, each engine linking to its own report, then every
/// difference explained, then the whole matrix.
pub fn render_engines_html(matrix: &EngineMatrix, meta: Option<&RunMeta>) -> String {
    let mut d = Doc(String::with_capacity(32 * 1024));
    let target = target_line(meta);
    d.lit("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .text(&scriptless_policy())
        .lit("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>portalcheck engines: ")
        .text(&target)
        .lit("</title>\n<style>")
        .lit(STYLE)
        .lit("</style>\n</head>\n<body>\n")
        .el("<h1>portalcheck: ", &target, "</h1>\n")
        .lit("<h2>Engine matrix</h2>\n<table>\n<tr><th>Engine</th><th>Verdict</th><th>Scenarios</th><th>Browser</th><th>Certificate trust</th><th>Observation</th></tr>\n");
    for e in &matrix.engines {
        d.lit("<tr><td><a href=\"")
            .text(&format!("{}/report.html", e.dir))
            .lit("\">")
            .text(&e.engine)
            .lit("</a></td><td>")
            .text(status_word(&e.status));
        if let RunStatus::Incomplete { reason } = &e.status {
            d.lit(": ").text(reason);
        }
        d.el("</td><td>", &counts_line(e), "</td>")
            .el("<td>", e.browser.as_deref().unwrap_or("none"), "</td>")
            .el("<td>", e.trust.as_deref().unwrap_or("none"), "</td>")
            .el(
                "<td>",
                e.observation.as_deref().unwrap_or("none"),
                "</td></tr>\n",
            );
    }
    d.lit("</table>\n");
    let differences: Vec<&MatrixRow> = matrix.differences().collect();
    d.lit("<h2>Differences between engines (")
        .num(differences.len() as u64)
        .lit(")</h2>\n");
    if differences.is_empty() {
        d.el("<p class=\"muted\">", NO_DIFFERENCES, "</p>\n");
    }
    for row in &differences {
        d.lit("<article>\n<h3>")
            .text(&row.scenario)
            .lit(" — ")
            .text(&row.title)
            .lit("</h3>\n<ul>\n");
        for (e, cell) in matrix.engines.iter().zip(&row.cells) {
            d.el("<li><b>", &e.engine, "</b> ");
            match cell {
                Some((state, why)) => {
                    badge(&mut d, *state);
                    d.text(why);
                }
                None => {
                    d.text("not selected: ").text(NOT_SELECTED);
                }
            }
            d.lit("</li>\n");
        }
        d.lit("</ul>\n</article>\n");
    }
    d.lit("<h2>Every scenario</h2>\n<table>\n<tr><th>Scenario</th><th>Requirements</th>");
    for e in &matrix.engines {
        d.el("<th>", &e.engine, "</th>");
    }
    d.lit("</tr>\n");
    for row in &matrix.rows {
        d.el("<tr><td>", &row.scenario, "</td>")
            .el("<td>", &row.requirements.join(" "), "</td>");
        for cell in &row.cells {
            if row.differs() {
                d.el("<td><b>", state_word(cell), "</b></td>");
            } else {
                d.el("<td>", state_word(cell), "</td>");
            }
        }
        d.lit("</tr>\n");
    }
    d.lit("</table>\n<p class=\"muted\">Written by portalcheck. This page loads nothing from the network.</p>\n</body>\n</html>\n");
    d.0
}
