//! The baseline: a TOML file of expected failures. A listed failure does
//! not fail the gate but stays visible as "baselined" in every format; an
//! entry that no longer matches (the scenario passes, the entry expired, no
//! selected scenario has that ID) is reported as a warning so the file
//! cannot go stale.
//!
//! ```toml
//! [[expected_failure]]
//! scenario = "frame.ancestors.every-document"
//! reason = "the legacy /help page is served by another team"
//! expires = "2027-01-31"
//! issue = "https://tracker.example/PORTAL-123"
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::Date;

use crate::error::ReportError;
use crate::escape::one_line;
use crate::event::Outcome;
use crate::record::RunRecord;

/// The parsed baseline file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default, rename = "expected_failure")]
    pub entries: Vec<BaselineEntry>,
}

/// One expected failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The scenario ID.
    pub scenario: String,
    /// Why the failure is accepted for now.
    pub reason: String,
    /// `YYYY-MM-DD`: the last day the entry excuses the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where the fix is tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
}

/// Why a baseline entry needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaselineWarning {
    /// The scenario passes now: remove the entry.
    NowPasses { scenario: String },
    /// The entry's date has passed; it no longer excuses the failure.
    Expired { scenario: String, expires: String },
    /// No selected scenario has this ID (renamed, removed, or not selected).
    Unmatched { scenario: String },
}

impl BaselineWarning {
    pub fn scenario(&self) -> &str {
        match self {
            BaselineWarning::NowPasses { scenario }
            | BaselineWarning::Expired { scenario, .. }
            | BaselineWarning::Unmatched { scenario } => scenario,
        }
    }

    /// One sentence for every format.
    pub fn message(&self) -> String {
        match self {
            BaselineWarning::NowPasses { scenario } => {
                format!(
                    "baseline entry {scenario} is stale: the scenario passes now, remove the entry"
                )
            }
            BaselineWarning::Expired { scenario, expires } => {
                format!("baseline entry {scenario} expired on {expires}: its failure counts again")
            }
            BaselineWarning::Unmatched { scenario } => {
                format!("baseline entry {scenario} matches no selected scenario")
            }
        }
    }
}

impl Baseline {
    /// Parses and checks a baseline file's text: dates are `YYYY-MM-DD`,
    /// each scenario is listed once, reasons are not empty.
    pub fn parse(text: &str) -> Result<Baseline, ReportError> {
        let baseline: Baseline = toml::from_str(text).map_err(ReportError::ParseBaseline)?;
        let mut seen = BTreeSet::new();
        for entry in &baseline.entries {
            let problem = |problem: &str| ReportError::BaselineEntry {
                scenario: entry.scenario.clone(),
                problem: problem.to_string(),
            };
            if !seen.insert(entry.scenario.as_str()) {
                return Err(problem("listed twice"));
            }
            if entry.reason.trim().is_empty() {
                return Err(problem("the reason is empty"));
            }
            if let Some(expires) = &entry.expires {
                if parse_date(expires).is_none() {
                    return Err(problem("expires is not a YYYY-MM-DD date"));
                }
            }
        }
        Ok(baseline)
    }

    /// Reads and parses a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Baseline::parse(&text)
    }

    pub fn entry(&self, scenario: &str) -> Option<&BaselineEntry> {
        self.entries.iter().find(|e| e.scenario == scenario)
    }
}

impl BaselineEntry {
    /// Whether the entry no longer applies on `today`.
    pub fn expired_on(&self, today: Date) -> bool {
        self.expires
            .as_deref()
            .and_then(parse_date)
            .is_some_and(|expires| today > expires)
    }
}

pub(crate) fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// A baseline listing every failure of `record` (the `portalcheck
/// baseline` command). Entries already in the record's baseline keep their
/// reason, date and issue; new ones get the failure as their reason, to be
/// edited.
pub fn baseline_from_record(record: &RunRecord) -> String {
    let mut baseline = Baseline::default();
    for scenario in &record.scenarios {
        let Some(result) = &scenario.result else {
            continue;
        };
        let Outcome::Fail { actual, .. } = &result.outcome else {
            continue;
        };
        let old = record
            .baseline
            .as_ref()
            .and_then(|b| b.entry(&scenario.meta.id));
        // A live entry is kept as it is; an expired one needs a new reason and date.
        let expired = record.baseline_warnings.iter().any(
            |w| matches!(w, BaselineWarning::Expired { scenario: s, .. } if *s == scenario.meta.id),
        );
        match old {
            Some(entry) if !expired => baseline.entries.push(entry.clone()),
            _ => baseline.entries.push(BaselineEntry {
                scenario: scenario.meta.id.clone(),
                reason: format!(
                    "TODO: why this is accepted. Failed with: {}",
                    one_line(actual, 100)
                ),
                expires: None,
                issue: old.and_then(|e| e.issue.clone()),
            }),
        }
    }
    let header = format!(
        "# portalcheck baseline: expected failures that do not fail the gate.\n\
         # Written from the run of {} against {} (catalogue {}).\n\
         # Give each entry a real reason, and an `expires = \"YYYY-MM-DD\"` and `issue` where you can.\n",
        comment_safe(&record.meta.started_at),
        comment_safe(&record.meta.target.name),
        comment_safe(&record.meta.catalogue_revision),
    );
    let body = if baseline.entries.is_empty() {
        "# No failures: nothing to baseline.\n".to_string()
    } else {
        // Strings only, so serializing cannot fail.
        toml::to_string(&baseline).unwrap_or_default()
    };
    format!("{header}\n{body}")
}

/// Text safe inside a one-line TOML comment.
fn comment_safe(text: &str) -> String {
    one_line(text, 120)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_rejects_mistakes() {
        let text = r#"
[[expected_failure]]
scenario = "a.b"
reason = "known"
expires = "2027-01-31"
issue = "https://tracker.example/1"

[[expected_failure]]
scenario = "c.d"
reason = "also known"
"#;
        let baseline = Baseline::parse(text).unwrap();
        assert_eq!(baseline.entries.len(), 2);
        assert_eq!(
            baseline.entry("a.b").unwrap().expires.as_deref(),
            Some("2027-01-31")
        );
        assert!(baseline
            .entry("a.b")
            .unwrap()
            .expired_on(parse_date("2027-02-01").unwrap()));
        assert!(!baseline
            .entry("a.b")
            .unwrap()
            .expired_on(parse_date("2027-01-31").unwrap()));

        let bad_date =
            "[[expected_failure]]\nscenario = \"a\"\nreason = \"r\"\nexpires = \"31/01/2027\"\n";
        assert!(matches!(
            Baseline::parse(bad_date),
            Err(ReportError::BaselineEntry { .. })
        ));
        let twice = "[[expected_failure]]\nscenario = \"a\"\nreason = \"r\"\n[[expected_failure]]\nscenario = \"a\"\nreason = \"r\"\n";
        assert!(Baseline::parse(twice).is_err());
        let typo =
            "[[expected_failure]]\nscenario = \"a\"\nreason = \"r\"\nexpire = \"2027-01-01\"\n";
        assert!(matches!(
            Baseline::parse(typo),
            Err(ReportError::ParseBaseline(_))
        ));
        assert_eq!(Baseline::parse("").unwrap(), Baseline::default());
    }
}
