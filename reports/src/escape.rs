//! Text escaping shared by the formats: making control characters visible
//! (`\u{0}`), so that no output carries a raw NUL, escape or bidi-breaking
//! byte, whatever the target sent. Each format adds its own escaping at its
//! edge on top of this (HTML in `html.rs`, Markdown in `markdown.rs`).

use std::borrow::Cow;

/// Whether `c` must not appear raw in any output: C0 and C1 controls other
/// than tab, line feed and carriage return, DEL, and the XML non-characters
/// U+FFFE / U+FFFF.
pub(crate) fn is_hostile_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

/// `text` with every hostile character written as `\u{XX}`.
pub(crate) fn visible_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hostile_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hostile_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serialized JSON with the controls serde_json leaves raw (DEL, C1,
/// U+FFFE/U+FFFF) written as `\uXXXX` escapes: the same JSON value, with
/// no raw control character. Such characters can only occur inside JSON
/// strings, where the escape is valid.
pub(crate) fn json_escape_controls(json: String) -> String {
    if !json.chars().any(is_hostile_char) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hostile_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The first line of `text`, at most `max` characters, with an ellipsis
/// when anything was cut.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let trimmed = text.trim();
    let first = trimmed.lines().next().unwrap_or("");
    let mut out: String = first.chars().take(max).collect();
    if out.len() < trimmed.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(
            visible_controls("a\u{0}b\u{1b}[31m\tc\n"),
            "a\\u{0}b\\u{1b}[31m\tc\n"
        );
        assert_eq!(visible_controls("\u{ffff}"), "\\u{ffff}");
        assert!(matches!(visible_controls("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_controls_are_escaped_losslessly() {
        let json = serde_json::to_string("a\u{7f}\u{85}\u{ffff}\u{0}").unwrap();
        let escaped = json_escape_controls(json);
        assert_eq!(escaped, r#""a\u007f\u0085\uffff\u0000""#);
        assert_eq!(
            serde_json::from_str::<String>(&escaped).unwrap(),
            "a\u{7f}\u{85}\u{ffff}\u{0}"
        );
    }

    #[test]
    fn one_line_cuts() {
        assert_eq!(one_line("  short  ", 10), "short");
        assert_eq!(one_line("first\nsecond", 10), "first…");
        assert_eq!(one_line("abcdefghijkl", 5), "abcde…");
    }
}
