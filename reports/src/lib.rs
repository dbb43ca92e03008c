//! The run's typed event stream, the record folded from it, and the
//! reporters that consume it. Every output portalcheck writes (terminal
//! lines, JSON, JUnit XML, SARIF, HTML, Markdown) is a consumer of the one
//! stream of [`Event`]s the runner emits.
//!
//! The harness makes one [`RunOutputs`] with the run's [`Secrets`], the
//! parsed [`Baseline`] (if any) and the output directory, feeds it every
//! event, calls [`Reporter::finish`], and exits with
//! `record().status.exit_code()`. Each format is also a pure function of a
//! [`RunRecord`] (`render_json`, `render_junit`, ...).

pub mod baseline;
pub mod engines;
pub mod error;
mod escape;
pub mod event;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod record;
pub mod redact;
pub mod reporter;
pub mod sarif;
pub mod status;
mod text;

pub use baseline::{baseline_from_record, Baseline, BaselineEntry, BaselineWarning};
pub use engines::{render_engines_html, render_engines_markdown, EngineMatrix, EngineRun};
pub use error::{MergeError, ReportError};
pub use event::{Event, Evidence, EvidenceItem, Outcome, RunMeta, ScenarioMeta, ScenarioResult};
pub use html::render_html;
pub use json::{read_json_report, render_json, REPORT_SCHEMA};
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use merge::{compare, merge};
pub use record::{
    summary_line, Counts, LevelCounts, RecordBuilder, RunRecord, ScenarioRecord, State,
    SCHEMA_VERSION,
};
pub use redact::{RedactingEdge, Redactor, Secrets};
pub use reporter::{
    prepare_out_dir, write_engine_files, write_record_files, EventLog, FileReporters, Reporter,
    RunOutputs, OUTPUT_FILES,
};
pub use sarif::render_sarif;
pub use status::{ExitCode, RunStatus};
