//! User payloads and the layouts a serializer may give them. The same
//! payload can be written as many different strings (key order,
//! white space, escapes, number forms); the portal must verify the HMAC
//! over the exact string it received, so the catalogue needs to produce
//! those strings on purpose.

use serde::Serialize;

/// Who a payload names. At least one of the three identifiers should be set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Identity {
    pub external_user_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Identity {
    pub fn with_id(id: impl Into<String>) -> Identity {
        Identity {
            external_user_id: Some(id.into()),
            ..Identity::default()
        }
    }

    /// A short label for evidence: the first identifier present.
    pub fn label(&self) -> &str {
        self.external_user_id
            .as_deref()
            .or(self.email.as_deref())
            .or(self.phone.as_deref())
            .unwrap_or("(no identifier)")
    }

    /// The `(key, JSON value)` fields in JSON.stringify order, `expiresAt` last.
    pub fn fields(&self, expires_at: i64) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        if let Some(v) = &self.external_user_id {
            fields.push(("externalUserId".to_string(), json_string(v)));
        }
        if let Some(v) = &self.email {
            fields.push(("email".to_string(), json_string(v)));
        }
        if let Some(v) = &self.phone {
            fields.push(("phone".to_string(), json_string(v)));
        }
        fields.push(("expiresAt".to_string(), expires_at.to_string()));
        fields
    }

    /// The payload exactly as `JSON.stringify({externalUserId, email, phone, expiresAt})` writes it.
    pub fn compact(&self, expires_at: i64) -> String {
        Layout::compact().render(&self.fields(expires_at))
    }
}

/// A JSON string literal as JSON.stringify writes it.
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serializes")
}

/// How one serializer lays out an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Sort keys alphabetically (many server-side serializers do).
    pub sort_keys: bool,
    /// Write `{"a": 1, "b": 2}` instead of `{"a":1,"b":2}`.
    pub spaced: bool,
    /// Pretty-print over several lines with this indent.
    pub indent: Option<usize>,
    /// Escape every ASCII letter in string values as `\u00XX`.
    pub escape_letters: bool,
    /// Write `/` as `\/` (PHP's json_encode).
    pub escape_slash: bool,
    /// Write integers with an exponent or a fraction: `1.7e9`, `1700000000.0`.
    pub number_form: NumberForm,
    /// A trailing newline (`json.dumps(...) + "\n"`, `echo`).
    pub trailing_newline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NumberForm {
    Integer,
    Fraction,
    Exponent,
}

impl Layout {
    /// JSON.stringify's output.
    pub fn compact() -> Layout {
        Layout {
            sort_keys: false,
            spaced: false,
            indent: None,
            escape_letters: false,
            escape_slash: false,
            number_form: NumberForm::Integer,
            trailing_newline: false,
        }
    }

    pub fn is_compact(&self) -> bool {
        *self == Layout::compact()
    }

    /// Render `(key, JSON value)` fields. Values are JSON literals as
    /// produced by [`Identity::fields`].
    pub fn render(&self, fields: &[(String, String)]) -> String {
        let mut fields: Vec<(String, String)> = fields.to_vec();
        if self.sort_keys {
            fields.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let rendered: Vec<String> = fields
            .iter()
            .map(|(k, v)| {
                let value = self.render_value(v);
                let sep = if self.spaced || self.indent.is_some() {
                    ": "
                } else {
                    ":"
                };
                format!("{}{sep}{value}", json_string(k))
            })
            .collect();
        let mut out = match self.indent {
            Some(n) => {
                let pad = " ".repeat(n);
                let inner: Vec<String> = rendered.iter().map(|f| format!("{pad}{f}")).collect();
                format!("{{\n{}\n}}", inner.join(",\n"))
            }
            None if self.spaced => format!("{{{}}}", rendered.join(", ")),
            None => format!("{{{}}}", rendered.join(",")),
        };
        if self.trailing_newline {
            out.push('\n');
        }
        out
    }

    fn render_value(&self, literal: &str) -> String {
        if let Some(inner) = literal.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            let mut out = String::from("\"");
            for c in inner.chars() {
                match c {
                    c if self.escape_letters && c.is_ascii_alphabetic() => {
                        out.push_str(&format!("\\u{:04x}", c as u32))
                    }
                    '/' if self.escape_slash => out.push_str("\\/"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        } else if let Ok(n) = literal.parse::<i64>() {
            match self.number_form {
                NumberForm::Integer => n.to_string(),
                NumberForm::Fraction => format!("{n}.0"),
                NumberForm::Exponent => exponent_form(n),
            }
        } else {
            literal.to_string()
        }
    }
}

/// `1700000000` as `1.7e9`: the same number, another spelling.
fn exponent_form(n: i64) -> String {
    if n == 0 {
        return "0e0".into();
    }
    let digits = n.unsigned_abs().to_string();
    let exp = digits.len() - 1;
    let mantissa = digits.trim_end_matches('0');
    let sign = if n < 0 { "-" } else { "" };
    if mantissa.len() <= 1 {
        format!("{sign}{mantissa}e{exp}")
    } else {
        format!("{sign}{}.{}e{exp}", &mantissa[..1], &mantissa[1..])
    }
}

/// The member names of `json` read as one JSON object, in order, with
/// repeats kept (a map type would silently keep only one of them);
/// `None` when `json` is not exactly one JSON object.
pub fn member_names(json: &str) -> Option<Vec<String>> {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Names(Vec<String>);
    struct NamesVisitor;

    impl<'de> Visitor<'de> for NamesVisitor {
        type Value = Names;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Names, A::Error> {
            let mut names = Vec::new();
            while let Some(name) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                names.push(name);
            }
            Ok(Names(names))
        }
    }

    impl<'de> Deserialize<'de> for Names {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Names, D::Error> {
            deserializer.deserialize_map(NamesVisitor)
        }
    }

    serde_json::from_str::<Names>(json)
        .ok()
        .map(|names| names.0)
}

/// Whether `json` is one JSON object that names some member twice.
pub fn repeats_a_member(json: &str) -> bool {
    member_names(json).is_some_and(|names| {
        let mut seen = std::collections::HashSet::new();
        !names.iter().all(|n| seen.insert(n))
    })
}

/// Layouts of a valid payload (integer `expiresAt` only: fractions and
/// exponents are not valid `expiresAt`), for generators and properties.
pub fn valid_layouts() -> impl proptest::strategy::Strategy<Value = Layout> {
    use proptest::strategy::Strategy;
    (
        proptest::prelude::any::<bool>(),
        proptest::prelude::any::<bool>(),
        proptest::option::of(0usize..5),
        proptest::prelude::any::<bool>(),
        proptest::prelude::any::<bool>(),
        proptest::prelude::any::<bool>(),
    )
        .prop_map(
            |(sort_keys, spaced, indent, escape_letters, escape_slash, trailing_newline)| Layout {
                sort_keys,
                spaced,
                indent,
                escape_letters,
                escape_slash,
                number_form: NumberForm::Integer,
                trailing_newline,
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn alice() -> Identity {
        Identity {
            external_user_id: Some("alice/1".into()),
            email: Some("alice@example.com".into()),
            phone: None,
        }
    }

    #[test]
    fn compact_is_json_stringify() {
        assert_eq!(
            alice().compact(1_700_000_000),
            r#"{"externalUserId":"alice/1","email":"alice@example.com","expiresAt":1700000000}"#
        );
    }

    #[test]
    fn exponent_form_reads_back() {
        assert_eq!(exponent_form(1_700_000_000), "1.7e9");
        assert_eq!(exponent_form(1_700_000_123), "1.700000123e9");
    }

    fn layouts() -> impl Strategy<Value = Layout> {
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0usize..5),
            any::<bool>(),
            any::<bool>(),
            prop_oneof![
                Just(NumberForm::Integer),
                Just(NumberForm::Fraction),
                Just(NumberForm::Exponent)
            ],
            any::<bool>(),
        )
            .prop_map(
                |(
                    sort_keys,
                    spaced,
                    indent,
                    escape_letters,
                    escape_slash,
                    number_form,
                    trailing_newline,
                )| {
                    Layout {
                        sort_keys,
                        spaced,
                        indent,
                        escape_letters,
                        escape_slash,
                        number_form,
                        trailing_newline,
                    }
                },
            )
    }

    proptest! {
        /// Every layout is valid JSON that means the same payload.
        #[test]
        fn every_layout_means_the_same_payload(layout in layouts(), expires in 1i64..4_000_000_000) {
            let fields = alice().fields(expires);
            let text = layout.render(&fields);
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(value["externalUserId"].as_str(), Some("alice/1"));
            prop_assert_eq!(value["expiresAt"].as_f64(), Some(expires as f64));
        }

        /// Only the compact layout produces JSON.stringify's bytes.
        #[test]
        fn only_compact_matches_stringify(layout in layouts()) {
            let fields = alice().fields(1_700_000_000);
            let same = layout.render(&fields) == Layout::compact().render(&fields);
            prop_assert_eq!(same, layout.is_compact() || (!layout.spaced && layout.indent.is_none()
                && !layout.escape_letters && !layout.escape_slash
                && layout.number_form == NumberForm::Integer && !layout.trailing_newline
                && layout.sort_keys && is_sorted(&fields)));
        }
    }

    fn is_sorted(fields: &[(String, String)]) -> bool {
        fields.windows(2).all(|w| w[0].0 <= w[1].0)
    }
}
