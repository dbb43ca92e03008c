//! One module per documented section. Each holds that section's
//! requirements (`REQUIREMENTS`) and the scenarios that check them
//! (`scenarios()`).

pub mod blank_panel;
pub mod embedding;
pub mod handshake;
pub mod sdk;
pub mod session;
pub mod support;
pub mod tenancy;
pub mod theming;
