//! A pool of browser sessions shared by the scenarios of a run (or of many
//! runs: the defect matrix reuses one pool). A scenario borrows a session
//! for its whole duration; a session that stops answering is replaced, and
//! when none can be had, browser scenarios fail fast with an error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::process::LaunchOptions;
use super::session::BrowserSession;
use super::BrowserBinaries;
use crate::world::error_chain;

pub struct BrowserPool {
    sessions: Mutex<Vec<BrowserSession>>,
    slots: std::sync::Arc<Semaphore>,
    live: AtomicUsize,
    options: LaunchOptions,
    webdriver: Option<String>,
    pub version: String,
    pub driver_version: String,
}

/// A session on loan; give it back with [`BrowserPool::give_back`].
pub struct Loan {
    pub session: Option<BrowserSession>,
    permit: OwnedSemaphorePermit,
}

impl BrowserPool {
    /// Start `count` sessions one after another (start-up on 2 cores is
    /// CPU-bound: in parallel it is slower).
    pub async fn start(
        options: LaunchOptions,
        count: usize,
        webdriver: Option<String>,
    ) -> Result<BrowserPool, String> {
        let mut sessions = Vec::new();
        for _ in 0..count.max(1) {
            sessions.push(start_one(&options, webdriver.as_deref()).await?);
        }
        let version = sessions[0].version.clone();
        let driver_version = sessions[0].driver_version.clone();
        Ok(BrowserPool {
            slots: std::sync::Arc::new(Semaphore::new(sessions.len())),
            live: AtomicUsize::new(sessions.len()),
            sessions: Mutex::new(sessions),
            options,
            webdriver,
            version,
            driver_version,
        })
    }

    /// Borrow a session; `None` once every session has been lost.
    pub async fn borrow(&self) -> Option<Loan> {
        let permit = self.slots.clone().acquire_owned().await.ok()?;
        let session = self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        Some(Loan { session, permit })
    }

    /// Return a session; a lost one is replaced if a new browser starts.
    pub async fn give_back(&self, loan: Loan, healthy: bool) {
        let Loan { session, permit } = loan;
        let session = match session {
            Some(s) if healthy => Some(s),
            other => {
                if let Some(dead) = other {
                    dead.close().await;
                }
                start_one(&self.options, self.webdriver.as_deref())
                    .await
                    .ok()
            }
        };
        match session {
            Some(s) => self
                .sessions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(s),
            None => {
                return self.retire(Loan {
                    session: None,
                    permit,
                })
            }
        }
        drop(permit);
    }

    /// Take a loan out of the pool for good (its session is gone or was
    /// dropped with a stopped scenario): one slot fewer, no new browser.
    pub fn retire(&self, loan: Loan) {
        drop(loan.session);
        loan.permit.forget();
        if self.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.slots.close();
        }
    }

    /// Close every session.
    pub async fn close(self) {
        let sessions =
            std::mem::take(&mut *self.sessions.lock().unwrap_or_else(|e| e.into_inner()));
        for s in sessions {
            s.close().await;
        }
    }
}

async fn start_one(
    options: &LaunchOptions,
    webdriver: Option<&str>,
) -> Result<BrowserSession, String> {
    match webdriver {
        Some(url) => BrowserSession::connect_remote(url, options).await,
        None => {
            let bins = BrowserBinaries::locate().map_err(|e| error_chain(&e))?;
            BrowserSession::start(&bins, options).await
        }
    }
    .map_err(|e| error_chain(&e))
}
