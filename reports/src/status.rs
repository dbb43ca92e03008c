//! How a run is judged, and the documented process exit codes a CI gate
//! reads. The codes are distinct so a gate can tell "the portal is broken"
//! from "the check did not run".

use serde::{Deserialize, Serialize};

/// The process exit codes of `portalcheck` (every subcommand). This is the
/// one table: `--help` and the README's table are generated from
/// [`ExitCode::ALL`] and [`ExitCode::meaning`] (a test checks the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExitCode {
    /// 0: every selected MUST and SHOULD scenario passed (skips aside).
    Passed = 0,
    /// 1: at least one MUST scenario failed (not covered by the baseline).
    MustFailed = 1,
    /// 2: no MUST failed, but at least one SHOULD scenario did.
    ShouldFailed = 2,
    /// 3: the run is incomplete: a scenario errored, nothing was selected,
    /// or the harness could not run at all (no browser, a target file that
    /// is not valid, an unreachable portal). Reports are written all the same.
    Incomplete = 3,
    /// 64: the command line or a file it names is wrong (usage error):
    /// nothing was run.
    Usage = 64,
}

impl ExitCode {
    /// Every code, in order.
    pub const ALL: [ExitCode; 5] = [
        ExitCode::Passed,
        ExitCode::MustFailed,
        ExitCode::ShouldFailed,
        ExitCode::Incomplete,
        ExitCode::Usage,
    ];

    pub fn code(self) -> i32 {
        self as i32
    }

    /// What the code means, in one sentence (README and `--help`).
    pub fn meaning(self) -> &'static str {
        match self {
            ExitCode::Passed => "every selected scenario passed (or was skipped with a reason)",
            ExitCode::MustFailed => "at least one MUST requirement failed: the portal is broken",
            ExitCode::ShouldFailed => "only SHOULD findings: no MUST failed",
            ExitCode::Incomplete => "incomplete: a scenario could not be checked, nothing was selected, or the harness could not run (no browser, a target file that is not valid, unreachable portal); every report is still written, with the cause on the first line of `summary.md`",
            ExitCode::Usage => "usage error: bad arguments, an unreadable file (target, CA, baseline) or an `--out` that cannot be written; nothing was run",
        }
    }

    /// The table as `--help` prints it.
    pub fn help_text() -> String {
        let mut out = String::from("Exit codes:\n");
        for code in ExitCode::ALL {
            out.push_str(&format!(
                "  {:<3} {}\n",
                code.code(),
                code.meaning().replace('`', "")
            ));
        }
        out.trim_end().to_string()
    }

    /// The table as the README shows it (Markdown).
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | meaning |\n|---|---|\n");
        for code in ExitCode::ALL {
            out.push_str(&format!("| {} | {} |\n", code.code(), code.meaning()));
        }
        out
    }
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
