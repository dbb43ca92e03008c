//! Killing a run mid-way (SIGTERM, then SIGKILL) leaves no Chromium
//! behind. Its own test binary, so no other test's browsers are counted.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn portalcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portalcheck"))
}

/// Chromium processes started from a portalcheck profile folder under
/// `tmp` (other runs on the machine are not ours to count).
fn our_chromiums(tmp: &std::path::Path) -> Vec<String> {
    let marker = format!("{}/portalcheck-chromium-", tmp.display());
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(&marker) {
                found.push(format!(
                    "{}: {}",
                    entry.file_name().to_string_lossy(),
                    &text[..text.len().min(120)]
                ));
            }
        }
    }
    found
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

/// Start a browser run, signal it once a browser is up, wait for it to
/// end; returns its exit code, its output folder, its TMPDIR and how long
/// it took to end after the signal.
fn kill_mid_run(signal: i32) -> (Option<i32>, tempfile::TempDir, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = portalcheck()
        .args(["run", "--tag", "browser", "--browsers", "2"])
        .arg("--out")
        .arg(dir.path().join("out"))
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert!(
        wait_until(Duration::from_secs(30), || !our_chromiums(&tmp).is_empty()),
        "no browser ever started"
    );
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(pid, signal);
    }
    let signalled = Instant::now();
    let status = child.wait().unwrap();
    let took = signalled.elapsed();
    assert!(
        wait_until(Duration::from_secs(10), || our_chromiums(&tmp).is_empty()),
        "browsers left behind after signal {signal}: {:?}",
        our_chromiums(&tmp)
    );
    (status.code(), dir, took)
}

#[test]
fn killing_a_run_leaves_no_browser_behind() {
    // One test for both signals: they must not overlap with each other.
    let (code, dir, took) = kill_mid_run(libc::SIGTERM);
    eprintln!("SIGTERM: the run ended {took:?} after the signal");
    // An interrupted run writes every report for what finished, marks the
    // rest not run with the cause, and is incomplete.
    assert_eq!(code, Some(3));
    let out = dir.path().join("out");
    for name in [
        "report.json",
        "junit.xml",
        "report.sarif",
        "report.html",
        "summary.md",
        "events.jsonl",
    ] {
        assert!(out.join(name).is_file(), "{name} was not written");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["status"]["status"], "incomplete");
    let interrupted = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["result"]["outcome"]["outcome"] == "not_run")
        .inspect(|s| assert_eq!(s["result"]["outcome"]["cause"], "interrupted"))
        .count();
    assert!(interrupted > 0, "no scenario is marked not run");
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary
            .lines()
            .next()
            .unwrap_or_default()
            .contains("interrupted"),
        "{summary}"
    );
    // Nothing of the browser's is left in TMPDIR (profiles, and Chromium's
    // own `org.chromium.Chromium.*` folders).
    let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");

    let (code, _dir, _) = kill_mid_run(libc::SIGKILL);
    assert_eq!(code, None, "SIGKILL ends the process");
}
