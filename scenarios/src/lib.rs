//! The portalcheck catalogue: the Embedded Portal contract as numbered
//! requirements, and the scenarios that check them.
//!
//! The catalogue mirrors the documentation: `sections/` has one file per
//! documented section, each holding that section's requirements and the
//! scenarios that check them. Scenarios talk to the world only through the
//! [`Probe`] trait, which the harness implements with a real browser and
//! mocked hosts; this crate needs neither to compile or to be unit-tested.

pub mod catalogue;
pub mod checks;
pub mod contract;
pub mod payload;
pub mod percent;
pub mod probe;
pub mod requirement;
pub mod requirements_doc;
pub mod scenario;
pub mod sections;
pub mod threat_model;

#[cfg(test)]
mod fake;

pub use catalogue::{requirement, requirements, scenario, scenarios, CATALOGUE_REVISION};
pub use probe::Probe;
pub use requirement::{Level, Requirement, Section, Surface};
pub use scenario::{Need, Scenario, Tag, Verdict};
