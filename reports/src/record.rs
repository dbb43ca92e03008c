//! The run record: everything a report shows, folded from the event stream
//! by [`RecordBuilder`], and the verdict computed from it. Every format
//! renders a `RunRecord`; the JSON report is its serialization and reads
//! back into one (for `merge` and `compare`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use scenarios::Level;

use crate::baseline::{Baseline, BaselineEntry, BaselineWarning};
use crate::event::{
    Event, EvidenceItem, Outcome, RunEnd, RunMeta, ScenarioMeta, ScenarioResult, Selection,
    TargetMeta,
};
use crate::status::RunStatus;

/// The version of the JSON report's shape (`schema/report-v1.schema.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// One run, as every report shows it. All text in it has passed the
/// run's [`crate::redact::Redactor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema_version: u32,
    pub meta: RunMeta,
    /// Every selected scenario in run order, then any that reported
    /// without being announced.
    pub scenarios: Vec<ScenarioRecord>,
    /// `None` when the run never finished.
    pub end: Option<RunEnd>,
    pub counts: Counts,
    pub status: RunStatus,
    /// The baseline the run was judged with.
    pub baseline: Option<Baseline>,
    pub baseline_warnings: Vec<BaselineWarning>,
}

/// One scenario: what it is, how it ended, what was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    #[serde(flatten)]
    pub meta: ScenarioMeta,
    /// `None`: selected but never finished.
    pub result: Option<ScenarioResult>,
    pub evidence: Vec<EvidenceItem>,
    /// The baseline entry excusing this scenario's failure.
    pub baselined: Option<BaselineEntry>,
}

/// How a scenario shows in reports: its outcome, with baselined failures
/// and missing results told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Fail,
    Error,
    NotRun,
    Baselined,
    Skipped,
    Pass,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Fail,
        State::Error,
        State::NotRun,
        State::Baselined,
        State::Skipped,
        State::Pass,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Fail => "fail",
            State::Baselined => "baselined",
            State::Error => "error",
            State::Skipped => "skipped",
            State::NotRun => "not-run",
        }
    }
}

impl ScenarioRecord {
    pub fn state(&self) -> State {
        match self.result.as_ref().map(|r| &r.outcome) {
            None | Some(Outcome::NotRun { .. }) => State::NotRun,
            Some(Outcome::Pass { .. }) => State::Pass,
            Some(Outcome::Fail { .. }) if self.baselined.is_some() => State::Baselined,
            Some(Outcome::Fail { .. }) => State::Fail,
            Some(Outcome::Error { .. }) => State::Error,
            Some(Outcome::Skipped { .. }) => State::Skipped,
        }
    }

    /// Why a scenario has no conclusion: the cause it was not run, or that
    /// it never reported. `None` for a scenario that concluded.
    pub fn not_run_cause(&self) -> Option<&str> {
        match self.result.as_ref().map(|r| &r.outcome) {
            None => Some("the scenario never finished"),
            Some(Outcome::NotRun { cause }) => Some(cause),
            Some(_) => None,
        }
    }

    /// The scenario's level; anything but `should` counts as MUST.
    pub fn level(&self) -> Level {
        self.meta.level
    }

    fn announced(meta: ScenarioMeta) -> ScenarioRecord {
        ScenarioRecord {
            meta,
            result: None,
            evidence: Vec::new(),
            baselined: None,
        }
    }
}

/// Scenario counts of one level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCounts {
    pub pass: usize,
    /// Failures not covered by the baseline.
    pub fail: usize,
    /// Failures covered by the baseline.
    pub baselined: usize,
    pub error: usize,
    pub skipped: usize,
    /// Selected, but no result.
    pub not_run: usize,
}

impl LevelCounts {
    pub fn get(&self, state: State) -> usize {
        match state {
            State::Pass => self.pass,
            State::Fail => self.fail,
            State::Baselined => self.baselined,
            State::Error => self.error,
            State::Skipped => self.skipped,
            State::NotRun => self.not_run,
        }
    }

    fn add(&mut self, state: State) {
        let slot = match state {
            State::Pass => &mut self.pass,
            State::Fail => &mut self.fail,
            State::Baselined => &mut self.baselined,
            State::Error => &mut self.error,
            State::Skipped => &mut self.skipped,
            State::NotRun => &mut self.not_run,
        };
        *slot += 1;
    }

    pub fn total(&self) -> usize {
        self.pass + self.fail + self.baselined + self.error + self.skipped + self.not_run
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub must: LevelCounts,
    pub should: LevelCounts,
}

impl Counts {
    pub fn level(&self, level: Level) -> &LevelCounts {
        match level {
            Level::Must => &self.must,
            Level::Should => &self.should,
        }
    }

    pub fn total(&self) -> LevelCounts {
        let (m, s) = (self.must, self.should);
        LevelCounts {
            pass: m.pass + s.pass,
            fail: m.fail + s.fail,
            baselined: m.baselined + s.baselined,
            error: m.error + s.error,
            skipped: m.skipped + s.skipped,
            not_run: m.not_run + s.not_run,
        }
    }
}

impl RunRecord {
    /// Recomputes baseline matches, counts, warnings and status from the
    /// scenarios, the end and the baseline.
    pub(crate) fn judge(&mut self) {
        let today = OffsetDateTime::parse(&self.meta.started_at, &Rfc3339)
            .unwrap_or_else(|_| OffsetDateTime::now_utc())
            .date();
        let baseline = self.baseline.clone().unwrap_or_default();
        self.baseline_warnings.clear();
        for entry in &baseline.entries {
            let scenario = self.scenarios.iter().find(|s| s.meta.id == entry.scenario);
            let Some(scenario) = scenario else {
                self.baseline_warnings.push(BaselineWarning::Unmatched {
                    scenario: entry.scenario.clone(),
                });
                continue;
            };
            if entry.expired_on(today) {
                self.baseline_warnings.push(BaselineWarning::Expired {
                    scenario: entry.scenario.clone(),
                    expires: entry.expires.clone().unwrap_or_default(),
                });
            }
            if matches!(
                scenario.result.as_ref().map(|r| &r.outcome),
                Some(Outcome::Pass { .. })
            ) {
                self.baseline_warnings.push(BaselineWarning::NowPasses {
                    scenario: entry.scenario.clone(),
                });
            }
        }

        self.counts = Counts::default();
        for scenario in &mut self.scenarios {
            let failed = matches!(
                scenario.result.as_ref().map(|r| &r.outcome),
                Some(Outcome::Fail { .. })
            );
            scenario.baselined = baseline
                .entry(&scenario.meta.id)
                .filter(|e| failed && !e.expired_on(today))
                .cloned();
            let level = scenario.level();
            let counts = match level {
                Level::Must => &mut self.counts.must,
                Level::Should => &mut self.counts.should,
            };
            counts.add(scenario.state());
        }
        self.status = self.verdict();
    }

    fn verdict(&self) -> RunStatus {
        let total = self.counts.total();
        // A run stopped early (dead target, interrupt) is incomplete even
        // when it found MUST failures before it stopped.
        let stopped = self.scenarios.iter().any(|s| {
            matches!(
                s.result.as_ref().map(|r| &r.outcome),
                Some(Outcome::NotRun { .. })
            )
        });
        if self.counts.must.fail > 0 && !stopped {
            return RunStatus::MustFailed;
        }
        let mut reasons = Vec::new();
        match &self.end {
            None => reasons.push("the run did not finish".to_string()),
            Some(RunEnd {
                incomplete: Some(reason),
                ..
            }) => reasons.push(reason.clone()),
            Some(_) => {}
        }
        if self.scenarios.is_empty() {
            reasons.push("no scenario was selected".to_string());
        } else if total.pass + total.fail + total.baselined + total.error == 0 {
            reasons.push("no scenario ran".to_string());
        }
        // The run's own reason may already say it ("no scenario was selected").
        reasons.dedup();
        let ids_in = |state: State| -> Vec<&str> {
            self.scenarios
                .iter()
                .filter(|s| s.state() == state)
                .map(|s| s.meta.id.as_str())
                .collect()
        };
        if total.error > 0 {
            reasons.push(format!(
                "{} could not be checked: {}",
                plural(total.error, "scenario"),
                list(&ids_in(State::Error))
            ));
        }
        if total.not_run > 0 {
            let (stopped_ids, unfinished): (Vec<&ScenarioRecord>, Vec<&ScenarioRecord>) = self
                .scenarios
                .iter()
                .filter(|s| s.state() == State::NotRun)
                .partition(|s| s.result.is_some());
            for (group, words) in [(unfinished, "never finished"), (stopped_ids, "not run")] {
                if !group.is_empty() {
                    let ids: Vec<&str> = group.iter().map(|s| s.meta.id.as_str()).collect();
                    reasons.push(format!(
                        "{} {words}: {}",
                        plural(ids.len(), "scenario"),
                        list(&ids)
                    ));
                }
            }
        }
        if !reasons.is_empty() {
            return RunStatus::Incomplete {
                reason: reasons.join("; "),
            };
        }
        if self.counts.should.fail > 0 {
            return RunStatus::ShouldFailed;
        }
        RunStatus::Passed
    }

    pub fn scenario(&self, id: &str) -> Option<&ScenarioRecord> {
        self.scenarios.iter().find(|s| s.meta.id == id)
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// At most five IDs, then how many more.
fn list(ids: &[&str]) -> String {
    let mut out = ids.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        out.push_str(&format!(" and {} more", ids.len() - 5));
    }
    out
}

/// `N passed, N failed, N errors, N skipped`, then baselined and never
/// finished scenarios when there are any.
pub fn summary_line(record: &RunRecord) -> String {
    let t = record.counts.total();
    let mut line = format!(
        "{} passed, {} failed, {} errors, {} skipped",
        t.pass, t.fail, t.error, t.skipped
    );
    if t.baselined > 0 {
        line.push_str(&format!(", {} baselined", t.baselined));
    }
    if t.not_run > 0 {
        line.push_str(&format!(", {} not run", t.not_run));
    }
    line
}

/// Folds the (already redacted, see [`crate::redact::RedactingEdge`])
/// event stream into a [`RunRecord`].
#[derive(Debug)]
pub struct RecordBuilder {
    baseline: Option<Baseline>,
    meta: Option<RunMeta>,
    scenarios: Vec<ScenarioRecord>,
    index: HashMap<String, usize>,
    end: Option<RunEnd>,
}

impl RecordBuilder {
    /// `baseline`: the expected failures, if the user gave a baseline file.
    pub fn new(baseline: Option<Baseline>) -> RecordBuilder {
        RecordBuilder {
            baseline,
            meta: None,
            scenarios: Vec::new(),
            index: HashMap::new(),
            end: None,
        }
    }

    pub fn on_event(&mut self, event: &Event) {
        match event.clone() {
            Event::RunStarted(meta) => {
                if self.meta.is_none() {
                    for scenario in &meta.scenarios {
                        self.slot(&scenario.id, Some(scenario));
                    }
                    self.meta = Some(meta);
                }
            }
            Event::ScenarioStarted { id, .. } => {
                self.slot(&id, None);
            }
            Event::EvidenceCaptured { id, item } => {
                let i = self.slot(&id, None);
                self.scenarios[i].evidence.push(item);
            }
            Event::ScenarioFinished(result) => {
                let i = self.slot(&result.id, None);
                self.scenarios[i].result = Some(result);
            }
            Event::RunFinished(end) => self.end = Some(end),
        }
    }

    /// Whether `RunFinished` has been seen.
    pub fn finished(&self) -> bool {
        self.end.is_some()
    }

    /// The record of everything seen so far, judged.
    pub fn finish(&self) -> RunRecord {
        let mut end = self.end.clone();
        let meta = self.meta.clone().unwrap_or_else(|| {
            let end = end.get_or_insert_with(|| RunEnd {
                finished_at: String::new(),
                duration_ms: 0,
                incomplete: None,
            });
            end.incomplete = Some("the run never started".to_string());
            unknown_meta()
        });
        let mut record = RunRecord {
            schema_version: SCHEMA_VERSION,
            meta,
            scenarios: self.scenarios.clone(),
            end,
            counts: Counts::default(),
            status: RunStatus::Passed,
            baseline: self.baseline.clone(),
            baseline_warnings: Vec::new(),
        };
        record.judge();
        record
    }

    /// The index of scenario `id`, added (from `meta`, the catalogue, or
    /// bare) when first seen.
    fn slot(&mut self, id: &str, meta: Option<&ScenarioMeta>) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let meta = meta.cloned().unwrap_or_else(|| catalogue_meta(id));
        self.scenarios.push(ScenarioRecord::announced(meta));
        self.index.insert(id.to_string(), self.scenarios.len() - 1);
        self.scenarios.len() - 1
    }
}

/// What the catalogue says of a scenario the stream did not announce.
fn catalogue_meta(id: &str) -> ScenarioMeta {
    match scenarios::scenario(id) {
        Some(s) => ScenarioMeta::from_catalogue(&s),
        None => ScenarioMeta {
            id: id.to_string(),
            title: id.to_string(),
            section: None,
            requirements: Vec::new(),
            // Doubt goes against the target: an unknown scenario counts as MUST.
            level: Level::Must,
            tags: Vec::new(),
            description: String::new(),
            how_to_fix: String::new(),
        },
    }
}

fn unknown_meta() -> RunMeta {
    RunMeta {
        portalcheck_version: String::new(),
        catalogue_revision: "unknown".to_string(),
        target: TargetMeta {
            name: "unknown".to_string(),
            version: None,
            portal_origin: String::new(),
            reference: false,
            defects: Vec::new(),
            file: None,
        },
        browser: None,
        driver: None,
        engine: None,
        browser_trust: None,
        browser_observation: None,
        started_at: String::new(),
        seed: 0,
        selection: Selection::default(),
        scenarios: Vec::new(),
        requirements: Vec::new(),
        shards: Vec::new(),
    }
}
