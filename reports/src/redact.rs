//! Keeping secrets and hostile bulk out of every output. The run registers
//! every secret value it learns (tenant signing secrets, HMACs it computes,
//! session tokens and credentials in the portal's answers, provider-state
//! tokens) in its [`Secrets`]; a [`Redactor`] built from them replaces each
//! value, whatever its shape, in every string of every event, in the forms
//! it takes in evidence (raw, percent-encoded, JSON-, HTML- and
//! XML-escaped). [`RedactingEdge`] applies it once, at the edge of the event
//! stream, before any output sees an event, so no format can write what the
//! stream never passed on. The redactor also shortens what looks like an
//! unregistered HMAC or token (64 or more hex digits), hides credential
//! headers, makes control characters visible and caps each string at
//! [`EVIDENCE_CAP`] bytes.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::baseline::{Baseline, BaselineEntry};
use crate::escape::visible_controls;
use crate::event::{Event, EvidenceItem, HttpExchange};

/// The most bytes of one string kept in the record.
pub const EVIDENCE_CAP: usize = 16 * 1024;

/// The most bytes of one base64 screenshot kept in the record.
pub const SCREENSHOT_CAP: usize = 8 * 1024 * 1024;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Hex runs at least this long are taken for HMACs or tokens.
const TOKEN_HEX_DIGITS: usize = 64;

/// Headers whose values are credentials.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Values found by name ([`Secrets::register_credentials`]) shorter than
/// this, or with white space, are not taken for secrets (`"session":
/// "expired"` would blank every `expired`). Values registered directly
/// are redacted whatever their length.
pub const MIN_FOUND_SECRET: usize = 12;

/// JSON fields and URL parameters whose values are credentials, matched
/// case-insensitively against the name with `_` and `-` removed.
const CREDENTIAL_NAMES: [&str; 8] = [
    "token",
    "secret",
    "hmac",
    "signature",
    "password",
    "session",
    "jwt",
    "auth",
];

/// Short names that are credentials only as the whole name.
const CREDENTIAL_EXACT_NAMES: [&str; 3] = ["sig", "tok", "sid"];

/// Names that contain a credential word but hold none.
const NOT_CREDENTIALS: [&str; 6] = [
    "sessionexpired",
    "secondsremaining",
    "expiringinseconds",
    "expiresat",
    "author",
    "authfailed",
];

/// Every secret value the run has learned, shared by everything that learns
/// them and by the edge that redacts the stream. Cheap to clone (one list);
/// `Debug` never shows the values.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Arc<Mutex<Vec<String>>>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} values)", self.len())
    }
}

impl<S: AsRef<str>> FromIterator<S> for Secrets {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Secrets {
        let secrets = Secrets::default();
        for value in iter {
            secrets.register(value.as_ref());
        }
        secrets
    }
}

impl Secrets {
    /// Remember `value` (empty values are ignored) so no output shows it.
    pub fn register(&self, value: &str) {
        if value.is_empty() {
            return;
        }
        let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
        }
    }

    /// Register every credential in a JSON document the run received: the
    /// string values of fields named like one (`sessionToken`, `secret`,
    /// `userHmac`, ...) at any depth, and those of credential parameters in
    /// any URL it holds.
    pub fn register_credentials(&self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match item {
                        Value::String(text) if is_credential_name(key) => self.register_found(text),
                        _ => self.register_credentials(item),
                    }
                }
            }
            Value::Array(items) => items
                .iter()
                .for_each(|item| self.register_credentials(item)),
            Value::String(text) if text.contains("://") => self.register_url_credentials(text),
            _ => {}
        }
    }

    /// Register a JSON body's credentials, if the text is JSON.
    pub fn register_credentials_in_text(&self, text: &str) {
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            self.register_credentials(&value);
        }
    }

    /// Register the credentials a URL carries: the values of query and
    /// fragment parameters named like a credential, and a fragment that is
    /// one opaque value (`#eyJ...`).
    pub fn register_url_credentials(&self, url: &str) {
        let (rest, fragment) = match url.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (url, None),
        };
        let query = rest.split_once('?').map(|(_, q)| q);
        for part in query.into_iter().chain(fragment) {
            if !part.contains('=') && fragment == Some(part) {
                self.register_found(&percent_decode(part));
                continue;
            }
            for pair in part.split('&') {
                if let Some((name, value)) = pair.split_once('=') {
                    if is_credential_name(&percent_decode(name)) {
                        self.register_found(&percent_decode(value));
                        self.register_found(value);
                    }
                }
            }
        }
    }

    /// Register the credential a header carries: a bearer (or any
    /// scheme's) credential, cookie values, and the value of a header named
    /// like a credential (`X-Provider-State-Token`).
    pub fn register_header_credentials(&self, name: &str, value: &str) {
        let name = name.to_ascii_lowercase();
        if name == "cookie" || name == "set-cookie" {
            for pair in value.split(';') {
                if let Some((_, v)) = pair.split_once('=') {
                    self.register_found(v.trim());
                }
            }
        } else if name.ends_with("authorization") {
            let credential = value.split_once(' ').map(|(_, c)| c).unwrap_or(value);
            self.register_found(credential.trim());
        } else if is_credential_name(&name) {
            self.register_found(value.trim());
        }
    }

    fn register_found(&self, value: &str) {
        if value.chars().count() >= MIN_FOUND_SECRET && !value.chars().any(char::is_whitespace) {
            self.register(value);
        }
    }

    /// This registry, with `values` registered.
    pub fn with<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, values: I) -> Secrets {
        for value in values {
            self.register(value.as_ref());
        }
        self.clone()
    }

    /// How many values are known.
    pub fn len(&self) -> usize {
        self.values.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values known now.
    pub fn snapshot(&self) -> Vec<String> {
        self.values
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A redactor for every value known now.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(self.snapshot())
    }
}

fn is_credential_name(name: &str) -> bool {
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    CREDENTIAL_EXACT_NAMES.contains(&name.as_str())
        || (!NOT_CREDENTIALS.contains(&name.as_str())
            && CREDENTIAL_NAMES.iter().any(|w| name.contains(w)))
}

/// Replaces known secrets and token-like text. `Debug` never shows the
/// secrets.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every form a secret may take in evidence, longest first.
    needles: Vec<String>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} needles)", self.needles.len())
    }
}

impl Redactor {
    /// A redactor for `secrets` (empty strings are ignored). Each secret is
    /// also looked for in every form [`encoded_forms`] lists.
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut seen = HashSet::new();
        let mut needles: Vec<String> = secrets
            .into_iter()
            .filter(|s| !s.as_ref().is_empty())
            .flat_map(|s| encoded_forms(s.as_ref()))
            .filter(|n| seen.insert(n.clone()))
            .collect();
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        Redactor { needles }
    }

    /// The baseline with every string scrubbed: it is echoed into every report.
    pub fn scrub_baseline(&self, baseline: Baseline) -> Baseline {
        Baseline {
            entries: baseline
                .entries
                .into_iter()
                .map(|e| BaselineEntry {
                    scenario: self.scrub(&e.scenario),
                    reason: self.scrub(&e.reason),
                    expires: e.expires.map(|x| self.scrub(&x)),
                    issue: e.issue.map(|x| self.scrub(&x)),
                })
                .collect(),
        }
    }

    /// `text` with secrets replaced, tokens shortened, control characters
    /// made visible and the length capped at [`EVIDENCE_CAP`].
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        let out = shorten_tokens(&out);
        let out = visible_controls(&out).into_owned();
        if out.len() <= EVIDENCE_CAP {
            out
        } else {
            cap(&out, EVIDENCE_CAP)
        }
    }

    /// The event with every string scrubbed: what the record keeps.
    pub fn scrub_event(&self, event: &Event) -> Event {
        let mut value = match serde_json::to_value(event) {
            Ok(value) => value,
            Err(_) => return dropped(event),
        };
        self.walk(&mut value, false);
        let mut event: Event = match serde_json::from_value(value) {
            Ok(event) => event,
            Err(_) => return dropped(event),
        };
        if let Event::EvidenceCaptured { item, .. } = &mut event {
            match item {
                EvidenceItem::Http(exchange) => self.hide_credentials(exchange),
                // Keys of the page view's maps (styles, storage) are
                // target-controlled too.
                EvidenceItem::Page { view, .. } => {
                    let scrubbed = serde_json::to_value(&**view).ok().and_then(|mut v| {
                        self.walk(&mut v, true);
                        serde_json::from_value(v).ok()
                    });
                    match scrubbed {
                        Some(clean) => **view = clean,
                        None => {
                            *item = EvidenceItem::Note {
                                text: "page view dropped: its keys could not be scrubbed".into(),
                            }
                        }
                    }
                }
                EvidenceItem::Screenshot { png_base64 } if !screenshot_ok(png_base64) => {
                    *item = EvidenceItem::Note {
                        text: "screenshot dropped: not base64 or too large".into(),
                    };
                }
                _ => {}
            }
        }
        event
    }

    fn walk(&self, value: &mut Value, keys: bool) {
        match value {
            Value::String(text) => *text = self.scrub(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.walk(item, keys)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    // The screenshot is checked whole instead: cutting it would break it.
                    if key != "png_base64" {
                        self.walk(&mut item, keys);
                    }
                    let key = if keys { self.scrub(&key) } else { key };
                    map.insert(key, item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn hide_credentials(&self, exchange: &mut HttpExchange) {
        for (name, value) in exchange
            .request_headers
            .iter_mut()
            .chain(exchange.response_headers.iter_mut())
        {
            if CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                *value = hide_credential(value);
            }
        }
    }
}

/// The edge of the event stream: every event passes it, scrubbed with
/// every secret known when it passes, before any output sees it. A
/// scenario's evidence is held until the scenario finishes, so a value the
/// scenario learns late (a session token in an answer) is redacted from
/// its earlier evidence too; `RunStarted` and `ScenarioStarted` pass at once.
#[derive(Debug)]
pub struct RedactingEdge {
    secrets: Secrets,
    redactor: Redactor,
    known: usize,
    held: Vec<(String, Vec<Event>)>,
}

impl RedactingEdge {
    pub fn new(secrets: Secrets) -> RedactingEdge {
        RedactingEdge {
            redactor: secrets.redactor(),
            known: secrets.len(),
            secrets,
            held: Vec::new(),
        }
    }

    /// The redactor for every secret known now.
    pub fn redactor(&mut self) -> &Redactor {
        let known = self.secrets.len();
        if known != self.known {
            self.known = known;
            self.redactor = self.secrets.redactor();
        }
        &self.redactor
    }

    /// Take `event` in; returns the events now ready to pass on, scrubbed.
    pub fn admit(&mut self, event: &Event) -> Vec<Event> {
        match event {
            Event::EvidenceCaptured { id, .. } => {
                match self.held.iter_mut().find(|(held, _)| held == id) {
                    Some((_, events)) => events.push(event.clone()),
                    None => self.held.push((id.clone(), vec![event.clone()])),
                }
                Vec::new()
            }
            Event::ScenarioFinished(result) => {
                let mut out = match self.held.iter().position(|(held, _)| *held == result.id) {
                    Some(i) => self.held.remove(i).1,
                    None => Vec::new(),
                };
                out.push(event.clone());
                self.scrub_all(out)
            }
            Event::RunFinished(_) => {
                let mut out = self.take_held();
                out.push(event.clone());
                self.scrub_all(out)
            }
            Event::RunStarted(_) | Event::ScenarioStarted { .. } => {
                self.scrub_all(vec![event.clone()])
            }
        }
    }

    /// Everything still held (a stream that ended without `RunFinished`), scrubbed.
    pub fn drain(&mut self) -> Vec<Event> {
        let out = self.take_held();
        self.scrub_all(out)
    }

    fn take_held(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.held)
            .into_iter()
            .flat_map(|(_, events)| events)
            .collect()
    }

    fn scrub_all(&mut self, events: Vec<Event>) -> Vec<Event> {
        let redactor = self.redactor();
        events.iter().map(|e| redactor.scrub_event(e)).collect()
    }
}

/// Keeps the shape of a credential header (scheme, cookie name and
/// attributes) and hides the credential itself.
fn hide_credential(value: &str) -> String {
    if let Some((name, rest)) = value.split_once('=') {
        // A cookie: `name=value; Attr=...`.
        let attrs = rest
            .split_once(';')
            .map(|(_, attrs)| format!(";{attrs}"))
            .unwrap_or_default();
        return format!("{name}={REDACTED}{attrs}");
    }
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {REDACTED}"),
        None => REDACTED.to_string(),
    }
}

fn dropped(event: &Event) -> Event {
    let id = match event {
        Event::EvidenceCaptured { id, .. } => id.clone(),
        _ => String::new(),
    };
    Event::EvidenceCaptured {
        id,
        item: EvidenceItem::Note {
            text: "evidence dropped: it could not be redacted".into(),
        },
    }
}

fn screenshot_ok(png_base64: &str) -> bool {
    png_base64.len() <= SCREENSHOT_CAP
        && png_base64
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// Runs of 64 or more hex digits become their first 8 digits and `…`.
fn shorten_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_hexdigit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
                i += 1;
            }
            if i - start >= TOKEN_HEX_DIGITS {
                out.push_str(&text[copied..start]);
                out.push_str(&text[start..start + 8]);
                out.push('…');
                copied = i;
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Room kept under the cap for the note of how much was cut.
const CUT_NOTE_ROOM: usize = 40;

/// `text` cut (on a character boundary) with a note of how much was cut,
/// to at most `max` bytes in all, so scrubbing twice changes nothing. The
/// one cut every output and the live probe's evidence use.
pub fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(CUT_NOTE_ROOM);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end)
}

/// The forms a secret takes in evidence: itself; percent-encoded (upper
/// and lower case hex, `+` or `%20` for a space, `encodeURIComponent`'s
/// set); JSON-escaped; HTML/XML-escaped (named and numeric entities).
pub fn encoded_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let strict = scenarios::percent::encode(secret, b"-_.~");
    forms.push(lowercase_percent_hex(&strict));
    forms.push(strict.replace("%20", "+"));
    forms.push(scenarios::percent::encode(secret, b"-_.~!*'()"));
    forms.push(strict);
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json[1..json.len() - 1].to_string());
    }
    // HTML and XML: named entities (`&#39;` or `&apos;`), or numeric ones.
    for [amp, lt, gt, quot, apos] in [
        ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"],
        ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"],
        ["&#38;", "&#60;", "&#62;", "&#34;", "&#39;"],
    ] {
        let mut escaped = String::with_capacity(secret.len());
        for c in secret.chars() {
            match c {
                '&' => escaped.push_str(amp),
                '<' => escaped.push_str(lt),
                '>' => escaped.push_str(gt),
                '"' => escaped.push_str(quot),
                '\'' => escaped.push_str(apos),
                c => escaped.push(c),
            }
        }
        forms.push(escaped);
    }
    forms.sort();
    forms.dedup();
    forms
}

/// `%2F` as `%2f`, the rest unchanged.
fn lowercase_percent_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for h in chars.by_ref().take(2) {
                out.push(h.to_ascii_lowercase());
            }
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    String::from_utf8_lossy(&scenarios::percent::decode(text)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_their_encodings_are_replaced() {
        let r = Redactor::new(["s3cr et/+\"x", ""]);
        assert_eq!(r.scrub("a s3cr et/+\"x b"), "a [REDACTED] b");
        assert_eq!(r.scrub("q=s3cr%20et%2F%2B%22x"), "q=[REDACTED]");
        assert_eq!(r.scrub(r#"{"k":"s3cr et/+\"x"}"#), r#"{"k":"[REDACTED]"}"#);
        assert!(!format!("{r:?}").contains("s3cr"));
    }

    #[test]
    fn credentials_are_found_by_name_in_answers_urls_and_headers() {
        let secrets = Secrets::default();
        secrets.register_credentials(&serde_json::json!({
            "sessionToken": "tok.en-Of_43+chars/xyz",
            "expiresAt": 1_700_000_000,
            "user": {"label": "Alice Example", "refresh_token": "rt<>&\"'\\%zz1"},
            "session": "expired",
            "frame": {"url": "https://p.test/embed?k=pk_1&access_token=abc%2Fdef123456#sig=zzzzzzzzzzzz9"},
        }));
        secrets.register_url_credentials("https://p.test/e#eyJhbGciOi.eyJzdWIi.c2ln");
        secrets.register_header_credentials("Authorization", "Bearer bearer-token-123");
        secrets.register_header_credentials("Set-Cookie", "sid=cookie-value-1234; Path=/");
        secrets.register_header_credentials("X-Provider-State-Token", "provider-token-1");
        secrets.register_header_credentials("Content-Type", "application/json-long");
        let mut found = secrets.snapshot();
        found.sort();
        assert_eq!(
            found,
            [
                "abc%2Fdef123456",
                "abc/def123456",
                "bearer-token-123",
                "cookie-value-1234",
                "eyJhbGciOi.eyJzdWIi.c2ln",
                "provider-token-1",
                "rt<>&\"'\\%zz1",
                "tok.en-Of_43+chars/xyz",
                "zzzzzzzzzzzz9",
            ]
        );
    }

    #[test]
    fn every_encoding_of_a_registered_value_is_replaced() {
        let token = "t<1>&\"'\\%2F x";
        let r = Redactor::new([token]);
        for form in encoded_forms(token) {
            assert_eq!(r.scrub(&format!("a{form}b")), "a[REDACTED]b", "{form}");
        }
        assert!(encoded_forms(token).contains(&"t%3C1%3E%26%22%27%5C%252F%20x".to_string()));
        assert!(encoded_forms(token).contains(&"t&lt;1&gt;&amp;&quot;&#39;\\%2F x".to_string()));
    }

    #[test]
    fn the_edge_redacts_evidence_with_values_learned_later_in_the_scenario() {
        let secrets = Secrets::default();
        let mut edge = RedactingEdge::new(secrets.clone());
        let evidence = Event::EvidenceCaptured {
            id: "s".into(),
            item: EvidenceItem::Note {
                text: "answer: late-token-value".into(),
            },
        };
        assert!(
            edge.admit(&evidence).is_empty(),
            "evidence waits for its scenario"
        );
        secrets.register("late-token-value");
        let finished = Event::ScenarioFinished(crate::event::ScenarioResult {
            id: "s".into(),
            outcome: crate::event::Outcome::Pass {
                checked: vec!["late-token-value".into()],
            },
            started_at: String::new(),
            duration_ms: 0,
        });
        let out = serde_json::to_string(&edge.admit(&finished)).unwrap();
        assert!(
            !out.contains("late-token-value") && out.contains("[REDACTED]"),
            "{out}"
        );
        // A stream that ends early still lets held evidence through, redacted.
        edge.admit(&evidence);
        assert_eq!(edge.drain().len(), 1);
    }

    #[test]
    fn hex_tokens_are_shortened() {
        let mac = "ab".repeat(32);
        assert_eq!(
            Redactor::default().scrub(&format!("sig={mac}.")),
            "sig=abababab…."
        );
        let short = "ab".repeat(31);
        assert_eq!(Redactor::default().scrub(&short), short);
    }

    #[test]
    fn long_text_is_capped_on_a_char_boundary() {
        let text = "é".repeat(EVIDENCE_CAP);
        let out = Redactor::default().scrub(&text);
        assert!(out.len() <= EVIDENCE_CAP);
        assert!(out.ends_with(&format!("… ({} bytes cut)", EVIDENCE_CAP + CUT_NOTE_ROOM)));
    }

    #[test]
    fn scrubbing_twice_changes_nothing() {
        let r = Redactor::new(["topsecret"]);
        let mac = "f0".repeat(40);
        for text in [
            format!("topsecret {mac} \u{0}\u{1b} x"),
            "é".repeat(EVIDENCE_CAP),
            "a".repeat(5_000_000),
            "Bearer xyz".to_string(),
        ] {
            let once = r.scrub(&text);
            assert_eq!(r.scrub(&once), once);
        }
        let mut exchange = HttpExchange {
            method: "GET".into(),
            url: "/".into(),
            request_headers: vec![
                ("Cookie".into(), "sid=abc; Path=/".into()),
                ("Authorization".into(), "Bearer t".into()),
            ],
            request_body: None,
            status: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            elapsed_ms: 0,
        };
        r.hide_credentials(&mut exchange);
        let once = exchange.clone();
        r.hide_credentials(&mut exchange);
        assert_eq!(exchange, once);
    }

    #[test]
    fn credential_headers_keep_their_shape() {
        assert_eq!(hide_credential("Bearer abc"), "Bearer [REDACTED]");
        assert_eq!(
            hide_credential("sid=abc; Path=/; Secure"),
            "sid=[REDACTED]; Path=/; Secure"
        );
        assert_eq!(hide_credential("opaque"), "[REDACTED]");
    }
}
