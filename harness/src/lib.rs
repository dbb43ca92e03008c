//! The portalcheck engine, in four parts:
//!
//! - `cli`: the command line (`cli.rs` parses it), the dispatcher, the
//!   catalogue views and the terminal progress;
//! - `run`: one run from request to record (`run::session`), the runner,
//!   the event stream, why a run stops, the limits, `selftest` and `bench`;
//! - `world`: the world a run happens in (per-run CA, mocked hosts and
//!   host pages, the target portal and its target file, the client that
//!   talks to it, the probe scenarios act through);
//! - `browser`: the real browser.

pub mod browser;
pub mod cli;
pub mod run;
pub mod world;
