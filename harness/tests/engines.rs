//! Firefox and WebKit run a small filter against the bundled reference:
//! every outcome is a pass that says what it observed, or an error with
//! its reason (never a silent pass); the report names its engine and the
//! certificate trust used. A geckodriver started apart from the harness
//! (`--webdriver URL`) works through the names proxy (`--proxy-bind`).
//! `scripts/ensure-browser all` installs the engines; a missing engine
//! makes its scenarios "skipped" with the install command, which this
//! test accepts only with that reason.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const FILTER: [&str; 4] = [
    "--filter",
    "handshake.browser-wrong-secret",
    "--filter",
    "theming.allowed-variable-applies",
];

fn portalcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portalcheck"))
}

/// Every scenario of `report` is a pass with what it checked, an error
/// with a reason, or skipped because the engine is not installed.
fn assert_observed_or_said_why(report: &Path, engine: &str) -> Value {
    let text = std::fs::read_to_string(report).unwrap_or_else(|e| panic!("{report:?}: {e}"));
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["meta"]["engine"], engine,
        "{report:?} names its engine"
    );
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2, "{report:?}");
    for s in scenarios {
        let outcome = &s["result"]["outcome"];
        match outcome["outcome"].as_str().unwrap() {
            "pass" => assert!(
                !outcome["checked"].as_array().unwrap().is_empty(),
                "a pass on {engine} says what it observed: {s}"
            ),
            "error" => assert!(
                !outcome["reason"].as_str().unwrap_or_default().is_empty(),
                "an error on {engine} says why: {s}"
            ),
            "skipped" => assert!(
                outcome["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("install it with"),
                "only a missing engine skips: {s}"
            ),
            other => panic!("{engine}: unexpected outcome {other}: {s}"),
        }
    }
    json
}

#[test]
fn firefox_and_webkit_observe_or_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = portalcheck()
        .args(["run", "--browser", "firefox", "--browser", "webkit"])
        .args(FILTER)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(status.code().is_some(), "the run ended by itself");
    for engine in ["firefox", "webkit"] {
        let json = assert_observed_or_said_why(&out.join(engine).join("report.json"), engine);
        let ran = json["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["result"]["outcome"]["outcome"] != "skipped");
        if ran {
            assert!(
                json["meta"]["browser_trust"].is_string(),
                "{engine}: the report says which certificate trust was used"
            );
        } else {
            eprintln!("engines: {engine} is not installed here; its scenarios were SKIPPED");
        }
    }
    if let Some(trust) = std::fs::read_to_string(out.join("firefox/report.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|j| j["meta"]["browser_trust"].as_str().map(str::to_string))
    {
        if which("certutil") {
            assert!(
                trust.contains("exactly the run's CA"),
                "with certutil, Firefox trusts exactly the run's CA: {trust}"
            );
        }
    }
}

fn which(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

/// A geckodriver the test starts, apart from the harness: the harness
/// opens its session there and the browser reaches the mocked hosts only
/// through the names proxy on the bind address given.
#[test]
fn a_driver_started_apart_reaches_the_world_through_the_proxy() {
    let gecko = std::env::var_os("HOME")
        .map(|h| Path::new(&h).join(".cargo/bin/geckodriver"))
        .filter(|p| p.is_file())
        .or_else(|| which("geckodriver").then(|| "geckodriver".into()));
    let (Some(gecko), true) = (gecko, which("firefox-esr")) else {
        eprintln!("engines: geckodriver or firefox-esr missing; remote test SKIPPED (scripts/ensure-browser firefox)");
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let profiles = tempfile::tempdir().unwrap();
    let mut driver = Command::new(gecko)
        .arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .arg(format!("--profile-root={}", profiles.path().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(driver.try_wait().unwrap().is_none(), "geckodriver exited");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "geckodriver never listened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _driver = Kill(driver);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = portalcheck()
        .args(["run", "--browser", "firefox", "--browsers", "1"])
        .arg("--webdriver")
        .arg(format!("http://127.0.0.1:{port}"))
        .args(["--proxy-bind", "127.0.0.1:0"])
        .args(FILTER)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(status.code().is_some());
    let json = assert_observed_or_said_why(&out.join("report.json"), "firefox");
    assert!(
        json["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["result"]["outcome"]["outcome"] == "pass"),
        "through the proxy the remote browser reached the mocked hosts: {}",
        json["scenarios"]
    );
    assert!(
        json["meta"]["driver"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("127.0.0.1:{port}")),
        "the session was on the driver started apart: {}",
        json["meta"]
    );
    assert!(
        json["meta"]["browser_trust"]
            .as_str()
            .unwrap_or_default()
            .contains("any certificate"),
        "a remote Firefox has no profile of ours: the report says it accepted any certificate"
    );
}
