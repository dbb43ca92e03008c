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

#[test]
fn contract_prints_contract_md_and_writes_the_shipped_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let out = portalcheck()
        .args(["contract", "--schemas"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shipped = std::fs::read_to_string(root.join("CONTRACT.md")).unwrap();
    assert!(String::from_utf8_lossy(&out.stdout) == shipped);
    for (name, text) in scenarios::contract::doc::schema_files() {
        let written = std::fs::read_to_string(dir.path().join(&name)).unwrap();
        assert_eq!(written, text, "{name}");
        let schema: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert!(schema["$schema"].as_str().unwrap().contains("2020-12"));
    }
}

/// `serve-reference --port 0 --write-target DIR/target.toml` with `extra`
/// arguments, once its target file is written.
fn serve_reference(dir: &Path, extra: &[&str]) -> (std::process::Child, std::path::PathBuf) {
    let target = dir.join("target.toml");
    let server = portalcheck()
        .args(["serve-reference", "--port", "0"])
        .args(extra)
        .arg("--write-target")
        .arg(&target)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(20), || target.is_file()),
        "serve-reference wrote no target file"
    );
    (server, target)
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
    let (mut server, target) = serve_reference(dir.path(), &[]);
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

/// A portal serving a self-signed certificate (what `openssl req -x509`
/// makes), given as the target's `ca_file`: its key is pinned for the
/// harness's client and for Chromium, and the run passes.
#[test]
fn a_self_signed_portal_certificate_works_as_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, target) = serve_reference(dir.path(), &["--self-signed"]);
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("ca_file = \"reference-cert.pem\""), "{text}");
    let out = portalcheck()
        .arg("run")
        .arg("--target")
        .arg(&target)
        .args([
            "--filter",
            "handshake.drift-key-order",
            "--filter",
            "tenancy.replay",
            "--filter",
            "sdk.async-tag-ready",
        ])
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let outcomes = read_outcomes(&dir.path().join("out").join("report.json"));
    assert!(outcomes.len() >= 3, "{outcomes:?}");
}

/// A `ca_file` holding a leaf issued by some CA is refused before anything
/// runs, with what to give instead.
#[test]
fn a_ca_issued_leaf_as_ca_file_says_what_to_give_instead() {
    let dir = tempfile::tempdir().unwrap();
    let ca = fixtures::tls::TestCa::new().unwrap();
    let leaf = ca.issue(&["portal.acme.test"]).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), &leaf.cert_pem).unwrap();
    let target = dir.path().join("target.toml");
    std::fs::write(
        &target,
        "name = \"acme\"\nportal_origin = \"https://portal.acme.test:1\"\nca_file = \"leaf.pem\"\n[provider_state]\n",
    )
    .unwrap();
    let out = portalcheck()
        .arg("run")
        .arg("--target")
        .arg(&target)
        .args(["--filter", "handshake.drift-key-order"])
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("neither a CA nor self-signed"), "{stderr}");
    assert!(stderr.contains("openssl req -x509"), "{stderr}");
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

fn exit_of(args: &[&str]) -> (Option<i32>, String) {
    let out = portalcheck().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_usage_error_exits_64_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // An earlier run's summary: a usage error after --out was checked
    // (the CA file) must not leave it there to be read as this run's.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("summary.md"), "## portalcheck: passed (exit 0)\n").unwrap();
    let out = out.to_str().unwrap();
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "x").unwrap();
    let missing_ca = dir.path().join("missing-ca.toml");
    std::fs::write(
        &missing_ca,
        "name = \"x\"\nportal_origin = \"https://portal.acme.test:1\"\nca_file = \"no-such-ca.pem\"\n[provider_state]\n",
    )
    .unwrap();
    for args in [
        vec!["run", "--level", "maybe", "--out", out],
        vec!["run", "--shard", "-1/2", "--out", out],
        vec!["run", "--shard", "3/2", "--out", out],
        vec!["run", "--shard", "x", "--out", out],
        vec!["run", "--no-such-flag", "--out", out],
        vec!["run", "-j", "0", "--out", out],
        vec!["run", "--browsers", "0", "--out", out],
        vec!["run", "--tag", "nonsense", "--out", out],
        vec!["run", "--target", "/no/such/target.toml", "--out", out],
        vec![
            "run",
            "--target",
            missing_ca.to_str().unwrap(),
            "--out",
            out,
        ],
        vec!["run", "--baseline", "/no/such/baseline.toml", "--out", out],
        vec!["run", "--filter", "x", "--out", a_file.to_str().unwrap()],
        vec!["selftest", "-j", "0"],
        vec!["bench", "--browsers", "0"],
        vec!["no-such-command"],
        vec![],
    ] {
        let (code, err) = exit_of(&args);
        assert_eq!(code, Some(64), "{args:?}: {err}");
        assert!(!err.trim().is_empty(), "{args:?}: no reason given");
    }
    assert!(
        !std::path::Path::new(out).join("report.json").exists(),
        "a usage error ran something"
    );
    assert!(
        !std::path::Path::new(out).join("summary.md").exists(),
        "an earlier run's summary survived"
    );
    for args in [vec!["--help"], vec!["run", "--help"], vec!["--version"]] {
        let out = portalcheck().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
}

/// A TLS server for `portal.acme.test` (from its own CA, written to
/// `dir/ca.pem`) that answers every request with `status`.
fn answering_portal(dir: &Path, status: u16) -> (u16, std::thread::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ca = fixtures::tls::TestCa::new().unwrap();
    std::fs::write(dir.join("ca.pem"), ca.cert_pem()).unwrap();
    let config = ca
        .issue(&["portal.acme.test"])
        .unwrap()
        .server_config()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            // Serves until the test process ends.
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = vec![0u8; 8192];
                    let _ = tls.read(&mut buf).await;
                    let answer = format!(
                        "HTTP/1.1 {status} Nope\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    (port, thread)
}

/// Runs `--target target` into `out` (with a stale report of an earlier,
/// passing run in it) and checks the outputs say why the harness could not run.
fn assert_could_not_start(target: &Path, out: &Path, cause: &str) {
    std::fs::create_dir_all(out).unwrap();
    std::fs::write(out.join("summary.md"), "## portalcheck: passed (exit 0)\n").unwrap();
    std::fs::write(out.join("junit.xml.partial"), "stale").unwrap();
    let started = Instant::now();
    let run = portalcheck()
        .arg("run")
        .arg("--target")
        .arg(target)
        .args([
            "--filter",
            "handshake.drift-key-order",
            "--filter",
            "sdk.async-tag-ready",
        ])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{cause}: {err}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{cause}: took {:?}",
        started.elapsed()
    );
    for name in reports::OUTPUT_FILES {
        assert!(out.join(name).is_file(), "{cause}: {name} missing: {err}");
    }
    assert!(
        !out.join("junit.xml.partial").exists(),
        "{cause}: stale partial file survived"
    );
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    let first = summary.lines().next().unwrap();
    assert!(
        first.contains("incomplete")
            && first.contains("the harness could not run")
            && first.contains(cause),
        "{cause}: first line of summary.md: {first}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["status"]["status"], "incomplete");
    assert_eq!(
        json["scenarios"].as_array().unwrap().len(),
        2,
        "the selection is listed, not run"
    );
}

#[test]
fn a_harness_that_cannot_start_still_writes_all_six_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let write_target = |name: &str, port: u16, extra: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "name = \"{name}\"\nportal_origin = \"https://portal.acme.test:{port}\"\n{extra}"
            ),
        )
        .unwrap();
        path
    };
    // Nothing listens on the port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let target = write_target("unreachable.toml", closed_port, "[provider_state]\n");
    assert_could_not_start(&target, &dir.path().join("out-unreachable"), "unreachable");

    for (status, word) in [(500, "500"), (302, "302")] {
        let sub = dir.path().join(format!("s{status}"));
        std::fs::create_dir_all(&sub).unwrap();
        let (port, _server) = answering_portal(&sub, status);
        let target = sub.join("target.toml");
        std::fs::write(
            &target,
            format!("name = \"answers {status}\"\nportal_origin = \"https://portal.acme.test:{port}\"\nca_file = \"ca.pem\"\n[provider_state]\n"),
        )
        .unwrap();
        assert_could_not_start(&target, &sub.join("out"), word);

        // The same server with a CA that did not issue its certificate.
        let wrong = sub.join("wrong-ca.toml");
        std::fs::write(
            sub.join("other-ca.pem"),
            fixtures::tls::TestCa::new().unwrap().cert_pem(),
        )
        .unwrap();
        std::fs::write(
            &wrong,
            format!("name = \"wrong ca\"\nportal_origin = \"https://portal.acme.test:{port}\"\nca_file = \"other-ca.pem\"\n[provider_state]\n"),
        )
        .unwrap();
        if status == 500 {
            assert_could_not_start(&wrong, &sub.join("out-wrong-ca"), "unreachable");
            // A target file that parses but is not valid: its secret is not set.
            let no_secret = sub.join("no-secret.toml");
            std::fs::write(
                &no_secret,
                format!("name = \"no secret\"\nportal_origin = \"https://portal.acme.test:{port}\"\nca_file = \"ca.pem\"\n[provider_state]\ntoken_env = \"PORTALCHECK_TEST_UNSET_TOKEN\"\n"),
            )
            .unwrap();
            assert_could_not_start(&no_secret, &sub.join("out-no-secret"), "UNSET");
        }
    }
}
