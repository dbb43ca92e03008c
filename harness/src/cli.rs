//! The `portalcheck` command line: the flags and subcommands, each
//! documented where it is declared so that `--help` is the manual.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0   every selected scenario passed (or was skipped with a reason)
  1   at least one MUST requirement failed: the portal is broken
  2   only SHOULD findings: no MUST failed
  3   incomplete: a scenario could not be checked, nothing was selected, or the
      harness could not run (no browser, bad target file, unreachable portal)
  64  usage error: bad arguments or an unreadable file";

/// portalcheck: conformance and security tests for the UserHero Embedded Portal.
///
/// Drives real headless Chromium and mocked hosts (the customer's site, its token
/// endpoint, an attacker's canary host) on real TLS through every failure mode the
/// Embedded Portal documentation lists, and writes JSON, JUnit, SARIF, HTML and
/// Markdown reports. With no target it starts the bundled reference portal.
#[derive(Debug, Parser)]
#[command(name = "portalcheck", version, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the scenarios against a portal and write reports.
    #[command(after_long_help = EXIT_CODES_HELP)]
    Run(RunArgs),
    /// List the catalogue: scenarios with their requirements, level and tags.
    List(ListArgs),
    /// Explain a requirement or a scenario: the documentation it comes from,
    /// what is checked, how to fix a failure.
    Explain {
        /// A requirement ID (AUTH-HMAC-EXACT-BYTES) or a scenario ID (handshake.wrong-secret).
        id: String,
    },
    /// Start the bundled reference portal on its own (HTTPS), optionally broken.
    ServeReference(ServeArgs),
    /// Run the defect matrix: the catalogue against the clean reference and
    /// against each defect switch; prints which scenarios catch which defect.
    #[command(after_long_help = EXIT_CODES_HELP)]
    Selftest(SelftestArgs),
    /// Print the JSON Schema of report.json.
    Schema,
    /// Print REQUIREMENTS.md, generated from the catalogue.
    Requirements,
    /// Write a baseline file of expected failures from a report.json.
    Baseline {
        /// The report.json to take failures from.
        #[arg(long)]
        from: PathBuf,
        /// Where to write the baseline (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Combine or compare report.json files.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Measure the harness: browser start-up, per-scenario median and maximum,
    /// whole-run wall time and peak memory, against the bundled reference.
    Bench(BenchArgs),
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge shard reports (same catalogue and target) into one report set.
    Merge {
        /// report.json files of the shards.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Where to write the merged report set.
        #[arg(long, default_value = "portalcheck-out/merged")]
        out: PathBuf,
    },
    /// Compare several targets' report.json side by side (implementations × requirements).
    Compare {
        #[arg(required = true)]
        reports: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    Must,
    Should,
}

/// Which scenarios to run.
#[derive(Debug, Clone, Args)]
pub struct SelectArgs {
    /// Only scenarios whose ID starts with this (repeatable), e.g. `handshake.` or `theming.url`.
    #[arg(long, value_name = "PREFIX")]
    pub filter: Vec<String>,
    /// Only scenarios with this tag (repeatable; all must match): sdk, auth, origin, csp,
    /// framing, theme, tenant, session, support, api, browser, generated.
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only scenarios of this level.
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Run shard K of N (1-based), e.g. `--shard 2/4`; stable across runs.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A target file describing the portal to test (see README: "Testing your portal").
    /// Without it, the bundled reference portal is started and tested.
    #[arg(long, value_name = "FILE")]
    pub target: Option<PathBuf>,
    /// Break the bundled reference on purpose (repeatable); see `serve-reference --list-defects`.
    #[arg(long, value_name = "NAME")]
    pub defect: Vec<String>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Scenarios run at once.
    #[arg(short = 'j', long, default_value_t = 4)]
    pub jobs: usize,
    /// Browser sessions (one Chromium each); browser scenarios share them.
    #[arg(long, default_value_t = 2)]
    pub browsers: usize,
    /// Where reports are written.
    #[arg(long, default_value = "portalcheck-out")]
    pub out: PathBuf,
    /// Seed for generated inputs (printed in every report; the same seed replays them).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Use this WebDriver endpoint instead of starting Chromium (the browser must run on
    /// this machine: the mocked hosts listen on loopback).
    #[arg(long, value_name = "URL")]
    pub webdriver: Option<String>,
    /// A baseline file of expected failures (see `portalcheck baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    /// List requirements (with the scenarios covering each) instead of scenarios.
    #[arg(long)]
    pub requirements: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Print the defect switches, one a line: the name, then the requirement IDs it breaks.
    #[arg(long)]
    pub list_defects: bool,
    /// Break a requirement on purpose (repeatable).
    #[arg(long, value_name = "NAME")]
    pub defect: Vec<String>,
    /// HTTPS port (0: any free port).
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Write a target file for this instance here (with its CA next to it), ready for
    /// `portalcheck run --target FILE`.
    #[arg(long, value_name = "FILE")]
    pub write_target: Option<PathBuf>,
    /// Also print the provider-state token (a secret).
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Only these defects (repeatable); default all.
    #[arg(long, value_name = "NAME")]
    pub defect: Vec<String>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Scenarios run at once (the matrix is CPU-bound; 8 suits 2 cores).
    #[arg(short = 'j', long, default_value_t = 8)]
    pub jobs: usize,
    /// Browser sessions shared by every row of the matrix.
    #[arg(long, default_value_t = 3)]
    pub browsers: usize,
    /// Write the matrix as JSON here too.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[arg(short = 'j', long, default_value_t = 4)]
    pub jobs: usize,
    #[arg(long, default_value_t = 2)]
    pub browsers: usize,
}
