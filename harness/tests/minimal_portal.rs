//! The minimal Python portal (`examples/minimal-portal/`) against the whole
//! catalogue: a CA and a leaf made here, `portal.py` started on a free port,
//! the shipped `target.toml` pointed at it, and the `portalcheck` binary run
//! as a user would. One run serves both tests: the catalogue passes, and no
//! secret or session token the portal handled shows in any output.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use fixtures::tls::TestCa;

const HOST: &str = "portal.minimal.test";
const TOKEN_ENV: &str = "MINIMAL_PORTAL_PROVIDER_TOKEN";

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/minimal-portal")
}

/// `portal.py`, killed when dropped.
struct Portal {
    child: Child,
    port: u16,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Portal {
    /// Start it on a free port and wait until it listens (its first line
    /// names the port once the socket is bound), then until it accepts.
    fn start(dir: &Path, token: &str, record: &Path) -> Portal {
        let python = Command::new("python3")
            .arg("--version")
            .output()
            .map(|o| o.status.success());
        assert!(
            matches!(python, Ok(true)),
            "python3 is needed to run the minimal portal: apt-get install -y python3"
        );
        let mut child = Command::new("python3")
            .arg(example_dir().join("portal.py"))
            .args(["--host", HOST, "--port", "0", "--cert"])
            .arg(dir.join("leaf.pem"))
            .arg("--key")
            .arg(dir.join("key.pem"))
            .arg("--record-secrets")
            .arg(record)
            .env(TOKEN_ENV, token)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut portal = Portal { child, port: 0 };
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("portal.py prints the address it listens on");
        let origin = line
            .split_whitespace()
            .find(|w| w.starts_with("https://"))
            .unwrap_or_else(|| panic!("no origin in {line:?}"));
        portal.port = origin
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", portal.port)).is_err() {
            assert!(Instant::now() < deadline, "portal.py never accepted");
            assert!(
                portal.child.try_wait().ok().flatten().is_none(),
                "portal.py exited"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        portal
    }
}

/// What one run against the portal left behind.
struct RunOutcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// Every output file's name and text.
    outputs: Vec<(String, String)>,
    /// `KIND VALUE`: the provider-state token and every secret and session
    /// token the portal handled.
    secrets: Vec<String>,
}

fn run_catalogue() -> RunOutcome {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new().expect("a CA");
    let leaf = ca.issue(&[HOST]).expect("a leaf");
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), &leaf.key_pem).unwrap();
    let token = hex::encode(rand::random::<[u8; 16]>());
    let record = dir.path().join("secrets.txt");
    let portal = Portal::start(dir.path(), &token, &record);

    // The shipped target file, with the port this run got and the CA made here.
    let shipped = std::fs::read_to_string(example_dir().join("target.toml")).unwrap();
    let origin = format!("\"https://{HOST}:8443\"");
    assert!(
        shipped.contains(&origin) && shipped.contains("\"certs/ca.pem\""),
        "target.toml changed: the test fills in its origin and ca_file"
    );
    let target = shipped
        .replace(&origin, &format!("\"https://{HOST}:{}\"", portal.port))
        .replace("\"certs/ca.pem\"", "\"ca.pem\"");
    let target_path = dir.path().join("target.toml");
    std::fs::write(&target_path, target).unwrap();

    let out_dir = dir.path().join("out");
    let started = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_portalcheck"))
        .arg("run")
        .arg("--target")
        .arg(&target_path)
        .arg("--out")
        .arg(&out_dir)
        .env(TOKEN_ENV, &token)
        .output()
        .expect("portalcheck runs");
    let elapsed = started.elapsed();
    drop(portal);
    eprintln!(
        "minimal portal: the whole catalogue took {:.1} s",
        elapsed.as_secs_f64()
    );

    let mut outputs = Vec::new();
    for entry in std::fs::read_dir(&out_dir).expect("the run wrote its outputs") {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            outputs.push((
                name,
                String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
            ));
        }
    }
    let mut secrets = vec![format!("provider-token {token}")];
    secrets.extend(
        std::fs::read_to_string(&record)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    RunOutcome {
        code: run.status.code(),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
        elapsed,
        outputs,
        secrets,
    }
}

fn outcome() -> &'static RunOutcome {
    static RUN: OnceLock<RunOutcome> = OnceLock::new();
    RUN.get_or_init(run_catalogue)
}

/// Scenarios the minimal portal gives nothing to try, each skipped for its
/// stated reason: its frame talks to the SDK over a `MessagePort` only, so
/// there is no window message of the frame's for a foreign window to
/// replay (`sdk.foreign-window-messages-ignored`).
const NOT_APPLICABLE: &[&str] = &[
    "sdk.foreign-window-messages-ignored",
    "sdk.frame-ignores-foreign-messages",
];

#[test]
fn the_whole_catalogue_passes_against_the_minimal_portal() {
    let run = outcome();
    // The progress lines (stderr) say what each failure expected and saw.
    let progress = format!("{}\n{}", run.stdout, run.stderr);
    let mut not_passed = Vec::new();
    let mut in_failure = false;
    for line in progress.lines() {
        in_failure = line.starts_with("FAIL")
            || line.starts_with("ERROR")
            || line.starts_with("SKIP")
            || (in_failure && line.starts_with(' '));
        if in_failure {
            not_passed.push(line);
        }
    }
    assert_eq!(
        run.code,
        Some(0),
        "portalcheck against the minimal portal ({:.0} s):\n{}\n--- output tail\n{}",
        run.elapsed.as_secs_f64(),
        not_passed.join("\n"),
        tail(&progress, 30)
    );
    let report = run
        .outputs
        .iter()
        .find(|(name, _)| name == "report.json")
        .map(|(_, text)| {
            serde_json::from_str::<serde_json::Value>(text).expect("report.json is JSON")
        })
        .expect("report.json was written");
    let outcomes: Vec<(String, String)> = report["scenarios"]
        .as_array()
        .expect("scenarios in report.json")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_string(),
                s["result"]["outcome"]["outcome"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let catalogue = scenarios::catalogue::scenarios();
    assert_eq!(
        outcomes.len(),
        catalogue.len(),
        "every scenario of the catalogue ran"
    );
    let other: Vec<&(String, String)> = outcomes
        .iter()
        .filter(|(id, o)| o != "pass" && !(o == "skipped" && NOT_APPLICABLE.contains(&id.as_str())))
        .collect();
    assert!(
        other.is_empty(),
        "scenarios that did not pass (skipped ones included): {other:?}"
    );
    // The skips allowed are skips for the stated reason, not for another.
    for id in NOT_APPLICABLE {
        let reason = report["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["id"] == *id && s["result"]["outcome"]["outcome"] == "skipped")
            .map(|s| {
                s["result"]["outcome"]["reason"]
                    .as_str()
                    .unwrap_or("no reason")
            })
            .unwrap_or_default()
            .to_string();
        assert!(
            reason.is_empty()
                || reason.contains(scenarios::sections::sdk_messages::NOTHING_TO_REPLAY),
            "{id} skipped for another reason: {reason}"
        );
    }
    for expected in [
        "junit.xml",
        "report.sarif",
        "report.html",
        "summary.md",
        "events.jsonl",
    ] {
        assert!(
            run.outputs.iter().any(|(name, _)| name == expected),
            "{expected} was written"
        );
    }
}

#[test]
fn no_secret_or_session_token_shows_in_any_output() {
    let run = outcome();
    assert!(
        run.secrets.len() > 10,
        "the portal recorded the secrets and tokens it handled ({} values)",
        run.secrets.len()
    );
    // Each recorded line is `KIND VALUE` (KIND: provider-token, secret, session-token).
    let mut leaks = std::collections::BTreeMap::<(&str, &str), usize>::new();
    for (name, text) in &run.outputs {
        for (kind, value) in run.secrets.iter().filter_map(|l| l.split_once(' ')) {
            if text.contains(value) {
                *leaks.entry((name.as_str(), kind)).or_default() += 1;
            }
        }
    }
    let leaks: Vec<String> = leaks
        .iter()
        .map(|((name, kind), n)| format!("{name}: {n} distinct {kind} value(s)"))
        .collect();
    assert!(
        leaks.is_empty(),
        "secrets or session tokens in the outputs:\n{}",
        leaks.join("\n")
    );
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
