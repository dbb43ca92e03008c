//! Why a run stops before its end, and how: the typed [`Fault`]s a target
//! shows (unreachable, no answer, oversized or nonsensical answers, a hung
//! or hijacked page), the circuit [`Breaker`] that ends a run once
//! consecutive scenarios errored with the same fault, and interrupts
//! (SIGINT, SIGTERM), which stop every active run with the cause
//! "interrupted". A stopped run marks the rest of its scenarios not run
//! with the cause, and still writes every report.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// Which part of an exchange with the target ran out of time (the shared
/// HTTPS client's phases).
pub use fixtures::tls::client::Phase;

/// Something wrong with the target (or with the page it drives) that
/// makes every later scenario hopeless when it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// It could not be resolved, connected to, or its TLS was refused.
    Unreachable { host: String },
    /// It accepted, then did not answer within a deadline.
    NoAnswer { host: String, phase: Phase },
    /// A response body over the harness's limit.
    Oversized { host: String },
    /// Answers that make no sense (not HTTP, a provider state that does
    /// not answer a JSON success).
    Nonsense { host: String, what: String },
    /// The browser did not finish a command within its deadline (the
    /// harness's, or the driver's page-load and script time-outs): the
    /// page's renderer hangs (e.g. a script running `while (true) {}`), or
    /// its load never ends.
    PageHung { command: &'static str },
    /// The page keeps opening dialogs (`alert`, `confirm`, `prompt`).
    Dialogs,
    /// A script navigated the top window away from the host page.
    TopNavigated { to: String },
    /// The scenario did not finish within its budget.
    OverBudget,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Unreachable { host } => write!(f, "{host} is unreachable"),
            Fault::NoAnswer { host, phase } => {
                write!(f, "{host} does not answer (no {phase} in time)")
            }
            Fault::Oversized { host } => write!(
                f,
                "{host} answers bodies over the limit of {} bytes",
                crate::run::limits::BODY_BYTES
            ),
            Fault::Nonsense { host, what } => write!(f, "{host} gives {what}"),
            Fault::PageHung { command } => write!(
                f,
                "the page hangs: the browser did not finish `{command}` within its deadline (a script that never yields, or a load that never ends?)"
            ),
            Fault::Dialogs => f.write_str("the page keeps opening dialogs (alert, confirm or prompt)"),
            Fault::TopNavigated { to } => write!(
                f,
                "a script navigated the top window away from the host page, to {to}"
            ),
            Fault::OverBudget => f.write_str("scenarios do not finish within their budget"),
        }
    }
}

impl Fault {
    /// Whether the fault is the page's (the browser could not drive it),
    /// rather than the target's network answers.
    pub fn is_page_fault(&self) -> bool {
        matches!(
            self,
            Fault::PageHung { .. } | Fault::Dialogs | Fault::TopNavigated { .. }
        )
    }

    /// Whether two faults have one cause, for the breaker: a hung page is
    /// one cause whichever WebDriver command found it hung.
    fn same_cause(&self, other: &Fault) -> bool {
        match (self, other) {
            (Fault::PageHung { .. }, Fault::PageHung { .. }) => true,
            (a, b) => a == b,
        }
    }
}

/// Counts consecutive scenarios that errored with the same fault. A page
/// fault's streak is ended only by a scenario that drove a page and
/// concluded: API scenarios that pass in between say nothing about the
/// page.
#[derive(Debug)]
pub struct Breaker {
    threshold: usize,
    streak: Option<(Fault, usize)>,
}

impl Breaker {
    pub fn new(threshold: usize) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            streak: None,
        }
    }

    /// One scenario finished: `fault` when it errored because of one,
    /// `None` when it concluded otherwise; `drove_page` when it opened a
    /// page in the browser. Returns the cause when this finish trips the
    /// breaker.
    pub fn record(&mut self, fault: Option<Fault>, drove_page: bool) -> Option<String> {
        let Some(fault) = fault else {
            let page_streak = matches!(&self.streak, Some((f, _)) if f.is_page_fault());
            if drove_page || !page_streak {
                self.streak = None;
            }
            return None;
        };
        let count = match &self.streak {
            Some((same, n)) if same.same_cause(&fault) => n + 1,
            _ => 1,
        };
        self.streak = Some((fault.clone(), count));
        (count == self.threshold)
            .then(|| format!("the target is dead or hostile: {fault} ({count} scenarios in a row)"))
    }
}

/// The cause of an interrupted run.
pub const INTERRUPTED: &str = "interrupted";

/// A run's stop switch: set once with the cause, watched by every
/// scenario of the run.
#[derive(Clone)]
pub struct Stop {
    tx: Arc<watch::Sender<Option<String>>>,
}

impl Default for Stop {
    fn default() -> Self {
        Stop::new()
    }
}

impl Stop {
    pub fn new() -> Stop {
        Stop {
            tx: Arc::new(watch::channel(None).0),
        }
    }

    /// Stop with `cause`; the first cause wins.
    pub fn trip(&self, cause: &str) {
        self.tx.send_if_modified(|c| {
            if c.is_some() {
                return false;
            }
            *c = Some(cause.to_string());
            true
        });
    }

    pub fn cause(&self) -> Option<String> {
        self.tx.borrow().clone()
    }

    /// Resolves with the cause once stopped.
    pub async fn stopped(&self) -> String {
        let mut rx = self.tx.subscribe();
        loop {
            if let Some(cause) = rx.borrow_and_update().clone() {
                return cause;
            }
            if rx.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }
}

/// Runs that an interrupt stops.
static ACTIVE: Mutex<Vec<Stop>> = Mutex::new(Vec::new());

/// Registers a run's stop switch with the interrupt handler until dropped.
pub struct ActiveRun {
    stop: Stop,
}

impl ActiveRun {
    pub fn register(stop: &Stop) -> ActiveRun {
        ACTIVE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(stop.clone());
        ActiveRun { stop: stop.clone() }
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        ACTIVE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|s| !Arc::ptr_eq(&s.tx, &self.stop.tx));
    }
}

/// Stop every active run with the cause "interrupted". Returns whether
/// any run was active (and will now write its reports and end).
pub fn interrupt_active_runs() -> bool {
    let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for stop in &active {
        stop.trip(INTERRUPTED);
    }
    !active.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hang() -> Fault {
        Fault::NoAnswer {
            host: "portal.test".into(),
            phase: Phase::FirstByte,
        }
    }

    #[test]
    fn trips_on_the_threshold_th_consecutive_same_fault() {
        let mut b = Breaker::new(3);
        assert_eq!(b.record(Some(hang()), false), None);
        assert_eq!(b.record(Some(hang()), false), None);
        let cause = b.record(Some(hang()), false).expect("third in a row trips");
        assert!(cause.contains("portal.test does not answer"), "{cause}");
    }

    #[test]
    fn a_conclusion_or_another_fault_resets_the_streak() {
        let mut b = Breaker::new(3);
        b.record(Some(hang()), false);
        b.record(Some(hang()), false);
        assert_eq!(b.record(None, false), None);
        b.record(Some(hang()), false);
        b.record(Some(Fault::Dialogs), true);
        assert_eq!(b.record(Some(hang()), false), None);
        assert_eq!(b.record(Some(hang()), false), None);
        assert!(b.record(Some(hang()), false).is_some());
    }

    fn page_hung(command: &'static str) -> Fault {
        Fault::PageHung { command }
    }

    #[test]
    fn a_hung_page_is_one_cause_whichever_command_found_it() {
        let mut b = Breaker::new(3);
        b.record(Some(page_hung("goto host page")), true);
        b.record(Some(page_hung("read page recorder")), true);
        let cause = b.record(Some(page_hung("watch page")), true);
        assert!(cause.is_some_and(|c| c.contains("the page hangs")));
    }

    #[test]
    fn api_scenarios_concluding_between_page_faults_do_not_end_their_streak() {
        let mut b = Breaker::new(3);
        b.record(Some(page_hung("goto host page")), true);
        assert_eq!(b.record(None, false), None);
        b.record(Some(page_hung("goto host page")), true);
        assert_eq!(b.record(None, false), None);
        assert!(b.record(Some(page_hung("goto host page")), true).is_some());
        // A page that concluded ends it.
        let mut b = Breaker::new(3);
        b.record(Some(page_hung("goto host page")), true);
        b.record(Some(page_hung("goto host page")), true);
        assert_eq!(b.record(None, true), None);
        assert_eq!(b.record(Some(page_hung("goto host page")), true), None);
    }

    #[tokio::test]
    async fn the_first_cause_wins_and_wakes_watchers() {
        let stop = Stop::new();
        let watcher = tokio::spawn({
            let stop = stop.clone();
            async move { stop.stopped().await }
        });
        stop.trip("first");
        stop.trip("second");
        assert_eq!(watcher.await.unwrap(), "first");
        assert_eq!(stop.cause().as_deref(), Some("first"));
    }

    #[test]
    fn interrupts_reach_registered_runs_only_while_registered() {
        let stop = Stop::new();
        {
            let _active = ActiveRun::register(&stop);
            assert!(interrupt_active_runs());
        }
        assert_eq!(stop.cause().as_deref(), Some(INTERRUPTED));
        let later = Stop::new();
        let _ = interrupt_active_runs();
        assert_eq!(later.cause(), None);
    }
}
