//! Killing a run mid-way (SIGTERM, then SIGKILL) leaves no Chromium
//! behind. Its own test binary, so no other test's browsers are counted.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn portalcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portalcheck"))
}

/// Chromium processes started from a portalcheck profile folder.
fn our_chromiums() -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains("portalcheck-chromium-") {
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

fn kill_mid_run(signal: i32) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = portalcheck()
        .args(["run", "--tag", "browser", "--browsers", "2"])
        .arg("--out")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert!(
        wait_until(Duration::from_secs(30), || !our_chromiums().is_empty()),
        "no browser ever started"
    );
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(pid, signal);
    }
    let _ = child.wait();
    assert!(
        wait_until(Duration::from_secs(10), || our_chromiums().is_empty()),
        "browsers left behind after signal {signal}: {:?}",
        our_chromiums()
    );
}

#[test]
fn killing_a_run_leaves_no_browser_behind() {
    // One test for both signals: they must not overlap with each other.
    kill_mid_run(libc::SIGTERM);
    kill_mid_run(libc::SIGKILL);
}
