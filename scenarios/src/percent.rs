//! Percent-encoding (RFC 3986 §2.1) as the harness needs it: encoding a
//! value the way browsers' `encodeURIComponent` does (to find credentials
//! in URLs, to put hostile text in a query) and decoding query values.
//! The one home of both directions; `reports` redacts with the same code.

/// `text` with every byte outside ASCII letters, digits and `keep`
/// written as `%XX` (uppercase hex).
pub fn encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `encodeURIComponent` of `text`.
pub fn uri_component(text: &str) -> String {
    encode(text, b"-_.!~*'()")
}

/// The bytes `text` stands for: `%XX` decoded, `+` as a space (form
/// encoding), anything else (a lone `%` included) as it is.
pub fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_leaves_lone_percent_signs() {
        let text = "a b/c?d=é&%zz";
        assert_eq!(uri_component("a b"), "a%20b");
        assert_eq!(decode(&uri_component(text)), text.as_bytes());
        assert_eq!(decode("100%"), b"100%");
        assert_eq!(decode("a+b"), b"a b");
    }
}
