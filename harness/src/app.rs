//! What each subcommand does. `anyhow` stops here: below this module every
//! error is typed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use reports::event::Event;
use reports::record::{RecordBuilder, RunRecord};
use reports::redact::Redactor;
use reports::ExitCode;
use scenarios::{Level, Tag};

use crate::cli::{Cli, Command, LevelArg, ListFormat, ReportCommand, RunArgs, SelectArgs};
use crate::events::{dispatch, Consumer, EventSink};
use crate::progress::Progress;
use crate::runner::{Filter, RunFigures, RunOptions};
use crate::world::{error_chain, World, WorldOptions};

/// Run the command; returns the process exit code.
pub async fn main(cli: Cli) -> i32 {
    match dispatch_command(cli).await {
        Ok(code) => code.code(),
        Err(e) => {
            let usage = e.downcast_ref::<UsageError>().is_some();
            eprintln!("portalcheck: {}", chain(&e));
            if usage {
                ExitCode::Usage.code()
            } else {
                ExitCode::Incomplete.code()
            }
        }
    }
}

/// On Ctrl-C or SIGTERM: kill the browsers, remove their profiles, exit 3
/// (the run is incomplete). Reports of a killed run are not written.
pub fn install_interrupt_handler() {
    tokio::spawn(async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
        eprintln!("\nportalcheck: interrupted; stopping the browser and exiting");
        crate::browser::process::kill_all_children();
        std::process::exit(ExitCode::Incomplete.code());
    });
}

fn install_interrupt_handler_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(install_interrupt_handler);
}

/// A mistake in the command line or in a file it names.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn chain(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

async fn dispatch_command(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => cmd_run(args).await,
        Command::List(args) => {
            let filter = build_filter(&args.select)?;
            print!("{}", crate::catalogue_view::list(&filter, args.format == ListFormat::Json, args.requirements));
            Ok(ExitCode::Passed)
        }
        Command::Explain { id } => match crate::catalogue_view::explain(&id) {
            Some(text) => {
                print!("{text}");
                Ok(ExitCode::Passed)
            }
            None => Err(UsageError(format!(
                "no requirement or scenario has the ID `{id}` (see `portalcheck list` and `portalcheck list --requirements`)"
            ))
            .into()),
        },
        Command::ServeReference(args) => crate::serve::serve_reference(args).await,
        Command::Selftest(args) => crate::selftest::selftest(args).await,
        Command::Schema => {
            print!("{}", reports::json::REPORT_SCHEMA);
            Ok(ExitCode::Passed)
        }
        Command::Requirements => {
            print!("{}", scenarios::requirements_doc::render());
            Ok(ExitCode::Passed)
        }
        Command::Baseline { from, output } => {
            let record = reports::json::read_json_report(&from)
                .map_err(|e| UsageError(format!("cannot read report {}: {}", from.display(), error_chain(&e))))?;
            let text = reports::baseline::baseline_from_record(&record);
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::Passed)
        }
        Command::Report(ReportCommand::Merge { reports: paths, out }) => {
            let records = read_reports(&paths)?;
            let merged = reports::merge::merge(records).map_err(|e| UsageError(error_chain(&e)))?;
            let written = write_report_files(&merged, &out)?;
            print_written(&written);
            Ok(merged.status.exit_code())
        }
        Command::Report(ReportCommand::Compare { reports: paths }) => {
            let records = read_reports(&paths)?;
            print!("{}", reports::merge::compare(&records));
            Ok(ExitCode::Passed)
        }
        Command::Bench(args) => crate::bench::bench(args).await,
    }
}

fn read_reports(paths: &[PathBuf]) -> anyhow::Result<Vec<RunRecord>> {
    paths
        .iter()
        .map(|p| {
            reports::json::read_json_report(p).map_err(|e| {
                UsageError(format!(
                    "cannot read report {}: {}",
                    p.display(),
                    error_chain(&e)
                ))
                .into()
            })
        })
        .collect()
}

/// Turn the selection flags into a filter, or a usage error.
pub fn build_filter(select: &SelectArgs) -> anyhow::Result<Filter> {
    let mut tags = Vec::new();
    for t in &select.tag {
        let tag = Tag::parse(t).ok_or_else(|| {
            let known: Vec<&str> = Tag::ALL.iter().map(|t| t.as_str()).collect();
            UsageError(format!("unknown tag `{t}`; tags are: {}", known.join(", ")))
        })?;
        tags.push(tag);
    }
    let shard = match &select.shard {
        None => None,
        Some(text) => {
            let parsed = text
                .split_once('/')
                .and_then(|(k, n)| {
                    Some((k.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?))
                })
                .filter(|(k, n)| *n >= 1 && *k >= 1 && k <= n);
            Some(parsed.ok_or_else(|| {
                UsageError(format!(
                    "--shard {text}: expected K/N with 1 <= K <= N, e.g. 2/4"
                ))
            })?)
        }
    };
    Ok(Filter {
        prefixes: select.filter.clone(),
        tags,
        level: select.level.map(|l| match l {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
        }),
        shard,
    })
}

/// Folds the stream into a record, scrubbing every secret the world has
/// registered so far (tenants are made per scenario, so the list grows).
pub struct RecordKeeper {
    world: Arc<World>,
    redactor: Redactor,
    known: usize,
    pub builder: RecordBuilder,
    pub events: Option<std::io::BufWriter<std::fs::File>>,
}

impl RecordKeeper {
    pub fn new(world: Arc<World>, baseline: Option<reports::baseline::Baseline>) -> RecordKeeper {
        RecordKeeper {
            world,
            redactor: Redactor::new(Vec::<String>::new()),
            known: 0,
            builder: RecordBuilder::new(baseline, Redactor::new(Vec::<String>::new())),
            events: None,
        }
    }

    pub fn scrub(&mut self, event: &Event) -> Event {
        let secrets = self.world.secrets();
        if secrets.len() != self.known {
            self.known = secrets.len();
            self.redactor = Redactor::new(secrets);
        }
        self.redactor.scrub_event(event)
    }
}

/// A consumer that scrubs each event once and hands it on.
pub struct Scrubbed {
    pub keeper: Arc<std::sync::Mutex<RecordKeeper>>,
    pub downstream: Vec<Box<dyn Consumer>>,
}

impl Consumer for Scrubbed {
    fn on_event(&mut self, event: &Event) {
        let clean = {
            let mut keeper = self.keeper.lock().unwrap_or_else(|e| e.into_inner());
            let clean = keeper.scrub(event);
            keeper.builder.on_event(&clean);
            if let Some(out) = keeper.events.as_mut() {
                use std::io::Write;
                if let Ok(line) = serde_json::to_string(&clean) {
                    let _ = writeln!(out, "{line}");
                }
            }
            clean
        };
        for d in self.downstream.iter_mut() {
            d.on_event(&clean);
        }
    }
}

/// Everything one run needs.
pub struct RunRequest {
    pub world: WorldOptions,
    pub filter: Filter,
    pub options: RunOptions,
    pub baseline: Option<reports::baseline::Baseline>,
    pub progress: bool,
    /// Also write the raw (scrubbed) event stream as JSON lines here.
    pub events_file: Option<PathBuf>,
    /// Browsers started beforehand and shared between runs (the matrix).
    pub pool: Option<Arc<crate::browser::pool::BrowserPool>>,
}

/// Start the world, run, and fold the events into a record. `Err` means
/// the harness could not run at all.
pub async fn execute(
    request: RunRequest,
) -> Result<(RunRecord, RunFigures), crate::world::WorldError> {
    install_interrupt_handler_once();
    let world = World::start(&request.world).await?.shared();
    let selected = request.filter.select(scenarios::scenarios());
    let mut keeper = RecordKeeper::new(world.clone(), request.baseline);
    if let Some(path) = &request.events_file {
        keeper.events = std::fs::File::create(path)
            .ok()
            .map(std::io::BufWriter::new);
    }
    let keeper = Arc::new(std::sync::Mutex::new(keeper));
    let mut downstream: Vec<Box<dyn Consumer>> = Vec::new();
    if request.progress {
        downstream.push(Box::new(Progress::new()));
    }
    let (sink, rx) = EventSink::channel();
    let dispatcher = tokio::spawn(dispatch(
        rx,
        vec![Box::new(Scrubbed {
            keeper: keeper.clone(),
            downstream,
        })],
    ));
    let figures = crate::runner::run(
        world.clone(),
        selected,
        &request.options,
        sink.clone(),
        request.pool.clone(),
    )
    .await;
    drop(sink);
    let _ = dispatcher.await;
    let record = {
        let mut keeper = keeper.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(out) = keeper.events.as_mut() {
            use std::io::Write;
            let _ = out.flush();
        }
        keeper.builder.finish()
    };
    Ok((record, figures))
}

async fn cmd_run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let filter = build_filter(&args.select)?;
    let baseline = match &args.baseline {
        Some(path) => Some(reports::baseline::Baseline::load(path).map_err(|e| {
            UsageError(format!("baseline {}: {}", path.display(), error_chain(&e)))
        })?),
        None => None,
    };
    if let Some(target) = &args.target {
        if !target.is_file() {
            return Err(
                UsageError(format!("target file {} does not exist", target.display())).into(),
            );
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let seed = args.seed.unwrap_or_else(rand::random);
    let request = RunRequest {
        world: WorldOptions {
            target: args.target.clone(),
            defects: args.defect.clone(),
            ca: None,
        },
        options: RunOptions {
            jobs: args.jobs,
            browsers: args.browsers,
            seed,
            selection: filter.describe(),
            webdriver: args.webdriver.clone(),
        },
        filter,
        baseline,
        progress: true,
        events_file: Some(args.out.join("events.jsonl")),
        pool: None,
    };
    let (record, _figures) = match execute(request).await {
        Ok(done) => done,
        Err(e) => {
            if let crate::world::WorldError::UnknownDefect(_)
            | crate::world::WorldError::DefectWithTarget = e
            {
                return Err(UsageError(error_chain(&e)).into());
            }
            if let crate::world::WorldError::Target(_) = e {
                return Err(UsageError(error_chain(&e)).into());
            }
            bail!("the harness could not run: {}", error_chain(&e));
        }
    };
    let written = write_report_files(&record, &args.out)?;
    eprintln!("{}", reports::record::summary_line(&record));
    eprintln!("seed {seed} (replay with --seed {seed})");
    print_written(&written);
    let code = record.status.exit_code();
    eprintln!("exit {}: {}", code.code(), status_words(&record.status));
    Ok(code)
}

pub fn status_words(status: &reports::RunStatus) -> String {
    match status {
        reports::RunStatus::Passed => "every selected scenario passed".into(),
        reports::RunStatus::MustFailed => "at least one MUST requirement failed".into(),
        reports::RunStatus::ShouldFailed => "only SHOULD findings".into(),
        reports::RunStatus::Incomplete { reason } => format!("incomplete: {reason}"),
    }
}

fn print_written(paths: &[PathBuf]) {
    for p in paths {
        eprintln!("wrote {}", p.display());
    }
}

/// Write every report format for a record into `out`.
pub fn write_report_files(record: &RunRecord, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let files = [
        ("report.json", reports::json::render_json(record)),
        ("junit.xml", reports::junit::render_junit(record)),
        ("report.sarif", reports::sarif::render_sarif(record)),
        ("report.html", reports::html::render_html(record)),
        ("summary.md", reports::markdown::render_markdown(record)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
