//! The `portalcheck` binary as users and CI run it: exit codes, reports
//! on disk, a target file pointing at a separately started reference, and
//! no browser left behind when a run is killed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn portalcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portalcheck"))
}

fn wait_until(deadline: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    condition()
}

#[test]
fn usage_errors_exit_64_with_a_reason() {
    let out = portalcheck()
        .args(["run", "--tag", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown tag `nonsense`"), "{err}");

    let out = portalcheck()
        .args(["run", "--defect", "no-such-defect", "--filter", "x"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(64),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = portalcheck().args(["explain", "NOPE"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64));
}

#[test]
fn selecting_nothing_is_incomplete_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    let out = portalcheck()
        .args(["run", "--filter", "no-such-scenario"])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("report.json").is_file());
}

#[test]
fn list_defects_names_each_defect_and_its_requirements() {
    let out = portalcheck()
        .args(["serve-reference", "--list-defects"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap();
    let mut words = first.split_whitespace();
    let _name = words.next().unwrap();
    let requirement = words.next().expect("a requirement ID after the name");
    assert!(scenarios::requirement(requirement).is_some(), "{first}");
}

#[test]
fn list_json_and_explain_come_from_the_catalogue() {
    let out = portalcheck()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        items.as_array().unwrap().len(),
        scenarios::scenarios().len()
    );
    let out = portalcheck()
        .args(["explain", "AUTH-HMAC-EXACT-BYTES"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("The same exact JSON string"));
}

fn read_outcomes(report: &Path) -> Vec<(String, String)> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let mut outcomes: Vec<(String, String)> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["result"]["outcome"]["outcome"]
                    .as_str()
                    .unwrap_or("none")
                    .to_string(),
            )
        })
        .collect();
    outcomes.sort();
    outcomes
}

#[test]
fn a_target_file_for_a_separately_started_reference_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.toml");
    let mut server = portalcheck()
        .args(["serve-reference", "--port", "0", "--write-target"])
        .arg(&target)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(20), || target.is_file()),
        "serve-reference wrote no target file"
    );
    let filter = [
        "--filter",
        "handshake.",
        "--filter",
        "embedding.",
        "--filter",
        "tenancy.",
    ];
    let standalone = dir.path().join("standalone");
    let out = portalcheck()
        .arg("run")
        .arg("--target")
        .arg(&target)
        .args(filter)
        .arg("--out")
        .arg(&standalone)
        .output()
        .unwrap();
    let in_process = dir.path().join("in-process");
    let out2 = portalcheck()
        .arg("run")
        .args(filter)
        .arg("--out")
        .arg(&in_process)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out2.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out2.stderr)
    );
    let a = read_outcomes(&standalone.join("report.json"));
    let b = read_outcomes(&in_process.join("report.json"));
    assert!(a.len() > 10);
    assert_eq!(a, b);
}

#[test]
fn a_defect_fails_the_run_with_exit_1_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = portalcheck()
        .args([
            "run",
            "--defect",
            "hmac-prefix-compare",
            "--filter",
            "handshake.",
            "--filter",
            "support.",
        ])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let failed: Vec<&serde_json::Value> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["result"]["outcome"]["outcome"] == "fail")
        .collect();
    assert!(!failed.is_empty());
    for s in failed {
        assert!(
            s["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "AUTH-HMAC-TAMPER"),
            "unexpected failure {}",
            s["id"]
        );
        assert!(
            !s["evidence"].as_array().unwrap().is_empty(),
            "failure without evidence: {}",
            s["id"]
        );
    }
    // What a real run wrote (browser evidence, screenshots, support
    // information) validates against the schema `portalcheck schema` prints.
    let schema = portalcheck().arg("schema").output().unwrap();
    let schema: serde_json::Value =
        serde_json::from_slice(&schema.stdout).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json does not match its schema: {errors:#?}"
    );
}

#[test]
fn the_exit_code_table_is_written_once() {
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&reports::ExitCode::markdown_table()),
        "README's exit-code table differs from reports::ExitCode; paste:\n{}",
        reports::ExitCode::markdown_table()
    );
    let out = portalcheck().args(["run", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for code in reports::ExitCode::ALL {
        let line = format!("{:<3} ", code.code());
        assert!(
            help.contains(&line),
            "--help lacks exit code {}: {help}",
            code.code()
        );
    }
}
