//! How a run is judged, and the documented process exit codes a CI gate
//! reads. The codes are distinct so a gate can tell "the portal is broken"
//! from "the check did not run".

use serde::{Deserialize, Serialize};

/// The process exit codes of `portalcheck run` (and `selftest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExitCode {
    /// 0: every selected MUST and SHOULD scenario passed (skips aside).
    Passed = 0,
    /// 1: at least one MUST scenario failed (not covered by the baseline).
    MustFailed = 1,
    /// 2: no MUST failed, but at least one SHOULD scenario did.
    ShouldFailed = 2,
    /// 3: the run is incomplete: a scenario errored, nothing was selected,
    /// or the harness could not run at all (bad target file, no browser,
    /// unreachable portal).
    Incomplete = 3,
    /// 64: the command line or a file it names is wrong (usage error).
    Usage = 64,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }

    /// One line per code, for `--help` and the README.
    pub const TABLE: [(i32, &'static str); 5] = [
        (0, "every selected scenario passed or was skipped with a reason"),
        (1, "at least one MUST requirement failed: the portal is broken"),
        (2, "only SHOULD findings: no MUST failed"),
        (3, "incomplete: a scenario could not be checked, nothing was selected, or the harness could not run (no browser, bad target, unreachable portal)"),
        (64, "usage error: bad arguments or an unreadable file"),
    ];
}

/// The verdict of a whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunStatus {
    Passed,
    MustFailed,
    ShouldFailed,
    Incomplete { reason: String },
}

impl RunStatus {
    /// `passed`, `must_failed`, `should_failed` or `incomplete`, as in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            RunStatus::Passed => "passed",
            RunStatus::MustFailed => "must_failed",
            RunStatus::ShouldFailed => "should_failed",
            RunStatus::Incomplete { .. } => "incomplete",
        }
    }

    /// One line for people: the verdict and, when incomplete, why.
    pub fn describe(&self) -> String {
        match self {
            RunStatus::Passed => "passed".to_string(),
            RunStatus::MustFailed => "failed: at least one MUST requirement is broken".to_string(),
            RunStatus::ShouldFailed => "failed: SHOULD findings only".to_string(),
            RunStatus::Incomplete { reason } => format!("incomplete: {reason}"),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            RunStatus::Passed => ExitCode::Passed,
            RunStatus::MustFailed => ExitCode::MustFailed,
            RunStatus::ShouldFailed => ExitCode::ShouldFailed,
            RunStatus::Incomplete { .. } => ExitCode::Incomplete,
        }
    }
}
