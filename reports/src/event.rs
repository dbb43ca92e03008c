//! The events the runner emits, in order: `RunStarted`, then per scenario
//! `ScenarioStarted`, any number of `EvidenceCaptured`, `ScenarioFinished`,
//! and last `RunFinished`. Types here are plain data: hostile text inside
//! them (target responses, payloads) is escaped by each renderer.

use scenarios::probe::PageView;
use scenarios::{Level, Section, Tag};
use serde::{Deserialize, Serialize};

/// Facts about the run, known before the first scenario.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunMeta {
    pub portalcheck_version: String,
    pub catalogue_revision: String,
    pub target: TargetMeta,
    /// e.g. `Chromium 156.0.8078.73`; `None` when no browser was started.
    pub browser: Option<String>,
    pub driver: Option<String>,
    /// The engine browser scenarios ran on (`chromium`, `firefox`,
    /// `webkit`); `None` when no browser was involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// How that browser trusted the run's certificates (exactly the run's
    /// keys or CA, or any certificate where the engine offers nothing
    /// narrower).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_trust: Option<String>,
    /// What of the browser's own reports reached the harness, and how
    /// (DevTools, WebDriver BiDi, the names proxy's tap, or nothing): an
    /// engine that sees less leaves those checks incomplete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_observation: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// The seed of generated scenarios; the same seed replays the same inputs.
    pub seed: u64,
    pub selection: Selection,
    /// The scenarios selected, in run order.
    pub scenarios: Vec<ScenarioMeta>,
    /// The catalogue's requirements as this run judged them; empty in a
    /// report written before they were recorded.
    #[serde(default)]
    pub requirements: Vec<RequirementMeta>,
    /// The shards a merged record was made from, each with its own origin,
    /// seed and start (the bundled reference listens on a port per run);
    /// empty for a record that was never merged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardRun>,
}

/// One shard of a merged run: where and how it ran.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShardRun {
    /// `None` for a run made without `--shard`.
    pub shard: Option<Shard>,
    pub portal_origin: String,
    pub seed: u64,
    /// RFC 3339.
    pub started_at: String,
}

impl RunMeta {
    /// What this run's catalogue said of requirement `id`.
    pub fn requirement(&self, id: &str) -> Option<&RequirementMeta> {
        self.requirements.iter().find(|r| r.id == id)
    }
}

impl ShardRun {
    /// The shards of `meta`: those it was merged from, or itself.
    pub fn of(meta: &RunMeta) -> Vec<ShardRun> {
        if !meta.shards.is_empty() {
            return meta.shards.clone();
        }
        vec![ShardRun {
            shard: meta.selection.shard,
            portal_origin: meta.target.portal_origin.clone(),
            seed: meta.seed,
            started_at: meta.started_at.clone(),
        }]
    }

    /// `shard 1/2 at https://…:41234, seed 7, started …`.
    pub fn describe(&self) -> String {
        format!(
            "{} at {}, seed {}, started {}",
            self.shard
                .map(|s| format!("shard {s}"))
                .unwrap_or_else(|| "unsharded run".into()),
            self.portal_origin,
            self.seed,
            self.started_at
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetMeta {
    pub name: String,
    pub version: Option<String>,
    pub portal_origin: String,
    /// The bundled reference portal, started in-process.
    pub reference: bool,
    /// Defect switches turned on in the reference.
    pub defects: Vec<String>,
    /// The target file, relative to the working directory when it lies
    /// under it (as a CI user's repository has it), `/`-separated;
    /// `None` for the bundled reference.
    #[serde(default)]
    pub file: Option<String>,
}

/// What the user asked to run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Selection {
    pub filter: Vec<String>,
    pub tags: Vec<Tag>,
    pub level: Option<Level>,
    pub shard: Option<Shard>,
}

/// Shard `index` of `total` (`--shard K/N`), written `K/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Shard {
    pub index: u32,
    pub total: u32,
}

impl Shard {
    /// `K/N` with `1 <= K <= N`.
    pub fn parse(text: &str) -> Option<Shard> {
        let (k, n) = text.split_once('/')?;
        let (index, total) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
        (index >= 1 && index <= total).then_some(Shard { index, total })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

impl From<Shard> for String {
    fn from(shard: Shard) -> String {
        shard.to_string()
    }
}

impl TryFrom<String> for Shard {
    type Error = String;
    fn try_from(text: String) -> Result<Shard, String> {
        Shard::parse(&text).ok_or_else(|| format!("not a shard K/N with 1 <= K <= N: {text:?}"))
    }
}

/// The catalogue's facts about one scenario, copied into the stream so
/// that reports need nothing but the events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioMeta {
    pub id: String,
    pub title: String,
    /// `None` for a scenario the catalogue does not know.
    pub section: Option<Section>,
    pub requirements: Vec<String>,
    pub level: Level,
    pub tags: Vec<Tag>,
    pub description: String,
    pub how_to_fix: String,
}

/// One requirement as the catalogue of the run stated it, copied into the
/// stream so that a report (and a merge of old reports) shows the text the
/// run judged against, not the text of whichever portalcheck renders it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequirementMeta {
    pub id: String,
    pub section: Section,
    pub level: Level,
    pub text: String,
    /// The documentation sentence it comes from.
    pub source: String,
}

impl RequirementMeta {
    /// Every requirement of this portalcheck's catalogue.
    pub fn catalogue() -> Vec<RequirementMeta> {
        scenarios::requirements()
            .into_iter()
            .map(|r| RequirementMeta {
                id: r.id.to_string(),
                section: r.section,
                level: r.level,
                text: r.text.to_string(),
                source: r.source.to_string(),
            })
            .collect()
    }
}

impl ScenarioMeta {
    /// The section's slug, `unknown` when the catalogue does not know the
    /// scenario.
    pub fn section_slug(&self) -> &'static str {
        self.section.map(Section::slug).unwrap_or("unknown")
    }

    /// What the catalogue says of scenario `s`.
    pub fn from_catalogue(s: &scenarios::Scenario) -> ScenarioMeta {
        ScenarioMeta {
            id: s.id.to_string(),
            title: s.title.to_string(),
            section: Some(s.section),
            requirements: s.requirements.iter().map(|r| r.to_string()).collect(),
            level: s.level,
            tags: s.tags.to_vec(),
            description: s.description.to_string(),
            how_to_fix: s.how_to_fix.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Outcome {
    /// Every check held; `checked` says what was observed.
    Pass { checked: Vec<String> },
    /// The target broke a requirement.
    Fail {
        expected: String,
        actual: String,
        /// When a general check on every page found it (not one of the
        /// scenario's own checks): the requirement that check judges.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        general_requirement: Option<String>,
    },
    /// The harness could not tell (browser gone, time-out, nothing observed).
    Error { reason: String },
    /// Not applicable to this target.
    Skipped { reason: String },
    /// Never run, or stopped before it could conclude: the run ended early
    /// (the target was dead or hostile for several scenarios in a row, or
    /// the run was interrupted). `cause` says why; the run is incomplete.
    #[serde(rename = "not_run")]
    NotRun { cause: String },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Pass { .. } => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Error { .. } => "error",
            Outcome::Skipped { .. } => "skipped",
            Outcome::NotRun { .. } => "not_run",
        }
    }
}

/// One HTTP exchange with the portal, as evidence. Bodies are capped by
/// the harness before they get here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HttpExchange {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    pub elapsed_ms: u64,
}

/// What a customer would send support ("Still stuck?"): attached to every
/// failure.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SupportInfo {
    pub public_key: Option<String>,
    pub external_user_id: Option<String>,
    /// RFC 3339 time of the failure.
    pub timestamp: String,
    pub console_errors: Vec<String>,
}

/// One piece of evidence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceItem {
    Note {
        text: String,
    },
    Http(HttpExchange),
    /// A host page as observed, as evidence keeps it
    /// ([`PageView::evidence`]: window messages reduced to their shapes).
    Page {
        site: String,
        view: Box<PageView>,
    },
    CanaryHit {
        method: String,
        url: String,
    },
    /// PNG, base64.
    Screenshot {
        png_base64: String,
    },
    Support(SupportInfo),
}

/// All evidence of one scenario, in capture order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub items: Vec<EvidenceItem>,
}

/// The result of one scenario.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioResult {
    pub id: String,
    pub outcome: Outcome,
    /// RFC 3339.
    pub started_at: String,
    pub duration_ms: u64,
}

/// How the run ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunEnd {
    pub finished_at: String,
    pub duration_ms: u64,
    /// Set when the run could not do what was asked (nothing selected, the
    /// browser would not start, a required group left unexecuted).
    pub incomplete: Option<String>,
}

// One `RunStarted` per run: its size does not matter, boxing it would
// only make every producer and consumer noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted(RunMeta),
    ScenarioStarted { id: String, started_at: String },
    EvidenceCaptured { id: String, item: EvidenceItem },
    ScenarioFinished(ScenarioResult),
    RunFinished(RunEnd),
}
