//! Keeping secrets and hostile bulk out of every output. A [`Redactor`] is
//! built from the secrets of the run (tenant signing secrets) and applied
//! to every string of every event before it enters the record, so no
//! format can write what the record never held. It also shortens anything
//! that looks like an HMAC or a session token (64 or more hex digits), hides
//! credential headers, makes control characters visible and caps each
//! string at [`EVIDENCE_CAP`] bytes.

use std::fmt;

use serde_json::Value;

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
    /// also looked for percent-encoded and JSON-escaped.
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut needles = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.is_empty() {
                continue;
            }
            needles.push(secret.to_string());
            needles.push(percent_encode(secret));
            if let Ok(json) = serde_json::to_string(secret) {
                needles.push(json[1..json.len() - 1].to_string());
            }
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Redactor { needles }
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
        cap(out, EVIDENCE_CAP)
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
                // Keys of the free-form page view are target-controlled too.
                EvidenceItem::Page { view, .. } => self.walk(view, true),
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
/// to at most `max` bytes in all, so scrubbing twice changes nothing.
fn cap(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max - CUT_NOTE_ROOM;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
