//! The run's typed event stream, the record folded from it, and the
//! reporters that consume it. Every output portalcheck writes (terminal
//! lines, JSON, JUnit XML, SARIF, HTML, Markdown) is a consumer of the one
//! stream of [`Event`]s the runner emits.

pub mod event;
pub mod status;

pub use event::{Event, Evidence, EvidenceItem, Outcome, RunMeta, ScenarioMeta, ScenarioResult};
pub use status::{ExitCode, RunStatus};
