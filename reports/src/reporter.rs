//! The [`Reporter`] trait every output implements, and [`FileReporters`],
//! which folds the stream into a record and writes all five files when the
//! run finishes (or when `finish` is called on a run that never did).

use std::path::{Path, PathBuf};

use crate::baseline::Baseline;
use crate::error::ReportError;
use crate::event::Event;
use crate::html::render_html;
use crate::json::render_json;
use crate::junit::render_junit;
use crate::markdown::render_markdown;
use crate::record::{RecordBuilder, RunRecord};
use crate::redact::Redactor;
use crate::sarif::render_sarif;

pub const JSON_FILE: &str = "report.json";
pub const JUNIT_FILE: &str = "junit.xml";
pub const SARIF_FILE: &str = "report.sarif";
pub const HTML_FILE: &str = "report.html";
pub const MARKDOWN_FILE: &str = "summary.md";

/// A consumer of the run's event stream.
pub trait Reporter {
    fn on_event(&mut self, event: &Event) -> Result<(), ReportError>;

    /// Ends the stream; returns the files written, if any.
    fn finish(&mut self) -> Result<Vec<PathBuf>, ReportError>;
}

/// Writes `report.json`, `junit.xml`, `report.sarif`, `report.html` and
/// `summary.md` into one directory at `RunFinished`.
#[derive(Debug)]
pub struct FileReporters {
    out_dir: PathBuf,
    builder: RecordBuilder,
    record: Option<RunRecord>,
    written: Vec<PathBuf>,
}

impl FileReporters {
    /// `out_dir` is created if missing. `baseline`: the parsed baseline
    /// file, if any. `redactor`: built from every secret of the run
    /// ([`Redactor::new`]); nothing it matches is written.
    pub fn new(
        out_dir: impl Into<PathBuf>,
        baseline: Option<Baseline>,
        redactor: Redactor,
    ) -> FileReporters {
        FileReporters {
            out_dir: out_dir.into(),
            builder: RecordBuilder::new(baseline, redactor),
            record: None,
            written: Vec::new(),
        }
    }

    /// The record written, once the files are (for the exit status).
    pub fn record(&self) -> Option<&RunRecord> {
        self.record.as_ref()
    }

    fn write_all(&mut self) -> Result<(), ReportError> {
        let record = self.builder.finish();
        std::fs::create_dir_all(&self.out_dir).map_err(|source| ReportError::Write {
            path: self.out_dir.clone(),
            source,
        })?;
        let outputs = [
            (JSON_FILE, render_json(&record)),
            (JUNIT_FILE, render_junit(&record)),
            (SARIF_FILE, render_sarif(&record)),
            (HTML_FILE, render_html(&record)),
            (MARKDOWN_FILE, render_markdown(&record)),
        ];
        let mut written = Vec::new();
        for (name, text) in outputs {
            let path = self.out_dir.join(name);
            write_atomically(&path, &text)?;
            written.push(path);
        }
        self.written = written;
        self.record = Some(record);
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

/// Writes beside the target, then renames, so a reader never sees half a file.
fn write_atomically(path: &Path, text: &str) -> Result<(), ReportError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let error = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&partial, text).map_err(error)?;
    std::fs::rename(&partial, path).map_err(error)
}
