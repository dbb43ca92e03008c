//! A reused Chromium session keeps nothing from one page to the next: the
//! storage a framed third-party document wrote (partitioned under the top
//! page's site, where clearing by origin does not reach) and the top
//! page's own, even for origins `reset` was not told.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_leaves_no_storage_of_any_document() {
    let Ok(bins) = BrowserBinaries::locate() else {
        panic!("no Chromium: install it with `apt-get install -y chromium chromium-driver`");
    };
    // 127.0.0.1 and localhost are two sites: the frame is third-party and
    // its storage is partitioned under the top page's site.
    let server = MockServer::start().await;
    let port = server.address().port();
    Mock::given(method("GET"))
        .and(path("/top.html"))
        .respond_with(html(&format!(
            r#"<iframe src="http://localhost:{port}/frame.html"></iframe>"#
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/frame.html"))
        .respond_with(html("framed"))
        .mount(&server)
        .await;
    let top = format!("http://127.0.0.1:{port}/top.html");
    let session = BrowserSession::start(&bins, &LaunchOptions::pinned(Vec::new()))
        .await
        .expect("start Chromium");

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
