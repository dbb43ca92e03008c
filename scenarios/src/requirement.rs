//! The shape of one contract requirement: a stable ID, the documentation
//! section it comes from, its level, the requirement in one sentence and
//! where a failure must show. The requirements themselves live in
//! `sections/`, one file per documented section.

use serde::{Deserialize, Serialize};

/// How binding a requirement is (RFC 2119).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A failure means the portal is broken or unsafe.
    Must,
    /// A failure is a finding worth fixing, not a release blocker.
    Should,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        }
    }

    /// Parses `must` / `should` in any case.
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_lowercase().as_str() {
            "must" => Some(Level::Must),
            "should" => Some(Level::Should),
            _ => None,
        }
    }
}

/// The sections of the Embedded Portal troubleshooting documentation
/// (`shared/seeds/000_646aab8fd4e1d795.txt`), in document order, plus the
/// SDK surface the whole document presupposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// The SDK the page embeds (`portal.js`, `UserHero.*`, its events).
    Sdk,
    /// "auth_failed fired immediately".
    Handshake,
    /// "The portal panel is blank".
    BlankPanel,
    /// "\"This site cannot be embedded\" error".
    Embedding,
    /// "Customers see another customer's tickets".
    Tenancy,
    /// "Theme or CSS variables don't apply".
    Theming,
    /// "\"Session expired\" message".
    Session,
    /// "Still stuck?".
    Support,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Sdk,
        Section::Handshake,
        Section::BlankPanel,
        Section::Embedding,
        Section::Tenancy,
        Section::Theming,
        Section::Session,
        Section::Support,
    ];

    /// The heading as the documentation writes it.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Sdk => "Embedding the portal (SDK surface)",
            Section::Handshake => "auth_failed fired immediately",
            Section::BlankPanel => "The portal panel is blank",
            Section::Embedding => "\"This site cannot be embedded\" error",
            Section::Tenancy => "Customers see another customer's tickets",
            Section::Theming => "Theme or CSS variables don't apply",
            Section::Session => "\"Session expired\" message",
            Section::Support => "Still stuck?",
        }
    }

    /// A stable slug, used for anchors in REQUIREMENTS.md and report links.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Sdk => "sdk",
            Section::Handshake => "handshake",
            Section::BlankPanel => "blank-panel",
            Section::Embedding => "embedding",
            Section::Tenancy => "tenancy",
            Section::Theming => "theming",
            Section::Session => "session",
            Section::Support => "support",
        }
    }
}

/// Where a violation of a requirement becomes observable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    /// An event the SDK delivers to the host page (`ready`, `auth_failed`, ...).
    SdkEvent,
    /// The status code or body of a portal HTTP response.
    HttpStatus,
    /// A response header (CSP, CORS, caching).
    HttpHeader,
    /// The browser refusing something (CSP violation, frame refused).
    BrowserRefusal,
    /// Text or styles rendered inside the portal iframe or the host page.
    RenderedText,
    /// A request the browser made, or did not make (canary host, network log).
    Network,
    /// The browser console.
    Console,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::SdkEvent => "SDK event",
            Surface::HttpStatus => "HTTP status",
            Surface::HttpHeader => "HTTP header",
            Surface::BrowserRefusal => "browser refusal",
            Surface::RenderedText => "rendered text",
            Surface::Network => "network",
            Surface::Console => "console",
        }
    }
}

/// One numbered requirement of the contract.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// Stable ID, e.g. `AUTH-HMAC-EXACT-BYTES`. Never positional, never reused.
    pub id: &'static str,
    pub section: Section,
    pub level: Level,
    /// The requirement in one sentence.
    pub text: &'static str,
    /// The documentation sentence it comes from, quoted.
    pub source: &'static str,
    /// Where a failure must show.
    pub surfaces: &'static [Surface],
}
