//! Live progress on the terminal, as a consumer of the event stream: one
//! plain line per finished scenario (in CI, or when output is not a
//! terminal), or a single updating status line on a terminal.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use std::path::PathBuf;

use reports::event::{Event, Outcome};
use reports::{ReportError, Reporter};

pub struct Progress {
    interactive: bool,
    total: usize,
    done: usize,
    counts: HashMap<&'static str, usize>,
    levels: HashMap<String, String>,
}

impl Progress {
    pub fn new() -> Progress {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            interactive,
            total: 0,
            done: 0,
            counts: HashMap::new(),
            levels: HashMap::new(),
        }
    }

    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        if self.interactive {
            let _ = write!(err, "\r\x1b[2K{text}\n");
        } else {
            let _ = writeln!(err, "{text}");
        }
    }

    fn status(&self) {
        if self.interactive {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K[{}/{}] {} passed, {} failed, {} errors, {} skipped",
                self.done,
                self.total,
                self.count("pass"),
                self.count("fail"),
                self.count("error"),
                self.count("skipped")
            );
            let _ = err.flush();
        }
    }

    fn count(&self, name: &str) -> usize {
        self.counts.get(name).copied().unwrap_or(0)
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Reporter for Progress {
    fn finish(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        Ok(Vec::new())
    }

    fn on_event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::RunStarted(meta) => {
                self.total = meta.scenarios.len();
                for s in &meta.scenarios {
                    self.levels
                        .insert(s.id.clone(), s.level.as_str().to_string());
                }
                let defects = if meta.target.defects.is_empty() {
                    String::new()
                } else {
                    format!(" with defects {}", meta.target.defects.join(", "))
                };
                self.line(&format!(
                    "portalcheck {}: {} scenarios against {} ({}){defects}; {}",
                    meta.portalcheck_version,
                    self.total,
                    meta.target.name,
                    meta.target.portal_origin,
                    meta.browser.as_deref().unwrap_or("no browser")
                ));
            }
            Event::ScenarioFinished(result) => {
                self.done += 1;
                *self.counts.entry(result.outcome.name()).or_default() += 1;
                let level = self
                    .levels
                    .get(&result.id)
                    .map(String::as_str)
                    .unwrap_or("");
                let detail = match &result.outcome {
                    Outcome::Pass { .. } => String::new(),
                    Outcome::Fail {
                        expected, actual, ..
                    } => {
                        format!("\n      expected: {expected}\n      actual:   {actual}")
                    }
                    Outcome::Error { reason } => format!("\n      {reason}"),
                    Outcome::Skipped { reason } => format!(" ({reason})"),
                    Outcome::NotRun { cause } => format!(" ({cause})"),
                };
                let tag = match result.outcome {
                    Outcome::Pass { .. } => "PASS ",
                    Outcome::Fail { .. } => "FAIL ",
                    Outcome::Error { .. } => "ERROR",
                    Outcome::Skipped { .. } => "SKIP ",
                    Outcome::NotRun { .. } => "NORUN",
                };
                let text = format!(
                    "{tag} {:>6} {:<6} {}{detail}",
                    format!("{}ms", result.duration_ms),
                    level,
                    result.id,
                    detail = detail
                );
                if self.interactive && matches!(result.outcome, Outcome::Pass { .. }) {
                    // Passes only move the status line on a terminal.
                } else {
                    self.line(&text);
                }
                self.status();
            }
            Event::RunFinished(end) => {
                if self.interactive {
                    let _ = write!(std::io::stderr(), "\r\x1b[2K");
                }
                if let Some(reason) = &end.incomplete {
                    self.line(&format!("run incomplete: {reason}"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}
