//! One run, from request to record: `portalcheck run` and the runs `bench`
//! and `selftest` make. It owns the run's output pipeline (one
//! `reports::RunOutputs`: redaction at the stream's edge, then the record,
//! its five formats, `events.jsonl` and the terminal progress), starts the
//! world and the runner, and writes every output on every exit path: a run
//! whose harness could not start gets a record with the cause and exit 3.

use std::path::PathBuf;
use std::sync::Arc;

use reports::event::{Event, RunEnd, TargetMeta};
use reports::record::RunRecord;
use reports::{ExitCode, ReportError, Reporter, RunOutputs, RunStatus};

use crate::cli::progress::Progress;
use crate::cli::{RunArgs, UsageError};
use crate::run::events::{dispatch, EventSink};
use crate::run::runner::{now_rfc3339, run_meta, Filter, RunFigures, RunOptions};
use crate::world::target::TargetError;
use crate::world::{error_chain, parse_defects, World, WorldError, WorldOptions, REFERENCE_HOST};

/// On Ctrl-C or SIGTERM: a run in progress stops (the rest of its
/// scenarios are not run, with the cause "interrupted"), writes every
/// report and exits 3. With no run in progress, or on a second signal:
/// kill the browsers, remove their profiles and exit 3 at once.
pub fn install_interrupt_handler() {
    tokio::spawn(async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let mut stopping = false;
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            }
            if !stopping && crate::run::stop::interrupt_active_runs() {
                stopping = true;
                eprintln!("\nportalcheck: interrupted; stopping the run and writing its reports (interrupt again to exit at once)");
                continue;
            }
            eprintln!("\nportalcheck: interrupted; stopping the browser and exiting");
            crate::browser::process::kill_all_children();
            std::process::exit(ExitCode::Incomplete.code());
        }
    });
}

fn install_interrupt_handler_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(install_interrupt_handler);
}

/// Everything one run needs.
pub struct RunRequest {
    pub world: WorldOptions,
    pub filter: Filter,
    pub options: RunOptions,
    pub baseline: Option<reports::baseline::Baseline>,
    /// Print progress on the terminal.
    pub progress: bool,
    /// Write the six outputs here (prepared with `reports::prepare_out_dir`).
    pub out_dir: Option<PathBuf>,
    /// Browsers started beforehand and shared between runs (the matrix).
    pub pool: Option<Arc<crate::browser::pool::BrowserPool>>,
}

/// What a run produced.
pub struct RunDone {
    pub record: RunRecord,
    pub figures: RunFigures,
    /// The files written (none without `out_dir`).
    pub written: Vec<PathBuf>,
}

/// Why a run has no record.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The request names something that does not exist or cannot be read
    /// (exit 64; nothing was run or written).
    #[error(transparent)]
    Usage(WorldError),
    #[error("cannot write the reports")]
    Write(#[source] ReportError),
}

/// A world error that is the user's to fix before anything can run: an
/// unknown defect, a target or CA file that cannot be read.
fn is_usage(error: &WorldError) -> bool {
    matches!(
        error,
        WorldError::UnknownDefect(_)
            | WorldError::DefectWithTarget
            | WorldError::CaFile { .. }
            | WorldError::Target(TargetError::Read { .. })
    )
}

/// What the record says of the target when the world never started.
fn unstarted_target(options: &WorldOptions) -> TargetMeta {
    match &options.target {
        Some(path) => TargetMeta {
            name: path.display().to_string(),
            version: None,
            portal_origin: String::new(),
            reference: false,
            defects: Vec::new(),
            file: Some(crate::world::target::display_path(path)),
        },
        None => TargetMeta {
            name: "reference".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            portal_origin: format!("https://{REFERENCE_HOST}"),
            reference: true,
            defects: options.defects.clone(),
            file: None,
        },
    }
}

/// Start the world, run, and write every output. A harness that could not
/// start still gives a record (every scenario not run, the cause as the
/// run's incompleteness).
pub async fn execute(request: RunRequest) -> Result<RunDone, SessionError> {
    install_interrupt_handler_once();
    let selected = request.filter.select(scenarios::scenarios());
    let secrets = request.world.secrets.clone();
    let mut outputs = RunOutputs::new(secrets, request.baseline, request.out_dir.as_deref());
    if request.progress {
        outputs = outputs.with(Box::new(Progress::new()));
    }
    let (sink, rx) = EventSink::channel();
    let dispatcher = tokio::spawn(dispatch(rx, outputs));
    let figures = match World::start(&request.world).await {
        Ok(world) => {
            crate::run::runner::run(
                world.shared(),
                selected,
                &request.options,
                sink.clone(),
                request.pool.clone(),
            )
            .await
        }
        Err(e) if is_usage(&e) => {
            dispatcher.abort();
            return Err(SessionError::Usage(e));
        }
        Err(e) => {
            let meta = run_meta(
                unstarted_target(&request.world),
                &request.options,
                &selected,
                None,
                None,
                None,
                None,
            );
            sink.send(Event::RunStarted(meta));
            sink.send(Event::RunFinished(RunEnd {
                finished_at: now_rfc3339(),
                duration_ms: 0,
                incomplete: Some(format!("the harness could not run: {}", error_chain(&e))),
            }));
            RunFigures::default()
        }
    };
    drop(sink);
    let mut outputs = dispatcher
        .await
        .expect("the event dispatcher does not panic");
    let written = outputs.finish().map_err(SessionError::Write)?;
    let record = outputs
        .record()
        .cloned()
        .expect("finished outputs hold their record");
    Ok(RunDone {
        record,
        figures,
        written,
    })
}

/// `portalcheck run`.
pub async fn run_command(args: RunArgs) -> anyhow::Result<ExitCode> {
    // Usage errors first, before anything is touched.
    parse_defects(&args.defect).map_err(|e| UsageError(error_chain(&e)))?;
    if let Some(target) = &args.target {
        if !target.is_file() {
            return Err(
                UsageError(format!("target file {} does not exist", target.display())).into(),
            );
        }
    }
    let baseline = match &args.baseline {
        Some(path) => Some(reports::baseline::Baseline::load(path).map_err(|e| {
            UsageError(format!("baseline {}: {}", path.display(), error_chain(&e)))
        })?),
        None => None,
    };
    let engines = crate::cli::engines(&args.browser);
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut worst = ExitCode::Passed;
    let mut records: Vec<(crate::browser::engine::Engine, RunRecord)> = Vec::new();
    for &engine in &engines {
        // One engine writes to OUT; several write to OUT/ENGINE each.
        let out = if engines.len() > 1 {
            args.out.join(engine.name())
        } else {
            args.out.clone()
        };
        if engines.len() > 1 {
            eprintln!("portalcheck: engine {engine}");
        }
        let record = run_engine(&args, engine, &out, seed, baseline.clone()).await?;
        worst = worse(worst, record.status.exit_code());
        records.push((engine, record));
    }
    if records.len() > 1 {
        // The engine matrix over the engines' own report directories.
        let runs: Vec<reports::EngineRun<'_>> = records
            .iter()
            .map(|(engine, record)| reports::EngineRun {
                engine: engine.name(),
                record,
                dir: engine.name(),
            })
            .collect();
        let written = reports::write_engine_files(&runs, &args.out)?;
        let differences = reports::EngineMatrix::of(&runs).differences().count();
        eprintln!("engines: {differences} scenario(s) differ between engines");
        print_written(&written);
        eprintln!("exit {}: the worst of the engines' runs", worst.code());
    }
    Ok(worst)
}

/// The more telling of two exit codes: a MUST failure, then an incomplete
/// run, then SHOULD findings.
fn worse(a: ExitCode, b: ExitCode) -> ExitCode {
    let rank = |c: ExitCode| match c {
        ExitCode::MustFailed => 3,
        ExitCode::Incomplete => 2,
        ExitCode::ShouldFailed => 1,
        _ => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// One engine's run of `portalcheck run`, its reports in `out`; its record.
async fn run_engine(
    args: &RunArgs,
    engine: crate::browser::engine::Engine,
    out: &std::path::Path,
    seed: u64,
    baseline: Option<reports::baseline::Baseline>,
) -> anyhow::Result<RunRecord> {
    let filter = args.select.filter();
    reports::prepare_out_dir(out)
        .map_err(|e| UsageError(format!("--out {}: {}", out.display(), error_chain(&e))))?;
    let request = RunRequest {
        world: WorldOptions {
            target: args.target.clone(),
            defects: args.defect.clone(),
            ..WorldOptions::default()
        },
        options: RunOptions {
            jobs: args.jobs,
            browsers: args
                .browsers
                .unwrap_or_else(|| crate::cli::run_browsers(engine)),
            seed,
            selection: filter.describe(),
            webdriver: args.webdriver.clone(),
            engine,
            proxy: crate::browser::pool::ProxyBind {
                bind: args.proxy_bind.clone(),
                advertise: args.proxy_advertise.clone(),
            },
        },
        filter,
        baseline,
        progress: true,
        out_dir: Some(out.to_path_buf()),
        pool: None,
    };
    let done = match execute(request).await {
        Ok(done) => done,
        Err(SessionError::Usage(e)) => return Err(UsageError(error_chain(&e)).into()),
        Err(e) => return Err(e.into()),
    };
    let record = done.record;
    eprintln!("{}", reports::record::summary_line(&record));
    eprintln!("seed {seed} (replay with --seed {seed})");
    print_written(&done.written);
    let code = record.status.exit_code();
    eprintln!("exit {}: {}", code.code(), status_words(&record.status));
    Ok(record)
}

pub fn status_words(status: &RunStatus) -> String {
    match status {
        RunStatus::Passed => "every selected scenario passed".into(),
        RunStatus::MustFailed => "at least one MUST requirement failed".into(),
        RunStatus::ShouldFailed => "only SHOULD findings".into(),
        RunStatus::Incomplete { reason } => format!("incomplete: {reason}"),
    }
}

pub fn print_written(paths: &[PathBuf]) {
    for p in paths {
        eprintln!("wrote {}", p.display());
    }
}
