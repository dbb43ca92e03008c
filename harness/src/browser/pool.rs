//! A pool of browser sessions shared by the scenarios of a run (or of many
//! runs: the defect matrix reuses one pool). A scenario borrows a session
//! for its whole duration; a session that stops answering is replaced, and
//! when none can be had, browser scenarios fail fast with an error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::engine::{Engine, MissingEngine, TrustMode};
use super::process::LaunchOptions;
use super::proxy::NamesProxy;
use super::session::BrowserSession;
use super::BrowserBinaries;
use crate::world::error_chain;

pub struct BrowserPool {
    sessions: Mutex<Vec<BrowserSession>>,
    slots: std::sync::Arc<Semaphore>,
    live: AtomicUsize,
    options: LaunchOptions,
    webdriver: Option<String>,
    pub engine: Engine,
    pub trust: TrustMode,
    /// What of the browser's own reports its sessions observe.
    pub observation: String,
    pub version: String,
    pub driver_version: String,
    /// The names proxy (Firefox, WebKit): lives as long as the pool.
    _proxy: Option<NamesProxy>,
}

/// Why a pool has no browsers.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PoolError {
    #[error(transparent)]
    Missing(MissingEngine),
    #[error("{0}")]
    Start(String),
}

/// Where the pool starts its names proxy and what it tells browsers.
#[derive(Debug, Clone, Default)]
pub struct ProxyBind {
    /// Listen address (`127.0.0.1:0` when `None`).
    pub bind: Option<String>,
    /// `host:port` browsers are told (for a browser on another machine);
    /// the listening address when `None`.
    pub advertise: Option<String>,
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
        mut options: LaunchOptions,
        count: usize,
        webdriver: Option<String>,
        engine: Engine,
        proxy_bind: &ProxyBind,
    ) -> Result<BrowserPool, PoolError> {
        if webdriver.is_none() {
            engine.locate().map_err(PoolError::Missing)?;
        }
        let proxy = if engine == Engine::Chromium && proxy_bind.bind.is_none() {
            None
        } else {
            let bind = proxy_bind.bind.as_deref().unwrap_or("127.0.0.1:0");
            let proxy = NamesProxy::start(bind)
                .await
                .map_err(|e| PoolError::Start(error_chain(&e)))?;
            options.proxy = Some(
                proxy_bind
                    .advertise
                    .clone()
                    .unwrap_or_else(|| proxy.endpoint()),
            );
            Some(proxy)
        };
        let mut sessions = Vec::new();
        for _ in 0..count.max(1) {
            sessions.push(
                start_one(engine, &options, webdriver.as_deref())
                    .await
                    .map_err(PoolError::Start)?,
            );
        }
        let version = sessions[0].version.clone();
        let driver_version = sessions[0].driver_version.clone();
        let trust = sessions[0].trust;
        let observation = super::observe::describe(sessions[0].observer.as_ref());
        Ok(BrowserPool {
            engine,
            trust,
            observation,
            _proxy: proxy,
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
            Some(s) if healthy && s.reusable() => Some(s),
            other => {
                if let Some(dead) = other {
                    dead.close().await;
                }
                start_one(self.engine, &self.options, self.webdriver.as_deref())
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
    engine: Engine,
    options: &LaunchOptions,
    webdriver: Option<&str>,
) -> Result<BrowserSession, String> {
    match webdriver {
        _ if engine != Engine::Chromium => {
            BrowserSession::start_engine(engine, options, webdriver).await
        }
        Some(url) => BrowserSession::connect_remote(url, options).await,
        None => {
            let bins = BrowserBinaries::locate().map_err(|e| error_chain(&e))?;
            BrowserSession::start(&bins, options).await
        }
    }
    .map_err(|e| error_chain(&e))
}
