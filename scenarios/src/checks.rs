//! Helpers the scenarios share: signing and sending handshakes, reading the
//! portal's answers and the page views, the host policies, and the seeded
//! generators of the `generated` scenarios. Each helper turns an
//! observation into a recorded check or a verdict, so scenarios read as a
//! list of expectations.

use std::time::Duration;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::contract::wire::{
    FIELD_ERROR, FIELD_EXPIRES_AT, FIELD_REASON, FIELD_SESSION_TOKEN, FIELD_TICKETS,
    FIELD_TICKET_ID, HANDSHAKE_ACCEPTED, HANDSHAKE_NO, HANDSHAKE_OK,
};
use crate::contract::{
    AuthFailure, EVENT_AUTH_FAILED, EVENT_READY, HANDSHAKE_PATH, RECOMMENDED_WINDOW_SECONDS,
    TICKETS_PATH,
};
use crate::payload::Identity;
use crate::probe::{
    ApiCall, ApiReply, FrameView, HostPage, PageUser, PageView, Probe, ProbeError, SdkEvent,
    SigningKey, Site, Tenant, WaitFor,
};
use crate::scenario::{Checks, Verdict};

/// A scenario body's result: `Err` carries an early verdict (a failed check,
/// a probe error), `Ok` the final one.
pub type Outcome = Result<Verdict, Verdict>;

/// Budget of a scenario that only talks to the API.
pub const API_BUDGET: Duration = Duration::from_secs(10);
/// Budget of a scenario that opens one host page.
pub const BROWSER_BUDGET: Duration = Duration::from_secs(20);
/// The inherent wait of a scenario that waits only on the target (see
/// [`Scenario::wait`](crate::scenario::Scenario::wait)).
pub const NO_WAIT: Duration = Duration::ZERO;

/// Turns an `async fn(&mut dyn Probe) -> Outcome` expression into a [`RunFn`](crate::scenario::RunFn):
/// `run!(p => body(p, arg))`.
macro_rules! run {
    ($p:ident => $body:expr) => {{
        fn run(
            $p: &mut dyn $crate::probe::Probe,
        ) -> $crate::scenario::BoxFuture<'_, $crate::scenario::Verdict> {
            Box::pin(async move { $body.await.unwrap_or_else(|v: $crate::scenario::Verdict| v) })
        }
        run as $crate::scenario::RunFn
    }};
}
pub(crate) use run;

// ---------------------------------------------------------------- identities

/// A new identity with `externalUserId` and `email`, unknown to the target.
pub fn fresh_identity(p: &mut dyn Probe) -> Identity {
    let id = p.unique("user");
    Identity {
        external_user_id: Some(id.clone()),
        email: Some(format!("{id}@example.test")),
        phone: None,
    }
}

/// The site each tenant allowlists.
pub fn home_site(tenant: Tenant) -> Site {
    match tenant {
        Tenant::Primary => Site::ShopA,
        Tenant::Secondary => Site::ShopB,
    }
}

/// A user string and the HMAC the page sends with it.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: String,
    pub hmac: String,
}

/// `identity` as JSON.stringify writes it, expiring `lifetime` seconds from
/// now, signed with `key`.
pub fn sign_identity(
    p: &mut dyn Probe,
    tenant: Tenant,
    key: SigningKey,
    identity: &Identity,
    lifetime: i64,
) -> Result<Signed, ProbeError> {
    let user = identity.compact(p.now() + lifetime);
    sign_exact(p, tenant, key, user)
}

/// Sign `user` exactly as given.
pub fn sign_exact(
    p: &mut dyn Probe,
    tenant: Tenant,
    key: SigningKey,
    user: String,
) -> Result<Signed, ProbeError> {
    let hmac = p.sign(tenant, key.clone(), &user)?;
    p.note(format!("signed with {tenant:?}/{key:?}: {user:?}"));
    Ok(Signed { user, hmac })
}

/// The recommended window, signed with the tenant's current secret.
pub fn sign_valid(
    p: &mut dyn Probe,
    tenant: Tenant,
    identity: &Identity,
) -> Result<Signed, ProbeError> {
    sign_identity(
        p,
        tenant,
        SigningKey::Current,
        identity,
        RECOMMENDED_WINDOW_SECONDS,
    )
}

/// `identity`'s fields with `expiresAt` replaced by a raw JSON literal
/// (`None`: left out), for malformed-expiry payloads.
pub fn fields_with_expiry(
    identity: &Identity,
    expires_literal: Option<&str>,
) -> Vec<(String, String)> {
    let mut fields = identity.fields(0);
    fields.retain(|(k, _)| k != "expiresAt");
    if let Some(literal) = expires_literal {
        fields.push(("expiresAt".into(), literal.into()));
    }
    fields
}

// ---------------------------------------------------------------- the API

/// The handshake body with any JSON value as `userHmac`.
pub fn handshake_body(public_key: &str, user: &str, hmac: Value) -> String {
    json!({ "publicKey": public_key, "user": user, "userHmac": hmac }).to_string()
}

/// `POST /api/v1/handshake` with `body`, from `origin` (if any).
pub fn handshake_request(body: String, origin: Option<String>) -> ApiCall {
    let call = ApiCall::post_json(HANDSHAKE_PATH, body);
    match origin {
        Some(origin) => call.header("origin", origin),
        None => call,
    }
}

/// A handshake for `tenant` from `site`, with `hmac` as a JSON string.
pub async fn handshake_from(
    p: &mut dyn Probe,
    tenant: Tenant,
    site: Site,
    user: &str,
    hmac: &str,
) -> Result<ApiReply, ProbeError> {
    let body = handshake_body(&p.public_key(tenant), user, Value::String(hmac.into()));
    let origin = p.origin(site);
    p.api(handshake_request(body, Some(origin))).await
}

/// A handshake for `tenant` from the site it allowlists.
pub async fn handshake(
    p: &mut dyn Probe,
    tenant: Tenant,
    signed: &Signed,
) -> Result<ApiReply, ProbeError> {
    handshake_from(p, tenant, home_site(tenant), &signed.user, &signed.hmac).await
}

/// The `error` field of a JSON answer.
pub fn error_of(reply: &ApiReply) -> Option<String> {
    reply.json()?.get(FIELD_ERROR)?.as_str().map(str::to_string)
}

/// A short account of an answer, for a verdict's `actual`.
pub fn describe(reply: &ApiReply) -> String {
    let body: String = reply.body.chars().take(300).collect();
    format!("HTTP {} {body}", reply.status)
}

/// The answer is a handshake refusal (any 4xx: the contract leaves the
/// status to the implementation) whose `error` is `reason`.
pub fn expect_refused(
    c: &mut Checks,
    reply: &ApiReply,
    reason: AuthFailure,
    what: &str,
) -> Result<(), Verdict> {
    c.expect(
        HANDSHAKE_NO.status.admits(reply.status)
            && error_of(reply).as_deref() == Some(reason.as_str()),
        format!(
            "{what}: refused ({}) with {{\"{FIELD_ERROR}\":\"{}\"}}",
            HANDSHAKE_NO.status.render(),
            reason.as_str()
        ),
        || describe(reply),
    )
}

/// Requirement: a refusal carries no signing oracle.
pub const REFUSAL_NO_ORACLE: &str = "AUTH-REFUSAL-NO-ORACLE";

/// A refusal of `user` carries, in its body or headers, neither the HMAC
/// the tenant's current secret gives `user` nor its first half: the
/// answer must name a cause, never what would have been accepted.
pub fn expect_no_oracle(
    p: &mut dyn Probe,
    c: &mut Checks,
    tenant: Tenant,
    user: &str,
    reply: &ApiReply,
    what: &str,
) -> Result<(), Verdict> {
    let expected = p
        .sign(tenant, SigningKey::Current, user)?
        .to_ascii_lowercase();
    let half = &expected[..expected.len() / 2];
    let mut answer = reply.body.to_ascii_lowercase();
    for (name, value) in &reply.headers {
        answer.push_str(&format!("\n{name}: {}", value.to_ascii_lowercase()));
    }
    c.expect(
        !answer.contains(half),
        format!(
            "{what}: the refusal does not carry the HMAC the portal expected ({REFUSAL_NO_ORACLE})"
        ),
        || {
            format!(
                "the answer holds the right HMAC for the string sent: {}",
                describe(reply)
            )
        },
    )
}

/// The answer is some refusal (a 4xx with an error), whatever the reason.
pub fn expect_any_refusal(c: &mut Checks, reply: &ApiReply, what: &str) -> Result<(), Verdict> {
    c.expect(
        HANDSHAKE_NO.status.admits(reply.status) && error_of(reply).is_some(),
        format!("{what}: refused with a 4xx error answer"),
        || describe(reply),
    )
}

/// The handshake succeeded with an answer the contract's
/// `handshake-accepted` schema admits; returns the session token.
pub fn expect_accepted(c: &mut Checks, reply: &ApiReply, what: &str) -> Result<String, Verdict> {
    let body = reply.json().unwrap_or(Value::Null);
    let problems = HANDSHAKE_ACCEPTED.violations(&body);
    c.expect(
        HANDSHAKE_OK.status.admits(reply.status) && problems.is_empty(),
        format!(
            "{what}: accepted ({} with a `{FIELD_SESSION_TOKEN}`)",
            HANDSHAKE_OK.status.render()
        ),
        || {
            if problems.is_empty() {
                describe(reply)
            } else {
                format!("{} ({})", describe(reply), problems.join("; "))
            }
        },
    )?;
    Ok(body[FIELD_SESSION_TOKEN]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// The session's `expiresAt` from a successful handshake answer.
pub fn expires_at_of(reply: &ApiReply) -> Option<i64> {
    reply.json()?.get(FIELD_EXPIRES_AT)?.as_i64()
}

/// `GET /api/v1/tickets` (or one ticket) with a bearer token.
pub fn tickets_request(token: &str, ticket_id: Option<&str>) -> ApiCall {
    let path = match ticket_id {
        Some(id) => format!("{TICKETS_PATH}/{id}"),
        None => TICKETS_PATH.to_string(),
    };
    ApiCall::get(path).header("authorization", format!("Bearer {token}"))
}

/// The ticket IDs of a list answer.
pub fn ticket_ids(reply: &ApiReply) -> Vec<String> {
    let Some(v) = reply.json() else {
        return Vec::new();
    };
    v.get(FIELD_TICKETS)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|t| match t.get(FIELD_TICKET_ID)? {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- pages

/// A page on the tenant's allowlisted site that signs in with exactly `signed`.
pub fn signed_page(tenant: Tenant, signed: &Signed) -> HostPage {
    let mut page = HostPage::new(PageUser::Signed {
        user: signed.user.clone(),
        hmac: signed.hmac.clone(),
    });
    page.tenant = tenant;
    page.site = home_site(tenant);
    page
}

/// `detail.reason` of an event.
pub fn reason_of(event: &SdkEvent) -> Option<&str> {
    event.detail.get(FIELD_REASON).and_then(Value::as_str)
}

/// What the page showed, in one line, for a verdict's `actual`.
pub fn summary(view: &PageView) -> String {
    let events: Vec<String> = view
        .events
        .iter()
        .map(|e| match reason_of(e) {
            Some(r) => format!("{}({r})@{}ms", e.name, e.at_ms),
            None => format!("{}@{}ms", e.name, e.at_ms),
        })
        .collect();
    let frame = match &view.frame {
        FrameView::Absent => "no portal frame".to_string(),
        FrameView::Refused { url } => format!("frame refused ({url})"),
        FrameView::Loaded { text, .. } => {
            format!(
                "frame shows {:?}",
                text.chars().take(120).collect::<String>()
            )
        }
    };
    let violations: Vec<String> = view
        .csp_violations
        .iter()
        .map(|v| format!("{} blocked {}", v.directive, v.blocked_uri))
        .collect();
    format!(
        "events [{}]; {frame}; {} portal frame(s); CSP violations [{}]; reached {:?} after {} ms",
        events.join(", "),
        view.portal_frames,
        violations.join(", "),
        view.reached,
        view.watched_ms
    )
}

/// The page became ready and (when given) shows the canary inside the
/// portal frame. Missing evidence is `Incomplete`; tickets shown without
/// `ready`, or `auth_failed`, is a failure.
pub fn expect_ready(c: &mut Checks, view: &PageView, canary: Option<&str>) -> Result<(), Verdict> {
    let frame_shows_canary =
        canary.is_some_and(|k| view.frame_text().is_some_and(|t| t.contains(k)));
    match (view.event(EVENT_READY), view.event(EVENT_AUTH_FAILED)) {
        (_, Some(failed)) => {
            return Err(Verdict::fail(
                "the portal becomes ready",
                format!(
                    "auth_failed ({}): {}",
                    reason_of(failed).unwrap_or("no reason"),
                    summary(view)
                ),
            ))
        }
        (Some(ready), None) => {
            c.expect(
                ready.detail.is_object(),
                "`ready` delivered with a detail object",
                || format!("ready detail {}", ready.detail),
            )?;
        }
        (None, None) if frame_shows_canary => {
            return Err(Verdict::fail(
                "`ready` once the tickets show",
                format!(
                    "the frame shows the tickets but no `ready` came: {}",
                    summary(view)
                ),
            ))
        }
        (None, None)
            if watched_to_the_end(view) && matches!(view.frame, FrameView::Loaded { .. }) =>
        {
            return Err(Verdict::fail(
                "the portal becomes ready and shows the tickets",
                format!(
                    "the portal document loaded but never became ready: {}",
                    summary(view)
                ),
            ))
        }
        (None, None) => {
            return Err(Verdict::incomplete(format!(
                "the page showed neither `ready` nor `auth_failed`: {}",
                summary(view)
            )))
        }
    }
    if let Some(canary) = canary {
        c.expect(
            frame_shows_canary,
            "the portal frame shows the signed user's ticket",
            || summary(view),
        )?;
        c.expect(
            !view.host_text.contains(canary),
            "ticket text stays inside the frame, not the host page",
            || "the host page's own text shows the ticket".into(),
        )?;
    }
    Ok(())
}

/// Whether the page was watched until its deadline or a fixed delay, rather
/// than stopped by an event or text that held.
pub fn watched_to_the_end(view: &PageView) -> bool {
    matches!(view.reached, None | Some(WaitFor::Elapsed(_)))
}

/// Whether portal.js mounted something: a portal frame or an event.
pub fn portal_mounted(view: &PageView) -> bool {
    view.portal_frames > 0 || !matches!(view.frame, FrameView::Absent) || !view.events.is_empty()
}

/// portal.js mounted something: a portal frame or an event. A host page
/// that loaded and then showed nothing of the portal until the deadline is
/// a failure (the SDK never ran its calls); a page that did not load is
/// `Incomplete`.
pub fn expect_mounted(c: &mut Checks, view: &PageView) -> Result<(), Verdict> {
    if portal_mounted(view) {
        return c.expect(
            true,
            "portal.js mounted the portal (a frame or an event)",
            String::new,
        );
    }
    let page_loaded = view.url.starts_with("https://") || view.url.starts_with("http://");
    if page_loaded && watched_to_the_end(view) {
        return Err(Verdict::fail(
            "portal.js mounts the portal iframe and delivers events",
            format!(
                "the host page loaded ({}) but no portal frame and no event appeared: {}",
                view.url,
                summary(view)
            ),
        ));
    }
    Err(Verdict::incomplete(format!(
        "the host page did not load: {}",
        summary(view)
    )))
}

/// The SDK fired `auth_failed` with `reason`; returns the event's time.
pub fn expect_auth_failed(
    c: &mut Checks,
    view: &PageView,
    reason: AuthFailure,
) -> Result<u64, Verdict> {
    let Some(event) = view.event(EVENT_AUTH_FAILED) else {
        if view.event(EVENT_READY).is_some() {
            return Err(Verdict::fail(
                format!("auth_failed ({})", reason.as_str()),
                format!("the portal accepted the user: {}", summary(view)),
            ));
        }
        // Neither event: if portal.js mounted and the page was watched to
        // its deadline, the refusal never came, which is itself the failure
        // (`auth_failed` must fire at once). A page that never mounted says
        // nothing about the portal's verdict.
        if portal_mounted(view) && watched_to_the_end(view) {
            return Err(Verdict::fail(
                format!("auth_failed ({})", reason.as_str()),
                format!(
                    "no auth_failed before the deadline although the portal mounted: {}",
                    summary(view)
                ),
            ));
        }
        return Err(Verdict::incomplete(format!(
            "no auth_failed or ready observed, cannot judge: {}",
            summary(view)
        )));
    };
    c.expect(
        reason_of(event) == Some(reason.as_str()),
        format!("auth_failed with detail.reason {:?}", reason.as_str()),
        || format!("auth_failed detail {}", event.detail),
    )?;
    Ok(event.at_ms)
}

/// `canary` shows nowhere on the page.
pub fn expect_not_shown(
    c: &mut Checks,
    view: &PageView,
    canary: &str,
    whose: &str,
) -> Result<(), Verdict> {
    c.expect(
        !view.shows(canary),
        format!("{whose} ticket text shows nowhere on the page"),
        || format!("the page shows {whose} ticket text: {}", summary(view)),
    )
}

/// `auth_failed` came within the documented bound of `setUser`.
pub fn expect_immediate(c: &mut Checks, at_ms: u64) -> Result<(), Verdict> {
    let bound = crate::contract::AUTH_FAILED_BOUND_MS;
    c.expect(
        at_ms <= bound,
        format!("auth_failed within {bound} ms of setUser"),
        || format!("auth_failed after {at_ms} ms"),
    )
}

/// A host policy that allows the portal only where it needs to be.
pub fn strict_csp() -> String {
    "default-src 'none'; script-src 'nonce-{nonce}' {portal}; frame-src {portal}; connect-src {portal}; \
     style-src 'nonce-{nonce}'; img-src 'none'; base-uri 'none'; object-src 'none'"
        .to_string()
}

/// The sources of one directive in a policy, or `None` when it is absent.
pub fn csp_directive(policy: &str, name: &str) -> Option<Vec<String>> {
    policy.split(';').find_map(|part| {
        let mut words = part.split_whitespace();
        let directive = words.next()?;
        directive
            .eq_ignore_ascii_case(name)
            .then(|| words.map(str::to_string).collect())
    })
}

/// Every `Content-Security-Policy` header value of an answer.
pub fn csp_headers(reply: &ApiReply) -> Vec<&str> {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-security-policy"))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The `frame-ancestors` sources of an answer, from whichever policy has them.
pub fn frame_ancestors(reply: &ApiReply) -> Option<Vec<String>> {
    csp_headers(reply)
        .into_iter()
        .find_map(|p| csp_directive(p, "frame-ancestors"))
}

// ---------------------------------------------------------------- generated inputs

/// `count` values drawn from `strategy` with a seed made from the
/// scenario's own ([`Probe::seed`], itself from the run's `--seed`) and
/// `what`, noted for the evidence: the same run seed draws the same
/// values. `PORTALCHECK_SEED` replays one noted seed.
pub fn generate<S: Strategy>(
    p: &mut dyn Probe,
    what: &str,
    strategy: S,
    count: usize,
) -> Vec<S::Value> {
    let seed = match std::env::var("PORTALCHECK_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(seed) => seed,
        None => {
            let mut hasher = Sha256::new();
            hasher.update(p.seed().to_be_bytes());
            hasher.update(what.as_bytes());
            let digest = hasher.finalize();
            u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
        }
    };
    p.note(format!(
        "{what}: proptest seed {seed} (replay with PORTALCHECK_SEED={seed})"
    ));
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_be_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    (0..count)
        .filter_map(|_| {
            strategy
                .new_tree(&mut runner)
                .ok()
                .map(|tree| tree.current())
        })
        .collect()
}

// ------------------------------------------------------- negative observations

/// The premise of every "the page went quiet" barrier: the harness could
/// watch this browser's network. Without it (an engine observed by none of
/// DevTools, WebDriver BiDi or the names proxy's tap, such as a remote
/// WebKit) the scenario is incomplete, and says why.
pub fn expect_network_observed(view: &PageView) -> Result<(), Verdict> {
    if view.requests.is_none() {
        return Err(Verdict::incomplete(
            "this browser gives the harness no view of its network (no DevTools, WebDriver BiDi or proxy tap for this session), so whether a request may still come cannot be told",
        ));
    }
    Ok(())
}

/// A page opened with `wait_for = [WaitFor::NetworkIdle(quiet)]` reached
/// that barrier: it has done all it will do, so a negative observation
/// (nothing fetched) may conclude. A page that never went quiet before its
/// deadline leaves the scenario incomplete.
pub fn expect_settled(view: &PageView, quiet: Duration) -> Result<(), Verdict> {
    if view.reached.as_ref() == Some(&WaitFor::NetworkIdle(quiet)) {
        return Ok(());
    }
    let seen: Vec<&str> = view
        .console
        .iter()
        .filter(|m| m.text.starts_with("harness:"))
        .map(|m| m.text.as_str())
        .collect();
    expect_network_observed(view)?;
    Err(Verdict::incomplete(format!(
        "the page did not go quiet (no request in flight for {quiet:?}) within {} ms: a fetch may still come {seen:?}",
        view.watched_ms
    )))
}

/// Nothing reached the canary URL `label` (see [`Probe::canary_url`]).
pub async fn expect_no_fetch(
    p: &mut dyn Probe,
    c: &mut Checks,
    label: &str,
) -> Result<(), Verdict> {
    let hits = p.canary_hits().await?;
    let ours: Vec<String> = hits
        .iter()
        .filter(|h| names_label(&h.url, label))
        .map(|h| h.url.clone())
        .collect();
    c.expect(
        ours.is_empty(),
        format!("nothing fetched from the canary URL {label}"),
        || format!("the canary host was fetched: {ours:?}"),
    )
}

/// Whether a canary URL ends in exactly `label` (labels share prefixes).
fn names_label(url: &str, label: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    path.rsplit('/').next() == Some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_directive_reads_sources() {
        let policy = "default-src 'self'; frame-ancestors https://a.test:1 'self' ;script-src x";
        assert_eq!(
            csp_directive(policy, "frame-ancestors").unwrap(),
            vec!["https://a.test:1", "'self'"]
        );
        assert_eq!(csp_directive(policy, "script-src").unwrap(), vec!["x"]);
        assert!(csp_directive(policy, "frame-src").is_none());
    }
}
