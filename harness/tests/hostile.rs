//! Hostile and dead targets: a sabotaging TLS front before the bundled
//! reference (every path it does not sabotage is forwarded, with the
//! reference's origin rewritten to the front's), and a tarpit that accepts
//! TCP and never answers. Each case runs `portalcheck run --target` on a
//! small `--filter` selection and checks the exit code, the cause and the
//! time; no scenario may pass where its premise did not hold.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fixtures::reference::{ReferenceConfig, ReferencePortal, RunningPortal};
use fixtures::tls::client::HttpsClient;
use fixtures::tls::TestCa;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

const HOST: &str = "portal.userhero.test";
const TOKEN_ENV: &str = "HOSTILE_PROVIDER_TOKEN";

/// What the front does instead of forwarding.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sabotage {
    /// `/api/*` never answers.
    HangApi,
    /// The provider-state endpoint never answers.
    HangProviderState,
    /// `/api/*` answers 500.
    ServerErrorApi,
    /// The provider-state endpoint answers 200 with HTML.
    NonJsonProviderState,
    /// `/api/*` answers 50 MB.
    HugeApi,
    /// `/embed` redirects to itself.
    RedirectLoopEmbed,
    /// portal.js runs `while (true) {}`.
    HungRenderer,
    /// portal.js navigates the top window away.
    TopNavigation,
    /// portal.js opens one `alert` after another.
    AlertLoop,
}

/// The answer the front gives instead of forwarding, if any; `Err(())`
/// means never answer.
fn sabotaged(sabotage: Sabotage, path: &str) -> Option<Result<Response<Full<Bytes>>, ()>> {
    let api = path.starts_with("/api/");
    let state = path.starts_with("/_provider/state");
    let respond = |status: u16, kind: &str, body: Vec<u8>| {
        Some(Ok(Response::builder()
            .status(status)
            .header("content-type", kind)
            .body(Full::new(Bytes::from(body)))
            .unwrap()))
    };
    match sabotage {
        Sabotage::HangApi if api => Some(Err(())),
        Sabotage::HangProviderState if state => Some(Err(())),
        Sabotage::ServerErrorApi if api => {
            respond(500, "application/json", br#"{"error":"internal"}"#.to_vec())
        }
        Sabotage::NonJsonProviderState if state => {
            respond(200, "text/html", b"<html>maintenance</html>".to_vec())
        }
        Sabotage::HugeApi if api => respond(200, "application/json", vec![b' '; 50 * 1024 * 1024]),
        Sabotage::RedirectLoopEmbed if path.starts_with("/embed") => Some(Ok(Response::builder()
            .status(302)
            .header("location", path)
            .body(Full::new(Bytes::new()))
            .unwrap())),
        Sabotage::HungRenderer if path.starts_with("/portal.js") => respond(
            200,
            "text/javascript",
            b"window.UserHero = window.UserHero || function () {}; while (true) {}".to_vec(),
        ),
        Sabotage::TopNavigation if path.starts_with("/portal.js") => respond(
            200,
            "text/javascript",
            b"top.location = 'https://canary.test:1/hijacked';".to_vec(),
        ),
        Sabotage::AlertLoop if path.starts_with("/portal.js") => respond(
            200,
            "text/javascript",
            b"window.UserHero = window.UserHero || function () {}; setTimeout(function () { for (;;) { alert('portalcheck'); } }, 0);".to_vec(),
        ),
        _ => None,
    }
}

struct Hostile {
    _reference: RunningPortal,
    addr: SocketAddr,
    token: String,
    ca_pem: String,
}

/// The reference behind a sabotaging front.
async fn hostile(sabotage: Sabotage) -> Hostile {
    let ca = TestCa::new().unwrap();
    let cert = ca.issue(&[HOST]).unwrap();
    let token = "hostile-token-0123456789".to_string();
    let mut config = ReferenceConfig::new(cert.server_config().unwrap());
    config.host = HOST.into();
    config.provider_state_token = Some(token.clone());
    let reference = ReferencePortal::start(config).await.unwrap();
    let upstream = HttpsClient::new(ca.cert_der(), reference.tls_addr(), HOST).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let from = reference.origin().to_string();
    let to = format!("https://{HOST}:{}", addr.port());
    let acceptor = tokio_rustls::TlsAcceptor::from(cert.server_config().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
            let (from, to) = (from.clone(), to.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (upstream, from, to) = (upstream.clone(), from.clone(), to.clone());
                        async move { forward(sabotage, req, &upstream, &from, &to).await }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Hostile {
        _reference: reference,
        addr,
        token,
        ca_pem: ca.cert_pem(),
    }
}

async fn forward(
    sabotage: Sabotage,
    req: Request<hyper::body::Incoming>,
    upstream: &HttpsClient,
    from: &str,
    to: &str,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    match sabotaged(sabotage, &path) {
        Some(Ok(response)) => return Ok(response),
        Some(Err(())) => return std::future::pending().await,
        None => {}
    }
    let method = req.method().to_string();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "host" | "content-length"))
        .map(|(n, v)| {
            (
                n.to_string(),
                String::from_utf8_lossy(v.as_bytes()).replace(to, from),
            )
        })
        .collect();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let Ok(answer) = upstream.send(&method, &path, &refs, body.to_vec()).await else {
        return Ok(Response::builder()
            .status(502)
            .body(Full::new(Bytes::new()))
            .unwrap());
    };
    let mut response = Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            response = response.header(name.as_str(), value.replace(from, to));
        }
    }
    let text = String::from_utf8_lossy(&answer.body).replace(from, to);
    Ok(response.body(Full::new(Bytes::from(text))).unwrap())
}

/// What one run gave.
struct Run {
    code: Option<i32>,
    took: Duration,
    report: Value,
    summary: String,
    stderr: String,
}

impl Run {
    fn outcomes(&self) -> Vec<(String, String)> {
        self.report["scenarios"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|s| {
                        (
                            s["id"].as_str().unwrap_or_default().to_string(),
                            s["result"]["outcome"]["outcome"]
                                .as_str()
                                .unwrap_or("none")
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn passes(&self) -> Vec<String> {
        self.outcomes()
            .into_iter()
            .filter(|(_, o)| o == "pass")
            .map(|(id, _)| id)
            .collect()
    }
}

/// `portalcheck run --target` against `origin` with `filters`.
async fn run(origin: &str, ca_pem: &str, token: &str, filters: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca_pem).unwrap();
    let target = dir.path().join("target.toml");
    std::fs::write(
        &target,
        format!(
            "name = \"hostile\"\nportal_origin = \"{origin}\"\nca_file = \"ca.pem\"\n\n[provider_state]\ntoken_env = \"{TOKEN_ENV}\"\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_portalcheck"));
    command
        .arg("run")
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&out)
        .env(TOKEN_ENV, token)
        .kill_on_drop(true);
    for f in filters {
        command.args(["--filter", f]);
    }
    let started = Instant::now();
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the run ended within 120 s")
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let report = serde_json::from_str(&read("report.json")).unwrap_or(Value::Null);
    let run = Run {
        code: output.status.code(),
        took,
        report,
        summary: read("summary.md"),
        stderr,
    };
    eprintln!(
        "{filters:?}: exit {:?} in {:.1} s; {:?}",
        run.code,
        took.as_secs_f64(),
        run.outcomes()
    );
    run
}

async fn run_hostile(sabotage: Sabotage, filters: &[&str]) -> Run {
    let front = hostile(sabotage).await;
    let origin = format!("https://{HOST}:{}", front.addr.port());
    run(&origin, &front.ca_pem, &front.token, filters).await
}

fn assert_stopped(run: &Run, cause: &str) {
    // Timings are printed, never asserted; `run` bounds every run at 120 s.
    eprintln!("stopped after {:.1} s", run.took.as_secs_f64());
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    let first = run.summary.lines().next().unwrap_or_default();
    assert!(
        first.contains(cause),
        "the summary's first line does not name `{cause}`: {first}\n{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_that_accepts_tcp_and_never_answers_ends_in_seconds() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let ca = TestCa::new().unwrap();
    let run = run(
        &format!("https://portal.tarpit.test:{port}"),
        &ca.cert_pem(),
        "t",
        &["handshake.valid"],
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr.contains("TLS handshake"),
        "the cause is not named: {}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_provider_state_stops_the_run_with_its_cause() {
    let run = run_hostile(Sabotage::HangProviderState, &["handshake"]).await;
    assert_stopped(&run, "does not answer");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
    assert!(run.outcomes().iter().any(|(_, o)| o == "not_run"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_api_stops_the_run_and_nothing_passes_on_it() {
    let run = run_hostile(
        Sabotage::HangApi,
        &["handshake", "blank-panel.frame-src-blocked"],
    )
    .await;
    assert_stopped(&run, "does not answer");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_state_answering_html_is_an_error_not_success() {
    let run = run_hostile(Sabotage::NonJsonProviderState, &["handshake"]).await;
    assert_stopped(&run, "not JSON");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_api_bodies_stop_the_run_within_seconds() {
    let run = run_hostile(Sabotage::HugeApi, &["handshake"]).await;
    assert_stopped(&run, "over the limit");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constant_time_compare_does_not_pass_on_an_all_500_api() {
    let run = run_hostile(
        Sabotage::ServerErrorApi,
        &["handshake.constant-time-compare"],
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert_eq!(
        run.outcomes(),
        [(
            "handshake.constant-time-compare".to_string(),
            "error".to_string()
        )]
    );
    assert!(
        run.report.to_string().contains("premise does not hold"),
        "{}",
        run.report
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_on_embed_is_no_frame_ancestors_refusal() {
    let run = run_hostile(
        Sabotage::RedirectLoopEmbed,
        &[
            "embedding.http-parent-refused",
            "embedding.foreign-parent-refused",
        ],
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_renderer_stops_the_run_within_a_minute() {
    let run = run_hostile(Sabotage::HungRenderer, &["sdk", "embedding"]).await;
    assert_stopped(&run, "the page hangs");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
    assert!(run.outcomes().iter().any(|(_, o)| o == "not_run"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_loop_stops_the_run_with_its_cause() {
    let run = run_hostile(Sabotage::AlertLoop, &["sdk", "embedding"]).await;
    assert_stopped(&run, "dialogs");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_navigating_the_top_window_is_reported_as_such() {
    let run = run_hostile(Sabotage::TopNavigation, &["sdk"]).await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    let text = run.report.to_string();
    assert!(text.contains("navigated the top window"), "{text}");
    assert!(!text.contains("certificate refused"), "{text}");
    assert!(run.passes().is_empty(), "passed: {:?}", run.passes());
}
