//! Every deadline and size limit the harness puts on a target and on its
//! own browser, in one place, so that a dead, hanging or hostile target
//! costs seconds and the contract can quote them. Each network operation
//! has its own deadline (connect, TLS handshake, first byte, whole body);
//! each WebDriver command has one; a scenario has its budget on top.

use std::time::Duration;

/// TCP connect to the portal (or its provider-state endpoint).
pub const CONNECT: Duration = Duration::from_secs(3);
/// The TLS handshake, once connected.
pub const TLS_HANDSHAKE: Duration = Duration::from_secs(3);
/// From the request sent to the response's status line and headers.
pub const FIRST_BYTE: Duration = Duration::from_secs(5);
/// The whole exchange: connect, handshake, headers and the whole body.
/// Shorter than the shortest scenario budget (10 s), so that a hanging
/// target shows as what it is, not as a scenario over its budget.
pub const EXCHANGE: Duration = Duration::from_secs(8);
/// The most of one response body the harness reads; a longer body is an
/// error (`response body over … bytes`), never truncated into a verdict.
pub const BODY_BYTES: usize = 4 * 1024 * 1024;

/// The certificate-pinning probe at start-up (connect and handshake).
pub const PIN_PROBE: Duration = Duration::from_secs(10);

/// Page load as ChromeDriver enforces it (`timeouts.pageLoad`).
pub const PAGE_LOAD: Duration = Duration::from_secs(15);
/// A synchronous or asynchronous script as ChromeDriver enforces it
/// (`timeouts.script`).
pub const SCRIPT: Duration = Duration::from_secs(10);
/// Any one WebDriver command, enforced by the harness: ChromeDriver's own
/// time-outs do not hold when the page's renderer is hung
/// (`while (true) {}`), and then a command waits for minutes.
pub const WEBDRIVER_COMMAND: Duration = Duration::from_secs(20);
/// Opening a WebDriver session on a started browser.
pub const WEBDRIVER_SESSION: Duration = Duration::from_secs(20);
/// Opening a session that also launches the browser (geckodriver starts
/// Firefox, WebKitWebDriver starts MiniBrowser: 10-30 s on a loaded machine).
pub const WEBDRIVER_LAUNCH: Duration = Duration::from_secs(90);
/// Connecting an observer's websocket (DevTools or WebDriver BiDi).
pub const DEVTOOLS_CONNECT: Duration = Duration::from_secs(5);

/// Consecutive scenarios that end in a harness error of the same target
/// fault (unreachable, no answer, oversized or nonsensical answers, a hung
/// or hijacked page) before the rest of the run is marked not run.
pub const BREAKER_THRESHOLD: usize = 3;
