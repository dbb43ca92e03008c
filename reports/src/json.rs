//! The JSON report (`report.json`): the complete [`RunRecord`] with its
//! `schema_version`, described by the JSON Schema shipped with the tool
//! ([`REPORT_SCHEMA`], printed by `portalcheck schema`). It reads back into
//! a record for `merge` and `compare`.

use std::path::Path;

use crate::error::ReportError;
use crate::escape::json_escape_controls;
use crate::record::{RunRecord, SCHEMA_VERSION};

/// The JSON Schema (draft 2020-12) of `report.json`, version 1.
pub const REPORT_SCHEMA: &str = include_str!("../schema/report-v1.schema.json");

/// The record as pretty-printed JSON. serde_json escapes every control
/// character, so hostile text cannot break the document.
pub fn render_json(record: &RunRecord) -> String {
    // A record holds only strings, numbers and string-keyed maps: it always serializes.
    let mut text = json_escape_controls(serde_json::to_string_pretty(record).unwrap_or_default());
    text.push('\n');
    text
}

/// Reads a `report.json` back, checking its schema version.
pub fn read_json_report(path: &Path) -> Result<RunRecord, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ReportError::ParseReport {
            path: path.to_path_buf(),
            source,
        })?;
    let found = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if found != u64::from(SCHEMA_VERSION) {
        return Err(ReportError::SchemaVersion {
            path: path.to_path_buf(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
            expected: SCHEMA_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|source| ReportError::ParseReport {
        path: path.to_path_buf(),
        source,
    })
}
