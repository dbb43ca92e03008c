//! The portalcheck engine: the world a run happens in (per-run CA, mocked
//! hosts, the target portal), the real browser, the probe scenarios act
//! through, the runner and its event stream, and the CLI on top.

pub mod app;
pub mod bench;
pub mod browser;
pub mod catalogue_view;
pub mod cli;
pub mod events;
pub mod host_page;
pub mod limits;
pub mod live_probe;
pub mod portal_client;
pub mod progress;
pub mod run_session;
pub mod runner;
pub mod selftest;
pub mod serve;
pub mod sites;
pub mod spki;
pub mod stop;
pub mod target;
pub mod trust;
pub mod world;
