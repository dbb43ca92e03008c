//! The one error type of this crate: what can go wrong reading a baseline
//! or a report, writing the outputs, or merging shards.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a portalcheck JSON report", path.display())]
    ParseReport {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} has report schema version {found}, this portalcheck reads version {expected}", path.display())]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("invalid baseline file")]
    ParseBaseline(#[source] toml::de::Error),
    #[error("invalid baseline entry for {scenario}: {problem}")]
    BaselineEntry { scenario: String, problem: String },
    #[error("cannot serialize the {format} report")]
    Serialize {
        format: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot merge reports")]
    Merge(#[from] MergeError),
}

/// Why shard reports cannot be one run.
#[derive(Debug, Error, PartialEq)]
pub enum MergeError {
    #[error("no reports to merge")]
    Empty,
    #[error("report {index} has schema version {found}, not {expected}")]
    SchemaVersion {
        /// 1-based position among the reports given.
        index: usize,
        found: u32,
        expected: u32,
    },
    #[error("catalogue revisions differ: {first} and {other}")]
    CatalogueRevision { first: String, other: String },
    #[error("targets differ in {field}: {first} and {other}")]
    Target {
        field: &'static str,
        first: String,
        other: String,
    },
    #[error("scenario {0} is in two reports")]
    Overlap(String),
}
