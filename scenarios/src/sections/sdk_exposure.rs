//! Where credentials end up in the browser. The general checks here run on
//! every page any scenario opens (the runner applies [`exposures`] to each
//! page view with every credential the run knows): a session token, an
//! HMAC, a signed user string or a tenant secret must not show in a request
//! URL, the frame's URL, a `Referer`, script-readable storage, the
//! console of either window, or a window message a third-party document
//! of the page received. The one
//! scenario of this file establishes the premise explicitly (a session was
//! made, its token seen on the wire, the storage read) and judges the same.

use serde::Serialize;

use crate::checks::*;
use crate::probe::{ForeignKind, FrameView, PageView, Probe, StorageOwner, Tenant, UserSpec};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

/// No credential in a URL the browser holds or sends.
pub const NO_CREDENTIAL_IN_URL: &str = "BROWSER-NO-CREDENTIAL-IN-URL";
/// No credential in script-readable storage.
pub const NO_CREDENTIAL_IN_STORAGE: &str = "BROWSER-NO-CREDENTIAL-IN-STORAGE";
/// No credential in the console of any window.
pub const NO_CREDENTIAL_IN_CONSOLE: &str = "BROWSER-NO-CREDENTIAL-IN-CONSOLE";

/// The requirements the runner checks on every page of every scenario.
pub const GENERAL_REQUIREMENTS: &[&str] = &[
    NO_CREDENTIAL_IN_URL,
    NO_CREDENTIAL_IN_STORAGE,
    NO_CREDENTIAL_IN_CONSOLE,
];

/// Every requirement a general check can name: [`GENERAL_REQUIREMENTS`],
/// no ticket of another scenario's user on the page ([`foreign_tickets`]),
/// and no credential in a message a third-party document of the page
/// received. Those two have dedicated scenarios too, so the defect matrix
/// proves them through them; on every page they catch what those could
/// not foresee.
pub const EVERY_PAGE_REQUIREMENTS: &[&str] = &[
    NO_CREDENTIAL_IN_URL,
    NO_CREDENTIAL_IN_STORAGE,
    NO_CREDENTIAL_IN_CONSOLE,
    super::tenancy::SCOPED_BY_IDENTITY,
    super::sdk_messages::NO_CREDENTIAL_TO_OTHER_FRAMES,
];

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: NO_CREDENTIAL_IN_URL,
        section: Section::Sdk,
        level: Should,
        text: "No session token, HMAC, signed user string or tenant secret appears in any URL the browser requests (from any frame), in the portal frame's own URL, or in a `Referer` it sends: URLs end up in history, logs and third parties' Referer. Checked on every page of every scenario. (The contract RECOMMENDS the frame URL carry none; OWASP WSTG 4.6.4 and RFC 6750 §5.3 say not to pass tokens in URLs.)",
        source: "UserHero.setUser(user, userHmac); the portal loads in an iframe (contract: frame URL RECOMMENDED free of credentials)",
        surfaces: &[Network],
    },
    Requirement {
        id: NO_CREDENTIAL_IN_STORAGE,
        section: Section::Sdk,
        level: Should,
        text: "No session token, HMAC, signed user string or tenant secret is left in script-readable storage of the portal frame or the host page (`localStorage`, `sessionStorage`, `document.cookie`) when the page is watched to its end: any script of that origin, later visitors of a shared computer included, could read it. Checked on every page of every scenario. (OWASP WSTG 4.11.12, ASVS V3.2.3.)",
        source: "\"Session expired\" message: sessions are short-lived and renewed by re-signing",
        surfaces: &[Network],
    },
    Requirement {
        id: NO_CREDENTIAL_IN_CONSOLE,
        section: Section::Sdk,
        level: Should,
        text: "No session token, HMAC, signed user string or tenant secret is written to the console of the host page or the portal frame: error trackers, session recorders and support screenshots collect the console. Checked on every page of every scenario. (OWASP ASVS 4.0.3 V7.1.1: credentials and session tokens are not logged.)",
        source: "Email hello@userhero.co with the public key, the customer's externalUserId, the timestamp of the failure, and any browser console errors.",
        surfaces: &[Console],
    },
];

/// What kind of credential leaked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CredentialKind {
    SessionToken,
    Hmac,
    UserString,
    /// Anything else the run knows as secret (tenant secrets, provider tokens).
    Secret,
    /// The ticket text of a user of another scenario: not a credential, but
    /// another customer's data.
    OtherUsersTicket,
}

/// A value that must not leak, and what it is.
#[derive(Debug, Clone)]
pub struct Credential {
    pub kind: CredentialKind,
    pub value: String,
}

/// Shorter values could match by chance.
pub const MIN_CREDENTIAL_LEN: usize = 16;

/// One credential found where it must not be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// The requirement it breaks.
    pub requirement: &'static str,
    pub kind: CredentialKind,
    /// Where, e.g. `request URL https://...` or `PortalFrame localStorage["k"]`.
    /// Carries the value: evidence is redacted at each output's edge.
    pub place: String,
}

impl Exposure {
    /// `REQ-ID: a KIND in PLACE`, the failing check's text.
    pub fn describe(&self) -> String {
        format!("{}: a {:?} in {}", self.requirement, self.kind, self.place)
    }

    /// What the general check that found it expects of every page.
    pub fn rule(&self) -> &'static str {
        match self.kind {
            CredentialKind::OtherUsersTicket => "no ticket of another scenario's user shows",
            _ => "no credential the run knows shows where it must not",
        }
    }
}

pub use crate::percent::uri_component;

/// Whether `haystack` holds `credential` as is or percent-encoded (values
/// shorter than [`MIN_CREDENTIAL_LEN`] never match).
pub fn contains_credential(haystack: &str, credential: &Credential) -> bool {
    let value = &credential.value;
    if value.chars().count() < MIN_CREDENTIAL_LEN {
        return false;
    }
    if haystack.contains(value.as_str()) {
        return true;
    }
    let encoded = uri_component(value);
    if haystack.contains(&encoded) || haystack.contains(&encoded.replace("%20", "+")) {
        return true;
    }
    // Lowercase percent escapes, as some encoders write them.
    haystack
        .to_ascii_lowercase()
        .contains(&encoded.to_ascii_lowercase())
        && encoded != *value
}

/// The value of an RFC 6750 §2.3 `access_token` query parameter in `url`,
/// percent-decoded: a bearer token by definition, wherever it is sent.
pub fn access_token_parameter(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("access_token="))?;
    let out = crate::percent::decode(raw);
    String::from_utf8(out).ok().filter(|t| !t.is_empty())
}

/// The session tokens the page used: bearer credentials of requests to the
/// portal, in an `Authorization` header or an `access_token` parameter.
pub fn bearer_tokens(view: &PageView) -> Vec<String> {
    let mut tokens: Vec<String> = view
        .requests
        .iter()
        .flatten()
        .flat_map(|r| [r.bearer.clone(), access_token_parameter(&r.url)])
        .flatten()
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// Where a page's text can show: `(place, text)` pairs, by kind.
struct Places {
    /// Request URLs and Referers (all frames), the frame's URL; the place
    /// names carry the URL itself.
    urls: Vec<String>,
    /// Script-readable storage at the end of watching.
    storage: Vec<(String, String)>,
    /// Both consoles.
    console: Vec<(String, String)>,
    /// The string values of the window messages the page's third-party
    /// documents reported receiving (each string on its own, so JSON
    /// escaping hides nothing).
    third_party: Vec<(String, String)>,
}

/// Every string in `value`, members' and items' included.
fn json_strings(value: &serde_json::Value) -> Vec<&str> {
    match value {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(items) => items.iter().flat_map(json_strings).collect(),
        serde_json::Value::Object(members) => members.values().flat_map(json_strings).collect(),
        _ => Vec::new(),
    }
}

impl Places {
    fn of(view: &PageView) -> Places {
        let mut urls: Vec<String> = Vec::new();
        if let FrameView::Loaded { url, .. } = &view.frame {
            urls.push(format!("the portal frame's URL {url}"));
        }
        for r in view.requests.iter().flatten() {
            urls.push(format!(
                "request URL {} {} (from {})",
                r.method, r.url, r.from_origin
            ));
            if let Some(referer) = &r.referer {
                urls.push(format!("Referer {referer} of a request to {}", r.url));
            }
        }
        let mut storage: Vec<(String, String)> = Vec::new();
        for s in &view.storage {
            let owner = match s.owner {
                StorageOwner::HostPage => "host page",
                StorageOwner::PortalFrame => "portal frame",
            };
            for (area, entries) in [("localStorage", &s.local), ("sessionStorage", &s.session)] {
                for (k, v) in entries.iter().flatten() {
                    storage.push((
                        format!("{owner} ({}) {area}[{k:?}]", s.origin),
                        format!("{k}={v}"),
                    ));
                }
            }
            if let Some(cookies) = &s.cookies {
                if !cookies.is_empty() {
                    storage.push((
                        format!("{owner} ({}) document.cookie", s.origin),
                        cookies.clone(),
                    ));
                }
            }
        }
        let console = view
            .console
            .iter()
            .map(|m| {
                (
                    format!("the {} console ({})", m.source.as_str(), m.level),
                    m.text.clone(),
                )
            })
            .collect();
        let third_party = view
            .foreign
            .iter()
            .filter(|f| f.kind == ForeignKind::Caught)
            .flat_map(|f| {
                let place = format!(
                    "a window message the document of {} received (posted by {})",
                    f.origin,
                    f.from.as_deref().unwrap_or("an unknown origin")
                );
                json_strings(&f.data)
                    .into_iter()
                    .map(move |text| (place.clone(), text.to_string()))
            })
            .collect();
        Places {
            urls,
            storage,
            console,
            third_party,
        }
    }
}

/// Every place in `view` where one of `credentials` shows though it must
/// not: request URLs and Referers (all frames), the frame's URL, the
/// storage read at the end, both consoles, and the messages third-party
/// documents of the page received.
pub fn exposures(view: &PageView, credentials: &[Credential]) -> Vec<Exposure> {
    let mut found = Vec::new();
    let Places {
        urls: url_places,
        storage: storage_places,
        console: console_places,
        third_party: third_party_places,
    } = Places::of(view);
    for credential in credentials {
        if let Some((place, _)) = third_party_places
            .iter()
            .find(|(_, text)| contains_credential(text, credential))
        {
            found.push(Exposure {
                requirement: super::sdk_messages::NO_CREDENTIAL_TO_OTHER_FRAMES,
                kind: credential.kind,
                place: place.clone(),
            });
        }
        if let Some((place, _)) = console_places
            .iter()
            .find(|(_, text)| contains_credential(text, credential))
        {
            found.push(Exposure {
                requirement: NO_CREDENTIAL_IN_CONSOLE,
                kind: credential.kind,
                place: place.clone(),
            });
        }
        if let Some(place) = url_places
            .iter()
            .find(|p| contains_credential(p, credential))
        {
            found.push(Exposure {
                requirement: NO_CREDENTIAL_IN_URL,
                kind: credential.kind,
                place: place.clone(),
            });
        }
        if let Some((place, _)) = storage_places
            .iter()
            .find(|(_, text)| contains_credential(text, credential))
        {
            found.push(Exposure {
                requirement: NO_CREDENTIAL_IN_STORAGE,
                kind: credential.kind,
                place: place.clone(),
            });
        }
    }
    found
}

/// Every place in `view` where the ticket text of a user the page's
/// scenario never used shows (`foreign`: users other scenarios seeded,
/// declared users it did not ask for): the portal frame's text, the host
/// page's, URLs, storage, both consoles, window messages and foreign
/// documents' reports. Another scenario's user never belongs on this page,
/// whatever the page does, so any sighting breaks
/// [`tenancy::SCOPED_BY_IDENTITY`](super::tenancy::SCOPED_BY_IDENTITY).
pub fn foreign_tickets(view: &PageView, foreign: &[String]) -> Vec<Exposure> {
    let places = Places::of(view);
    let mut texts: Vec<(String, String)> = Vec::new();
    if let FrameView::Loaded { text, .. } = &view.frame {
        texts.push(("the portal frame's text".into(), text.clone()));
    }
    texts.push(("the host page's text".into(), view.host_text.clone()));
    texts.extend(places.urls.into_iter().map(|u| (u.clone(), u)));
    texts.extend(places.storage);
    texts.extend(places.console);
    for m in &view.messages {
        texts.push((
            format!("a window message from {}", m.origin),
            m.data.to_string(),
        ));
    }
    for f in &view.foreign {
        texts.push((format!("a report of {}", f.origin), f.data.to_string()));
    }
    let mut found = Vec::new();
    for canary in foreign {
        let ticket = Credential {
            kind: CredentialKind::OtherUsersTicket,
            value: canary.clone(),
        };
        if let Some((place, _)) = texts
            .iter()
            .find(|(_, text)| contains_credential(text, &ticket))
        {
            found.push(Exposure {
                requirement: super::tenancy::SCOPED_BY_IDENTITY,
                kind: CredentialKind::OtherUsersTicket,
                place: format!("{place} (ticket text {canary})"),
            });
        }
    }
    found
}

/// What of `view` the general checks could not observe, for the evidence.
pub fn unobserved(view: &PageView) -> Vec<String> {
    let mut gaps = Vec::new();
    if view.requests.is_none() {
        gaps.push(
            "the browser's requests (no DevTools, WebDriver BiDi or proxy tap on this engine)"
                .to_string(),
        );
    }
    if !view.portal_console_observed {
        gaps.push(
            "the portal frame's console (no DevTools or WebDriver BiDi on this engine)".to_string(),
        );
    }
    for s in &view.storage {
        if s.local.is_none() || s.session.is_none() || s.cookies.is_none() {
            gaps.push(format!(
                "part of the storage of {:?} ({})",
                s.owner, s.origin
            ));
        }
    }
    gaps
}

/// A signed-in page: the session is made and used, then no credential may
/// show in a URL, a Referer or storage.
async fn signed_in_page(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let view = p.open_page(signed_page(Tenant::Primary, &signed)).await?;
    expect_ready(&mut c, &view, Some(&user.canary))?;
    let Some(requests) = &view.requests else {
        return Err(Verdict::incomplete(
            "the harness could not watch the browser's requests: no URL or Referer can be judged",
        ));
    };
    let tokens = bearer_tokens(&view);
    c.expect(
        !tokens.is_empty(),
        "the frame used its session: a request carried it as a bearer credential",
        || {
            format!(
                "{} requests, none with an Authorization credential",
                requests.len()
            )
        },
    )?;
    let owners: Vec<StorageOwner> = view
        .storage
        .iter()
        .filter(|s| s.local.is_some() && s.session.is_some() && s.cookies.is_some())
        .map(|s| s.owner)
        .collect();
    if !owners.contains(&StorageOwner::PortalFrame) || !owners.contains(&StorageOwner::HostPage) {
        return Err(Verdict::incomplete(format!(
            "the storage of the host page and the portal frame could not both be read (read: {owners:?})"
        )));
    }
    let mut credentials = vec![
        Credential {
            kind: CredentialKind::UserString,
            value: signed.user.clone(),
        },
        Credential {
            kind: CredentialKind::Hmac,
            value: signed.hmac.clone(),
        },
    ];
    credentials.extend(tokens.into_iter().map(|value| Credential {
        kind: CredentialKind::SessionToken,
        value,
    }));
    let found = exposures(&view, &credentials);
    for requirement in GENERAL_REQUIREMENTS {
        let here: Vec<String> = found
            .iter()
            .filter(|e| e.requirement == *requirement)
            .map(Exposure::describe)
            .collect();
        if *requirement == NO_CREDENTIAL_IN_CONSOLE
            && here.is_empty()
            && !view.portal_console_observed
        {
            // URLs, Referers and storage are clean, the host console too;
            // the frame's console could not be read.
            return Err(Verdict::incomplete(
                "the portal frame's console could not be read on this engine (no DevTools or WebDriver BiDi): no credential in URLs, Referers, storage or the host page's console, but the frame's console is unjudged",
            ));
        }
        c.expect(
            here.is_empty(),
            format!("{requirement}: no session token, HMAC or user string in {} ({} requests, {} storage areas, {} console messages read)",
                match *requirement {
                    NO_CREDENTIAL_IN_URL => "any URL or Referer",
                    NO_CREDENTIAL_IN_STORAGE => "script-readable storage",
                    _ => "the console",
                },
                requests.len(), view.storage.len(), view.console.len()),
            || here.join("; "),
        )?;
    }
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        id: "sdk.signed-in-page-leaks-nothing",
        title: "A signed-in page leaves no credential in URLs, Referers, storage or the console",
        section: Section::Sdk,
        requirements: &[NO_CREDENTIAL_IN_URL, NO_CREDENTIAL_IN_STORAGE, NO_CREDENTIAL_IN_CONSOLE],
        level: Should,
        tags: &[Tag::Browser, Tag::Sdk, Tag::Session],
        needs: &[Need::Browser, Need::Users],
        budget: BROWSER_BUDGET,
        wait: NO_WAIT,
        description: "A seeded user signs in and the ticket shows; every request the browser made (all frames), every Referer, the frame's URL, the storage of the host page and the portal frame and both consoles must hold none of the user string, the HMAC or the session token the frame used.",
        how_to_fix: "Pass the session to the frame by postMessage to the portal origin, send it in an Authorization header (never an `access_token` parameter), keep it in memory only and never log it.",
        run: run!(p => signed_in_page(p)),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{ObservedRequest, StorageView};

    fn view() -> PageView {
        PageView {
            url: "https://shop-a.test/p".into(),
            events: vec![],
            csp_violations: vec![],
            console: vec![],
            frame: FrameView::Absent,
            host_text: String::new(),
            reached: None,
            watched_ms: 0,
            portal_frames: 1,
            requests: Some(vec![]),
            portal_console_observed: true,
            storage: vec![],
            frame_cookie: None,
            messages: vec![],
            frame_messages: None,
            foreign: vec![],
        }
    }

    fn user() -> Credential {
        Credential {
            kind: CredentialKind::UserString,
            value: r#"{"externalUserId":"u-1 x","expiresAt":1}"#.into(),
        }
    }

    #[test]
    fn a_credential_a_third_party_document_received_is_an_exposure_whatever_its_escaping() {
        let mut v = view();
        let caught = |data: serde_json::Value| crate::probe::ForeignMark {
            kind: ForeignKind::Caught,
            origin: "https://evil.test".into(),
            from: Some("https://shop-a.test".into()),
            data,
        };
        v.foreign
            .push(caught(serde_json::json!({"type": "uh:hello"})));
        assert!(exposures(&v, &[user()]).is_empty());
        // The user string's quotes would be escaped in the message's JSON text.
        v.foreign.push(caught(
            serde_json::json!({"type": "uh:session", "user": [user().value]}),
        ));
        let found = exposures(&v, &[user()]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].requirement,
            super::super::sdk_messages::NO_CREDENTIAL_TO_OTHER_FRAMES
        );
        assert!(EVERY_PAGE_REQUIREMENTS.contains(&found[0].requirement));
        assert!(found[0].place.contains("https://evil.test"), "{found:?}");
        assert!(
            !found[0].place.contains("u-1 x"),
            "the place carries no value"
        );
        // A mark that is not a received message is not judged.
        let mut loaded = view();
        loaded.foreign.push(crate::probe::ForeignMark {
            kind: ForeignKind::Loaded,
            ..caught(serde_json::json!([user().value]))
        });
        assert!(exposures(&loaded, &[user()]).is_empty());
    }

    #[test]
    fn an_access_token_parameter_is_a_session_token_and_logging_one_leaks_it() {
        let mut v = view();
        v.requests.as_mut().unwrap().push(ObservedRequest {
            from_origin: "https://portal.test".into(),
            method: "GET".into(),
            url: "https://portal.test/api/v1/tickets?x=1&access_token=tok%2B0123456789abcdef#f"
                .into(),
            referer: None,
            bearer: None,
        });
        v.console.push(crate::probe::ConsoleMessage {
            source: crate::probe::ConsoleSource::PortalFrame,
            level: "log".into(),
            text: "session tok+0123456789abcdef".into(),
        });
        let tokens = bearer_tokens(&v);
        assert_eq!(tokens, ["tok+0123456789abcdef"]);
        let token = Credential {
            kind: CredentialKind::SessionToken,
            value: tokens[0].clone(),
        };
        let found: Vec<&str> = exposures(&v, &[token])
            .iter()
            .map(|e| e.requirement)
            .collect();
        assert_eq!(found, [NO_CREDENTIAL_IN_CONSOLE, NO_CREDENTIAL_IN_URL]);
        assert_eq!(
            access_token_parameter("https://p.test/t?access_token="),
            None
        );
        assert_eq!(
            access_token_parameter("https://p.test/t#access_token=x"),
            None
        );
    }

    #[test]
    fn finds_encoded_user_string_in_a_url_and_a_token_in_storage() {
        let mut v = view();
        v.requests.as_mut().unwrap().push(ObservedRequest {
            from_origin: "https://shop-a.test".into(),
            method: "GET".into(),
            url: format!(
                "https://portal.test/h.js?user={}",
                uri_component(&user().value)
            ),
            referer: None,
            bearer: None,
        });
        v.storage.push(StorageView {
            owner: StorageOwner::PortalFrame,
            origin: "https://portal.test".into(),
            local: Some(vec![("s".into(), "tok_0123456789abcdef".into())]),
            session: Some(vec![]),
            cookies: Some(String::new()),
        });
        let token = Credential {
            kind: CredentialKind::SessionToken,
            value: "tok_0123456789abcdef".into(),
        };
        let found = exposures(&v, &[user(), token]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].requirement, NO_CREDENTIAL_IN_URL);
        assert_eq!(found[1].requirement, NO_CREDENTIAL_IN_STORAGE);
    }

    #[test]
    fn another_users_ticket_is_found_wherever_it_shows() {
        let other = "CANARY-0123456789ABCDEF".to_string();
        let own = "CANARY-FEDCBA9876543210".to_string();
        let clean = view();
        assert!(foreign_tickets(&clean, std::slice::from_ref(&other)).is_empty());
        let mut v = view();
        v.frame = FrameView::Loaded {
            url: "https://portal.test/embed".into(),
            text: format!("Your tickets\n{own}"),
            styles: Default::default(),
        };
        assert!(
            foreign_tickets(&v, std::slice::from_ref(&other)).is_empty(),
            "the page's own user's ticket is no finding"
        );
        v.messages.push(crate::probe::WindowMessage {
            origin: "https://portal.test".into(),
            data: serde_json::json!({"recent": [{"subject": other.clone()}]}),
            ports: 0,
        });
        let found = foreign_tickets(&v, std::slice::from_ref(&other));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].requirement,
            super::super::tenancy::SCOPED_BY_IDENTITY
        );
        assert!(found[0].place.contains("window message"), "{found:?}");
        assert!(EVERY_PAGE_REQUIREMENTS.contains(&found[0].requirement));
        v.messages.clear();
        v.host_text = format!("Support: {other}");
        assert!(foreign_tickets(&v, &[other])[0]
            .place
            .contains("host page's text"));
    }

    #[test]
    fn what_the_engine_could_not_watch_is_named() {
        let mut v = view();
        assert!(unobserved(&v).is_empty());
        v.portal_console_observed = false;
        assert_eq!(unobserved(&v).len(), 1);
        assert!(unobserved(&v)[0].contains("portal frame's console"));
        v.requests = None;
        assert_eq!(unobserved(&v).len(), 2);
    }

    #[test]
    fn short_values_and_clean_pages_find_nothing() {
        let mut v = view();
        v.frame = FrameView::Loaded {
            url: "https://portal.test/embed?pk=pk_1".into(),
            text: String::new(),
            styles: Default::default(),
        };
        let short = Credential {
            kind: CredentialKind::Secret,
            value: "pk_1".into(),
        };
        assert!(exposures(&v, &[user(), short]).is_empty());
    }
}
