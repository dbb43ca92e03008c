//! A reused Chromium session keeps nothing from one page to the next: the
//! storage a framed third-party document wrote (partitioned under the top
//! page's site, where clearing by origin does not reach) and the top
//! page's own, even for origins `reset` was not told; and a page that used
//! more storage keys than a reset clears in place spends its session.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use harness::browser::process::LaunchOptions;
use harness::browser::session::BrowserSession;
use harness::browser::BrowserBinaries;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Writes `key` into this document's local and session storage and says
/// what was there before (`null`: nothing).
const WRITE_AND_READ: &str = r#"
var before = [localStorage.getItem('portalcheck-left'), sessionStorage.getItem('portalcheck-left')];
localStorage.setItem('portalcheck-left', location.origin);
sessionStorage.setItem('portalcheck-left', location.origin);
return before;
"#;

fn html(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!("<!doctype html><html><body>{body}</body></html>").into_bytes(),
        "text/html; charset=utf-8",
    )
}

/// Each of `client`'s top page and its one iframe: what they held before
/// writing.
async fn write_and_read(client: &Client, top: &str) -> (Value, Value) {
    client.goto(top).await.unwrap();
    let frame = match client.find(Locator::Css("iframe")).await {
        Ok(frame) => frame,
        Err(e) => panic!(
            "no iframe on {:?} ({:?}): {e}",
            client.current_url().await,
            client.source().await
        ),
    };
    let in_top = client.execute(WRITE_AND_READ, vec![]).await.unwrap();
    frame.enter_frame().await.unwrap();
    // The frame's document arrives after the top one's load: poll for it.
    let started = Instant::now();
    let in_frame = loop {
        let origin = client
            .execute("return location.origin;", vec![])
            .await
            .unwrap();
        if origin.as_str().is_some_and(|o| o.contains("localhost")) {
            break client.execute(WRITE_AND_READ, vec![]).await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the framed document never loaded: {origin}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    client.enter_parent_frame().await.unwrap();
    (in_top, in_frame)
}

/// A server whose `/top.html` is the body `top(port)` and whose
/// `/frame.html` is a plain document, and a Chromium session.
async fn serve_and_start(top: impl Fn(u16) -> String) -> (MockServer, BrowserSession) {
    let Ok(bins) = BrowserBinaries::locate() else {
        panic!("no Chromium: install it with `apt-get install -y chromium chromium-driver`");
    };
    let server = MockServer::start().await;
    let port = server.address().port();
    Mock::given(method("GET"))
        .and(path("/top.html"))
        .respond_with(html(&top(port)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/frame.html"))
        .respond_with(html("framed"))
        .mount(&server)
        .await;
    let session = BrowserSession::start(&bins, &LaunchOptions::pinned(Vec::new()))
        .await
        .expect("start Chromium");
    (server, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_leaves_no_storage_of_any_document() {
    // 127.0.0.1 and localhost are two sites: the frame is third-party and
    // its storage is partitioned under the top page's site.
    let (server, session) = serve_and_start(|port| {
        format!(r#"<iframe src="http://localhost:{port}/frame.html"></iframe>"#)
    })
    .await;
    let top = format!("http://127.0.0.1:{}/top.html", server.address().port());
    session.reset(&[]).await.unwrap();
    let first = write_and_read(&session.client, &top).await;
    assert_eq!(first, (json!([null, null]), json!([null, null])));
    // Premise: without a reset, the storage is there to be found.
    let kept = write_and_read(&session.client, &top).await;
    assert_ne!(
        kept.1,
        json!([null, null]),
        "the frame could not keep storage"
    );
    assert_ne!(
        kept.0[0],
        json!(null),
        "the top page could not keep storage"
    );

    // No origin named: the reset clears what the browser said it committed.
    session.reset(&[]).await.unwrap();
    let after = write_and_read(&session.client, &top).await;
    session.close().await;
    assert_eq!(
        after,
        (json!([null, null]), json!([null, null])),
        "storage survived the reset (top page, framed document)"
    );
}

/// A page whose documents used more storage keys than a reset clears in
/// place (a hostile portal framing many origins) leaves a session that is
/// not reused: the reset says why, and the pool replaces the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_with_too_many_storage_keys_spends_the_session() {
    // 300 origins of one site (`many.test`): one renderer, 300 storage keys.
    let (server, session) = serve_and_start(|port| {
        (0..300)
            .map(|i| format!(r#"<iframe src="http://o{i}.many.test:{port}/frame.html"></iframe>"#))
            .collect()
    })
    .await;
    let port = server.address().port();
    session.reset(&[]).await.unwrap();
    assert!(session.reusable(), "premise: a fresh session is reusable");
    session
        .client
        .goto(&format!("http://127.0.0.1:{port}/top.html"))
        .await
        .unwrap();
    // Every frame's document has loaded once the top page's load fired.
    let loaded = session
        .client
        .execute("return document.readyState;", vec![])
        .await
        .unwrap();
    assert_eq!(loaded, json!("complete"));
    let started = Instant::now();
    while session.reusable() && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !session.reusable(),
        "a session holding 300 storage keys is still offered for reuse"
    );
    let refused = session.reset(&[]).await;
    assert!(refused.is_err(), "the reset cleared 300 keys in place");
    assert!(
        !session.reusable(),
        "the session is reused after the refusal"
    );
    session.close().await;
}
