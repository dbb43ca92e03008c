//! Firefox and WebKit run the whole catalogue against the bundled
//! reference: every outcome is a pass that says what it observed, or an
//! error with its reason (never a silent pass); Firefox passes all, WebKit
//! (its requests seen by the names proxy's tap) all but what needs the
//! portal frame's console; the report names its engine, the certificate
//! trust and what of the browser was observed. A geckodriver started apart from the harness
//! (`--webdriver URL`) works through the names proxy (`--proxy-bind`).
//! A run on several engines writes the engine matrix (`OUT/index.html`,
//! `OUT/engines.md`) above their own report directories.
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
/// with a reason, or skipped because the engine is not installed; `count`
/// scenarios in all.
fn assert_observed_or_said_why(report: &Path, engine: &str, count: usize) -> Value {
    let text = std::fs::read_to_string(report).unwrap_or_else(|e| panic!("{report:?}: {e}"));
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["meta"]["engine"], engine,
        "{report:?} names its engine"
    );
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), count, "{report:?}");
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

/// The outcomes of a report's scenarios other than pass, with their reasons.
fn not_passed(json: &Value) -> Vec<(String, String, String)> {
    json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["result"]["outcome"]["outcome"] != "pass")
        .map(|s| {
            let outcome = &s["result"]["outcome"];
            (
                s["meta"]["id"].as_str().unwrap_or_default().to_string(),
                outcome["outcome"].as_str().unwrap_or_default().to_string(),
                outcome["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The whole catalogue against the clean reference on Firefox and WebKit:
/// Firefox (observed through WebDriver BiDi) passes every scenario; WebKit,
/// whose requests only the names proxy's tap sees, passes every scenario
/// but those that need the portal frame's console or a listener in it the
/// page cannot see, which are incomplete and say so. The engine matrix lists each difference with WebKit's
/// reason.
#[test]
fn the_clean_reference_on_firefox_and_webkit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = portalcheck()
        .args(["run", "--browser", "firefox", "--browser", "webkit"])
        // The engines' own default: one session per core
        // (`harness::cli::run_browsers`).
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(status.code().is_some(), "the run ended by itself");
    let count = scenarios::scenarios().len();
    for engine in ["firefox", "webkit"] {
        let json =
            assert_observed_or_said_why(&out.join(engine).join("report.json"), engine, count);
        let others = not_passed(&json);
        if others.iter().all(|(_, outcome, _)| outcome == "skipped") && !others.is_empty() {
            eprintln!("engines: {engine} is not installed here; its scenarios were SKIPPED");
            continue;
        }
        assert!(
            json["meta"]["browser_trust"].is_string(),
            "{engine}: the report says which certificate trust was used"
        );
        let observation = json["meta"]["browser_observation"].as_str().unwrap_or("");
        assert!(
            observation.contains(if engine == "firefox" { "BiDi" } else { "tap" }),
            "{engine}: the report says what of the browser was observed: {observation:?}"
        );
        match engine {
            "firefox" => assert!(others.is_empty(), "firefox: {others:#?}"),
            _ => {
                for (id, outcome, reason) in &others {
                    assert_eq!(outcome, "error", "webkit {id}: {reason}");
                    assert!(
                        reason.contains("portal frame's console")
                            || reason.contains(
                                scenarios::sections::sdk_messages::NO_FRAME_RECORDER
                            ),
                        "webkit {id} is incomplete only for want of the frame's console or an isolated world in it: {reason}"
                    );
                }
            }
        }
    }
    // The engine matrix above the engines' directories.
    let index = std::fs::read_to_string(out.join("index.html")).expect("OUT/index.html");
    let matrix = std::fs::read_to_string(out.join("engines.md")).expect("OUT/engines.md");
    for engine in ["firefox", "webkit"] {
        assert!(
            index.contains(&format!("<a href=\"{engine}/report.html\">{engine}</a>")),
            "index.html links {engine}'s report"
        );
        assert!(matrix.contains(&format!("| `{engine}` |")), "{matrix}");
    }
    assert!(
        matrix.contains("## Differences between engines"),
        "{matrix}"
    );
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
    let json = assert_observed_or_said_why(&out.join("report.json"), "firefox", 2);
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
