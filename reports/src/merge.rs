//! Combining and comparing runs: [`merge`] joins the shard reports of one
//! run (same catalogue revision, same target by identity) into one record; [`compare`]
//! tabulates several runs, implementation and engine × requirement, each cell
//! pass / fail / error / skip.

use std::collections::BTreeSet;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{MergeError, ReportError};
use crate::event::{RequirementMeta, RunEnd, Shard, ShardRun, TargetMeta};
use crate::markdown::{escape_md, md_id};
use crate::record::{RunRecord, State, SCHEMA_VERSION};

/// One record from the shard records of one run. Errors when the shards
/// ran different catalogue revisions or targets, or share a scenario.
/// Targets are compared by [`identity`], never by the origin: the bundled
/// reference listens on a port chosen per run.
pub fn merge(records: Vec<RunRecord>) -> Result<RunRecord, ReportError> {
    let mut records = records.into_iter();
    let mut merged = records.next().ok_or(MergeError::Empty)?;
    let mut shards: Vec<Option<Shard>> = vec![merged.meta.selection.shard];
    let mut ends: Vec<Option<RunEnd>> = vec![merged.end.take()];
    let mut runs: Vec<ShardRun> = ShardRun::of(&merged.meta);
    for (i, record) in records.enumerate() {
        let (a, b) = (&merged.meta, &record.meta);
        if record.schema_version != SCHEMA_VERSION {
            return Err(MergeError::SchemaVersion {
                index: i + 2,
                found: record.schema_version,
                expected: SCHEMA_VERSION,
            }
            .into());
        }
        if a.catalogue_revision != b.catalogue_revision {
            return Err(MergeError::CatalogueRevision {
                first: a.catalogue_revision.clone(),
                other: b.catalogue_revision.clone(),
            }
            .into());
        }
        for ((field, first), (_, other)) in identity(&a.target).into_iter().zip(identity(&b.target))
        {
            if first != other {
                return Err(MergeError::Target {
                    field,
                    first,
                    other,
                }
                .into());
            }
        }
        for scenario in &record.scenarios {
            if merged.scenario(&scenario.meta.id).is_some() {
                return Err(MergeError::Overlap(scenario.meta.id.clone()).into());
            }
        }
        if earlier(&b.started_at, &merged.meta.started_at) {
            merged.meta.started_at = b.started_at.clone();
        }
        merged
            .meta
            .scenarios
            .extend(record.meta.scenarios.iter().cloned());
        merged.scenarios.extend(record.scenarios);
        for requirement in &record.meta.requirements {
            if merged.meta.requirement(&requirement.id).is_none() {
                merged.meta.requirements.push(requirement.clone());
            }
        }
        if merged.baseline.is_none() {
            merged.baseline = record.baseline;
        }
        shards.push(record.meta.selection.shard);
        runs.extend(ShardRun::of(&record.meta));
        ends.push(record.end);
    }
    merged.meta.selection.shard = None;
    merged.meta.shards = runs;
    merged.end = merge_ends(&ends, &shards, &merged.meta.shards);
    merged.judge();
    Ok(merged)
}

/// What makes two runs' targets the same implementation, field by field
/// as errors name them: name, version, whether it is the bundled
/// reference, and its defect switches (sorted).
fn identity(target: &TargetMeta) -> [(&'static str, String); 4] {
    let mut defects = target.defects.clone();
    defects.sort();
    [
        ("name", format!("{:?}", target.name)),
        (
            "version",
            target
                .version
                .as_ref()
                .map(|v| format!("{v:?}"))
                .unwrap_or_else(|| "none".into()),
        ),
        (
            "kind",
            if target.reference {
                "the bundled reference".into()
            } else {
                "a target file".into()
            },
        ),
        (
            "defects",
            if defects.is_empty() {
                "none".into()
            } else {
                defects.join(", ")
            },
        ),
    ]
}

/// Shards run side by side: the merged run ends with the last shard and
/// lasts as long as the longest; any shard's incompleteness carries over,
/// and so does a missing shard `K/N`.
fn merge_ends(
    ends: &[Option<RunEnd>],
    shards: &[Option<Shard>],
    runs: &[ShardRun],
) -> Option<RunEnd> {
    let mut reasons: Vec<String> = Vec::new();
    let mut finished_at = String::new();
    let mut duration_ms = 0;
    for (end, shard) in ends.iter().zip(shards) {
        let name = shard
            .map(|s| format!("shard {s}"))
            .unwrap_or_else(|| "a shard".to_string());
        match end {
            None => reasons.push(format!("{name} did not finish")),
            Some(end) => {
                if let Some(reason) = &end.incomplete {
                    reasons.push(format!("{name}: {reason}"));
                }
                if finished_at.is_empty() || earlier(&finished_at, &end.finished_at) {
                    finished_at = end.finished_at.clone();
                }
                duration_ms = duration_ms.max(end.duration_ms);
            }
        }
    }
    // Every shard a merged record was made from counts, so merging merged
    // records still notices a missing one.
    let parsed: Vec<Shard> = runs.iter().filter_map(|r| r.shard).collect();
    if let Some(&Shard { total, .. }) = parsed.first() {
        if parsed.len() == runs.len() && parsed.iter().all(|s| s.total == total) {
            let have: BTreeSet<u32> = parsed.iter().map(|s| s.index).collect();
            let missing: Vec<String> = (1..=total)
                .filter(|k| !have.contains(k))
                .map(|k| format!("{k}/{total}"))
                .collect();
            if !missing.is_empty() {
                reasons.push(format!("shards missing: {}", missing.join(", ")));
            }
        }
    }
    Some(RunEnd {
        finished_at,
        duration_ms,
        incomplete: (!reasons.is_empty()).then(|| reasons.join("; ")),
    })
}

/// Whether RFC 3339 time `a` is before `b` (unparsable times never are).
fn earlier(a: &str, b: &str) -> bool {
    match (
        OffsetDateTime::parse(a, &Rfc3339),
        OffsetDateTime::parse(b, &Rfc3339),
    ) {
        (Ok(a), Ok(b)) => a < b,
        _ => false,
    }
}

/// A Markdown table of several runs: one column per implementation and
/// engine (`acme 2.1 on firefox`), one
/// row per requirement, each cell what that run's scenarios for the
/// requirement found (`fail` wins over `error`, over `pass`, over `skip`).
pub fn compare(records: &[RunRecord]) -> String {
    let mut ids: Vec<String> = Vec::new();
    // The requirements as the runs' catalogues stated them, in their order.
    let mut known: Vec<&RequirementMeta> = Vec::new();
    for r in records.iter().flat_map(|r| &r.meta.requirements) {
        if known.iter().all(|k| k.id != r.id) {
            known.push(r);
        }
    }
    let catalogue: Vec<&str> = known.iter().map(|r| r.id.as_str()).collect();
    let mut named: BTreeSet<String> = BTreeSet::new();
    for record in records {
        for scenario in &record.scenarios {
            named.extend(scenario.meta.requirements.iter().cloned());
        }
    }
    ids.extend(
        catalogue
            .iter()
            .filter(|id| named.contains(**id))
            .map(|id| id.to_string()),
    );
    ids.extend(
        named
            .iter()
            .filter(|id| !catalogue.contains(&id.as_str()))
            .cloned(),
    );

    let mut out = String::from("| Requirement | Level |");
    for record in records {
        let target = &record.meta.target;
        let version = target
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        let engine = record
            .meta
            .engine
            .as_deref()
            .map(|e| format!(" on {e}"))
            .unwrap_or_default();
        out.push_str(&format!(
            " {} |",
            escape_md(&format!("{}{version}{engine}", target.name))
        ));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(records.len()));
    out.push('\n');
    let mut passes = vec![0usize; records.len()];
    for id in &ids {
        let level = known
            .iter()
            .find(|r| &r.id == id)
            .map(|r| r.level.as_str())
            .unwrap_or("?");
        out.push_str(&format!("| {} | {level} |", md_id(id)));
        for (i, record) in records.iter().enumerate() {
            let states: Vec<State> = record
                .scenarios
                .iter()
                .filter(|s| s.meta.requirements.contains(id))
                .map(|s| s.state())
                .collect();
            let has = |state: State| states.contains(&state);
            let cell = if has(State::Fail) {
                "fail"
            } else if has(State::Baselined) {
                "fail (baselined)"
            } else if has(State::Error) || has(State::NotRun) {
                "error"
            } else if has(State::Pass) {
                passes[i] += 1;
                "pass"
            } else if has(State::Skipped) {
                "skip"
            } else {
                "\u{2014}"
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str("| **passing** | |");
    for n in passes {
        out.push_str(&format!(" {n}/{} |", ids.len()));
    }
    out.push('\n');
    let revisions: BTreeSet<&str> = records
        .iter()
        .map(|r| r.meta.catalogue_revision.as_str())
        .collect();
    if revisions.len() > 1 {
        let list: Vec<String> = revisions.iter().map(|r| escape_md(r)).collect();
        out.push_str(&format!(
            "\nThese runs used different catalogue revisions ({}): cells may not compare.\n",
            list.join(", ")
        ));
    }
    out
}
