//! The `portalcheck` command line: the flags and subcommands, each
//! documented where it is declared so that `--help` is the manual, parsed
//! into their types (a value clap refuses is a usage error, exit 64).
//! Below it: the dispatcher (`app`), `list`/`explain` (`catalogue_view`)
//! and the terminal progress (`progress`).

pub mod app;
pub mod catalogue_view;
pub mod progress;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use reports::event::Shard;
use reports::ExitCode;
use scenarios::{Level, Tag};

use crate::run::runner::Filter;
use crate::run::selftest::RowScope;

/// A mistake in the command line or in a file it names (exit 64).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The command line, or what to print and the exit code when it is not
/// one to run: `--help` and `--version` exit 0, every argument error 64.
pub fn parse<I, T>(args: I) -> Result<Cli, (clap::Error, ExitCode)>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::error::ErrorKind;
    Cli::try_parse_from(args).map_err(|e| {
        let code = match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::Passed,
            _ => ExitCode::Usage,
        };
        (e, code)
    })
}

fn exit_codes_help() -> String {
    ExitCode::help_text()
}

fn parse_tag(text: &str) -> Result<Tag, String> {
    Tag::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Tag::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown tag `{text}`; tags are: {}", known.join(", "))
    })
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text)
        .ok_or_else(|| format!("expected K/N with 1 <= K <= N, e.g. 2/4, not `{text}`"))
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "expected a whole number of at least 1, not `{text}`"
        )),
    }
}

/// portalcheck: conformance and security tests for the UserHero Embedded Portal.
///
/// Drives real browsers (Chromium, Firefox, WebKit) and mocked hosts (the customer's
/// site, its token endpoint, an attacker's canary host) on real TLS through every
/// failure mode the Embedded Portal documentation lists, and writes JSON, JUnit,
/// SARIF, HTML and Markdown reports. With no target it starts the bundled reference
/// portal.
#[derive(Debug, Parser)]
#[command(name = "portalcheck", version, after_long_help = exit_codes_help())]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the scenarios against a portal and write reports.
    #[command(after_long_help = exit_codes_help())]
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
    #[command(after_long_help = exit_codes_help())]
    Selftest(SelftestArgs),
    /// Print the JSON Schema of report.json.
    Schema,
    /// Print REQUIREMENTS.md, generated from the catalogue.
    Requirements,
    /// Print CONTRACT.md, the wire contract (paths, bodies, statuses,
    /// headers, the SDK, provider states, limits), generated from the catalogue.
    Contract {
        /// Also write the contract's JSON Schemas into this directory.
        #[arg(long, value_name = "DIR")]
        schemas: Option<PathBuf>,
    },
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
    /// whole-run wall time, critical path, idle browser slots, machine CPU,
    /// WebDriver commands and peak memory, against the bundled reference
    /// (`--against FILE`: beside an earlier run).
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
    /// Compare report.json files side by side: one column per implementation
    /// and engine, one row per requirement (pass, fail, error or skip).
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
    #[arg(long, value_name = "TAG", value_parser = parse_tag)]
    pub tag: Vec<Tag>,
    /// Only scenarios of this level.
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Run shard K of N (1-based), e.g. `--shard 2/4`; stable across runs.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

impl SelectArgs {
    /// The selection as the runner takes it.
    pub fn filter(&self) -> Filter {
        Filter {
            prefixes: self.filter.clone(),
            tags: self.tag.clone(),
            level: self.level.map(|l| match l {
                LevelArg::Must => Level::Must,
                LevelArg::Should => Level::Should,
            }),
            shard: self.shard,
            ids: None,
        }
    }
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
    /// Scenarios run at once (at least 1); the default is four per CPU core.
    #[arg(short = 'j', long, default_value_t = run_jobs(), value_parser = at_least_one)]
    pub jobs: usize,
    /// Browser sessions (one browser each, at least 1); browser scenarios
    /// share them. The default depends on the engine: two per CPU core for
    /// Chromium, whose sessions are reused (a scenario that waits, on an
    /// expiry or a quiet network, holds one without using the CPU); one per
    /// core for Firefox and WebKit, which start a fresh browser per scenario.
    #[arg(long, value_parser = at_least_one)]
    pub browsers: Option<usize>,
    /// Where reports are written.
    #[arg(long, default_value = "portalcheck-out")]
    pub out: PathBuf,
    /// Seed for generated inputs (printed in every report; the same seed replays them).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The browser engine(s) browser scenarios run on (repeatable; `all` is the three).
    /// With more than one, each engine's reports go to `OUT/ENGINE/`. A missing engine
    /// gives its browser scenarios "skipped" with the install command.
    #[arg(long = "browser", value_enum, value_name = "ENGINE", default_values_t = [BrowserArg::Chromium])]
    pub browser: Vec<BrowserArg>,
    /// Use this WebDriver endpoint instead of starting the browser: a driver or a
    /// Selenium Grid for the `--browser` engine. A browser on another machine reaches
    /// the mocked hosts through the harness's names proxy: give `--proxy-bind` (and
    /// `--proxy-advertise` with this machine's address as the browser sees it).
    #[arg(long, value_name = "URL")]
    pub webdriver: Option<String>,
    /// Where the names proxy listens (e.g. `0.0.0.0:8118` for a remote browser). It maps
    /// `*.test` to this machine's loopback and refuses every other name. Firefox and
    /// WebKit always use it (on a free loopback port by default); Chromium only when
    /// this is given.
    #[arg(long, value_name = "ADDR:PORT")]
    pub proxy_bind: Option<String>,
    /// The proxy address browsers are told (`HOST:PORT` as a remote browser reaches
    /// this machine); default: the address the proxy listens on.
    #[arg(long, value_name = "HOST:PORT", requires = "proxy_bind")]
    pub proxy_advertise: Option<String>,
    /// A baseline file of expected failures (see `portalcheck baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// `--browser`: one engine, or all three.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BrowserArg {
    /// Debian's Chromium through ChromeDriver and DevTools.
    Chromium,
    /// Firefox ESR through geckodriver.
    Firefox,
    /// WebKitGTK's MiniBrowser through WebKitWebDriver.
    Webkit,
    /// Chromium, Firefox and WebKit, one run each.
    All,
}

impl std::fmt::Display for BrowserArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BrowserArg::Chromium => "chromium",
            BrowserArg::Firefox => "firefox",
            BrowserArg::Webkit => "webkit",
            BrowserArg::All => "all",
        })
    }
}

/// The engines `--browser` names, each once, in a stable order.
pub fn engines(args: &[BrowserArg]) -> Vec<crate::browser::engine::Engine> {
    use crate::browser::engine::Engine;
    let mut out: Vec<Engine> = args
        .iter()
        .flat_map(|a| match a {
            BrowserArg::Chromium => vec![Engine::Chromium],
            BrowserArg::Firefox => vec![Engine::Firefox],
            BrowserArg::Webkit => vec![Engine::Webkit],
            BrowserArg::All => Engine::ALL.to_vec(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
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
    /// Serve a self-signed certificate (as `openssl req -x509` makes) instead
    /// of one issued by a CA; the target file's `ca_file` is then that
    /// certificate, whose key portalcheck pins.
    #[arg(long)]
    pub self_signed: bool,
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
    /// Scenarios run at once per row; the default is four per CPU core
    /// (measured: 8 on 2 cores keeps the matrix CPU-bound).
    #[arg(short = 'j', long, default_value_t = 4 * cores(), value_parser = at_least_one)]
    pub jobs: usize,
    /// Browser sessions shared by every row of the matrix; the default is
    /// `run`'s for the engine: two per CPU core for Chromium (measured on 2
    /// cores: 134 rows in 596 s with 4 sessions, 673 s with 3), one per core
    /// for Firefox and WebKit.
    #[arg(long, value_parser = at_least_one)]
    pub browsers: Option<usize>,
    /// Matrix rows run at once, each against its own reference instance
    /// (all on the shared browser sessions); rows print as they finish,
    /// the final table keeps clean first, then the defects in order.
    #[arg(long, default_value_t = 4, value_parser = at_least_one)]
    pub rows: usize,
    /// Write the matrix as JSON here too.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// What a defect row runs: `focused`, the scenarios checking a
    /// requirement the defect breaks (all of them for a requirement judged on
    /// every page); `full`, the whole catalogue, which also shows that no
    /// other scenario fails (many times slower). The clean row always runs
    /// the whole selection.
    #[arg(long, value_enum, default_value_t = RowScope::Focused)]
    pub scope: RowScope,
    /// The engine the matrix's browser scenarios run on: Chromium by
    /// default, or one of the others (`scripts/ensure-browser all`).
    #[arg(long = "browser", value_enum, value_name = "ENGINE", default_value_t = EngineArg::Chromium)]
    pub browser: EngineArg,
}

/// One browser engine (where `all` makes no sense).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EngineArg {
    Chromium,
    Firefox,
    Webkit,
}

impl EngineArg {
    pub fn engine(self) -> crate::browser::engine::Engine {
        use crate::browser::engine::Engine;
        match self {
            EngineArg::Chromium => Engine::Chromium,
            EngineArg::Firefox => Engine::Firefox,
            EngineArg::Webkit => Engine::Webkit,
        }
    }
}

impl std::fmt::Display for EngineArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.engine().name())
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Scenarios run at once; the default is `run`'s (four per CPU core).
    #[arg(short = 'j', long, default_value_t = run_jobs(), value_parser = at_least_one)]
    pub jobs: usize,
    /// Browser sessions; the default is `run`'s for each engine (two per
    /// CPU core for Chromium, one per core for Firefox and WebKit).
    #[arg(long, value_parser = at_least_one)]
    pub browsers: Option<usize>,
    /// An earlier run's `report.json`: print its wall time beside this run's,
    /// so a speed-up is measured side by side in one sitting.
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// The engine(s) to measure (repeatable; `all` is the three): the figures
    /// are printed per engine, then one line per engine side by side.
    #[arg(long = "browser", value_enum, value_name = "ENGINE", default_values_t = [BrowserArg::Chromium])]
    pub browser: Vec<BrowserArg>,
}

/// CPU cores this process may use (1 when unknown): the defaults for `-j`
/// and `--browsers` follow it, as measured on 2 cores (`portalcheck bench`:
/// the whole catalogue took 47 s with one session per core and 36 s with
/// two, the machine's CPU then busy; three per core gained nothing).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `run`'s and `bench`'s default `-j`: four scenarios per core, two for
/// each browser session, so API scenarios run beside the browser ones.
pub fn run_jobs() -> usize {
    4 * cores()
}

/// The default `--browsers` of `run`, `bench` and `selftest` on `engine`:
/// two sessions per core for Chromium, whose sessions are reused and mostly
/// wait (measured: see [`cores`]); one per core for Firefox and WebKit,
/// which start a fresh browser per scenario (on 2 cores, four of them at
/// once made WebKit's driver fail frame switches).
pub fn run_browsers(engine: crate::browser::engine::Engine) -> usize {
    match engine {
        crate::browser::engine::Engine::Chromium => 2 * cores(),
        crate::browser::engine::Engine::Firefox | crate::browser::engine::Engine::Webkit => cores(),
    }
}
