//! The shape of one scenario and of its verdict. Scenarios are plain
//! async functions over a [`Probe`]; results (timings, evidence) are kept
//! by the harness, apart from the catalogue.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::probe::{Probe, ProbeError};
use crate::requirement::{Level, Section};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A scenario's body: acts through the probe, returns its verdict.
pub type RunFn = for<'a> fn(&'a mut dyn Probe) -> BoxFuture<'a, Verdict>;

/// Groups for selection (`--tag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    Sdk,
    Auth,
    Origin,
    Csp,
    Framing,
    Theme,
    Tenant,
    Session,
    Support,
    /// Needs no browser: talks to the portal's HTTP API only.
    Api,
    /// Drives the real browser.
    Browser,
    /// Generated inputs (proptest); the result carries its seed.
    Generated,
}

impl Tag {
    pub const ALL: [Tag; 12] = [
        Tag::Sdk,
        Tag::Auth,
        Tag::Origin,
        Tag::Csp,
        Tag::Framing,
        Tag::Theme,
        Tag::Tenant,
        Tag::Session,
        Tag::Support,
        Tag::Api,
        Tag::Browser,
        Tag::Generated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Sdk => "sdk",
            Tag::Auth => "auth",
            Tag::Origin => "origin",
            Tag::Csp => "csp",
            Tag::Framing => "framing",
            Tag::Theme => "theme",
            Tag::Tenant => "tenant",
            Tag::Session => "session",
            Tag::Support => "support",
            Tag::Api => "api",
            Tag::Browser => "browser",
            Tag::Generated => "generated",
        }
    }

    pub fn parse(text: &str) -> Option<Tag> {
        Tag::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
    }
}

/// What a scenario needs from the target or the harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// A browser session (otherwise the scenario is API-only).
    Browser,
    /// Users and tickets created on demand (provider state or seeded users).
    Users,
    /// Rotating a tenant's secret (provider state, or a declared rotated secret).
    SecretRotation,
    /// Several users across both tenants.
    TwoTenants,
}

/// One check in the catalogue.
#[derive(Clone)]
pub struct Scenario {
    /// Stable ID, e.g. `handshake.reserialized-key-order`. Never positional.
    pub id: &'static str,
    pub title: &'static str,
    pub section: Section,
    /// The requirement IDs this scenario checks.
    pub requirements: &'static [&'static str],
    pub level: Level,
    pub tags: &'static [Tag],
    pub needs: &'static [Need],
    /// Wall-clock budget; past it the harness stops the scenario with an error.
    pub budget: Duration,
    /// The real time the scenario spends waiting whatever the target does
    /// (a session's lifetime, a watch that must run to its end): the runner
    /// starts the longest first, so these waits overlap with everything else.
    /// Declared beside the constants the scenario waits on; zero for one
    /// that waits only on the target's answers.
    pub wait: Duration,
    /// What the scenario does, in a sentence or two (for `explain`).
    pub description: &'static str,
    /// One line for an implementer who fails it.
    pub how_to_fix: &'static str,
    pub run: RunFn,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Scenario {
    pub fn has_tag(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }

    pub fn needs_browser(&self) -> bool {
        self.needs.contains(&Need::Browser)
    }
}

/// A scenario's conclusion. Doubt is never resolved in the target's favour:
/// a scenario that could not observe what it needs returns `Incomplete`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    /// Every check held. `checked` lists what was actually observed; a pass
    /// that checked nothing is turned into `Incomplete` by the harness.
    Pass { checked: Vec<String> },
    /// The target broke the requirement.
    Fail { expected: String, actual: String },
    /// The harness could not tell (reported as an error, never a pass).
    Incomplete { reason: String },
    /// Not applicable to this target, with the reason.
    Skipped { reason: String },
}

impl Verdict {
    pub fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Verdict {
        Verdict::Fail {
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    pub fn incomplete(reason: impl Into<String>) -> Verdict {
        Verdict::Incomplete {
            reason: reason.into(),
        }
    }

    pub fn skipped(reason: impl Into<String>) -> Verdict {
        Verdict::Skipped {
            reason: reason.into(),
        }
    }
}

impl From<ProbeError> for Verdict {
    fn from(err: ProbeError) -> Verdict {
        match err {
            ProbeError::Unsupported(reason) => Verdict::Skipped { reason },
            ProbeError::Harness(reason) => Verdict::Incomplete { reason },
        }
    }
}

/// Collects the checks of one scenario: each `expect` either records what
/// was observed or stops at the first failure.
#[derive(Debug, Default)]
pub struct Checks {
    checked: Vec<String>,
}

impl Checks {
    pub fn new() -> Checks {
        Checks::default()
    }

    /// Record a check that held, or return the failing verdict.
    pub fn expect(
        &mut self,
        holds: bool,
        expected: impl Into<String>,
        actual: impl FnOnce() -> String,
    ) -> Result<(), Verdict> {
        let expected = expected.into();
        if holds {
            self.checked.push(expected);
            Ok(())
        } else {
            Err(Verdict::Fail {
                expected,
                actual: actual(),
            })
        }
    }

    /// The verdict once every check held.
    pub fn pass(self) -> Verdict {
        Verdict::Pass {
            checked: self.checked,
        }
    }
}
