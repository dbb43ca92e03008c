//! End to end in real headless Chromium against the bundled reference:
//! a host page on an allowlisted HTTPS origin loads the SDK, signs in a
//! user with a valid signature, receives `ready`, and the user's canary
//! ticket shows inside the portal iframe; with a wrong HMAC it receives
//! `auth_failed` and shows no ticket.

use std::sync::Arc;

use harness::browser::process::LaunchOptions;
use harness::browser::session::BrowserSession;
use harness::browser::BrowserBinaries;
use harness::run::events::EventSink;
use harness::world::live_probe::LiveProbe;
use harness::world::{World, WorldOptions};
use scenarios::contract::{AuthFailure, EVENT_AUTH_FAILED, EVENT_READY};
use scenarios::probe::{FrameView, HostPage, PageUser, Probe, SigningKey, Tenant, UserSpec};

async fn browser(world: &World) -> BrowserSession {
    let bins = BrowserBinaries::locate()
        .expect("Chromium and ChromeDriver (apt-get install -y chromium chromium-driver)");
    BrowserSession::start(&bins, &LaunchOptions::pinned(world.spki_pins.clone()))
        .await
        .expect("browser starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_signature_shows_the_users_tickets_and_a_wrong_one_fails() {
    let world: Arc<World> = World::start(&WorldOptions::default())
        .await
        .expect("reference starts")
        .shared();
    let session = browser(&world).await;
    let (sink, _rx) = EventSink::channel();
    let mut probe = LiveProbe::new(
        world.clone(),
        "e2e.valid-and-wrong",
        Some(&session),
        sink,
        1,
    );
    probe.prepare().await.expect("tenants");

    let alice = probe
        .seed_user(Tenant::Primary, UserSpec::Fresh)
        .await
        .expect("seed alice");
    let user = alice.identity.compact(probe.now() + 300);
    let hmac = probe
        .sign(Tenant::Primary, SigningKey::Current, &user)
        .unwrap();
    let view = probe
        .open_page(HostPage::new(PageUser::Signed {
            user: user.clone(),
            hmac,
        }))
        .await
        .expect("page");
    assert!(
        view.event(EVENT_READY).is_some(),
        "no ready event: {view:#?}"
    );
    assert!(view.event(EVENT_AUTH_FAILED).is_none(), "{view:#?}");
    match &view.frame {
        FrameView::Loaded { text, url, .. } => {
            assert!(url.starts_with(&world.portal_origin), "{url}");
            assert!(
                text.contains(&alice.canary),
                "canary missing from the portal frame: {text:?}"
            );
        }
        other => panic!("portal frame not loaded: {other:?}"),
    }
    assert!(
        !view.host_text.contains(&alice.canary),
        "ticket text leaked into the host page"
    );

    let wrong = probe
        .sign(Tenant::Primary, SigningKey::Unrelated, &user)
        .unwrap();
    let view = probe
        .open_page(HostPage::new(PageUser::Signed { user, hmac: wrong }))
        .await
        .expect("page");
    let failed = view
        .event(EVENT_AUTH_FAILED)
        .unwrap_or_else(|| panic!("no auth_failed: {view:#?}"));
    assert_eq!(
        failed.detail["reason"],
        AuthFailure::InvalidSignature.as_str(),
        "{view:#?}"
    );
    assert!(view.event(EVENT_READY).is_none());
    assert!(
        !view.shows(&alice.canary),
        "ticket shown after a refused handshake: {view:#?}"
    );
    drop(probe);
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_of_the_cross_origin_portal_frame_is_observed() {
    let world: Arc<World> = World::start(&WorldOptions::default())
        .await
        .expect("reference starts")
        .shared();
    let session = browser(&world).await;
    let (sink, _rx) = EventSink::channel();
    let mut probe = LiveProbe::new(world.clone(), "e2e.frame-console", Some(&session), sink, 1);
    probe.prepare().await.expect("tenants");
    let alice = probe
        .seed_user(Tenant::Primary, UserSpec::Fresh)
        .await
        .expect("seed alice");
    let user = alice.identity.compact(probe.now() + 300);
    let hmac = probe
        .sign(Tenant::Primary, SigningKey::Current, &user)
        .unwrap();
    let mut page = HostPage::new(PageUser::Signed { user, hmac });
    // A theme value the portal drops: the frame itself is fine, but the page's
    // CSP blocks nothing; instead make the host page's policy block the portal
    // frame so a security entry is logged by the browser.
    page.csp = Some("default-src 'none'; script-src 'nonce-{nonce}' {portal}; connect-src {portal}; frame-src 'none'".into());
    page.wait_for = vec![scenarios::probe::WaitFor::Elapsed(
        std::time::Duration::from_millis(1500),
    )];
    let view = probe.open_page(page).await.expect("page");
    assert!(
        view.csp_violations
            .iter()
            .any(|v| v.directive == "frame-src"),
        "frame-src violation not seen by the page: {view:#?}"
    );
    assert!(
        view.console
            .iter()
            .any(|m| m.text.contains("frame-src") || m.text.contains("ERR_BLOCKED_BY_CSP")),
        "no browser-level record of the blocked frame: {:#?}",
        view.console
    );
    drop(probe);
    session.close().await;
}
