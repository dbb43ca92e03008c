//! Redaction by value, across all six outputs of a real run: the bundled
//! reference issues session tokens of each shape (hex, base64url, JWT-like,
//! and one with characters every format escapes) and logs every secret it
//! issues or accepts (session tokens, tenant secrets, verified HMACs, the
//! provider-state token); none may appear in any output, raw or in any
//! encoding an output could give it.

use std::path::Path;
use std::process::Command;

/// API scenarios whose evidence holds handshake answers and bearer calls,
/// and a browser one (page views).
const SELECTION: [&str; 6] = [
    "--filter",
    "tenancy.replay-with-other-session",
    "--filter",
    "handshake.drift-key-order",
    "--filter",
    "sdk.async-tag-ready",
];

fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn percent_encoded(text: &str, lower: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ if lower => format!("%{b:02x}"),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every form a value could take in an output: each encoding an output
/// applies, once or twice (a JSON body inside report.json is escaped twice).
fn forms(secret: &str) -> Vec<String> {
    let encoders: [&dyn Fn(&str) -> String; 7] = [
        &|t| t.to_string(),
        &json_escaped,
        &|t| reports::html::escape_html(t).into_string(),
        &xml_escaped,
        &|t| reports::markdown::escape_md(t),
        &|t| percent_encoded(t, false),
        &|t| percent_encoded(t, true),
    ];
    let mut out: Vec<String> = encoders
        .iter()
        .flat_map(|outer| encoders.iter().map(move |inner| outer(&inner(secret))))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn run_with_shape(shape: &str, dir: &Path) -> Vec<String> {
    let log = dir.join("secrets.log");
    let out_dir = dir.join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_portalcheck"))
        .arg("run")
        .args(SELECTION)
        .arg("--out")
        .arg(&out_dir)
        .env("PORTALCHECK_REFERENCE_TOKEN_SHAPE", shape)
        .env("PORTALCHECK_REFERENCE_SECRET_LOG", &log)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{shape}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn no_secret_of_any_shape_reaches_any_output() {
    for (shape, looks_like) in [
        (
            "hex",
            (|t: &str| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
                as fn(&str) -> bool,
        ),
        ("base64url", |t: &str| t.len() == 43 && !t.contains('.')),
        ("jwt", |t: &str| {
            t.starts_with("eyJ") && t.matches('.').count() == 2
        }),
        ("escaping", |t: &str| {
            t.contains("<") && t.contains('"') && t.contains('\\')
        }),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let secrets = run_with_shape(shape, dir.path());
        // The premise: the portal issued tokens of this shape, and the
        // outputs show where they were redacted.
        assert!(
            secrets.iter().any(|s| looks_like(s)),
            "{shape}: the reference issued no token of this shape: {secrets:?}"
        );
        let json = std::fs::read_to_string(dir.path().join("out/report.json")).unwrap();
        assert!(
            json.contains(r#"sessionToken\":\"[REDACTED]\""#),
            "{shape}: report.json shows no redacted handshake answer"
        );
        let mut files = 0;
        for name in reports::OUTPUT_FILES {
            let text = std::fs::read_to_string(dir.path().join("out").join(name))
                .unwrap_or_else(|e| panic!("{shape}: {name} was not written: {e}"));
            files += 1;
            for secret in &secrets {
                for form in forms(secret) {
                    assert!(
                        !text.contains(&form),
                        "{shape}: {name} carries the secret {secret:?} as {form:?}"
                    );
                }
            }
        }
        assert_eq!(files, 6);
    }
}
