//! The run's outputs as consumers of its event stream. [`Reporter`] is the
//! one consumer trait; [`RunOutputs`] is the one pipeline a run feeds: the
//! [`RedactingEdge`] first, then the record and its five formats
//! ([`FileReporters`]), the raw stream (`events.jsonl`, [`EventLog`]) and any
//! other consumer (the terminal progress). Every file is written beside its
//! place and renamed, so a reader never sees half a file, and
//! [`prepare_out_dir`] removes an earlier run's outputs before a run starts.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::baseline::Baseline;
use crate::engines::{
    render_engines_html, render_engines_markdown, EngineMatrix, EngineRun, ENGINES_HTML_FILE,
    ENGINES_MARKDOWN_FILE,
};
use crate::error::ReportError;
use crate::event::Event;
use crate::html::render_html;
use crate::json::render_json;
use crate::junit::render_junit;
use crate::markdown::render_markdown;
use crate::record::{RecordBuilder, RunRecord};
use crate::redact::{RedactingEdge, Secrets};
use crate::sarif::render_sarif;

pub const JSON_FILE: &str = "report.json";
pub const JUNIT_FILE: &str = "junit.xml";
pub const SARIF_FILE: &str = "report.sarif";
pub const HTML_FILE: &str = "report.html";
pub const MARKDOWN_FILE: &str = "summary.md";
pub const EVENTS_FILE: &str = "events.jsonl";

/// Every file a run writes into its output directory.
pub const OUTPUT_FILES: [&str; 6] = [
    JSON_FILE,
    JUNIT_FILE,
    SARIF_FILE,
    HTML_FILE,
    MARKDOWN_FILE,
    EVENTS_FILE,
];

/// What a file is written as before it is renamed into place.
const PARTIAL_SUFFIX: &str = ".partial";

/// A consumer of the run's event stream. Events reach it already redacted.
pub trait Reporter: Send {
    fn on_event(&mut self, event: &Event) -> Result<(), ReportError>;

    /// Ends the stream; returns the files written, if any.
    fn finish(&mut self) -> Result<Vec<PathBuf>, ReportError>;
}

/// Make `dir` ready for a run: create it, prove it can be written, and
/// remove every output (and partial output) an earlier run left there, so
/// none survives a run that ends early.
pub fn prepare_out_dir(dir: &Path) -> Result<(), ReportError> {
    let error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(error(dir))?;
    let probe = dir.join(".portalcheck-write-check");
    std::fs::write(&probe, b"").map_err(error(dir))?;
    std::fs::remove_file(&probe).map_err(error(&probe))?;
    for name in OUTPUT_FILES {
        for path in [dir.join(name), partial(&dir.join(name))] {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(error(&path)(e));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Write the five formats of `record` into `dir` (created if missing).
pub fn write_record_files(record: &RunRecord, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let outputs = [
        (JSON_FILE, render_json(record)),
        (JUNIT_FILE, render_junit(record)),
        (SARIF_FILE, render_sarif(record)),
        (HTML_FILE, render_html(record)),
        (MARKDOWN_FILE, render_markdown(record)),
    ];
    write_files(dir, outputs)
}

/// Writes the engine matrix of one target's runs on several engines
/// (`engines.md` and `index.html`) into `dir`, above the engines' own
/// report directories.
pub fn write_engine_files(runs: &[EngineRun<'_>], dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let matrix = EngineMatrix::of(runs);
    let meta = runs.first().map(|r| &r.record.meta);
    let outputs = [
        (
            ENGINES_MARKDOWN_FILE,
            render_engines_markdown(&matrix, meta),
        ),
        (ENGINES_HTML_FILE, render_engines_html(&matrix, meta)),
    ];
    write_files(dir, outputs)
}

/// Writes each `(name, text)` into `dir` atomically; the paths written.
fn write_files<const N: usize>(
    dir: &Path,
    outputs: [(&str, String); N],
) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = Vec::new();
    for (name, text) in outputs {
        let path = dir.join(name);
        write_atomically(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// Folds the stream into a record and writes `report.json`, `junit.xml`,
/// `report.sarif`, `report.html` and `summary.md` into one directory at
/// `RunFinished` (or when `finish` is called on a run that never did).
/// Without a directory it only keeps the record.
#[derive(Debug)]
pub struct FileReporters {
    out_dir: Option<PathBuf>,
    builder: RecordBuilder,
    record: Option<RunRecord>,
    written: Vec<PathBuf>,
}

impl FileReporters {
    /// `out_dir` is created if missing. `baseline`: the parsed baseline
    /// file, if any, already redacted.
    pub fn new(out_dir: Option<PathBuf>, baseline: Option<Baseline>) -> FileReporters {
        FileReporters {
            out_dir,
            builder: RecordBuilder::new(baseline),
            record: None,
            written: Vec::new(),
        }
    }

    /// The record, once the stream has finished (for the exit status).
    pub fn record(&self) -> Option<&RunRecord> {
        self.record.as_ref()
    }

    fn write_all(&mut self) -> Result<(), ReportError> {
        let record = self.builder.finish();
        let written = match &self.out_dir {
            Some(dir) => write_record_files(&record, dir),
            None => Ok(Vec::new()),
        };
        self.record = Some(record);
        self.written = written?;
        Ok(())
    }
}

impl Reporter for FileReporters {
    fn on_event(&mut self, event: &Event) -> Result<(), ReportError> {
        self.builder.on_event(event);
        if matches!(event, Event::RunFinished(_)) {
            self.write_all()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        if self.record.is_none() {
            self.write_all()?;
        }
        Ok(self.written.clone())
    }
}

/// `events.jsonl`: the stream, one JSON event a line, written to a partial
/// file as it comes and renamed into place when the stream ends.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    done: bool,
}

impl EventLog {
    pub fn new(out_dir: &Path) -> EventLog {
        EventLog {
            path: out_dir.join(EVENTS_FILE),
            file: None,
            done: false,
        }
    }

    fn error(&self) -> impl Fn(std::io::Error) -> ReportError + '_ {
        |source| ReportError::Write {
            path: self.path.clone(),
            source,
        }
    }
}

impl Reporter for EventLog {
    fn on_event(&mut self, event: &Event) -> Result<(), ReportError> {
        if self.file.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(self.error())?;
            }
            let file = std::fs::File::create(partial(&self.path)).map_err(self.error())?;
            self.file = Some(std::io::BufWriter::new(file));
        }
        let line = serde_json::to_string(event).map_err(|e| ReportError::Serialize {
            format: "events.jsonl",
            source: Box::new(e),
        })?;
        let result = match self.file.as_mut() {
            Some(file) => writeln!(file, "{line}"),
            None => Ok(()),
        };
        result.map_err(self.error())
    }

    fn finish(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        if !self.done {
            self.done = true;
            match self.file.take() {
                Some(mut file) => file.flush().map_err(self.error())?,
                None => {
                    std::fs::write(partial(&self.path), b"").map_err(self.error())?;
                }
            }
            std::fs::rename(partial(&self.path), &self.path).map_err(self.error())?;
        }
        Ok(vec![self.path.clone()])
    }
}

/// The one pipeline of a run: every event passes the [`RedactingEdge`]
/// once, then goes to the record (and its files), the event log and every
/// other consumer. A write error does not stop the others; the first one
/// is returned by `finish`.
pub struct RunOutputs {
    edge: RedactingEdge,
    files: FileReporters,
    others: Vec<Box<dyn Reporter>>,
    error: Option<ReportError>,
}

impl RunOutputs {
    /// `secrets`: the run's registry (it grows while the run learns values).
    /// `out_dir`: where the six files go (see [`prepare_out_dir`]); `None`
    /// keeps only the record.
    pub fn new(secrets: Secrets, baseline: Option<Baseline>, out_dir: Option<&Path>) -> RunOutputs {
        let mut edge = RedactingEdge::new(secrets);
        let baseline = baseline.map(|b| edge.redactor().scrub_baseline(b));
        let mut others: Vec<Box<dyn Reporter>> = Vec::new();
        if let Some(dir) = out_dir {
            others.push(Box::new(EventLog::new(dir)));
        }
        RunOutputs {
            edge,
            files: FileReporters::new(out_dir.map(Path::to_path_buf), baseline),
            others,
            error: None,
        }
    }

    /// Also feed `reporter` (e.g. the terminal progress).
    pub fn with(mut self, reporter: Box<dyn Reporter>) -> RunOutputs {
        self.others.push(reporter);
        self
    }

    /// The record, once the stream has finished.
    pub fn record(&self) -> Option<&RunRecord> {
        self.files.record()
    }

    fn pass_on(&mut self, events: Vec<Event>) {
        for event in &events {
            let results: Vec<Result<(), ReportError>> =
                std::iter::once(&mut self.files as &mut dyn Reporter)
                    .chain(
                        self.others
                            .iter_mut()
                            .map(|r| r.as_mut() as &mut dyn Reporter),
                    )
                    .map(|r| r.on_event(event))
                    .collect();
            for result in results {
                if let (Err(e), None) = (result, &self.error) {
                    self.error = Some(e);
                }
            }
        }
    }
}

impl Reporter for RunOutputs {
    fn on_event(&mut self, event: &Event) -> Result<(), ReportError> {
        let ready = self.edge.admit(event);
        self.pass_on(ready);
        Ok(())
    }

    fn finish(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        let held = self.edge.drain();
        self.pass_on(held);
        let mut written = Vec::new();
        for result in std::iter::once(self.files.finish())
            .chain(self.others.iter_mut().map(|r| r.finish()))
            .collect::<Vec<_>>()
        {
            match result {
                Ok(paths) => written.extend(paths),
                Err(e) => {
                    self.error.get_or_insert(e);
                }
            }
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(written),
        }
    }
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(PARTIAL_SUFFIX);
    PathBuf::from(name)
}

/// Writes beside the target, then renames, so a reader never sees half a file.
fn write_atomically(path: &Path, text: &str) -> Result<(), ReportError> {
    let partial = partial(path);
    let error = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&partial, text).map_err(error)?;
    std::fs::rename(&partial, path).map_err(error)
}
