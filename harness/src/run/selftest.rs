//! `portalcheck selftest`: the defect matrix. The catalogue runs against
//! the clean reference (everything must pass) and against each defect
//! switch (some scenario checking a requirement the defect breaks must
//! fail, and nothing else may), and the result prints as a table of
//! defects × the scenarios that caught them.
//!
//! A defect row runs, by default, only the scenarios that could catch it
//! ([`could_catch`]: they check a requirement it breaks), so the matrix
//! costs the catalogue once plus each defect's own scenarios instead of
//! the catalogue once per defect. [`RowScope::Full`] runs the whole
//! catalogue on every row, which also shows that no other scenario fails.

use std::collections::BTreeMap;

use futures_util::StreamExt;

use fixtures::defects::Defect;
use reports::event::Outcome;
use reports::record::{RecordBuilder, RunRecord};
use reports::ExitCode;
use scenarios::sections::sdk_exposure::GENERAL_REQUIREMENTS;
use scenarios::Scenario;
use serde::Serialize;

use crate::cli::{SelftestArgs, UsageError};
use crate::run::runner::{Filter, RunOptions};
use crate::run::session::{execute, RunRequest};
use crate::world::{error_chain, WorldOptions};

/// How much of the catalogue a defect row runs (the clean row always runs
/// all of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RowScope {
    /// The scenarios that could catch the defect ([`could_catch`]): proves
    /// that every defect fails the scenarios that exist to catch it.
    #[default]
    Focused,
    /// The whole catalogue on every row: also proves that no scenario fails
    /// for a defect whose requirements it does not check (about 40 times
    /// the focused matrix's scenario runs).
    Full,
}

/// How the matrix runs.
#[derive(Debug, Clone, Copy)]
pub struct MatrixOptions {
    /// Scenarios at once, per row.
    pub jobs: usize,
    /// Browser sessions, shared by every row.
    pub browsers: usize,
    /// Rows at once, each against its own reference instance.
    pub rows_in_flight: usize,
    pub scope: RowScope,
    /// The engine every row's browser scenarios run on (Chromium by default).
    pub engine: crate::browser::engine::Engine,
}

/// Whether `scenario` can catch `defect`: it checks a requirement the defect
/// breaks, or it shows a page and the defect breaks a requirement that the
/// general checks judge on every page.
pub fn could_catch(defect: Defect, scenario: &Scenario) -> bool {
    let breaks = defect.breaks();
    scenario.requirements.iter().any(|r| breaks.contains(r))
        || (scenario.needs_browser() && breaks.iter().any(|r| GENERAL_REQUIREMENTS.contains(r)))
}

/// The selection a row runs: `filter`, narrowed for a focused defect row to
/// the scenarios that could catch the defect.
pub fn row_filter(filter: &Filter, defect: Option<Defect>, scope: RowScope) -> Filter {
    match (defect, scope) {
        (Some(defect), RowScope::Focused) => Filter {
            ids: Some(
                scenarios::scenarios()
                    .iter()
                    .filter(|s| could_catch(defect, s))
                    .filter(|s| filter.ids.as_ref().is_none_or(|ids| ids.contains(s.id)))
                    .map(|s| s.id.to_string())
                    .collect(),
            ),
            ..filter.clone()
        },
        _ => filter.clone(),
    }
}

/// A row's expected cost, in rough units of a page: a browser scenario is
/// ten API ones, and one that waits out a session's expiry five browser
/// ones more. For ordering only.
fn row_cost(filter: &Filter) -> u64 {
    filter
        .select(scenarios::scenarios())
        .iter()
        .map(
            |s| match (s.needs_browser(), s.has_tag(scenarios::Tag::Session)) {
                (true, true) => 60,
                (true, false) => 10,
                (false, true) => 20,
                (false, false) => 1,
            },
        )
        .sum()
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MatrixRow {
    /// `clean` or the defect's name.
    pub defect: String,
    /// Scenarios the row ran.
    pub ran: usize,
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
        let browser = s.meta.tags.contains(&scenarios::Tag::Browser);
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
            Some(Outcome::Fail {
                expected,
                actual,
                general_requirement,
            }) => {
                let mut hits: Vec<&String> = s
                    .meta
                    .requirements
                    .iter()
                    .filter(|r| breaks.contains(r))
                    .collect();
                // A general check (run on every page) found it: it counts
                // for the requirement that check judges.
                if let Some(general) = general_requirement {
                    hits.extend(breaks.iter().filter(|r| *r == general));
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
        ran: record.scenarios.len(),
        breaks,
        caught_by,
        missed,
        unexpected,
        errors,
        collateral,
        details,
    }
}

/// Run the matrix for the given defects: the clean reference and one row
/// per defect, `options.rows_in_flight` rows at once (each against its own
/// reference instance, all on one browser pool), `progress` called as each
/// row finishes; the rows come back clean first, then in `defects` order.
pub async fn run_matrix(
    defects: &[Defect],
    filter: &Filter,
    options: MatrixOptions,
    progress: impl Fn(&MatrixRow),
) -> anyhow::Result<Vec<MatrixRow>> {
    let MatrixOptions {
        jobs,
        browsers,
        rows_in_flight,
        scope,
        engine,
    } = options;
    let ca = std::sync::Arc::new(fixtures::tls::TestCa::new()?);
    let needs_browser = filter
        .select(scenarios::scenarios())
        .iter()
        .any(|s| s.needs_browser());
    let pool = if needs_browser {
        let mut options =
            crate::browser::process::LaunchOptions::pinned(vec![ca.leaf_spki_sha256_base64()]);
        options.ca_pems = vec![ca.cert_pem()];
        Some(std::sync::Arc::new(
            crate::browser::pool::BrowserPool::start(
                options,
                browsers,
                None,
                engine,
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
        let filter = row_filter(filter, defect, scope);
        let nothing_to_run = filter.select(scenarios::scenarios()).is_empty();
        let request = RunRequest {
            world: WorldOptions {
                target: None,
                defects: defect.iter().map(|d| d.name().to_string()).collect(),
                ca: Some(ca.clone()),
                ..WorldOptions::default()
            },
            options: RunOptions {
                jobs,
                browsers,
                seed: 1,
                selection: filter.describe(),
                webdriver: None,
                engine,
                proxy: Default::default(),
            },
            filter,
            baseline: None,
            progress: false,
            out_dir: None,
            pool: pool.clone(),
        };
        async move {
            if nothing_to_run {
                // Nothing selected could catch it: a missed row, not a run.
                return anyhow::Ok((index, judge(defect, &RecordBuilder::new(None).finish())));
            }
            let record = execute(request)
                .await
                .map_err(|e| anyhow::anyhow!("the harness could not run: {}", error_chain(&e)))?
                .record;
            anyhow::Ok((index, judge(defect, &record)))
        }
    };
    // The costliest rows first (the clean one, rows of a requirement judged
    // on every page), so the short ones fill the gaps and none is left
    // running alone at the end.
    let mut order: Vec<(usize, Option<Defect>)> = runs.into_iter().enumerate().collect();
    order.sort_by_key(|(index, defect)| {
        (
            std::cmp::Reverse(row_cost(&row_filter(filter, *defect, scope))),
            *index,
        )
    });
    let mut finished = futures_util::stream::iter(order)
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
        "selftest: the catalogue against the clean reference, and {} against {} defects",
        match args.scope {
            RowScope::Focused => "the scenarios that could catch each",
            RowScope::Full => "the catalogue",
        },
        defects.len()
    );
    let options = MatrixOptions {
        jobs: args.jobs,
        browsers: args
            .browsers
            .unwrap_or_else(|| crate::cli::run_browsers(args.browser.engine())),
        rows_in_flight: args.rows,
        scope: args.scope,
        engine: args.browser.engine(),
    };
    let rows = run_matrix(&defects, &filter, options, |row| {
        eprintln!(
            "{} {:<32} ran {:>3}, caught by {:>2}{}{}{}",
            if row.ok() { "ok  " } else { "FAIL" },
            row.defect,
            row.ran,
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
    })
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
    let mut out =
        String::from("| defect | breaks | ran | caught by | verdict |\n|---|---|---|---|---|\n");
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
            "| {} | {} | {} | {} | {} |\n",
            row.defect,
            row.breaks.join(" "),
            row.ran,
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
                section: Some(scenarios::Section::Handshake),
                requirements: requirements.iter().map(|r| r.to_string()).collect(),
                level: scenarios::Level::Must,
                tags: vec![scenarios::Tag::Api],
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
            general_requirement: None,
        })
    }

    #[test]
    fn a_focused_row_runs_exactly_the_scenarios_checking_what_the_defect_breaks() {
        let selected = row_filter(&Filter::default(), Some(DEFECT), RowScope::Focused)
            .select(scenarios::scenarios());
        let expected: Vec<&str> = scenarios::scenarios()
            .into_iter()
            .filter(|s| s.requirements.contains(&"AUTH-ROTATED-SECRET"))
            .map(|s| s.id)
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(selected.iter().map(|s| s.id).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_defect_of_a_general_requirement_runs_every_page() {
        let general = Defect::ALL
            .iter()
            .copied()
            .find(|d| d.breaks().iter().any(|r| GENERAL_REQUIREMENTS.contains(r)))
            .expect("a defect breaks a general requirement");
        let selected = row_filter(&Filter::default(), Some(general), RowScope::Focused)
            .select(scenarios::scenarios());
        for s in scenarios::scenarios() {
            if s.needs_browser() {
                assert!(selected.iter().any(|x| x.id == s.id), "{} not run", s.id);
            }
        }
    }

    #[test]
    fn the_clean_row_and_full_rows_run_the_whole_selection_and_the_user_filter_still_applies() {
        let all = scenarios::scenarios().len();
        let everything = Filter::default();
        assert_eq!(
            row_filter(&everything, None, RowScope::Focused)
                .select(scenarios::scenarios())
                .len(),
            all
        );
        assert_eq!(
            row_filter(&everything, Some(DEFECT), RowScope::Full)
                .select(scenarios::scenarios())
                .len(),
            all
        );
        let theming = Filter {
            prefixes: vec!["theming.".into()],
            ..Filter::default()
        };
        assert!(row_filter(&theming, Some(DEFECT), RowScope::Focused)
            .select(scenarios::scenarios())
            .is_empty());
    }

    #[test]
    fn every_defect_has_a_scenario_that_could_catch_it() {
        let mut runs = 0;
        for defect in Defect::ALL {
            let n = scenarios::scenarios()
                .iter()
                .filter(|s| could_catch(*defect, s))
                .count();
            assert!(n > 0, "{defect}: no scenario checks what it breaks");
            runs += n;
        }
        eprintln!(
            "focused matrix: {runs} defect-row scenario runs, against {} for the full matrix",
            Defect::ALL.len() * scenarios::scenarios().len()
        );
    }

    #[test]
    fn the_defect_breaks_what_the_tests_below_assume() {
        assert_eq!(DEFECT.breaks(), ["AUTH-ROTATED-SECRET"]);
    }

    #[test]
    fn the_clean_row_costs_most_and_a_general_requirement_row_more_than_a_narrow_one() {
        let all = Filter::default();
        let clean = row_cost(&row_filter(&all, None, RowScope::Focused));
        let general = row_cost(&row_filter(
            &all,
            Some(Defect::TokenInConsole),
            RowScope::Focused,
        ));
        let narrow = row_cost(&row_filter(&all, Some(DEFECT), RowScope::Focused));
        assert!(
            clean > general && general > narrow,
            "{clean} {general} {narrow}"
        );
    }

    #[test]
    fn a_row_counts_the_scenarios_it_ran() {
        let rec = record(vec![
            scenario("a", &["R-1"], pass()),
            scenario("b", &["R-2"], pass()),
        ]);
        assert_eq!(judge(None, &rec).ran, 2);
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
    fn a_general_check_on_another_scenarios_ticket_catches_a_scoping_defect() {
        let general = || {
            Some(Outcome::Fail {
                expected: "TENANT-SCOPED-BY-IDENTITY: no ticket of another scenario's user shows (general check on every page)".into(),
                actual: "TENANT-SCOPED-BY-IDENTITY: a OtherUsersTicket in the portal frame's text".into(),
                general_requirement: Some("TENANT-SCOPED-BY-IDENTITY".into()),
            })
        };
        let rec = record(vec![scenario(
            "theming.x",
            &["THEME-ALLOWED-APPLIES"],
            general(),
        )]);
        let row = judge(Some(Defect::TicketListOverFetch), &rec);
        assert_eq!(row.caught_by, ["theming.x"], "{row:?}");
        assert!(row.ok(), "{row:?}");
        // For a defect that does not break it, the same failure is unexpected.
        let row = judge(Some(DEFECT), &rec);
        assert_eq!(row.unexpected, ["theming.x"]);
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
