//! The run: one run from request to record (`session`), the scenario
//! runner, the event stream every output consumes, why and how a run
//! stops, the limits it puts on a target, and the two commands made of
//! runs (`selftest`, `bench`).

pub mod bench;
pub mod events;
pub mod limits;
pub mod runner;
pub mod selftest;
pub mod session;
pub mod stop;
