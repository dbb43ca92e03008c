//! The trust-boundary map and the threat model, as data: every place where
//! data passes from one party to another, what crosses it, and for each
//! crossing the attack classes an implementation can get wrong, each with
//! its public source and either the scenarios that try it or the reason no
//! black-box test can observe it. Classes the harness could observe but
//! does not yet are listed as gaps, with what is missing.
//!
//! `REQUIREMENTS.md` and `portalcheck explain THREAT-ID` are generated from
//! here; the tests below keep every mapping pointing at real scenarios.

use serde::Serialize;

/// A party-to-party crossing of the embedded portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Boundary {
    /// The customer's server signs the user string and hands it to its page.
    ServerToPage,
    /// The host page calls the SDK (`init`, `setUser`, `on`) in its own window.
    PageToSdk,
    /// The SDK's handshake to the portal API, across origins (CORS).
    SdkToHandshake,
    /// The SDK and the portal iframe, across windows (`postMessage`, the frame URL).
    SdkToFrame,
    /// The portal frame's calls to the ticket API with the session token.
    FrameToTicketApi,
    /// What the portal's documents and answers tell the browser (framing, caching, CORS).
    PortalToBrowser,
    /// The theme: customer-chosen CSS rendered inside the portal.
    ThemeToFrame,
    /// One tenant and another on the same portal.
    TenantToTenant,
    /// One user and another within a tenant.
    UserToUser,
    /// One page's session and the next (re-sign, expiry, user switch).
    SessionToSession,
    /// The portal's own secrets and logs, behind the API.
    PortalInternals,
}

impl Boundary {
    pub const ALL: [Boundary; 11] = [
        Boundary::ServerToPage,
        Boundary::PageToSdk,
        Boundary::SdkToHandshake,
        Boundary::SdkToFrame,
        Boundary::FrameToTicketApi,
        Boundary::PortalToBrowser,
        Boundary::ThemeToFrame,
        Boundary::TenantToTenant,
        Boundary::UserToUser,
        Boundary::SessionToSession,
        Boundary::PortalInternals,
    ];

    /// A stable slug (anchors, JSON).
    pub fn slug(self) -> &'static str {
        match self {
            Boundary::ServerToPage => "server-to-page",
            Boundary::PageToSdk => "page-to-sdk",
            Boundary::SdkToHandshake => "sdk-to-handshake",
            Boundary::SdkToFrame => "sdk-to-frame",
            Boundary::FrameToTicketApi => "frame-to-ticket-api",
            Boundary::PortalToBrowser => "portal-to-browser",
            Boundary::ThemeToFrame => "theme-to-frame",
            Boundary::TenantToTenant => "tenant-to-tenant",
            Boundary::UserToUser => "user-to-user",
            Boundary::SessionToSession => "session-to-session",
            Boundary::PortalInternals => "portal-internals",
        }
    }

    /// From whom to whom, in a few words.
    pub fn title(self) -> &'static str {
        match self {
            Boundary::ServerToPage => "customer's server → host page",
            Boundary::PageToSdk => "host page → SDK",
            Boundary::SdkToHandshake => "SDK → portal handshake API",
            Boundary::SdkToFrame => "SDK ↔ portal frame",
            Boundary::FrameToTicketApi => "portal frame → ticket API",
            Boundary::PortalToBrowser => "portal → browser (documents and headers)",
            Boundary::ThemeToFrame => "customer's theme → portal frame",
            Boundary::TenantToTenant => "tenant ↔ tenant",
            Boundary::UserToUser => "user ↔ user",
            Boundary::SessionToSession => "one session ↔ the next",
            Boundary::PortalInternals => "portal API → its own storage and logs",
        }
    }

    /// What crosses the boundary.
    pub fn crossing(self) -> &'static [Asset] {
        use Asset::*;
        match self {
            Boundary::ServerToPage => &[UserString, Hmac],
            Boundary::PageToSdk => &[UserString, Hmac, PublicKey, Theme, Events],
            Boundary::SdkToHandshake => &[UserString, Hmac, PublicKey, Origin, SessionToken],
            Boundary::SdkToFrame => &[SessionToken, Theme, Messages, Events],
            Boundary::FrameToTicketApi => &[SessionToken, TicketData],
            Boundary::PortalToBrowser => &[TicketData, Origin],
            Boundary::ThemeToFrame => &[Theme],
            Boundary::TenantToTenant => &[PublicKey, Secret, TicketData],
            Boundary::UserToUser => &[UserString, TicketData, SessionToken],
            Boundary::SessionToSession => &[SessionToken, UserString, TicketData],
            Boundary::PortalInternals => &[Secret, Hmac, SessionToken],
        }
    }
}

/// What crosses a boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Asset {
    /// The JSON user string the HMAC covers.
    UserString,
    /// `userHmac`: HMAC-SHA256 of the user string under the tenant secret.
    Hmac,
    /// The tenant's secret (never meant to leave the customer's server and the portal).
    Secret,
    /// The tenant's public key.
    PublicKey,
    /// The embedding origin the browser asserts.
    Origin,
    /// The session token the handshake mints.
    SessionToken,
    /// Theme variables and values.
    Theme,
    /// Tickets: subjects, bodies, IDs.
    TicketData,
    /// SDK events (`ready`, `auth_failed`, `auth_expiring`).
    Events,
    /// Messages between windows.
    Messages,
}

impl Asset {
    pub fn as_str(self) -> &'static str {
        match self {
            Asset::UserString => "user string",
            Asset::Hmac => "HMAC",
            Asset::Secret => "tenant secret",
            Asset::PublicKey => "public key",
            Asset::Origin => "origin",
            Asset::SessionToken => "session token",
            Asset::Theme => "theme",
            Asset::TicketData => "ticket data",
            Asset::Events => "SDK events",
            Asset::Messages => "window messages",
        }
    }
}

/// A public source for an attack class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    pub title: &'static str,
    pub url: &'static str,
}

/// How the catalogue answers an attack class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
pub enum Coverage {
    /// These scenarios send the attack and judge it.
    Scenarios(&'static [&'static str]),
    /// No black-box test can observe it, for this reason.
    Unobservable(&'static str),
    /// Observable, but no scenario tries it yet: what is missing.
    Gap(&'static str),
}

/// One way an implementation can get a crossing wrong.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AttackClass {
    /// Stable ID, `THREAT-...`. Never positional, never reused.
    pub id: &'static str,
    pub boundary: Boundary,
    pub asset: Asset,
    pub title: &'static str,
    /// What the attacker does and what the flawed implementation does.
    pub attack: &'static str,
    pub sources: &'static [Source],
    pub coverage: Coverage,
}

impl AttackClass {
    /// The scenarios that try this class (empty when none do).
    pub fn scenario_ids(&self) -> &'static [&'static str] {
        match self.coverage {
            Coverage::Scenarios(ids) => ids,
            _ => &[],
        }
    }
}

// ------------------------------------------------------------------ sources

macro_rules! wstg {
    ($title:literal, $path:literal) => {
        Source {
            title: concat!("OWASP WSTG: ", $title),
            url: concat!(
                "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/",
                $path
            ),
        }
    };
}

macro_rules! cwe {
    ($n:literal, $title:literal) => {
        Source {
            title: concat!("CWE-", $n, ": ", $title),
            url: concat!("https://cwe.mitre.org/data/definitions/", $n, ".html"),
        }
    };
}

macro_rules! academy {
    ($title:literal, $path:literal) => {
        Source {
            title: concat!("PortSwigger Web Security Academy: ", $title),
            url: concat!("https://portswigger.net/web-security/", $path),
        }
    };
}

macro_rules! asvs {
    ($title:literal, $file:literal) => {
        Source {
            title: concat!("OWASP ASVS 4.0.3: ", $title),
            url: concat!("https://github.com/OWASP/ASVS/blob/v4.0.3/4.0/en/", $file),
        }
    };
}

const BISHOP_FOX_JSON: Source = Source {
    title: "Bishop Fox (J. Miller): An Exploration of JSON Interoperability Vulnerabilities",
    url: "https://bishopfox.com/blog/json-interoperability-vulnerabilities",
};
const SERIOT_JSON: Source = Source {
    title: "N. Seriot: Parsing JSON is a Minefield",
    url: "https://seriot.ch/projects/parsing_json.html",
};
const RFC8259: Source = Source {
    title: "RFC 8259 §4 and §8: object member names SHOULD be unique; JSON text encoding",
    url: "https://www.rfc-editor.org/rfc/rfc8259",
};
const RFC7493: Source = Source {
    title: "RFC 7493: The I-JSON Message Format (no duplicate names, no lone surrogates)",
    url: "https://www.rfc-editor.org/rfc/rfc7493",
};
const COUCHDB_CVE: Source = Source {
    title: "CVE-2017-12635: Apache CouchDB privilege escalation through duplicate JSON keys parsed differently by two parsers",
    url: "https://nvd.nist.gov/vuln/detail/CVE-2017-12635",
};
const JWT_KEY_CONFUSION_CVE: Source = Source {
    title: "CVE-2015-9235: node-jsonwebtoken verifies an HS256 token with the RSA public key as the HMAC secret",
    url: "https://nvd.nist.gov/vuln/detail/CVE-2015-9235",
};
const RAILS_TIMING_CVE: Source = Source {
    title: "CVE-2015-7576: timing attack in Rails basic-authentication comparison",
    url: "https://nvd.nist.gov/vuln/detail/CVE-2015-7576",
};
const DJANGO_CASE_CVE: Source = Source {
    title: "CVE-2019-19844: Django account hijack through Unicode case mapping of e-mail addresses",
    url: "https://nvd.nist.gov/vuln/detail/CVE-2019-19844",
};
const SPOTIFY_USERNAMES: Source = Source {
    title: "Spotify Engineering: Creative usernames and Spotify account hijacking (Unicode normalisation)",
    url: "https://engineering.atspotify.com/2013/06/creative-usernames",
};
const UTR36: Source = Source {
    title: "Unicode Technical Report #36: Unicode Security Considerations",
    url: "https://www.unicode.org/reports/tr36/",
};
const ORANGE_URL: Source = Source {
    title: "Orange Tsai: A New Era of SSRF — Exploiting URL Parser in Trending Programming Languages (Black Hat USA 2017)",
    url: "https://www.blackhat.com/docs/us-17/thursday/us-17-Tsai-A-New-Era-Of-SSRF-Exploiting-URL-Parser-In-Trending-Programming-Languages.pdf",
};
const RFC6454: Source = Source {
    title: "RFC 6454: The Web Origin Concept",
    url: "https://www.rfc-editor.org/rfc/rfc6454",
};
const FETCH_CORS: Source = Source {
    title: "WHATWG Fetch: the CORS protocol",
    url: "https://fetch.spec.whatwg.org/#http-cors-protocol",
};
const HTML_MESSAGING: Source = Source {
    title: "WHATWG HTML: cross-document messaging, security",
    url: "https://html.spec.whatwg.org/multipage/web-messaging.html",
};
const DETECTIFY_POSTMESSAGE: Source = Source {
    title: "Detectify Labs (M. Karlsson): The pitfalls of postMessage",
    url: "https://labs.detectify.com/2016/12/08/the-pitfalls-of-postmessage/",
};
const LOGIN_CSRF: Source = Source {
    title: "Barth, Jackson, Mitchell: Robust Defenses for Cross-Site Request Forgery (ACM CCS 2008), login CSRF",
    url: "https://seclab.stanford.edu/websec/csrf/csrf.pdf",
};
const ORANGE_TSAI_PARSER_LOGIC: Source = Source {
    title: "Orange Tsai: Breaking Parser Logic! Take Your Path Normalization Off and Pop 0days Out (Black Hat USA 2018)",
    url: "https://i.blackhat.com/us-18/Wed-August-8/us-18-Orange-Tsai-Breaking-Parser-Logic-Take-Your-Path-Normalization-Off-And-Pop-0days-Out-2.pdf",
};
const RFC6750: Source = Source {
    title: "RFC 6750 §5.3: bearer tokens must not be passed in page URLs",
    url: "https://www.rfc-editor.org/rfc/rfc6750",
};
const RFC2104: Source = Source {
    title: "RFC 2104: HMAC (verification compares the full output)",
    url: "https://www.rfc-editor.org/rfc/rfc2104",
};
const RFC7519: Source = Source {
    title: "RFC 7519 §4.1.4: expiry, and only a small leeway for clock skew",
    url: "https://www.rfc-editor.org/rfc/rfc7519",
};
const CSS_SYNTAX: Source = Source {
    title: "W3C CSS Syntax Module Level 3: escapes, comments and url tokens",
    url: "https://www.w3.org/TR/css-syntax-3/",
};
const BLIND_CSS: Source = Source {
    title: "PortSwigger Research (G. Heyes): Blind CSS Exfiltration",
    url: "https://portswigger.net/research/blind-css-exfiltration",
};
const HTTPLEAKS: Source = Source {
    title: "cure53: HTTPLeaks — every way a document can make the browser fetch",
    url: "https://github.com/cure53/HTTPLeaks",
};
const SRI: Source = Source {
    title: "W3C Subresource Integrity",
    url: "https://www.w3.org/TR/SRI/",
};
const REFERRER_POLICY: Source = Source {
    title: "W3C Referrer Policy",
    url: "https://www.w3.org/TR/referrer-policy/",
};
const CSP3: Source = Source {
    title: "W3C Content Security Policy Level 3 (frame-ancestors, connect-src, frame-src)",
    url: "https://www.w3.org/TR/CSP3/",
};

// ------------------------------------------------------------------ the model

use Asset as A;
use Boundary as B;
use Coverage::{Scenarios, Unobservable};

/// Every attack class, grouped by boundary.
pub const ATTACK_CLASSES: &[AttackClass] = &[
    // --------------------------------------------- customer's server → page
    AttackClass {
        id: "THREAT-HMAC-REENCODED-VERIFY",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "HMAC verified over a re-serialization",
        attack: "The portal parses the user string and verifies the HMAC over its own re-serialization, so a string that differs from the signed one (key order, spacing, escapes, numbers) is accepted and the bytes signed are not the bytes used.",
        sources: &[BISHOP_FOX_JSON, RFC8259, cwe!("347", "Improper Verification of Cryptographic Signature")],
        coverage: Scenarios(&[
            "handshake.drift-key-order",
            "handshake.drift-pretty-printed",
            "handshake.drift-spaced",
            "handshake.drift-unicode-escapes",
            "handshake.drift-escaped-slash",
            "handshake.drift-number-exponent",
            "handshake.drift-number-fraction",
            "handshake.drift-trailing-newline",
            "handshake.browser-reserialized",
        ]),
    },
    AttackClass {
        id: "THREAT-HMAC-OVER-IDENTIFIER",
        boundary: B::ServerToPage,
        asset: A::Hmac,
        title: "An HMAC over the identifier alone accepted",
        attack: "Beside the HMAC over the whole user string, the verifier also takes HMAC(secret, user_id), the identity-verification scheme of other support widgets: such an HMAC covers no `expiresAt`, so one leaked value signs that user in for ever, with any expiry the page writes.",
        sources: &[cwe!("347", "Improper Verification of Cryptographic Signature"), RFC2104],
        coverage: Scenarios(&["handshake.hmac-over-identifier-refused"]),
    },
    AttackClass {
        id: "THREAT-HMAC-PARTIAL-COMPARE",
        boundary: B::ServerToPage,
        asset: A::Hmac,
        title: "HMAC compared on a prefix only",
        attack: "Only the first digits of the HMAC are compared, so an attacker forges a signature by matching a short prefix.",
        sources: &[RFC2104, cwe!("1023", "Incomplete Comparison with Missing Factors")],
        coverage: Scenarios(&["handshake.tampered-hmac", "handshake.auth-failed-immediately"]),
    },
    AttackClass {
        id: "THREAT-HMAC-TRUNCATION",
        boundary: B::SdkToHandshake,
        asset: A::Hmac,
        title: "Truncated HMACs accepted",
        attack: "The portal accepts a correct prefix of the HMAC (RFC 2104 allows truncated MACs), so the signature is only as strong as the shortest length it takes; a 64-bit or shorter acceptance is brute-forceable.",
        sources: &[RFC2104, cwe!("328", "Use of Weak Hash")],
        coverage: Scenarios(&["handshake.hmac-wrong-length"]),
    },
    AttackClass {
        id: "THREAT-REFUSAL-SIGNING-ORACLE",
        boundary: B::SdkToHandshake,
        asset: A::Hmac,
        title: "Refusals that reveal the expected HMAC",
        attack: "A debugging field in the `invalid_signature` answer carries the digest the portal computed, so anyone can send any user string, read its valid HMAC back and sign in as anyone.",
        sources: &[cwe!("209", "Generation of Error Message Containing Sensitive Information"), academy!("Information disclosure", "information-disclosure")],
        coverage: Scenarios(&["handshake.tampered-string", "handshake.tampered-hmac"]),
    },
    AttackClass {
        id: "THREAT-HMAC-TIMING-ORACLE",
        boundary: B::ServerToPage,
        asset: A::Hmac,
        title: "HMAC compared with early exit (timing oracle)",
        attack: "The comparison stops at the first differing digit, so refusal latency reveals how many leading digits are right and the HMAC can be found digit by digit.",
        sources: &[RAILS_TIMING_CVE, cwe!("208", "Observable Timing Discrepancy")],
        coverage: Scenarios(&["handshake.constant-time-compare"]),
    },
    AttackClass {
        id: "THREAT-HMAC-LENIENT-DECODE",
        boundary: B::ServerToPage,
        asset: A::Hmac,
        title: "HMAC decoded leniently",
        attack: "The HMAC is trimmed, stripped of a 0x prefix, or only its first 64 digits decoded, so many strings verify as one and the shape rule is not what is enforced.",
        sources: &[cwe!("1286", "Improper Validation of Syntactic Correctness of Input"), wstg!("Testing for Bypassing Authentication Schema", "04-Authentication_Testing/04-Testing_for_Bypassing_Authentication_Schema")],
        coverage: Scenarios(&["handshake.hmac-padded-valid", "handshake.hmac-wrong-length", "handshake.hmac-not-hex"]),
    },
    AttackClass {
        id: "THREAT-HMAC-SHAPE-CRASH",
        boundary: B::ServerToPage,
        asset: A::Hmac,
        title: "Malformed HMAC crashes the handshake",
        attack: "A non-hex, wrong-length, non-string or 100 KB HMAC makes the server fail with a 5xx (a panic in decoding), leaking internals and turning a refusal into an outage.",
        sources: &[wstg!("Testing for Improper Error Handling", "08-Testing_for_Error_Handling/01-Testing_For_Improper_Error_Handling"), cwe!("248", "Uncaught Exception")],
        coverage: Scenarios(&["handshake.hmac-wrong-length", "handshake.hmac-not-hex", "sdk.auth-failed-reason-malformed-hmac"]),
    },
    AttackClass {
        id: "THREAT-WRONG-TENANT-SECRET",
        boundary: B::ServerToPage,
        asset: A::Secret,
        title: "HMAC accepted under a secret that is not the tenant's",
        attack: "Verification tries several secrets (every tenant's, a default one), so one customer's secret signs users into another customer's portal.",
        sources: &[cwe!("347", "Improper Verification of Cryptographic Signature"), academy!("Authentication vulnerabilities", "authentication")],
        coverage: Scenarios(&["handshake.other-tenant-secret", "handshake.unrelated-secret", "handshake.browser-wrong-secret"]),
    },
    AttackClass {
        id: "THREAT-DEGENERATE-SECRET",
        boundary: B::ServerToPage,
        asset: A::Secret,
        title: "HMAC accepted under an empty, default or public key",
        attack: "A secret lookup that misses yields `\"\"`, `undefined` or a default key, or the verifier takes the public key for the secret (the JWT key confusion): anyone can then sign any user without the tenant's secret.",
        sources: &[JWT_KEY_CONFUSION_CVE, academy!("JWT attacks: algorithm confusion", "jwt/algorithm-confusion"), cwe!("1391", "Use of Weak Credentials")],
        coverage: Scenarios(&["handshake.degenerate-secrets"]),
    },
    AttackClass {
        id: "THREAT-UNKEYED-DIGEST",
        boundary: B::ServerToPage,
        asset: A::Secret,
        title: "A digest anyone can compute accepted as the HMAC",
        attack: "A \"checksum\" fallback for integrations that predate signing, or a MAC keyed with the message itself, accepts `userHmac` = SHA-256(user) or HMAC(user, user): anyone signs any user with no secret at all.",
        sources: &[RFC2104, cwe!("347", "Improper Verification of Cryptographic Signature")],
        coverage: Scenarios(&["handshake.degenerate-secrets"]),
    },
    AttackClass {
        id: "THREAT-ROTATED-SECRET-ACCEPTED",
        boundary: B::ServerToPage,
        asset: A::Secret,
        title: "Rotated-out secret still accepted",
        attack: "After a rotation (often because the secret leaked) the old secret still signs users in.",
        sources: &[cwe!("324", "Use of a Key Past its Expiration Date")],
        coverage: Scenarios(&["handshake.rotated-secret"]),
    },
    AttackClass {
        id: "THREAT-SIGNED-STRING-TAMPER",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Signed string changed in transit still accepted",
        attack: "A character replaced, inserted or removed in the user string (by the page, an extension, an attacker) still verifies.",
        sources: &[cwe!("345", "Insufficient Verification of Data Authenticity")],
        coverage: Scenarios(&["handshake.tampered-string"]),
    },
    AttackClass {
        id: "THREAT-HMAC-REPLAY-ACROSS-PAYLOADS",
        boundary: B::ServerToPage,
        asset: A::Hmac,
        title: "One verified HMAC reused with another payload",
        attack: "The portal remembers HMACs it has verified and accepts a remembered one with any user string, so one user's signature signs in anyone.",
        sources: &[cwe!("294", "Authentication Bypass by Capture-replay")],
        coverage: Scenarios(&["tenancy.hmac-reuse-refused", "tenancy.hmac-reuse-refused-browser"]),
    },
    AttackClass {
        id: "THREAT-JSON-DUPLICATE-KEYS",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Duplicate member names read differently by two parsers",
        attack: "A signed string names externalUserId (or expiresAt) twice; the customer's validator keeps one value, the portal another, so the identity the customer approved is not the one signed in.",
        sources: &[COUCHDB_CVE, BISHOP_FOX_JSON, RFC7493],
        coverage: Scenarios(&["handshake.payload-duplicate-keys", "handshake.tampered-string"]),
    },
    AttackClass {
        id: "THREAT-JSON-TRAILING-DATA",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Data after the JSON object ignored",
        attack: "A streaming decoder reads the first value and ignores the rest, so `{...}{...}` means one thing to the portal and another to any other reader of the signed bytes.",
        sources: &[SERIOT_JSON, BISHOP_FOX_JSON],
        coverage: Scenarios(&["handshake.payload-lenient-json"]),
    },
    AttackClass {
        id: "THREAT-JSON-LENIENT-SYNTAX",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Non-JSON syntax accepted (comments, trailing commas, single quotes)",
        attack: "A JSON5-style parser accepts comments, trailing commas or single quotes that a strict parser on the customer's side refuses or reads differently.",
        sources: &[SERIOT_JSON, RFC8259],
        coverage: Scenarios(&["handshake.payload-lenient-json"]),
    },
    AttackClass {
        id: "THREAT-JSON-UNICODE-AMBIGUITY",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Lone surrogates and raw control characters accepted",
        attack: "A lone `\\ud800` escape is replaced by U+FFFD (or dropped) and raw control characters pass, so different signed strings collapse into one identity.",
        sources: &[RFC7493, UTR36],
        coverage: Scenarios(&["handshake.payload-lenient-json"]),
    },
    AttackClass {
        id: "THREAT-JSON-DEEP-NESTING",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Deeply nested JSON exhausts the parser",
        attack: "Thousands of nested arrays or objects overflow a recursive parser's stack, crashing the handshake.",
        sources: &[cwe!("674", "Uncontrolled Recursion"), SERIOT_JSON],
        coverage: Scenarios(&["handshake.payload-not-object"]),
    },
    AttackClass {
        id: "THREAT-PAYLOAD-TYPE-CRASH",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "A user string that is not an object crashes the handshake",
        attack: "An array, a string, a number, null or empty text reaches code that assumes an object and answers 5xx.",
        sources: &[wstg!("Testing for Improper Error Handling", "08-Testing_for_Error_Handling/01-Testing_For_Improper_Error_Handling"), cwe!("20", "Improper Input Validation")],
        coverage: Scenarios(&["handshake.payload-not-object"]),
    },
    AttackClass {
        id: "THREAT-EXPIRY-NOT-ENFORCED",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Expired signed strings accepted",
        attack: "`expiresAt` is never checked (or checked with a grace period), so a signed string captured once works for ever.",
        sources: &[cwe!("613", "Insufficient Session Expiration"), RFC7519],
        coverage: Scenarios(&["handshake.expired-one-second-ago", "handshake.expires-now", "handshake.browser-expired", "handshake.customer-clock-far-behind"]),
    },
    AttackClass {
        id: "THREAT-EXPIRY-TYPE-CONFUSION",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "expiresAt read through a lenient type",
        attack: "`expiresAt` as a numeric string, a fraction, a negative number, milliseconds or a number beyond 2^53 is coerced into something that passes the expiry check.",
        sources: &[cwe!("1287", "Improper Validation of Specified Type of Input"), cwe!("190", "Integer Overflow or Wraparound")],
        coverage: Scenarios(&["handshake.expires-at-string", "handshake.expires-at-fraction", "handshake.expires-at-negative", "handshake.expires-at-milliseconds", "handshake.expires-at-beyond-2-53", "handshake.expires-at-missing"]),
    },
    AttackClass {
        id: "THREAT-UNBOUNDED-LIFETIME",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "No upper bound on expiresAt",
        attack: "A string signed with an `expiresAt` years ahead (a customer bug, or a leaked signature) stays valid for ever.",
        sources: &[asvs!("V3 Session Management", "0x12-V3-Session-management.md"), cwe!("613", "Insufficient Session Expiration")],
        coverage: Scenarios(&["handshake.lifetime-over-24h", "handshake.expires-at-milliseconds"]),
    },
    AttackClass {
        id: "THREAT-CLOCK-SKEW-INTOLERANCE",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "Valid strings refused because of a minimum lifetime",
        attack: "The portal demands more lifetime than the documented window leaves when the customer's clock is behind, locking out real users (an availability flaw customers then 'fix' with long lifetimes).",
        sources: &[RFC7519],
        coverage: Scenarios(&["handshake.recommended-window", "handshake.customer-clock-behind"]),
    },
    AttackClass {
        id: "THREAT-ANONYMOUS-PAYLOAD",
        boundary: B::ServerToPage,
        asset: A::UserString,
        title: "A payload without an identifier signs in",
        attack: "A signed string with no externalUserId, email or phone (or only empty ones) gets a session with an empty identity shared by every such user.",
        sources: &[cwe!("287", "Improper Authentication")],
        coverage: Scenarios(&["tenancy.no-identifier-refused"]),
    },
    AttackClass {
        id: "THREAT-IDENTIFIER-NAMESPACE-CONFUSION",
        boundary: B::UserToUser,
        asset: A::TicketData,
        title: "Identifier fields confused with one another",
        attack: "The portal keys users by the value of whichever identifier the payload has, all three in one column, or by email before `externalUserId`: a user whose `externalUserId` is another user's email (a customer whose IDs are user-chosen names), or who shares an email under another ID (a family address), becomes that user and reads their tickets.",
        sources: &[cwe!("639", "Authorization Bypass Through User-Controlled Key"), cwe!("706", "Use of Incorrectly-Resolved Name or Reference")],
        coverage: Scenarios(&["tenancy.identifier-fields-distinct"]),
    },
    AttackClass {
        id: "THREAT-PORTAL-SHIPS-SECRET",
        boundary: B::PortalToBrowser,
        asset: A::Secret,
        title: "The portal sends the tenant secret to the browser",
        attack: "The portal's own answers carry the tenant's secret: an embed document or SDK that checks the HMAC in the browser (client-side authentication), a configuration or error answer that serializes the whole tenant record. Anyone who opens a customer's page can then sign any user of that tenant.",
        sources: &[cwe!("603", "Use of Client-Side Authentication"), cwe!("200", "Exposure of Sensitive Information to an Unauthorized Actor")],
        coverage: Scenarios(&["handshake.answers-carry-no-secret"]),
    },
    AttackClass {
        id: "THREAT-SECRET-IN-BROWSER",
        boundary: B::ServerToPage,
        asset: A::Secret,
        title: "The tenant secret shipped to the browser",
        attack: "The customer signs in the page with the secret in JavaScript, so anyone can sign any user.",
        sources: &[cwe!("798", "Use of Hard-coded Credentials"), asvs!("V1 Architecture", "0x10-V1-Architecture.md")],
        coverage: Unobservable("the secret is placed by the customer's own code; the portal never sees where the signature was computed, so no test of the portal can tell"),
    },
    // --------------------------------------------- host page → SDK
    AttackClass {
        id: "THREAT-CLAIMED-ORIGIN-TRUSTED",
        boundary: B::PageToSdk,
        asset: A::Origin,
        title: "An origin the page supplies is trusted",
        attack: "The SDK forwards an `origin` init option or `location.origin` in the handshake body and the server prefers it to the browser's Origin header, so any site claims an allowlisted origin.",
        sources: &[cwe!("346", "Origin Validation Error"), cwe!("602", "Client-Side Enforcement of Server-Side Security")],
        coverage: Scenarios(&["handshake.claimed-origin-api", "handshake.claimed-origin-browser"]),
    },
    AttackClass {
        id: "THREAT-SDK-FAIL-OPEN",
        boundary: B::PageToSdk,
        asset: A::Events,
        title: "The SDK shows data before, or despite, a refused handshake",
        attack: "The SDK renders tickets before the handshake succeeds, or retries a refused one silently, so a wrong signature still shows data or hides the refusal.",
        sources: &[cwe!("636", "Not Failing Securely ('Failing Open')")],
        coverage: Scenarios(&["handshake.auth-failed-immediately", "session.bad-resign-fails"]),
    },
    AttackClass {
        id: "THREAT-SDK-NEEDS-UNSAFE-EVAL",
        boundary: B::PageToSdk,
        asset: A::Events,
        title: "The SDK needs `unsafe-eval` (or inline script) in the host policy",
        attack: "The SDK evaluates strings, so customers weaken their Content-Security-Policy to embed it, re-opening XSS on their own page.",
        sources: &[academy!("Content security policy", "cross-site-scripting/content-security-policy"), CSP3],
        coverage: Scenarios(&["blank-panel.strict-csp-works"]),
    },
    AttackClass {
        id: "THREAT-SDK-RENDERS-IN-HOST",
        boundary: B::PageToSdk,
        asset: A::TicketData,
        title: "Ticket data rendered in the host page",
        attack: "When the frame is blocked the SDK fetches tickets itself and writes them into the host DOM, where every host script (analytics, ads, an XSS) can read them.",
        sources: &[CSP3, cwe!("668", "Exposure of Resource to Wrong Sphere")],
        coverage: Scenarios(&["blank-panel.frame-src-blocked"]),
    },
    AttackClass {
        id: "THREAT-SDK-JSONP-FALLBACK",
        boundary: B::PageToSdk,
        asset: A::SessionToken,
        title: "A JSONP fallback around connect-src",
        attack: "When `fetch` is blocked the SDK retries the handshake through a `<script>` (JSONP), which any site can include to read the answer (cross-site script inclusion) and which bypasses the customer's connect-src.",
        sources: &[wstg!("Testing for Cross Site Script Inclusion", "11-Client-side_Testing/13-Testing_for_Cross_Site_Script_Inclusion"), CSP3],
        coverage: Scenarios(&["blank-panel.connect-src-blocked"]),
    },
    AttackClass {
        id: "THREAT-SDK-SUPPLY-CHAIN",
        boundary: B::PageToSdk,
        asset: A::Events,
        title: "The SDK script replaced at its source",
        attack: "Whoever controls the script's host or CDN runs code in every customer page.",
        sources: &[SRI, cwe!("829", "Inclusion of Functionality from Untrusted Control Sphere")],
        coverage: Unobservable("what the script host serves to other visitors, later, is outside what any single run can see; a run only sees the script it was served"),
    },
    // --------------------------------------------- SDK → handshake API
    AttackClass {
        id: "THREAT-ORIGIN-NOT-CHECKED",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "The origin allowlist is not enforced",
        attack: "Any site embeds the portal and signs in a user with a captured signed string.",
        sources: &[cwe!("346", "Origin Validation Error"), RFC6454],
        coverage: Scenarios(&["handshake.origin-not-allowlisted-api", "handshake.origin-not-allowlisted-browser", "support.console-error-on-origin-refusal"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-SUFFIX-MATCH",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "Origins matched by suffix",
        attack: "`evil-shop-a.test` passes a check for `shop-a.test` written as `endsWith`.",
        sources: &[academy!("CORS: errors parsing Origin headers", "cors")],
        coverage: Scenarios(&["handshake.origin-suffix-lookalike", "handshake.generated-origin-lookalikes"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-PREFIX-MATCH",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "Origins matched by prefix",
        attack: "`https://shop-a.test.evil.test` passes a check written as `startsWith`.",
        sources: &[academy!("CORS: errors parsing Origin headers", "cors")],
        coverage: Scenarios(&["handshake.origin-prefix-lookalike", "handshake.generated-origin-lookalikes"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-SUBDOMAIN",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "Any subdomain of an allowed host accepted",
        attack: "A subdomain the customer does not control (a takeover, user content) embeds the portal.",
        sources: &[academy!("CORS", "cors"), RFC6454],
        coverage: Scenarios(&["handshake.origin-subdomain", "handshake.generated-origin-lookalikes"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-SCHEME-IGNORED",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "The origin's scheme ignored",
        attack: "`http://` of an allowlisted host is accepted, so a network attacker injects a page on the plain-HTTP origin.",
        sources: &[RFC6454, academy!("CORS", "cors")],
        coverage: Scenarios(&["handshake.origin-other-scheme", "embedding.http-parent-refused"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-PORT-IGNORED",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "The origin's port ignored",
        attack: "Another service on another port of the allowlisted host (often less protected) embeds the portal.",
        sources: &[RFC6454],
        coverage: Scenarios(&["handshake.origin-other-port", "handshake.generated-origin-lookalikes"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-NULL-TRUSTED",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "`Origin: null` trusted",
        attack: "A sandboxed iframe or a data: document sends `Origin: null`, which the portal treats as 'no browser' or has allowlisted, so any site gets in through a sandbox.",
        sources: &[academy!("CORS: whitelisted null origin value", "cors"), RFC6454],
        coverage: Scenarios(&["handshake.origin-null", "handshake.generated-origin-lookalikes"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-REGEX-DOT",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "Allowlist regex with an unescaped dot",
        attack: "`^https://shop-a.test$` as a regular expression also matches `https://shop-axtest`, a domain the attacker can register.",
        sources: &[academy!("CORS: errors parsing Origin headers", "cors"), cwe!("185", "Incorrect Regular Expression")],
        coverage: Scenarios(&["handshake.origin-regex-dot", "handshake.generated-origin-lookalikes"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-SUBSTRING",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "Origin accepted as a substring of the allowlist",
        attack: "`allowlist.join(',').includes(origin)` accepts `https://shop-a.tes`, a truncation an attacker can own.",
        sources: &[cwe!("697", "Incorrect Comparison"), academy!("CORS: errors parsing Origin headers", "cors")],
        coverage: Scenarios(&["handshake.origin-truncated-host"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-OTHER-TENANT",
        boundary: B::TenantToTenant,
        asset: A::Origin,
        title: "One allowlist for all tenants",
        attack: "The handshake or `frame-ancestors` uses the union of every tenant's allowed origins, so one customer's site (or anyone who controls it) signs users in to, and frames, another customer's portal.",
        sources: &[academy!("CORS: origin reflection and trusted origins", "cors"), cwe!("639", "Authorization Bypass Through User-Controlled Key")],
        coverage: Scenarios(&["handshake.origin-of-other-tenant", "embedding.other-tenant-parent-refused", "embedding.frame-ancestors-header"]),
    },
    AttackClass {
        id: "THREAT-ORIGIN-PARSER-DIFFERENTIAL",
        boundary: B::SdkToHandshake,
        asset: A::Origin,
        title: "Origin strings with userinfo, paths or odd syntax",
        attack: "`https://shop-a.test@evil.test` or a backslash confuses a URL parser into reading the allowlisted host.",
        sources: &[ORANGE_URL, RFC6454],
        coverage: Unobservable("browsers serialise the Origin header themselves (scheme, host, port, never userinfo or a path); such strings can only come from a non-browser client, which can send any Origin anyway, so accepting them grants nothing a browser attacker could use"),
    },
    AttackClass {
        id: "THREAT-CORS-CREDENTIALED-REFLECTION",
        boundary: B::SdkToHandshake,
        asset: A::SessionToken,
        title: "CORS reflects any origin with credentials",
        attack: "The API echoes any Origin in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true, so any site reads credentialed answers.",
        sources: &[academy!("CORS", "cors"), wstg!("Testing Cross Origin Resource Sharing", "11-Client-side_Testing/07-Testing_Cross_Origin_Resource_Sharing"), cwe!("942", "Permissive Cross-domain Policy with Untrusted Domains")],
        coverage: Scenarios(&["handshake.cors-no-credentialed-reflection", "handshake.origin-not-allowlisted-api", "handshake.origin-null"]),
    },
    AttackClass {
        id: "THREAT-AMBIENT-CREDENTIALS",
        boundary: B::SdkToHandshake,
        asset: A::SessionToken,
        title: "The API relies on cookies (CSRF)",
        attack: "Sessions ride on cookies, so a cross-site request from any page carries the user's session.",
        sources: &[academy!("Cross-site request forgery", "csrf"), FETCH_CORS],
        coverage: Scenarios(&["handshake.cors-allowlisted-origin"]),
    },
    AttackClass {
        id: "THREAT-UNKNOWN-KEY-CONFUSION",
        boundary: B::SdkToHandshake,
        asset: A::PublicKey,
        title: "An unknown public key answered as a bad signature",
        attack: "A typo in the public key is reported as `invalid_signature`, so customers rotate secrets and weaken checks chasing the wrong fault.",
        sources: &[wstg!("Testing for Improper Error Handling", "08-Testing_for_Error_Handling/01-Testing_For_Improper_Error_Handling")],
        coverage: Scenarios(&["handshake.unknown-public-key"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-FROM-UNSIGNED-FIELD",
        boundary: B::SdkToHandshake,
        asset: A::UserString,
        title: "Identity taken from a field outside the signed string",
        attack: "An `externalUserId` or `email` beside `user` in the handshake body (mass assignment) overrides the signed identity, so any signed user becomes any other.",
        sources: &[academy!("API testing: mass assignment", "api-testing"), cwe!("915", "Improperly Controlled Modification of Dynamically-Determined Object Attributes")],
        coverage: Scenarios(&["handshake.unsigned-fields-ignored"]),
    },
    AttackClass {
        id: "THREAT-EXPIRY-FROM-UNSIGNED-FIELD",
        boundary: B::SdkToHandshake,
        asset: A::UserString,
        title: "Expiry taken from a field outside the signed string",
        attack: "An `expiresAt` beside `user` in the body sets the session's expiry, so a five-minute signature becomes a year-long session.",
        sources: &[cwe!("915", "Improperly Controlled Modification of Dynamically-Determined Object Attributes"), cwe!("613", "Insufficient Session Expiration")],
        coverage: Scenarios(&["handshake.unsigned-fields-ignored"]),
    },
    AttackClass {
        id: "THREAT-SESSION-FIXATION",
        boundary: B::SdkToHandshake,
        asset: A::SessionToken,
        title: "A client-chosen session token adopted",
        attack: "The handshake adopts a `sessionToken` the client supplies, so an attacker who planted it rides the victim's session.",
        sources: &[wstg!("Testing for Session Fixation", "06-Session_Management_Testing/03-Testing_for_Session_Fixation"), cwe!("384", "Session Fixation")],
        coverage: Scenarios(&["handshake.unsigned-fields-ignored"]),
    },
    // --------------------------------------------- SDK ↔ frame
    AttackClass {
        id: "THREAT-POSTMESSAGE-ANY-SENDER",
        boundary: B::SdkToFrame,
        asset: A::Messages,
        title: "The SDK accepts messages from any window",
        attack: "An SDK message handler that does not check `event.origin` / `event.source` lets a foreign window (an opener, another frame) forge the portal frame's side: `ready`, the session state, events.",
        sources: &[wstg!("Testing Web Messaging", "11-Client-side_Testing/11-Testing_Web_Messaging"), academy!("Controlling the web message source", "dom-based/controlling-the-web-message-source"), DETECTIFY_POSTMESSAGE],
        coverage: Scenarios(&["sdk.foreign-window-messages-ignored"]),
    },
    AttackClass {
        id: "THREAT-FRAME-MESSAGE-ANY-SENDER",
        boundary: B::SdkToFrame,
        asset: A::Messages,
        title: "The portal frame accepts the host's messages from any window",
        attack: "A frame message handler that does not check `event.source` is its parent (and `event.origin` the embedding page's) lets a third-party frame on the shop, or an opener, post the messages of the attacker's own sign-in into the visitor's portal frame: the visitor is signed in as the attacker (login CSRF) or signed out.",
        sources: &[wstg!("Testing Web Messaging", "11-Client-side_Testing/11-Testing_Web_Messaging"), academy!("DOM-based web message vulnerabilities", "dom-based/controlling-the-web-message-source"), LOGIN_CSRF],
        coverage: Scenarios(&["sdk.frame-ignores-foreign-messages"]),
    },
    AttackClass {
        id: "THREAT-POSTMESSAGE-TARGET-STAR",
        boundary: B::SdkToFrame,
        asset: A::SessionToken,
        title: "Secrets posted with targetOrigin `*`",
        attack: "The session token or user string is posted with `*`, so whatever document the window holds by then (after a navigation) receives it.",
        sources: &[HTML_MESSAGING, DETECTIFY_POSTMESSAGE],
        coverage: Scenarios(&["sdk.session-not-posted-to-foreign-frame"]),
    },
    AttackClass {
        id: "THREAT-SESSION-BROADCAST-TO-FRAMES",
        boundary: B::SdkToFrame,
        asset: A::SessionToken,
        title: "The session posted to every frame of the page",
        attack: "An SDK that posts the session (or the user string and HMAC) to every frame of the host page, so that a re-created portal frame is sure to get it, hands it with targetOrigin `*` to each ad, analytics or chat frame the shop carries.",
        sources: &[HTML_MESSAGING, wstg!("Testing Web Messaging", "11-Client-side_Testing/11-Testing_Web_Messaging"), cwe!("201", "Insertion of Sensitive Information Into Sent Data")],
        coverage: Scenarios(&["sdk.other-frames-get-no-credential"]),
    },
    AttackClass {
        id: "THREAT-FRAME-FOUND-BY-INDEX",
        boundary: B::SdkToFrame,
        asset: A::SessionToken,
        title: "The SDK takes the page's first frame for its own",
        attack: "An SDK that addresses `window.frames[0]` (or the page's first `iframe`) instead of the iframe it created posts the session to whatever frame comes first on the shop's page, and the portal itself never signs in there.",
        sources: &[HTML_MESSAGING, DETECTIFY_POSTMESSAGE, cwe!("201", "Insertion of Sensitive Information Into Sent Data")],
        coverage: Scenarios(&["sdk.other-frames-get-no-credential"]),
    },
    AttackClass {
        id: "THREAT-TOKEN-IN-FRAME-URL",
        boundary: B::SdkToFrame,
        asset: A::SessionToken,
        title: "The session token or signed string in the frame URL",
        attack: "Credentials in the iframe's URL end up in history, logs and the Referer of every request the frame makes.",
        sources: &[RFC6750, wstg!("Testing for Exposed Session Variables", "06-Session_Management_Testing/04-Testing_for_Exposed_Session_Variables"), cwe!("598", "Use of GET Request Method With Sensitive Query Strings")],
        coverage: Scenarios(&["sdk.signed-in-page-leaks-nothing"]),
    },
    AttackClass {
        id: "THREAT-TOKEN-IN-QUERY",
        boundary: B::FrameToTicketApi,
        asset: A::SessionToken,
        title: "The session token as an `access_token` query parameter",
        attack: "The frame sends its token in the URL of API calls (RFC 6750 §2.3) instead of an `Authorization` header: it lands in server and proxy logs, history and Referers.",
        sources: &[RFC6750, cwe!("598", "Use of GET Request Method With Sensitive Query Strings")],
        coverage: Scenarios(&["sdk.signed-in-page-leaks-nothing"]),
    },
    AttackClass {
        id: "THREAT-CREDENTIAL-IN-CONSOLE",
        boundary: B::SdkToFrame,
        asset: A::SessionToken,
        title: "Credentials written to the browser console",
        attack: "The SDK or the frame logs the user string, the HMAC or the session token; error trackers, session recorders and the console output customers mail to support collect it.",
        sources: &[cwe!("532", "Insertion of Sensitive Information into Log File"), asvs!("V7 Error Handling and Logging", "0x15-V7-Error-Logging.md")],
        coverage: Scenarios(&["sdk.signed-in-page-leaks-nothing"]),
    },
    AttackClass {
        id: "THREAT-REFERER-LEAK",
        boundary: B::SdkToFrame,
        asset: A::SessionToken,
        title: "Credentials leaked through the Referer",
        attack: "Third-party requests from the frame carry a Referer with the token or HMAC.",
        sources: &[REFERRER_POLICY, HTTPLEAKS],
        coverage: Scenarios(&["sdk.signed-in-page-leaks-nothing"]),
    },
    // --------------------------------------------- frame → ticket API
    AttackClass {
        id: "THREAT-TICKETS-NOT-SCOPED",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "The ticket list is not scoped by identity",
        attack: "The list returns every ticket of the tenant, or a broken filter returns another user's.",
        sources: &[academy!("Access control vulnerabilities", "access-control"), wstg!("Testing for Bypassing Authorization Schema", "05-Authorization_Testing/02-Testing_for_Bypassing_Authorization_Schema")],
        coverage: Scenarios(&["tenancy.replay-with-other-session", "tenancy.other-users-ticket-not-shown"]),
    },
    AttackClass {
        id: "THREAT-TICKET-IDOR",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "Another user's ticket fetched by ID",
        attack: "`GET /tickets/{id}` checks the session but not the owner, so a user reads any ticket whose ID they learn or guess.",
        sources: &[academy!("Insecure direct object references", "access-control/idor"), wstg!("Testing for Insecure Direct Object References", "05-Authorization_Testing/04-Testing_for_Insecure_Direct_Object_References"), cwe!("639", "Authorization Bypass Through User-Controlled Key")],
        coverage: Scenarios(&["tenancy.replay-with-other-session", "tenancy.identity-exact-match"]),
    },
    AttackClass {
        id: "THREAT-EXCESSIVE-DATA-EXPOSURE",
        boundary: B::UserToUser,
        asset: A::TicketData,
        title: "Answers that carry more than the frame shows",
        attack: "The ticket API returns other users' tickets in a field the frame never renders (`recent`, `related`), or a refusal carries the object it refused: the screen looks scoped, the JSON is not.",
        sources: &[Source { title: "OWASP API Security Top 10 (2019): API3 Excessive Data Exposure", url: "https://owasp.org/API-Security/editions/2019/en/0xa3-excessive-data-exposure/" }, cwe!("213", "Exposure of Sensitive Information Due to Incompatible Policies")],
        coverage: Scenarios(&["tenancy.replay-with-other-session"]),
    },
    AttackClass {
        id: "THREAT-TICKET-STORED-XSS",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "Ticket text rendered as markup in the portal frame",
        attack: "A ticket's subject comes from whoever wrote to support (an inbound e-mail names the victim as sender); the frame writes it with `innerHTML`, so the markup runs or fetches in the portal origin with the victim's session.",
        sources: &[wstg!("Testing for Stored Cross Site Scripting", "07-Input_Validation_Testing/02-Testing_for_Stored_Cross_Site_Scripting"), academy!("Stored XSS", "cross-site-scripting/stored"), cwe!("79", "Improper Neutralization of Input During Web Page Generation")],
        coverage: Scenarios(&["tenancy.ticket-text-inert"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-MARKUP",
        boundary: B::SdkToFrame,
        asset: A::UserString,
        title: "Signed identity fields rendered as markup",
        attack: "The customer signs whatever `externalUserId` its users chose; the portal shows \"Signed in as …\" with `innerHTML`, so a user who picked markup as a name runs it in the portal frame of everyone who sees the label.",
        sources: &[academy!("DOM-based XSS", "cross-site-scripting/dom-based"), cwe!("79", "Improper Neutralization of Input During Web Page Generation")],
        coverage: Scenarios(&["tenancy.ticket-text-inert"]),
    },
    AttackClass {
        id: "THREAT-ROUTE-WITHOUT-SESSION",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "A ticket route outside the session check",
        attack: "The session check guards the list but not every route: `GET /tickets/{id}` with no `Authorization` header (a share-link route, a missing middleware) serves the ticket, or skips the expiry check, to anyone holding an ID.",
        sources: &[wstg!("Testing for Bypassing Authorization Schema", "05-Authorization_Testing/02-Testing_for_Bypassing_Authorization_Schema"), cwe!("306", "Missing Authentication for Critical Function")],
        coverage: Scenarios(&["session.token-exact-match", "session.server-refuses-after-expiry"]),
    },
    AttackClass {
        id: "THREAT-SCOPE-FROM-REQUEST",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "Identity or tenant taken from the request",
        attack: "A query parameter (`?externalUserId=`, `?publicKey=`, repeated for parameter pollution) or a header (`X-Public-Key`) re-scopes the session's ticket query.",
        sources: &[wstg!("Testing for HTTP Parameter Pollution", "07-Input_Validation_Testing/04-Testing_for_HTTP_Parameter_Pollution"), academy!("Server-side parameter pollution", "api-testing/server-side-parameter-pollution"), cwe!("639", "Authorization Bypass Through User-Controlled Key")],
        coverage: Scenarios(&["tenancy.request-cannot-rescope"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-HEADER-TRUSTED",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "Identity taken from a header the client can send",
        attack: "A support-impersonation hook (`X-Impersonate-User`, `X-User-Id`) left on, or the identity header an authenticating proxy sets (`X-Forwarded-User`, `X-Remote-User`) trusted without the proxy stripping it from clients, lets any session read another user's tickets.",
        sources: &[wstg!("Testing for Bypassing Authorization Schema", "05-Authorization_Testing/02-Testing_for_Bypassing_Authorization_Schema"), cwe!("290", "Authentication Bypass by Spoofing"), cwe!("639", "Authorization Bypass Through User-Controlled Key")],
        coverage: Scenarios(&["tenancy.request-cannot-rescope"]),
    },
    AttackClass {
        id: "THREAT-ROUTE-SPELLING-BYPASS",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "Another spelling of a ticket route skips the session check",
        attack: "The session check is bound to exact path strings while the router normalises: a trailing slash, a `;` parameter, another letter case, a `.json` suffix, `/./`, `//` or an encoded `/` reaches the ticket handler with no session.",
        sources: &[ORANGE_TSAI_PARSER_LOGIC, wstg!("Testing for Bypassing Authorization Schema", "05-Authorization_Testing/02-Testing_for_Bypassing_Authorization_Schema"), cwe!("288", "Authentication Bypass Using an Alternate Path or Channel")],
        coverage: Scenarios(&["session.token-exact-match"]),
    },
    AttackClass {
        id: "THREAT-METHOD-BYPASS",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "A session check bound to one HTTP method",
        attack: "The session check runs for `GET` only (method-specific middleware, a `GET`-only guard) while the ticket handler answers any method, a lower-case method, or a method-override header: `POST /tickets/{id}` reads the ticket without a session.",
        sources: &[wstg!("Test HTTP Methods", "02-Configuration_and_Deployment_Management_Testing/06-Test_HTTP_Methods"), cwe!("650", "Trusting HTTP Permission Methods on the Server Side")],
        coverage: Scenarios(&["session.token-exact-match"]),
    },
    AttackClass {
        id: "THREAT-SESSION-TOKEN-PREDICTABLE",
        boundary: B::FrameToTicketApi,
        asset: A::SessionToken,
        title: "Predictable session tokens",
        attack: "Tokens from a counter, the clock or the identity let an attacker compute a victim's token from their own.",
        sources: &[wstg!("Testing for Session Management Schema", "06-Session_Management_Testing/01-Testing_for_Session_Management_Schema"), asvs!("V3.2 Session Binding", "0x12-V3-Session-management.md"), cwe!("330", "Use of Insufficiently Random Values")],
        coverage: Scenarios(&["session.token-unguessable"]),
    },
    AttackClass {
        id: "THREAT-SESSION-TOKEN-PARTIAL-MATCH",
        boundary: B::FrameToTicketApi,
        asset: A::SessionToken,
        title: "Session token matched by prefix",
        attack: "A `LIKE 'x%'` or `strncmp` lookup accepts a truncated or extended token, so a few characters of a token (from a log, a screenshot) are enough.",
        sources: &[cwe!("1023", "Incomplete Comparison with Missing Factors"), wstg!("Testing for Session Management Schema", "06-Session_Management_Testing/01-Testing_for_Session_Management_Schema")],
        coverage: Scenarios(&["session.token-exact-match"]),
    },
    AttackClass {
        id: "THREAT-SESSION-NOT-EXPIRED-SERVER-SIDE",
        boundary: B::FrameToTicketApi,
        asset: A::SessionToken,
        title: "The ticket API honours expired sessions",
        attack: "Only the SDK stops at `expiresAt`; the API keeps answering a captured token for ever, or on some routes (the list checks expiry, the ticket by ID does not).",
        sources: &[wstg!("Testing Session Timeout", "06-Session_Management_Testing/07-Testing_Session_Timeout"), cwe!("613", "Insufficient Session Expiration")],
        coverage: Scenarios(&["session.server-refuses-after-expiry"]),
    },
    AttackClass {
        id: "THREAT-SLIDING-EXPIRY",
        boundary: B::SessionToSession,
        asset: A::SessionToken,
        title: "Use extends the session past its signed expiry",
        attack: "An idle time-out refreshed on every call replaces the signed `expiresAt`, so a token that keeps being used (by whoever stole it) never dies.",
        sources: &[wstg!("Testing Session Timeout", "06-Session_Management_Testing/07-Testing_Session_Timeout"), cwe!("613", "Insufficient Session Expiration")],
        coverage: Scenarios(&["session.server-refuses-after-expiry"]),
    },
    AttackClass {
        id: "THREAT-SESSION-CUT-SHORT",
        boundary: B::FrameToTicketApi,
        asset: A::SessionToken,
        title: "Sessions expire before their signed expiry",
        attack: "The server's expiry differs from the signed one, so users are logged out early and customers lengthen lifetimes to compensate.",
        sources: &[RFC7519],
        coverage: Scenarios(&["session.usable-until-expiry", "handshake.recommended-window"]),
    },
    AttackClass {
        id: "THREAT-ERROR-DETAIL-LEAK",
        boundary: B::FrameToTicketApi,
        asset: A::TicketData,
        title: "Server errors instead of refusals",
        attack: "Hostile input turns into 5xx answers with internals instead of the documented 4xx refusal.",
        sources: &[wstg!("Testing for Improper Error Handling", "08-Testing_for_Error_Handling/01-Testing_For_Improper_Error_Handling"), academy!("Information disclosure", "information-disclosure")],
        coverage: Scenarios(&["handshake.payload-not-object", "handshake.payload-lenient-json", "handshake.hmac-padded-valid", "handshake.cors-no-credentialed-reflection"]),
    },
    // --------------------------------------------- portal → browser
    AttackClass {
        id: "THREAT-CLICKJACKING",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "The portal frameable by any site",
        attack: "Without `frame-ancestors` (or with `*`), any site frames the signed-in portal and tricks users into actions.",
        sources: &[academy!("Clickjacking", "clickjacking"), wstg!("Testing for Clickjacking", "11-Client-side_Testing/09-Testing_for_Clickjacking"), cwe!("1021", "Improper Restriction of Rendered UI Layers or Frames")],
        coverage: Scenarios(&["embedding.foreign-parent-refused", "embedding.frame-ancestors-header"]),
    },
    AttackClass {
        id: "THREAT-FRAMING-POLICY-IGNORED",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Framing protection in a form browsers ignore",
        attack: "`frame-ancestors` only in a `<meta>` element, or `X-Frame-Options: ALLOW-FROM`: both look right in review and are ignored by current browsers, so any site frames the portal.",
        sources: &[CSP3, Source { title: "MDN: X-Frame-Options (ALLOW-FROM is obsolete)", url: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Frame-Options" }],
        coverage: Scenarios(&["embedding.frame-ancestors-header", "embedding.foreign-parent-refused"]),
    },
    AttackClass {
        id: "THREAT-FRAMING-POLICY-FROM-REQUEST",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "`frame-ancestors` taken from the request",
        attack: "The policy names the origin of the `Referer` (\"whoever embeds us\"), so a direct fetch shows a tight policy and every real embedding is allowed.",
        sources: &[academy!("Clickjacking", "clickjacking"), cwe!("1021", "Improper Restriction of Rendered UI Layers or Frames")],
        coverage: Scenarios(&["embedding.frame-ancestors-header", "embedding.foreign-parent-refused", "embedding.other-tenant-parent-refused"]),
    },
    AttackClass {
        id: "THREAT-FRAMING-PARENT-ONLY",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Framing judged by the parent alone",
        attack: "The portal decides whether it may be framed from the immediate parent only (the `Referer` of the embed request, `document.referrer`, `ancestorOrigins[0]`, the origin of the SDK's handshake message) and then sends no `frame-ancestors`: a foreign top page frames the customer's own page and clickjacks the signed-in portal inside it. `frame-ancestors` checks every ancestor; `X-Frame-Options: SAMEORIGIN` was long checked against the top or the parent only.",
        sources: &[CSP3, academy!("Clickjacking", "clickjacking"), Source { title: "MDN: X-Frame-Options (SAMEORIGIN and ancestors)", url: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Frame-Options" }],
        coverage: Scenarios(&["embedding.foreign-ancestor-refused", "embedding.foreign-page-between-refused", "embedding.generated-frame-trees", "embedding.frame-ancestors-header"]),
    },
    AttackClass {
        id: "THREAT-FRAMED-BY-HTTP-PARENT",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Frameable by a plain-HTTP parent",
        attack: "`frame-ancestors` lists `http://` origins, so a network attacker's injected page frames the portal.",
        sources: &[CSP3, RFC6454],
        coverage: Scenarios(&["embedding.http-parent-refused", "embedding.frame-ancestors-header"]),
    },
    AttackClass {
        id: "THREAT-ERROR-VIEW-FRAMEABLE",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Error pages without framing protection",
        attack: "The portal's error views (unknown key, bad request) carry no `frame-ancestors`, so they can be framed and styled into phishing.",
        sources: &[academy!("Clickjacking", "clickjacking"), CSP3],
        coverage: Scenarios(&["embedding.unknown-key-view-frame-ancestors", "embedding.bad-request-view-frame-ancestors"]),
    },
    AttackClass {
        id: "THREAT-ERROR-VIEW-REFLECTED-XSS",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Error views that reflect request markup",
        attack: "The unknown-key or bad-request view echoes `pk` or `theme` unescaped: a link runs the attacker's script in the portal's origin, next to every tenant's frames.",
        sources: &[academy!("Reflected XSS", "cross-site-scripting/reflected"), cwe!("79", "Improper Neutralization of Input During Web Page Generation")],
        coverage: Scenarios(&["embedding.error-views-reflect-no-markup"]),
    },
    AttackClass {
        id: "THREAT-EMBED-BROKEN-FOR-ALLOWED",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Framing protection that also refuses the allowlisted parent",
        attack: "An over-broad policy blocks the customer's own page, and customers disable protections to get it working.",
        sources: &[CSP3],
        coverage: Scenarios(&["embedding.allowlisted-https-parent"]),
    },
    AttackClass {
        id: "THREAT-SHARED-CACHE",
        boundary: B::PortalToBrowser,
        asset: A::TicketData,
        title: "Per-user answers cacheable by shared caches",
        attack: "Ticket answers, or the handshake answer with its session token, marked `public` are stored by a CDN or proxy and served to the next user; or a cache in front of the API keys them by URL alone, ignoring `Authorization`, and the next user asking gets the last user's list.",
        sources: &[academy!("Web cache deception", "web-cache-deception"), wstg!("Testing for Browser Cache Weaknesses", "04-Authentication_Testing/06-Testing_for_Browser_Cache_Weaknesses"), cwe!("524", "Use of Cache Containing Sensitive Information")],
        coverage: Scenarios(&["tenancy.private-caching", "tenancy.other-users-ticket-not-shown"]),
    },
    AttackClass {
        id: "THREAT-SILENT-FAILURE",
        boundary: B::PortalToBrowser,
        asset: A::Events,
        title: "Refusals that say nothing",
        attack: "Auth failures leave no console diagnostic or reason, so customers debug by weakening checks (sending the secret to support, widening allowlists).",
        sources: &[asvs!("V7 Error Handling and Logging", "0x15-V7-Error-Logging.md")],
        coverage: Scenarios(&["support.console-error-on-bad-signature", "support.console-error-on-origin-refusal", "handshake.browser-wrong-secret"]),
    },
    // --------------------------------------------- theme → frame
    AttackClass {
        id: "THREAT-THEME-DECLARATION-BREAKOUT",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "A `;` ends the declaration",
        attack: "A value with `;` adds declarations of the attacker's choosing (`background-image:url(...)`).",
        sources: &[wstg!("Testing for CSS Injection", "11-Client-side_Testing/05-Testing_for_CSS_Injection"), CSS_SYNTAX],
        coverage: Scenarios(&["theming.drops-semicolon", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-BLOCK-BREAKOUT",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "A `}` ends the rule",
        attack: "A value with `}` opens new rules with selectors, enabling attribute-selector exfiltration of the portal's content.",
        sources: &[BLIND_CSS, wstg!("Testing for CSS Injection", "11-Client-side_Testing/05-Testing_for_CSS_Injection")],
        coverage: Scenarios(&["theming.drops-brace-breakout", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-TYPE-CONFUSION",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "A theme value that is not a string skips the filter",
        attack: "The filter checks `typeof value === 'string'` values (or matches only JSON strings) while the applier coerces whatever it gets to text: `[\"url(…)\"]` passes the check as an array and is written as `url(…)`.",
        sources: &[cwe!("843", "Access of Resource Using Incompatible Type ('Type Confusion')"), cwe!("1287", "Improper Validation of Specified Type of Input"), HTTPLEAKS],
        coverage: Scenarios(&["theming.non-string-values-dropped"]),
    },
    AttackClass {
        id: "THREAT-THEME-URL-FETCH",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "`url()` in a theme value fetches",
        attack: "A url() value makes the portal fetch from the attacker (tracking every view, or exfiltrating with selectors).",
        sources: &[HTTPLEAKS, BLIND_CSS],
        coverage: Scenarios(&["theming.drops-url", "theming.drop-is-silent", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-IMPORT",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "`@import` in a theme value",
        attack: "An @import pulls a whole attacker stylesheet into the portal.",
        sources: &[HTTPLEAKS, CSS_SYNTAX],
        coverage: Scenarios(&["theming.drops-import", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-EXPRESSION",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "`expression()` and script-capable CSS",
        attack: "Legacy `expression()`, `behavior:` or `-moz-binding` run script in browsers that support them.",
        sources: &[wstg!("Testing for CSS Injection", "11-Client-side_Testing/05-Testing_for_CSS_Injection")],
        coverage: Scenarios(&["theming.drops-expression", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-CASE-VARIANTS",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "A case-sensitive denylist",
        attack: "`URL(`, `Expression(`, `@IMPORT` pass a filter that compares in lower case only; CSS keywords are case-insensitive.",
        sources: &[CSS_SYNTAX, cwe!("178", "Improper Handling of Case Sensitivity")],
        coverage: Scenarios(&["theming.drops-uppercase-url", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-CSS-ESCAPES",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "CSS escapes hide a forbidden function",
        attack: "`\\75rl(` or `u\\72l(` is `url(` to the CSS parser but not to a string filter.",
        sources: &[CSS_SYNTAX, cwe!("180", "Incorrect Behavior Order: Validate Before Canonicalize")],
        coverage: Scenarios(&["theming.drops-escaped-url", "theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-OTHER-FETCHING-FUNCTIONS",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "Fetching functions a denylist does not name",
        attack: "`image-set(`, `-webkit-image-set(`, `image(`, `src(` fetch just like url() but are not in a four-item denylist.",
        sources: &[HTTPLEAKS, CSS_SYNTAX],
        coverage: Scenarios(&["theming.generated-forbidden-variants"]),
    },
    AttackClass {
        id: "THREAT-THEME-STYLE-ELEMENT-BREAKOUT",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "`</style>` breaks out of the style element",
        attack: "A server-rendered theme value with `</style><script>` ends the style element and injects markup into the portal document.",
        sources: &[academy!("Cross-site scripting contexts", "cross-site-scripting/contexts"), cwe!("79", "Improper Neutralization of Input During Web Page Generation")],
        coverage: Scenarios(&["theming.generated-forbidden-variants", "theming.drops-brace-breakout"]),
    },
    AttackClass {
        id: "THREAT-THEME-UNKNOWN-PROPERTY",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "Theme names outside the allowlist applied",
        attack: "Any custom property or plain property name is applied, letting the customer's page (or whoever controls the theme) restyle or hide portal UI.",
        sources: &[wstg!("Testing for CSS Injection", "11-Client-side_Testing/05-Testing_for_CSS_Injection")],
        coverage: Scenarios(&["theming.unknown-variable-dropped"]),
    },
    AttackClass {
        id: "THREAT-THEME-NAME-PREFIX-MATCH",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "Variable names allowlisted by prefix",
        attack: "The allowlist is checked with `startsWith` (or an unanchored regex) and the name is written into the style sheet as given: `--uh-brand-color-x` applies, and a name carrying `;background-image:url(...)` or `}:root{` injects what the value filter would have dropped.",
        sources: &[cwe!("183", "Permissive List of Allowed Inputs"), CSS_SYNTAX],
        coverage: Scenarios(&["theming.name-lookalikes-dropped"]),
    },
    AttackClass {
        id: "THREAT-THEME-FAIL-CLOSED-AUTH",
        boundary: B::ThemeToFrame,
        asset: A::Theme,
        title: "A dropped theme value breaks sign-in",
        attack: "Rejecting a theme value fails the whole portal, so a theme becomes a denial-of-service switch and customers loosen the filter.",
        sources: &[cwe!("755", "Improper Handling of Exceptional Conditions")],
        coverage: Scenarios(&["theming.drop-is-silent", "theming.allowed-variable-applies"]),
    },
    // --------------------------------------------- tenant ↔ tenant
    AttackClass {
        id: "THREAT-CROSS-TENANT-IDENTITY",
        boundary: B::TenantToTenant,
        asset: A::TicketData,
        title: "Identities matched across tenants",
        attack: "Tickets are looked up by externalUserId alone, so user `42` of one customer sees user `42` of another.",
        sources: &[academy!("Access control vulnerabilities", "access-control"), cwe!("639", "Authorization Bypass Through User-Controlled Key")],
        coverage: Scenarios(&["tenancy.same-id-across-tenants", "tenancy.same-id-across-tenants-browser"]),
    },
    AttackClass {
        id: "THREAT-TENANT-FROM-REQUEST",
        boundary: B::TenantToTenant,
        asset: A::PublicKey,
        title: "The tenant chosen by the request, not the session",
        attack: "A public key in the query or an `X-Public-Key` header switches a session into another tenant.",
        sources: &[academy!("Server-side parameter pollution", "api-testing/server-side-parameter-pollution"), cwe!("639", "Authorization Bypass Through User-Controlled Key")],
        coverage: Scenarios(&["tenancy.request-cannot-rescope"]),
    },
    AttackClass {
        id: "THREAT-TENANT-SECRET-STORAGE",
        boundary: B::TenantToTenant,
        asset: A::Secret,
        title: "Tenant secrets readable by other tenants or stored in clear",
        attack: "A shared store or a debug endpoint exposes other tenants' secrets.",
        sources: &[cwe!("312", "Cleartext Storage of Sensitive Information"), asvs!("V6 Stored Cryptography", "0x14-V6-Cryptography.md")],
        coverage: Unobservable("how and where the portal stores secrets is behind its API; a black-box client only sees answers, and the secrets never appear in them by contract"),
    },
    // --------------------------------------------- user ↔ user
    AttackClass {
        id: "THREAT-IDENTITY-CASE-FOLDING",
        boundary: B::UserToUser,
        asset: A::UserString,
        title: "Identifiers compared case-insensitively",
        attack: "A case-insensitive collation makes `Alice` the same user as `alice`; a customer that lets users pick IDs hands over accounts.",
        sources: &[DJANGO_CASE_CVE, cwe!("178", "Improper Handling of Case Sensitivity")],
        coverage: Scenarios(&["tenancy.identity-exact-match"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-UNICODE-NORMALISATION",
        boundary: B::UserToUser,
        asset: A::UserString,
        title: "Identifiers compatibility-normalised",
        attack: "NFKC folds full-width `ａｌｉｃｅ` into `alice`, merging distinct signed identities.",
        sources: &[SPOTIFY_USERNAMES, UTR36, cwe!("176", "Improper Handling of Unicode Encoding")],
        coverage: Scenarios(&["tenancy.identity-exact-match"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-NUL-TRUNCATION",
        boundary: B::UserToUser,
        asset: A::UserString,
        title: "Identifiers cut at a NUL",
        attack: "`alice\\u0000x` is stored or compared through a C-string boundary as `alice`.",
        sources: &[cwe!("626", "Null Byte Interaction Error (Poison Null Byte)")],
        coverage: Scenarios(&["tenancy.identity-exact-match"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-TYPE-COERCION",
        boundary: B::UserToUser,
        asset: A::UserString,
        title: "Non-string identifiers coerced to text",
        attack: "An identifier signed as an array or a number is turned into text (`String([\"alice\"])` is `\"alice\"`, an object key coerces the same way), so a payload a customer built from a user-chosen JSON value names another user.",
        sources: &[cwe!("843", "Access of Resource Using Incompatible Type ('Type Confusion')"), cwe!("1287", "Improper Validation of Specified Type of Input")],
        coverage: Scenarios(&["tenancy.identity-exact-match"]),
    },
    AttackClass {
        id: "THREAT-IDENTITY-WHITESPACE",
        boundary: B::UserToUser,
        asset: A::UserString,
        title: "Identifiers trimmed",
        attack: "`alice ` is trimmed to `alice` after the signature, merging identities the customer kept apart.",
        sources: &[cwe!("180", "Incorrect Behavior Order: Validate Before Canonicalize"), DJANGO_CASE_CVE],
        coverage: Scenarios(&["tenancy.identity-exact-match"]),
    },
    AttackClass {
        id: "THREAT-SESSION-BOUND-TO-WRONG-USER",
        boundary: B::UserToUser,
        asset: A::SessionToken,
        title: "One user's session replayed for another's objects",
        attack: "Requests recorded for one user are replayed with another user's session (Autorize-style) and succeed.",
        sources: &[academy!("Insecure direct object references", "access-control/idor")],
        coverage: Scenarios(&["tenancy.replay-with-other-session"]),
    },
    // --------------------------------------------- session ↔ session
    AttackClass {
        id: "THREAT-STALE-DATA-AFTER-EXPIRY",
        boundary: B::SessionToSession,
        asset: A::TicketData,
        title: "Tickets stay on screen after the session expired",
        attack: "The frame keeps showing tickets once the session has run out, on a shared or unattended screen.",
        sources: &[wstg!("Testing Session Timeout", "06-Session_Management_Testing/07-Testing_Session_Timeout")],
        coverage: Scenarios(&["session.expired-message"]),
    },
    AttackClass {
        id: "THREAT-EXPIRY-WARNING-ONCE",
        boundary: B::SessionToSession,
        asset: A::Events,
        title: "`auth_expiring` only for the first session",
        attack: "The warning timer is armed at the first sign-in only; after a re-sign the session runs out unannounced and users are cut off mid-conversation, so customers stretch lifetimes to compensate.",
        sources: &[wstg!("Testing Session Timeout", "06-Session_Management_Testing/07-Testing_Session_Timeout")],
        coverage: Scenarios(&["session.resign-continues"]),
    },
    AttackClass {
        id: "THREAT-RESIGN-FAILURE-SWALLOWED",
        boundary: B::SessionToSession,
        asset: A::SessionToken,
        title: "A refused re-sign keeps the old session",
        attack: "A re-sign the portal refuses is swallowed and the old session runs on, so revocation (a user logged out at the customer) never reaches the portal.",
        sources: &[asvs!("V3.3 Session Termination", "0x12-V3-Session-management.md")],
        coverage: Scenarios(&["session.bad-resign-fails"]),
    },
    AttackClass {
        id: "THREAT-RESIGN-IGNORED",
        boundary: B::SessionToSession,
        asset: A::SessionToken,
        title: "A successful re-sign never reaches the portal",
        attack: "The SDK does not pass the new signature on, so sessions die early and customers respond with long lifetimes.",
        sources: &[wstg!("Testing Session Timeout", "06-Session_Management_Testing/07-Testing_Session_Timeout")],
        coverage: Scenarios(&["session.resign-continues", "session.expiring-event-timing"]),
    },
    AttackClass {
        id: "THREAT-USER-SWITCH-KEEPS-DATA",
        boundary: B::SessionToSession,
        asset: A::TicketData,
        title: "A `setUser` for another user keeps the previous user's data",
        attack: "On a shared computer the page signs in a second user in the same frame; the first user's tickets or token stay in memory or on screen.",
        sources: &[wstg!("Testing for Logout Functionality", "06-Session_Management_Testing/06-Testing_for_Logout_Functionality")],
        coverage: Scenarios(&["tenancy.user-switch-clears"]),
    },
    AttackClass {
        id: "THREAT-TOKEN-PERSISTED-IN-STORAGE",
        boundary: B::SessionToSession,
        asset: A::SessionToken,
        title: "The session token kept in web storage",
        attack: "A token in localStorage outlives the page and the session, readable by any script of that origin.",
        sources: &[wstg!("Testing Browser Storage", "11-Client-side_Testing/12-Testing_Browser_Storage")],
        coverage: Scenarios(&["sdk.signed-in-page-leaks-nothing"]),
    },
    // --------------------------------------------- portal internals
    AttackClass {
        id: "THREAT-CREDENTIALS-IN-LOGS",
        boundary: B::PortalInternals,
        asset: A::Hmac,
        title: "HMACs, tokens or secrets written to logs",
        attack: "The portal logs full handshakes or tokens; whoever reads the logs can replay them.",
        sources: &[cwe!("532", "Insertion of Sensitive Information into Log File"), asvs!("V7 Error Handling and Logging", "0x15-V7-Error-Logging.md")],
        coverage: Unobservable("the portal's logs are on its own servers; a black-box client never sees them"),
    },
    AttackClass {
        id: "THREAT-WEAK-SECRET-GENERATION",
        boundary: B::PortalInternals,
        asset: A::Secret,
        title: "Tenant secrets generated with too little entropy",
        attack: "Secrets from a weak generator can be guessed offline from one signed string and its HMAC.",
        sources: &[cwe!("331", "Insufficient Entropy"), asvs!("V6 Stored Cryptography", "0x14-V6-Cryptography.md")],
        coverage: Unobservable("secrets are issued out of band (provider state or the dashboard); a client sees only HMACs, from which a good secret cannot be judged"),
    },
];

/// The attack class of this ID.
pub fn attack_class(id: &str) -> Option<&'static AttackClass> {
    ATTACK_CLASSES.iter().find(|a| a.id == id)
}

/// The attack classes a scenario tries.
pub fn classes_for_scenario(scenario_id: &str) -> Vec<&'static AttackClass> {
    ATTACK_CLASSES
        .iter()
        .filter(|a| a.scenario_ids().contains(&scenario_id))
        .collect()
}

/// The classes of one boundary, in model order.
pub fn classes_at(boundary: Boundary) -> Vec<&'static AttackClass> {
    ATTACK_CLASSES
        .iter()
        .filter(|a| a.boundary == boundary)
        .collect()
}

/// Whether a class is answered (tried by scenarios, or shown unobservable).
pub fn answered(class: &AttackClass) -> bool {
    !matches!(class.coverage, Coverage::Gap(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_stable_and_well_formed() {
        let mut seen = HashSet::new();
        for a in ATTACK_CLASSES {
            assert!(seen.insert(a.id), "duplicate attack class {}", a.id);
            assert!(
                a.id.starts_with("THREAT-"),
                "{} must start with THREAT-",
                a.id
            );
            assert!(
                a.id[7..]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
                "{} must be UPPER-KEBAB",
                a.id
            );
            assert!(
                crate::catalogue::requirement(a.id).is_none(),
                "{} collides with a requirement ID",
                a.id
            );
        }
    }

    #[test]
    fn at_least_sixty_classes_are_answered() {
        let answered = ATTACK_CLASSES.iter().filter(|a| answered(a)).count();
        assert!(
            answered >= 60,
            "only {answered} attack classes are answered"
        );
    }

    #[test]
    fn every_class_has_a_source_and_an_answer() {
        for a in ATTACK_CLASSES {
            assert!(!a.sources.is_empty(), "{} has no source", a.id);
            for s in a.sources {
                assert!(
                    s.url.starts_with("https://") && !s.title.is_empty(),
                    "{}: source {s:?}",
                    a.id
                );
            }
            match a.coverage {
                Coverage::Scenarios(ids) => assert!(!ids.is_empty(), "{} lists no scenario", a.id),
                Coverage::Unobservable(reason) | Coverage::Gap(reason) => {
                    assert!(reason.len() > 20, "{}: say why", a.id)
                }
            }
            assert!(!a.title.is_empty() && !a.attack.is_empty());
        }
    }

    #[test]
    fn every_mapped_scenario_exists() {
        let ids: HashSet<&str> = crate::scenarios().iter().map(|s| s.id).collect();
        for a in ATTACK_CLASSES {
            for s in a.scenario_ids() {
                assert!(ids.contains(s), "{} maps to unknown scenario {s}", a.id);
            }
        }
    }

    #[test]
    fn every_boundary_has_classes_and_crossings() {
        for b in Boundary::ALL {
            assert!(!classes_at(b).is_empty(), "{b:?} has no attack class");
            assert!(!b.crossing().is_empty());
        }
    }
}
