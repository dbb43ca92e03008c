//! `portalcheck selftest`: the defect matrix. The catalogue runs against
//! the clean reference (everything must pass) and against each defect
//! switch (some scenario checking a requirement the defect breaks must
//! fail, and nothing else may), and the result prints as a table of
//! defects × the scenarios that caught them.

use std::collections::BTreeMap;

use futures_util::StreamExt;

use fixtures::defects::Defect;
use reports::event::Outcome;
use reports::record::RunRecord;
use reports::ExitCode;
use serde::Serialize;

use crate::cli::{SelftestArgs, UsageError};
use crate::run::runner::{Filter, RunOptions};
use crate::run::session::{execute, RunRequest};
use crate::world::{error_chain, WorldOptions};

/// One row of the matrix.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MatrixRow {
    /// `clean` or the defect's name.
    pub defect: String,
    /// Requirements the defect breaks.
    pub breaks: Vec<String>,
    /// Failing scenarios that check a broken requirement.
    pub caught_by: Vec<String>,
    /// Broken requirements no failing scenario checks.
    pub missed: Vec<String>,
    /// Failing scenarios that check none of the broken requirements.
    pub unexpected: Vec<String>,
    /// Scenarios the harness could not check (errors).
    pub errors: Vec<String>,
    /// Browser scenarios that failed or errored against a defect that
    /// breaks every page (see `Defect::breaks_every_page`): expected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collateral: Vec<String>,
    /// For every unexpected failure and error: `ID: what was seen`, so a
    /// row that is not ok says why without a second run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl MatrixRow {
    pub fn ok(&self) -> bool {
        self.missed.is_empty() && self.unexpected.is_empty() && self.errors.is_empty()
    }
}

/// Judge one run against one defect (or none).
pub fn judge(defect: Option<Defect>, record: &RunRecord) -> MatrixRow {
    let breaks: Vec<String> = defect
        .map(|d| d.breaks().iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    let mut caught_by = Vec::new();
    let mut unexpected = Vec::new();
    let mut errors = Vec::new();
    let mut details = Vec::new();
    let mut collateral = Vec::new();
    let every_page_broken = defect.is_some_and(Defect::breaks_every_page);
    let mut caught_requirements = std::collections::BTreeSet::new();
    for s in &record.scenarios {
        let outcome = s.result.as_ref().map(|r| &r.outcome);
        let browser = s.meta.tags.iter().any(|t| t == "browser");
        let caught = s.meta.requirements.iter().any(|r| breaks.contains(r));
        let caught_here = caught && matches!(outcome, Some(Outcome::Fail { .. }));
        if every_page_broken
            && browser
            && !caught_here
            && matches!(outcome, Some(Outcome::Fail { .. } | Outcome::Error { .. }))
        {
            collateral.push(s.meta.id.clone());
            continue;
        }
        match outcome {
            Some(Outcome::Fail { expected, actual }) => {
                let mut hits: Vec<&String> = s
                    .meta
                    .requirements
                    .iter()
                    .filter(|r| breaks.contains(r))
                    .collect();
                // A general check (run on every page) names its requirement
                // first in `expected`.
                if let Some(general) = general_requirement(expected) {
                    hits.extend(breaks.iter().filter(|r| r.as_str() == general));
                }
                if hits.is_empty() {
                    unexpected.push(s.meta.id.clone());
                    details.push(format!(
                        "{}: expected {expected}; actual {actual}",
                        s.meta.id
                    ));
                } else {
                    caught_requirements.extend(hits.into_iter().cloned());
                    caught_by.push(s.meta.id.clone());
                }
            }
            Some(Outcome::Error { reason }) => {
                errors.push(s.meta.id.clone());
                details.push(format!("{}: {reason}", s.meta.id));
            }
            None | Some(Outcome::NotRun { .. }) => {
                errors.push(s.meta.id.clone());
                details.push(format!(
                    "{}: not run ({})",
                    s.meta.id,
                    s.not_run_cause().unwrap_or_default()
                ));
            }
            _ => {}
        }
    }
    let missed = breaks
        .iter()
        .filter(|r| !caught_requirements.contains(*r))
        .cloned()
        .collect();
    MatrixRow {
        defect: defect
            .map(|d| d.name().to_string())
            .unwrap_or_else(|| "clean".into()),
        breaks,
        caught_by,
        missed,
        unexpected,
        errors,
        collateral,
        details,
    }
}

/// The general requirement a failure names as `REQ-ID: ...`, if it is one.
fn general_requirement(expected: &str) -> Option<&'static str> {
    let id = expected.split(':').next()?;
    scenarios::sections::sdk_exposure::GENERAL_REQUIREMENTS
        .iter()
        .copied()
        .find(|r| *r == id)
}

/// Run the matrix for the given defects: the clean reference and one row
/// per defect, `rows_in_flight` rows at once (each against its own
/// reference instance, all on one browser pool), `progress` called as each
/// row finishes; the rows come back clean first, then in `defects` order.
pub async fn run_matrix(
    defects: &[Defect],
    filter: &Filter,
    jobs: usize,
    browsers: usize,
    rows_in_flight: usize,
    progress: impl Fn(&MatrixRow),
) -> anyhow::Result<Vec<MatrixRow>> {
    let ca = std::sync::Arc::new(fixtures::tls::TestCa::new()?);
    let needs_browser = filter
        .select(scenarios::scenarios())
        .iter()
        .any(|s| s.needs_browser());
    let pool = if needs_browser {
        let options =
            crate::browser::process::LaunchOptions::pinned(vec![ca.leaf_spki_sha256_base64()]);
        Some(std::sync::Arc::new(
            crate::browser::pool::BrowserPool::start(
                options,
                browsers,
                None,
                crate::browser::engine::Engine::Chromium,
                &Default::default(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("the browser could not start: {e}"))?,
        ))
    } else {
        None
    };
    let mut runs: Vec<Option<Defect>> = vec![None];
    runs.extend(defects.iter().copied().map(Some));
    // Each row gets its own world (reference, mocked hosts, canary), so a
    // row's verdict depends on nothing but its defect; rows share only the
    // CA and the browser pool, whose sessions are lent to one scenario at
    // a time and cleared between loans.
    let run_row = |index: usize, defect: Option<Defect>| {
        let request = RunRequest {
            world: WorldOptions {
                target: None,
                defects: defect.iter().map(|d| d.name().to_string()).collect(),
                ca: Some(ca.clone()),
                ..WorldOptions::default()
            },
            filter: filter.clone(),
            options: RunOptions {
                jobs,
                browsers,
                seed: 1,
                selection: filter.describe(),
                webdriver: None,
                engine: crate::browser::engine::Engine::Chromium,
                proxy: Default::default(),
            },
            baseline: None,
            progress: false,
            out_dir: None,
            pool: pool.clone(),
        };
        async move {
            let record = execute(request)
                .await
                .map_err(|e| anyhow::anyhow!("the harness could not run: {}", error_chain(&e)))?
                .record;
            anyhow::Ok((index, judge(defect, &record)))
        }
    };
    let mut finished = futures_util::stream::iter(runs.into_iter().enumerate())
        .map(|(index, defect)| run_row(index, defect))
        .buffer_unordered(rows_in_flight.max(1));
    let mut slots: Vec<Option<MatrixRow>> = vec![None; defects.len() + 1];
    while let Some(done) = finished.next().await {
        let (index, row) = done?;
        progress(&row);
        slots[index] = Some(row);
    }
    drop(finished);
    // Clean first, then the defects in the order given, however they finished.
    let rows: Vec<MatrixRow> = slots.into_iter().flatten().collect();
    if let Some(pool) = pool.and_then(|p| std::sync::Arc::try_unwrap(p).ok()) {
        pool.close().await;
    }
    Ok(rows)
}

pub async fn selftest(args: SelftestArgs) -> anyhow::Result<ExitCode> {
    let filter = args.select.filter();
    let defects: Vec<Defect> = if args.defect.is_empty() {
        Defect::ALL.to_vec()
    } else {
        args.defect
            .iter()
            .map(|n| Defect::parse(n).ok_or_else(|| UsageError(format!("unknown defect `{n}`"))))
            .collect::<Result<_, _>>()?
    };
    eprintln!(
        "selftest: the catalogue against the clean reference and {} defects",
        defects.len()
    );
    let rows = run_matrix(
        &defects,
        &filter,
        args.jobs,
        args.browsers,
        args.rows,
        |row| {
            eprintln!(
                "{} {:<32} caught by {:>2}{}{}{}",
                if row.ok() { "ok  " } else { "FAIL" },
                row.defect,
                row.caught_by.len(),
                if row.missed.is_empty() {
                    String::new()
                } else {
                    format!("; missed {}", row.missed.join(" "))
                },
                if row.unexpected.is_empty() {
                    String::new()
                } else {
                    format!("; unexpected {}", row.unexpected.join(" "))
                },
                if row.errors.is_empty() {
                    String::new()
                } else {
                    format!("; errors {}", row.errors.join(" "))
                },
            );
            if !row.collateral.is_empty() {
                eprintln!(
                    "       ({} browser scenarios could not show a page: expected for this defect)",
                    row.collateral.len()
                );
            }
            for detail in &row.details {
                eprintln!("       {}", reports::redact::cap(detail, 400));
            }
        },
    )
    .await?;
    print!("{}", render_matrix(&rows));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&rows)?)?;
    }
    let all_ok = rows.iter().all(MatrixRow::ok);
    Ok(if all_ok {
        ExitCode::Passed
    } else {
        ExitCode::MustFailed
    })
}

/// The matrix as a Markdown table: defect, requirements broken, scenarios that caught it.
pub fn render_matrix(rows: &[MatrixRow]) -> String {
    let mut out = String::from("| defect | breaks | caught by | verdict |\n|---|---|---|---|\n");
    for row in rows {
        let verdict = if row.ok() {
            "ok".to_string()
        } else {
            let mut parts = Vec::new();
            if !row.missed.is_empty() {
                parts.push(format!("missed {}", row.missed.join(", ")));
            }
            if !row.unexpected.is_empty() {
                parts.push(format!("unexpected {}", row.unexpected.join(", ")));
            }
            if !row.errors.is_empty() {
                parts.push(format!("errors {}", row.errors.join(", ")));
            }
            parts.join("; ")
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.defect,
            row.breaks.join(" "),
            row.caught_by.join(" "),
            verdict
        ));
    }
    let summary: BTreeMap<&str, usize> = rows.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(if r.ok() { "ok" } else { "not ok" }).or_default() += 1;
        m
    });
    out.push_str(&format!("\n{} rows: {:?}\n", rows.len(), summary));
    out
}

#[cfg(test)]
mod tests {
    use reports::event::{ScenarioMeta, ScenarioResult};
    use reports::record::{RecordBuilder, ScenarioRecord};

    use super::*;

    const DEFECT: Defect = Defect::AcceptRotatedSecret;

    fn scenario(id: &str, requirements: &[&str], outcome: Option<Outcome>) -> ScenarioRecord {
        ScenarioRecord {
            meta: ScenarioMeta {
                id: id.into(),
                title: id.into(),
                section: "handshake".into(),
                requirements: requirements.iter().map(|r| r.to_string()).collect(),
                level: "must".into(),
                tags: vec!["api".into()],
                description: String::new(),
                how_to_fix: String::new(),
            },
            result: outcome.map(|outcome| ScenarioResult {
                id: id.into(),
                outcome,
                started_at: String::new(),
                duration_ms: 0,
            }),
            evidence: vec![],
            baselined: None,
        }
    }

    fn record(scenarios: Vec<ScenarioRecord>) -> RunRecord {
        let mut record = RecordBuilder::new(None).finish();
        record.scenarios = scenarios;
        record
    }

    fn pass() -> Option<Outcome> {
        Some(Outcome::Pass {
            checked: vec!["x".into()],
        })
    }

    fn fail() -> Option<Outcome> {
        Some(Outcome::Fail {
            expected: "refused".into(),
            actual: "accepted".into(),
        })
    }

    #[test]
    fn the_defect_breaks_what_the_tests_below_assume() {
        assert_eq!(DEFECT.breaks(), ["AUTH-ROTATED-SECRET"]);
    }

    #[test]
    fn a_clean_row_is_ok_only_when_nothing_fails_or_errors() {
        let all_pass = record(vec![scenario("a", &["R-1"], pass())]);
        assert!(judge(None, &all_pass).ok());
        let one_fails = record(vec![
            scenario("a", &["R-1"], pass()),
            scenario("b", &["R-2"], fail()),
        ]);
        let row = judge(None, &one_fails);
        assert!(!row.ok());
        assert_eq!(row.unexpected, ["b"]);
        assert_eq!(row.defect, "clean");
    }

    #[test]
    fn a_defect_is_caught_by_a_failing_scenario_of_a_requirement_it_breaks() {
        let rec = record(vec![
            scenario("rotated", &["AUTH-ROTATED-SECRET"], fail()),
            scenario("other", &["R-2"], pass()),
        ]);
        let row = judge(Some(DEFECT), &rec);
        assert!(row.ok(), "{row:?}");
        assert_eq!(row.caught_by, ["rotated"]);
        assert!(row.missed.is_empty());
    }

    #[test]
    fn a_defect_nothing_fails_for_is_missed() {
        let rec = record(vec![scenario("rotated", &["AUTH-ROTATED-SECRET"], pass())]);
        let row = judge(Some(DEFECT), &rec);
        assert!(!row.ok());
        assert_eq!(row.missed, ["AUTH-ROTATED-SECRET"]);
    }

    #[test]
    fn a_failure_outside_the_broken_requirements_is_unexpected() {
        let rec = record(vec![
            scenario("rotated", &["AUTH-ROTATED-SECRET"], fail()),
            scenario("other", &["R-2"], fail()),
        ]);
        let row = judge(Some(DEFECT), &rec);
        assert!(!row.ok());
        assert_eq!(row.unexpected, ["other"]);
        assert_eq!(row.details.len(), 1);
    }

    #[test]
    fn errors_and_unfinished_scenarios_make_a_row_not_ok() {
        let rec = record(vec![
            scenario("rotated", &["AUTH-ROTATED-SECRET"], fail()),
            scenario(
                "erred",
                &["R-2"],
                Some(Outcome::Error {
                    reason: "no answer".into(),
                }),
            ),
            scenario("unfinished", &["R-3"], None),
        ]);
        let row = judge(Some(DEFECT), &rec);
        assert!(!row.ok());
        assert_eq!(row.errors, ["erred", "unfinished"]);
    }
}
