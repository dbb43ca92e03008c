//! One module per documented section. Each holds that section's
//! requirements (`REQUIREMENTS`) and the scenarios that check them
//! (`scenarios()`).

pub mod blank_panel;
pub mod embedding;
pub mod embedding_ancestors;
pub mod handshake;
pub mod handshake_variants;
pub mod sdk;
pub mod sdk_exposure;
pub mod sdk_messages;
pub mod session;
pub mod session_tokens;
pub mod support;
pub mod tenancy;
pub mod tenancy_ticket_text;
pub mod tenancy_user_switch;
pub mod tenancy_variants;
pub mod theming;
