//! Sharding as the CI recipe does it: each `--shard K/N` run of the bundled
//! reference starts its own portal on a port of its own, and
//! `portalcheck report merge` still joins the shards into one run, with
//! the exit code the whole run would have had.

use std::path::Path;
use std::process::{Command, Output};

/// Quick scenarios that need no browser.
const FILTER: &str = "handshake.drift-";

fn portalcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portalcheck"))
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn explain(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn shard(k: u32, defect: Option<&str>, out: &Path) -> Output {
    let mut cmd = portalcheck();
    cmd.args(["run", "--filter", FILTER, "--shard", &format!("{k}/2")]);
    if let Some(defect) = defect {
        cmd.args(["--defect", defect]);
    }
    cmd.arg("--out").arg(out).output().unwrap()
}

fn merge(dir: &Path, shards: &[&str]) -> Output {
    let mut cmd = portalcheck();
    cmd.args(["report", "merge"]);
    for name in shards {
        cmd.arg(dir.join(name).join("report.json"));
    }
    cmd.arg("--out").arg(dir.join("merged")).output().unwrap()
}

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn shards_of_the_bundled_reference_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let expected = scenarios::scenarios()
        .iter()
        .filter(|s| s.id.starts_with(FILTER))
        .count();
    let mut origins = Vec::new();
    for k in [1, 2] {
        let out = shard(k, None, &dir.path().join(format!("shard{k}")));
        assert_eq!(code(&out), Some(0), "{}", explain(&out));
        let shard = report(&dir.path().join(format!("shard{k}/report.json")));
        origins.push(shard["meta"]["target"]["portal_origin"].clone());
    }
    let out = merge(dir.path(), &["shard1", "shard2"]);
    assert_eq!(code(&out), Some(0), "{}", explain(&out));
    let merged = report(&dir.path().join("merged/report.json"));
    assert_eq!(merged["scenarios"].as_array().unwrap().len(), expected);
    assert_eq!(merged["status"]["status"], "passed", "{}", merged["status"]);
    assert_eq!(
        merged["meta"]["selection"]["shard"],
        serde_json::Value::Null
    );
    for file in ["junit.xml", "report.sarif", "report.html", "summary.md"] {
        assert!(dir.path().join("merged").join(file).is_file(), "{file}");
    }
    // Not vacuous: the shards really did run on different portals.
    assert_ne!(origins[0], origins[1]);
    // And the merged reports name both, each with its shard.
    let kept: Vec<_> = merged["meta"]["shards"]
        .as_array()
        .expect("a merged report lists its shards")
        .iter()
        .map(|s| (s["shard"].clone(), s["portal_origin"].clone()))
        .collect();
    assert_eq!(
        kept,
        [
            (serde_json::json!("1/2"), origins[0].clone()),
            (serde_json::json!("2/2"), origins[1].clone())
        ]
    );
    for file in ["junit.xml", "report.sarif", "report.html", "summary.md"] {
        let text = std::fs::read_to_string(dir.path().join("merged").join(file)).unwrap();
        for origin in &origins {
            let origin = origin.as_str().unwrap();
            assert!(text.contains(origin), "{file} lacks {origin}");
        }
    }
}

#[test]
fn merged_shards_keep_the_failing_exit_code_and_refuse_other_targets() {
    let dir = tempfile::tempdir().unwrap();
    for k in [1, 2] {
        let out = shard(
            k,
            Some("verify-reserialized"),
            &dir.path().join(format!("broken{k}")),
        );
        assert_eq!(code(&out), Some(1), "{}", explain(&out));
    }
    let out = merge(dir.path(), &["broken1", "broken2"]);
    assert_eq!(code(&out), Some(1), "{}", explain(&out));

    let out = shard(2, None, &dir.path().join("clean2"));
    assert_eq!(code(&out), Some(0), "{}", explain(&out));
    let out = merge(dir.path(), &["broken1", "clean2"]);
    assert_eq!(code(&out), Some(64), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("targets differ in defects: verify-reserialized and none"),
        "{err}"
    );
}
