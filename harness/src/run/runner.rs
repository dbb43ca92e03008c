//! The scenario runner: selects scenarios, starts the browsers only if a
//! selected scenario needs one, runs scenarios concurrently (browser ones
//! on a pool of reused sessions, API ones freely), bounds each by its
//! budget, and emits the typed events every report consumes. A run that
//! selected nothing or could not start its browser is incomplete, never
//! passed. A run stops early when the circuit breaker trips (the target
//! showed the same fault for several scenarios in a row) or on an
//! interrupt: the scenarios still running or waiting end as not run, with
//! the cause, and the run finishes normally so every report is written.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reports::event::{
    Event, EvidenceItem, Outcome, RequirementMeta, RunEnd, RunMeta, ScenarioMeta, ScenarioResult,
    Selection, Shard, SupportInfo, TargetMeta,
};
use scenarios::{Level, Need, Scenario, Tag, Verdict};

use crate::browser::engine::Engine;
use crate::browser::pool::{BrowserPool, PoolError, ProxyBind};
use crate::browser::process::LaunchOptions;
use crate::browser::session::BrowserSession;
use crate::run::events::EventSink;
use crate::run::stop::{ActiveRun, Breaker, Fault, Stop};
use crate::world::live_probe::LiveProbe;
use crate::world::World;
use scenarios::sections::sdk_exposure::Exposure;

/// Which scenarios to run.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// ID prefixes; any matches.
    pub prefixes: Vec<String>,
    /// Tags; all must match.
    pub tags: Vec<Tag>,
    pub level: Option<Level>,
    /// Run only this shard of the selection.
    pub shard: Option<Shard>,
    /// Exactly these IDs, on top of the rest (the focused defect matrix);
    /// `None` keeps every ID.
    pub ids: Option<std::collections::BTreeSet<String>>,
}

impl Filter {
    pub fn select(&self, all: Vec<Scenario>) -> Vec<Scenario> {
        all.into_iter()
            .filter(|s| {
                self.prefixes.is_empty()
                    || self.prefixes.iter().any(|p| s.id.starts_with(p.as_str()))
            })
            .filter(|s| self.tags.iter().all(|t| s.has_tag(*t)))
            .filter(|s| self.level.is_none_or(|l| s.level == l))
            .filter(|s| {
                self.shard
                    .is_none_or(|shard| shard_of(s.id, shard.total) == shard.index)
            })
            .filter(|s| self.ids.as_ref().is_none_or(|ids| ids.contains(s.id)))
            .collect()
    }

    pub fn describe(&self) -> Selection {
        Selection {
            filter: self.prefixes.clone(),
            tags: self.tags.clone(),
            level: self.level,
            shard: self.shard,
        }
    }
}

/// The 1-based shard of a scenario: a hash of its ID, so the split is
/// stable across runs and catalogue reorderings.
pub fn shard_of(id: &str, shards: u32) -> u32 {
    (fnv1a(id.as_bytes()) % u64::from(shards.max(1))) as u32 + 1
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub jobs: usize,
    pub browsers: usize,
    pub seed: u64,
    pub selection: Selection,
    /// Use an existing WebDriver endpoint instead of starting the browser.
    pub webdriver: Option<String>,
    /// The engine browser scenarios run on.
    pub engine: Engine,
    /// Where the names proxy listens (Firefox, WebKit, remote browsers).
    pub proxy: ProxyBind,
}

/// What the run produced besides events.
#[derive(Debug, Clone, Default)]
pub struct RunFigures {
    pub browser_start: Option<Duration>,
    pub browser: Option<String>,
    pub driver: Option<String>,
    pub scenario_durations: Vec<(String, bool, Duration)>,
    pub wall: Duration,
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The browser launch options for a world: its pins, names to loopback.
pub fn launch_options(world: &World) -> LaunchOptions {
    let mut options = LaunchOptions::pinned(world.spki_pins.clone());
    options.ca_pems = world.ca_pems.clone();
    options
}

/// What `RunStarted` says of a run: also sent for a run whose harness could
/// not start, with the selected scenarios left not run.
pub fn run_meta(
    target: TargetMeta,
    options: &RunOptions,
    selected: &[Scenario],
    browser: Option<String>,
    driver: Option<String>,
    browser_trust: Option<String>,
    browser_observation: Option<String>,
) -> RunMeta {
    let engine = selected
        .iter()
        .any(|s| s.needs.contains(&Need::Browser))
        .then(|| options.engine.name().to_string());
    RunMeta {
        engine,
        browser_trust,
        browser_observation,
        portalcheck_version: env!("CARGO_PKG_VERSION").to_string(),
        catalogue_revision: scenarios::CATALOGUE_REVISION.to_string(),
        target,
        browser,
        driver,
        started_at: now_rfc3339(),
        seed: options.seed,
        selection: options.selection.clone(),
        scenarios: selected.iter().map(ScenarioMeta::from_catalogue).collect(),
        requirements: RequirementMeta::catalogue(),
        shards: Vec::new(),
    }
}

/// Run the selected scenarios against the world, emitting events.
pub async fn run(
    world: Arc<World>,
    selected: Vec<Scenario>,
    options: &RunOptions,
    sink: EventSink,
    shared_pool: Option<Arc<BrowserPool>>,
) -> RunFigures {
    let started = Instant::now();
    // From here on an interrupt stops this run and its reports are written.
    let stop = Stop::new();
    let _active = ActiveRun::register(&stop);
    let mut figures = RunFigures::default();
    let browser_scenarios = selected
        .iter()
        .filter(|s| s.needs.contains(&Need::Browser))
        .count();
    let mut browser_error = None;
    let mut own_pool = None;
    let pool: Option<Arc<BrowserPool>> = match (browser_scenarios, shared_pool) {
        (0, _) => None,
        (_, Some(pool)) => Some(pool),
        (n, None) => {
            let t = Instant::now();
            match BrowserPool::start(
                launch_options(&world),
                options.browsers.clamp(1, n),
                options.webdriver.clone(),
                options.engine,
                &options.proxy,
            )
            .await
            {
                Ok(pool) => {
                    figures.browser_start = Some(t.elapsed());
                    let pool = Arc::new(pool);
                    own_pool = Some(pool.clone());
                    Some(pool)
                }
                Err(e) => {
                    browser_error = Some(e);
                    None
                }
            }
        }
    };
    figures.browser = pool.as_ref().map(|p| p.version.clone());
    figures.driver = pool.as_ref().map(|p| p.driver_version.clone());
    sink.send(Event::RunStarted(run_meta(
        world.target.clone(),
        options,
        &selected,
        figures.browser.clone(),
        figures.driver.clone(),
        pool.as_ref().map(|p| p.trust.describe().to_string()),
        pool.as_ref().map(|p| p.observation.clone()),
    )));

    let ordered = schedule(&selected);
    let durations = Arc::new(std::sync::Mutex::new(Vec::new()));
    let breaker = Arc::new(std::sync::Mutex::new(Breaker::new(
        crate::run::limits::BREAKER_THRESHOLD,
    )));

    futures_util::stream::iter(ordered)
        .for_each_concurrent(options.jobs.max(1), |scenario| {
            let world = world.clone();
            let sink = sink.clone();
            let pool = pool.clone();
            let browser_error = browser_error.clone();
            let durations = durations.clone();
            let stop = stop.clone();
            let breaker = breaker.clone();
            let seed = options.seed;
            async move {
                let not_run = |cause: String| {
                    sink.send(Event::ScenarioFinished(ScenarioResult {
                        id: scenario.id.to_string(),
                        outcome: Outcome::NotRun { cause },
                        started_at: now_rfc3339(),
                        duration_ms: 0,
                    }));
                };
                if let Some(cause) = stop.cause() {
                    return not_run(cause);
                }
                let needs_browser = scenario.needs.contains(&Need::Browser);
                // Wait for a browser before the scenario starts, so its time
                // is its own.
                let loan = match (&pool, needs_browser) {
                    (Some(pool), true) => tokio::select! {
                        loan = pool.borrow() => loan,
                        cause = stop.stopped() => return not_run(cause),
                    },
                    _ => None,
                };
                let started_at = now_rfc3339();
                sink.send(Event::ScenarioStarted {
                    id: scenario.id.to_string(),
                    started_at: started_at.clone(),
                });
                let t = Instant::now();
                let drove_page = needs_browser;
                let (outcome, fault) = match (needs_browser, loan) {
                    (false, _) => tokio::select! {
                        (outcome, fault, _) = run_one(&world, &scenario, None, &sink, seed) => (outcome, fault),
                        cause = stop.stopped() => (Outcome::NotRun { cause }, None),
                    },
                    (true, Some(mut loan)) => {
                        let pool = pool.as_ref().expect("a loan comes from a pool");
                        let session = loan.session.take();
                        tokio::select! {
                            (outcome, fault, healthy) = run_one(&world, &scenario, session, &sink, seed) => {
                                loan.session = healthy.0;
                                if !healthy.1 && stop.cause().is_some() {
                                    // A stopped run starts no new browser
                                    // for a lost one.
                                    pool.retire(loan);
                                } else {
                                    pool.give_back(loan, healthy.1).await;
                                }
                                (outcome, fault)
                            }
                            cause = stop.stopped() => {
                                // The session went down with the scenario.
                                pool.retire(loan);
                                (Outcome::NotRun { cause }, None)
                            }
                        }
                    }
                    (true, None) => (
                        match &browser_error {
                            // A missing engine skips its scenarios, never a pass.
                            Some(PoolError::Missing(m)) => Outcome::Skipped {
                                reason: m.to_string(),
                            },
                            Some(e) => Outcome::Error {
                                reason: format!("the browser could not start: {e}"),
                            },
                            None => Outcome::Error {
                                reason: "every browser session was lost earlier in the run".into(),
                            },
                        },
                        None,
                    ),
                };
                if !matches!(outcome, Outcome::NotRun { .. }) {
                    let tripped = breaker
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .record(fault, drove_page);
                    if let Some(cause) = tripped {
                        stop.trip(&cause);
                    }
                }
                let duration = t.elapsed();
                durations.lock().unwrap_or_else(|e| e.into_inner()).push((
                    scenario.id.to_string(),
                    needs_browser,
                    duration,
                ));
                sink.send(Event::ScenarioFinished(ScenarioResult {
                    id: scenario.id.to_string(),
                    outcome,
                    started_at,
                    duration_ms: duration.as_millis() as u64,
                }));
            }
        })
        .await;

    let incomplete = if selected.is_empty() {
        Some("no scenario was selected".to_string())
    } else if let Some(cause) = stop.cause() {
        Some(format!("the run stopped early: {cause}"))
    } else {
        browser_error.and_then(|e| match e {
            PoolError::Missing(_) => None,
            e => Some(format!(
                "the browser could not start, browser scenarios were not run: {e}"
            )),
        })
    };
    drop(pool);
    if let Some(pool) = own_pool.and_then(|p| Arc::try_unwrap(p).ok()) {
        pool.close().await;
    }
    figures.wall = started.elapsed();
    figures.scenario_durations =
        std::mem::take(&mut *durations.lock().unwrap_or_else(|e| e.into_inner()));
    sink.send(Event::RunFinished(RunEnd {
        finished_at: now_rfc3339(),
        duration_ms: figures.wall.as_millis() as u64,
        incomplete,
    }));
    figures
}

/// The order scenarios start in: the longest declared real-time wait first
/// (the critical path), so waits overlap with the work of the rest; then
/// browser scenarios, then the larger budget; the catalogue order breaks
/// ties, so the schedule is the same every run.
pub fn schedule(selected: &[Scenario]) -> Vec<Scenario> {
    let mut ordered = selected.to_vec();
    ordered.sort_by_key(|s| std::cmp::Reverse((s.wait, s.needs_browser(), s.budget)));
    ordered
}

/// The seed of one scenario's generated inputs: the run's seed mixed with
/// its ID, so one scenario can be replayed alone with the run's `--seed`.
pub fn scenario_seed(run_seed: u64, id: &str) -> u64 {
    fnv1a(id.as_bytes()) ^ run_seed.rotate_left(17)
}

/// Runs a scenario's body within its budget: an overrun is the verdict
/// `Incomplete` (an error, never a pass), and `true` says it overran.
async fn within_budget(budget: Duration, body: impl Future<Output = Verdict>) -> (Verdict, bool) {
    match tokio::time::timeout(budget, body).await {
        Ok(v) => (v, false),
        Err(_) => (
            Verdict::incomplete(format!(
                "the scenario did not finish within its budget of {} s (a hung target cannot hang the run)",
                budget.as_secs()
            )),
            true,
        ),
    }
}

/// The runner's rules from a scenario's verdict to its outcome: a pass
/// that checked nothing is an error, and so is an incomplete verdict; a
/// pass on a page where a credential showed (`exposures`) is a failure.
fn outcome_of(verdict: Verdict, exposures: &[Exposure]) -> Outcome {
    match verdict {
        // The general checks on every page the scenario opened: a leak
        // fails a scenario that otherwise passed, naming its requirement.
        Verdict::Pass { .. } if !exposures.is_empty() => {
            let first = &exposures[0];
            Outcome::Fail {
                expected: format!(
                    "{}: {} (general check on every page)",
                    first.requirement,
                    first.rule()
                ),
                actual: exposures
                    .iter()
                    .map(|e| e.describe())
                    .collect::<Vec<_>>()
                    .join("; "),
                general_requirement: Some(first.requirement.to_string()),
            }
        }
        Verdict::Pass { checked } if checked.is_empty() => Outcome::Error {
            reason: "the scenario passed without checking anything: treated as an error".into(),
        },
        Verdict::Pass { checked } => Outcome::Pass { checked },
        Verdict::Fail { expected, actual } => Outcome::Fail {
            expected,
            actual,
            general_requirement: None,
        },
        Verdict::Incomplete { reason } => Outcome::Error { reason },
        Verdict::Skipped { reason } => Outcome::Skipped { reason },
    }
}

/// The target's fault behind an error, if any: the one the probe saw,
/// else an overrun of the budget, which is a hung page when the scenario
/// was inside a page's watch when its budget ran out. A pass, fail or skip
/// names none.
fn fault_of(
    outcome: &Outcome,
    over_budget: bool,
    in_page: bool,
    seen: Option<Fault>,
) -> Option<Fault> {
    match outcome {
        Outcome::Error { .. } if over_budget && in_page => seen.or(Some(Fault::PageHung {
            command: "watch the page",
        })),
        Outcome::Error { .. } if over_budget => seen.or(Some(Fault::OverBudget)),
        Outcome::Error { .. } => seen,
        _ => None,
    }
}

/// Run one scenario within its budget. Returns its outcome, the target's
/// fault when it errored because of one, the session and whether it
/// still answers.
async fn run_one(
    world: &Arc<World>,
    scenario: &Scenario,
    session: Option<BrowserSession>,
    sink: &EventSink,
    seed: u64,
) -> (Outcome, Option<Fault>, (Option<BrowserSession>, bool)) {
    let (verdict, trail, over_budget) = {
        let mut probe = LiveProbe::new(
            world.clone(),
            scenario.id,
            session.as_ref(),
            sink.clone(),
            scenario_seed(seed, scenario.id),
        );
        let body = async {
            if let Err(e) = probe.prepare().await {
                return Verdict::from(e);
            }
            (scenario.run)(&mut probe).await
        };
        let (verdict, over_budget) = within_budget(scenario.budget, body).await;
        (verdict, probe.trail.clone(), over_budget)
    };
    let outcome = outcome_of(verdict, &trail.exposures);
    let fault = fault_of(&outcome, over_budget, trail.in_page, trail.fault.clone());
    // A hung page answers no screenshot and no health probe: each would
    // only wait out its deadline. Its session is replaced.
    let page_hung = matches!(fault, Some(Fault::PageHung { .. }));
    if matches!(outcome, Outcome::Fail { .. } | Outcome::Error { .. }) {
        if let (Some(browser), true, false) = (session.as_ref(), trail.opened_page, page_hung) {
            if let Ok(Ok(png)) =
                tokio::time::timeout(Duration::from_secs(5), browser.client.screenshot()).await
            {
                use base64::Engine;
                sink.evidence(
                    scenario.id,
                    EvidenceItem::Screenshot {
                        png_base64: base64::engine::general_purpose::STANDARD.encode(png),
                    },
                );
            }
        }
        sink.evidence(
            scenario.id,
            EvidenceItem::Support(SupportInfo {
                public_key: trail.public_key.clone(),
                external_user_id: trail.external_user_id.clone(),
                timestamp: now_rfc3339(),
                console_errors: trail.console_errors.clone(),
            }),
        );
    }
    let mut session = session;
    let healthy = match session.as_mut() {
        Some(_) if page_hung => false,
        Some(s) => {
            s.died().is_none()
                && tokio::time::timeout(Duration::from_secs(5), s.client.goto("about:blank"))
                    .await
                    .is_ok_and(|r| r.is_ok())
        }
        None => true,
    };
    (outcome, fault, (session, healthy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome_of_clean(verdict: Verdict) -> Outcome {
        outcome_of(verdict, &[])
    }

    #[test]
    fn the_longest_declared_wait_starts_first_and_the_order_is_stable() {
        let all = scenarios::scenarios();
        let ordered = schedule(&all);
        assert_eq!(ordered.len(), all.len());
        let waits: Vec<Duration> = ordered.iter().map(|s| s.wait).collect();
        assert!(waits.windows(2).all(|w| w[0] >= w[1]), "{waits:?}");
        assert_eq!(
            Some(ordered[0].wait),
            all.iter().map(|s| s.wait).max(),
            "{} starts first",
            ordered[0].id
        );
        let ids = |v: &[Scenario]| v.iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(&ordered), ids(&schedule(&all)));
    }

    #[test]
    fn a_pass_that_checked_nothing_is_an_error() {
        let outcome = outcome_of_clean(Verdict::Pass { checked: vec![] });
        assert!(matches!(outcome, Outcome::Error { .. }), "{outcome:?}");
        let outcome = outcome_of_clean(Verdict::Pass {
            checked: vec!["the answer".into()],
        });
        assert!(matches!(outcome, Outcome::Pass { .. }), "{outcome:?}");
    }

    #[test]
    fn an_incomplete_verdict_is_an_error_and_the_rest_keep_their_kind() {
        assert!(matches!(
            outcome_of_clean(Verdict::incomplete("no answer")),
            Outcome::Error { .. }
        ));
        assert!(matches!(
            outcome_of_clean(Verdict::fail("a", "b")),
            Outcome::Fail { .. }
        ));
        assert!(matches!(
            outcome_of_clean(Verdict::Skipped {
                reason: "n/a".into()
            }),
            Outcome::Skipped { .. }
        ));
    }

    #[tokio::test]
    async fn a_budget_overrun_is_an_error_with_its_fault() {
        // A body that never ends: only the budget can end it.
        let (verdict, over) =
            within_budget(Duration::from_millis(1), std::future::pending::<Verdict>()).await;
        assert!(over);
        let outcome = outcome_of(verdict, &[]);
        assert!(matches!(outcome, Outcome::Error { .. }), "{outcome:?}");
        assert_eq!(
            fault_of(&outcome, over, false, None),
            Some(Fault::OverBudget)
        );
        assert!(matches!(
            fault_of(&outcome, over, true, None),
            Some(Fault::PageHung { .. })
        ));
    }

    #[tokio::test]
    async fn a_body_within_its_budget_keeps_its_verdict() {
        let (verdict, over) =
            within_budget(Duration::from_secs(3600), async { Verdict::fail("a", "b") }).await;
        assert!(!over);
        let outcome = outcome_of(verdict, &[]);
        assert!(matches!(outcome, Outcome::Fail { .. }));
        assert_eq!(
            fault_of(&outcome, over, true, Some(Fault::OverBudget)),
            None
        );
    }
}
