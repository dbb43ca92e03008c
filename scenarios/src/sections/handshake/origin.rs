//! "Origin not allowlisted": the handshake's Origin header is checked
//! against the tenant's allowed origins as a whole string, the browser
//! asserts it, and CORS grants no credentials to a foreign origin.

use super::*;

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "AUTH-ORIGIN-ALLOWLIST",
        section: Section::Handshake,
        level: Must,
        text: "A handshake from a page whose origin is not in the tenant's allowed origins is refused with `origin_not_allowed`.",
        source: "Origin not allowlisted. Check Settings → Embedded Portal → Allowed origins.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-ORIGIN-EXACT",
        section: Section::Handshake,
        level: Must,
        text: "Allowed origins match on scheme, host and port exactly: a suffix or prefix lookalike, a subdomain, another scheme or another port is refused.",
        source: "Origin not allowlisted.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-ORIGIN-BROWSER-ASSERTED",
        section: Section::Handshake,
        level: Must,
        text: "The embedding origin is the one the browser asserts (the `Origin` header, `MessageEvent.origin`), never one the page supplies in data or options.",
        source: "Origin not allowlisted.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-CORS-NO-REFLECTION",
        section: Section::Handshake,
        level: Must,
        text: "The portal API never answers a non-allowlisted `Origin` with that origin in `Access-Control-Allow-Origin` together with `Access-Control-Allow-Credentials: true`, nor ever sends credentials with `*`.",
        source: "Origin not allowlisted.",
        surfaces: &[HttpHeader],
    },
];

/// An API handshake, valid in every other way, from `site`.
async fn origin_refused(p: &mut dyn Probe, site: Site) -> Outcome {
    let origin = p.origin(site);
    origin_string_refused(p, origin, &format!("{site:?}")).await
}

/// The origin the secondary tenant allowlists, used with the primary
/// tenant's key: allowlists are per tenant, not one shared list. Premise:
/// the secondary tenant accepts its own origin.
async fn other_tenant_origin_refused(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let own = sign_valid(p, Tenant::Secondary, &identity)?;
    let reply = handshake(p, Tenant::Secondary, &own).await?;
    expect_accepted(
        &mut c,
        &reply,
        "premise: the secondary tenant accepts a handshake from its own origin",
    )?;
    let origin = p.origin(Site::ShopB);
    expect_origin_refused(
        p,
        &mut c,
        origin,
        "allowlisted by the secondary tenant only",
    )
    .await?;
    Ok(c.pass())
}

/// The allowlisted origin with only its scheme changed to `http:` (same
/// host, same port): a portal that compares host and port only lets it in.
async fn other_scheme_refused(p: &mut dyn Probe) -> Outcome {
    let allowed = p.origin(Site::ShopA);
    let origin = allowed.replacen("https://", "http://", 1);
    origin_string_refused(p, origin, "the allowlisted origin with scheme http").await
}

/// The allowed origin cut into scheme, host and `:port` (empty for none).
fn origin_parts(origin: &str) -> (String, String, String) {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("https", origin));
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            (h.to_string(), format!(":{port}"))
        }
        _ => (rest.to_string(), String::new()),
    };
    (scheme.to_string(), host, port)
}

/// Origins an attacker's page can make a browser send, each one that
/// confuses a non-exact comparison with the allowlisted origin, tried on
/// every run: `{scheme}`, `{host}`, `{port}` are the allowlisted origin's.
/// `null` is what a sandboxed frame, a `data:` URL or a redirect sends.
/// `{other_port}` is another port of the same host, `{host_dots_any}` the
/// host with its dots as other characters (what an unescaped-dot regex
/// accepts), `{truncated}` the allowed origin less its last character (a
/// substring of any allowlist text that holds it).
pub(crate) const KNOWN_LOOKALIKE_ORIGINS: [&str; 12] = [
    "null",
    "{scheme}://{host}{other_port}",
    "{scheme}://{host_dots_any}{port}",
    "{truncated}",
    "{scheme}://{host}.evil.test{port}",
    "{scheme}://evil{host}{port}",
    "{scheme}://evil-{host}{port}",
    "{scheme}://{host}evil.test{port}",
    "{scheme}://www.{host}{port}",
    "{scheme}://{host}.{port_digits}.evil.test",
    "http://{host}{port}",
    "wss://{host}{port}",
];

/// Origins in the grammar `scheme "://" host [":" port]` near the
/// allowlisted one: a label added before, after or inside the host, a
/// character changed, another scheme or port. Templates as above.
fn lookalike_origins() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        3 => Just("{scheme}".to_string()),
        1 => Just("http".to_string()),
        1 => Just("wss".to_string()),
    ];
    let label = "[a-z0-9]{1,8}";
    let host = prop_oneof![
        label.prop_map(|l| format!("{l}.{{host}}")),
        label.prop_map(|l| format!("{{host}}.{l}.test")),
        label.prop_map(|l| format!("{l}{{host}}")),
        label.prop_map(|l| format!("{{host}}{l}")),
        label.prop_map(|l| format!("{{host}}-{l}.test")),
        Just("{host_dashless}".to_string()),
        Just("{host_dots_any}".to_string()),
    ];
    let port = prop_oneof![
        3 => Just("{port}".to_string()),
        1 => (1u16..=65535).prop_map(|n| format!(":{n}")),
        1 => Just("{other_port}".to_string()),
        1 => Just(String::new()),
    ];
    (scheme, host, port).prop_map(|(s, h, p)| format!("{s}://{h}{p}"))
}

/// A template filled in with the allowlisted origin's parts.
fn fill_origin(template: &str, allowed: &str) -> String {
    let (scheme, host, port) = origin_parts(allowed);
    let other_port = match port.trim_start_matches(':').parse::<u16>() {
        Ok(n) => format!(":{}", if n == u16::MAX { 1 } else { n + 1 }),
        Err(_) => ":8443".to_string(),
    };
    let mut truncated = allowed.to_string();
    truncated.pop();
    template
        .replace("{truncated}", &truncated)
        .replace("{other_port}", &other_port)
        .replace("{host_dots_any}", &host.replace('.', "-"))
        .replace("{scheme}", &scheme)
        .replace("{host_dashless}", &host.replacen('-', "", 1))
        .replace("{host}", &host)
        .replace("{port_digits}", port.trim_start_matches(':'))
        .replace("{port}", &port)
}

/// Every known lookalike of the allowlisted origin, then generated ones:
/// each handshake must be `origin_not_allowed` without a credentialed CORS
/// grant. A generated origin equal to the allowlisted one is not sent.
async fn generated_lookalikes_refused(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let allowed = p.origin(Site::ShopA);
    let mut origins: Vec<String> = KNOWN_LOOKALIKE_ORIGINS
        .iter()
        .map(|t| fill_origin(t, &allowed))
        .collect();
    origins.extend(
        generate(p, "lookalike origins", lookalike_origins(), 16)
            .iter()
            .map(|t| fill_origin(t, &allowed)),
    );
    let mut seen = std::collections::BTreeSet::new();
    origins.retain(|o| !o.eq_ignore_ascii_case(&allowed) && seen.insert(o.clone()));
    for origin in origins {
        expect_origin_refused(p, &mut c, origin, "a lookalike of the allowlisted origin").await?;
    }
    Ok(c.pass())
}

async fn origin_string_refused(p: &mut dyn Probe, origin: String, what: &str) -> Outcome {
    let mut c = Checks::new();
    expect_origin_refused(p, &mut c, origin, what).await?;
    Ok(c.pass())
}

/// The primary tenant's valid handshake from `origin` is refused with
/// `origin_not_allowed` and no credentialed CORS grant.
async fn expect_origin_refused(
    p: &mut dyn Probe,
    c: &mut Checks,
    origin: String,
    what: &str,
) -> Result<(), Verdict> {
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let body = handshake_body(
        &p.public_key(Tenant::Primary),
        &signed.user,
        serde_json::Value::String(signed.hmac.clone()),
    );
    let reply = p.api(handshake_request(body, Some(origin.clone()))).await?;
    expect_refused(
        c,
        &reply,
        AuthFailure::OriginNotAllowed,
        &format!("Origin {origin} ({what})"),
    )?;
    expect_no_credentialed_cors(c, &reply, &origin, "the refusal")
}

/// No `Access-Control-Allow-Credentials: true` for a foreign origin or `*`.
pub(crate) fn expect_no_credentialed_cors(
    c: &mut Checks,
    reply: &crate::probe::ApiReply,
    origin: &str,
    what: &str,
) -> Result<(), Verdict> {
    let allow_origin = reply
        .header("access-control-allow-origin")
        .unwrap_or("")
        .trim()
        .to_string();
    let credentials = reply
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    c.expect(
        !(credentials && (allow_origin == origin || allow_origin == "*")),
        format!("{what}: no credentialed CORS grant for {origin}"),
        || format!("Access-Control-Allow-Origin: {allow_origin:?}, Access-Control-Allow-Credentials: true"),
    )
}

async fn origin_refused_in_browser(p: &mut dyn Probe, claim: bool) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    page.site = Site::Evil;
    if claim {
        page.claimed_origin = Some(Site::ShopA);
    }
    let view = p.open_page(page).await?;
    expect_auth_failed(&mut c, &view, AuthFailure::OriginNotAllowed)?;
    expect_not_shown(&mut c, &view, &user.canary, "the user's")?;
    Ok(c.pass())
}

async fn claimed_origin_api(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let claimed = p.origin(Site::ShopA);
    let body = json!({
        "publicKey": p.public_key(Tenant::Primary),
        "user": signed.user,
        "userHmac": signed.hmac,
        "origin": claimed,
        "parentOrigin": claimed,
    })
    .to_string();
    let evil = p.origin(Site::Evil);
    let reply = p.api(handshake_request(body, Some(evil))).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::OriginNotAllowed,
        "Origin evil, body claiming the allowlisted origin",
    )?;
    Ok(c.pass())
}

async fn cors_no_reflection(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let evil = p.origin(Site::Evil);
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let reply = handshake_from(p, Tenant::Primary, Site::Evil, &signed.user, &signed.hmac).await?;
    expect_no_credentialed_cors(&mut c, &reply, &evil, "handshake from evil")?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    let token = expect_accepted(&mut c, &reply, "handshake from the allowlisted origin")?;
    let calls = vec![
        (
            "ticket list with Origin evil",
            tickets_request(&token, None).header("origin", evil.clone()),
        ),
        (
            "handshake preflight from evil",
            ApiCall {
                method: "OPTIONS".into(),
                path: crate::contract::HANDSHAKE_PATH.into(),
                headers: Vec::new(),
                body: None,
            }
            .header("origin", evil.clone())
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type"),
        ),
        (
            "ticket list preflight from evil",
            ApiCall {
                method: "OPTIONS".into(),
                path: crate::contract::TICKETS_PATH.into(),
                headers: Vec::new(),
                body: None,
            }
            .header("origin", evil.clone())
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization"),
        ),
    ];
    for (what, call) in calls {
        let reply = p.api(call).await?;
        c.expect(
            reply.status < 500,
            format!("{what}: no server error"),
            || describe(&reply),
        )?;
        expect_no_credentialed_cors(&mut c, &reply, &evil, what)?;
    }
    Ok(c.pass())
}

async fn cors_allowlisted(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_valid(p, Tenant::Primary, &identity)?;
    let origin = p.origin(Site::ShopA);
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_accepted(&mut c, &reply, "handshake from the allowlisted origin")?;
    // The contract leaves `*` (without credentials) or the origin itself
    // to the implementation: the server refuses other origins on its own.
    let allow = reply.header("access-control-allow-origin").map(str::trim);
    c.expect(
        allow == Some(origin.as_str()) || allow == Some("*"),
        "Access-Control-Allow-Origin grants the allowlisted origin (itself or `*`)",
        || format!("{allow:?}"),
    )?;
    let credentials = reply.header("access-control-allow-credentials");
    c.expect(
        credentials.is_none_or(|v| !v.trim().eq_ignore_ascii_case("true")),
        "no Access-Control-Allow-Credentials: the API needs no cookies",
        || format!("{credentials:?}"),
    )?;
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "handshake.origin-not-allowlisted-browser",
            title: "A page on a non-allowlisted origin fails with `origin_not_allowed`",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-ALLOWLIST", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_ORIGIN,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Opens a correctly signed page for the primary tenant on https://evil.test: the SDK must fire auth_failed with `origin_not_allowed` and show no ticket.",
            how_to_fix: "Check the handshake's Origin header against the tenant's allowed origins.",
            run: run!(p => origin_refused_in_browser(p, false)),
        },
        Scenario {
            id: "handshake.origin-not-allowlisted-api",
            title: "A handshake from a non-allowlisted origin is `origin_not_allowed`",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake with `Origin: https://evil.test`: must be a 403 `origin_not_allowed` without a credentialed CORS grant.",
            how_to_fix: "Check the Origin header against the tenant's allowed origins before verifying anything else.",
            run: run!(p => origin_refused(p, Site::Evil)),
        },
        Scenario {
            id: "handshake.origin-of-other-tenant",
            title: "An origin only another tenant allowlists is `origin_not_allowed`",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Checks that the secondary tenant accepts a handshake from its own site (https://shop-b.test), then sends the primary tenant's valid handshake from that site: it must be a 403 `origin_not_allowed`. One customer's site must not sign users in to another customer's portal.",
            how_to_fix: "Compare the Origin with the allowlist of the tenant whose public key the handshake names, never with the union of all tenants' allowlists.",
            run: run!(p => other_tenant_origin_refused(p)),
        },
        Scenario {
            id: "handshake.origin-suffix-lookalike",
            title: "An origin ending with the allowlisted host is refused",
            section: Section::Handshake,
            // The refusal must come without a credentialed CORS grant too.
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from https://evil-shop-a.test (same port): must be `origin_not_allowed`.",
            how_to_fix: "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); no suffix, prefix or subdomain matching.",
            run: run!(p => origin_refused(p, Site::SuffixLookalike)),
        },
        Scenario {
            id: "handshake.origin-prefix-lookalike",
            title: "An origin starting with the allowlisted host is refused",
            section: Section::Handshake,
            // The refusal must come without a credentialed CORS grant too.
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from https://shop-a.test.evil.test: must be `origin_not_allowed`.",
            how_to_fix: "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); no suffix, prefix or subdomain matching.",
            run: run!(p => origin_refused(p, Site::PrefixLookalike)),
        },
        Scenario {
            id: "handshake.generated-origin-lookalikes",
            title: "Every lookalike of the allowlisted origin is refused",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends the primary tenant's valid handshake from each known lookalike of https://shop-a.test (`null`, the host inside another, before or after a label, another scheme, `wss:`), then from 16 origins generated in the grammar `scheme://host[:port]` around it (seeded; the seed is in the evidence): each must be `origin_not_allowed` without a credentialed CORS grant.",
            how_to_fix: "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); never allowlist `null`; no suffix, prefix, substring or subdomain matching.",
            run: run!(p => generated_lookalikes_refused(p)),
        },
        Scenario {
            id: "handshake.origin-subdomain",
            title: "A subdomain of the allowlisted host is refused",
            section: Section::Handshake,
            // The refusal must come without a credentialed CORS grant too.
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from https://sub.shop-a.test: must be `origin_not_allowed`.",
            how_to_fix: "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); no suffix, prefix or subdomain matching.",
            run: run!(p => origin_refused(p, Site::Subdomain)),
        },
        Scenario {
            id: "handshake.origin-other-scheme",
            title: "The allowlisted host over plain HTTP is refused",
            section: Section::Handshake,
            // The refusal must come without a credentialed CORS grant too.
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from the allowlisted origin with only the scheme changed (http://shop-a.test on the same port): must be `origin_not_allowed`.",
            how_to_fix: "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); no suffix, prefix or subdomain matching.",
            run: run!(p => other_scheme_refused(p)),
        },
        Scenario {
            id: "handshake.origin-other-port",
            title: "The allowlisted host on another port is refused",
            section: Section::Handshake,
            // The refusal must come without a credentialed CORS grant too.
            requirements: &["AUTH-ORIGIN-EXACT", "AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from https://shop-a.test on another port: must be `origin_not_allowed`.",
            how_to_fix: "Compare the Origin header with each allowed origin as a whole string (scheme, host and port); no suffix, prefix or subdomain matching.",
            run: run!(p => origin_refused(p, Site::ShopAOtherPort)),
        },
        Scenario {
            id: "handshake.claimed-origin-api",
            title: "An origin claimed in the body is ignored",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-BROWSER-ASSERTED", "AUTH-ORIGIN-ALLOWLIST"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake with `Origin: https://evil.test` and body fields `origin`/`parentOrigin` naming the allowlisted origin: must be `origin_not_allowed`.",
            how_to_fix: "Take the embedding origin from the Origin header only; ignore any origin the page supplies.",
            run: run!(p => claimed_origin_api(p)),
        },
        Scenario {
            id: "handshake.claimed-origin-browser",
            title: "A page cannot claim another origin through init",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-BROWSER-ASSERTED", "AUTH-ORIGIN-ALLOWLIST", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_ORIGIN,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Opens a correctly signed page on https://evil.test whose init passes `origin` naming the allowlisted shop: the SDK must fire auth_failed with `origin_not_allowed`.",
            how_to_fix: "Do not forward an `origin` option to the server; the server uses the browser's Origin header.",
            run: run!(p => origin_refused_in_browser(p, true)),
        },
        Scenario {
            id: "handshake.cors-no-credentialed-reflection",
            title: "No credentialed CORS grant to a foreign origin",
            section: Section::Handshake,
            requirements: &["AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends, with `Origin: https://evil.test`, a handshake, a ticket list with a valid token and preflights for both: none may answer with that origin (or `*`) together with `Access-Control-Allow-Credentials: true`.",
            how_to_fix: "Answer CORS from the tenant's allowlist only, and never with Access-Control-Allow-Credentials.",
            run: run!(p => cors_no_reflection(p)),
        },
        Scenario {
            id: "handshake.cors-allowlisted-origin",
            title: "The allowlisted origin gets a plain CORS grant",
            section: Section::Handshake,
            requirements: &["AUTH-ORIGIN-ALLOWLIST", "AUTH-CORS-NO-REFLECTION"],
            level: Must,
            tags: API_ORIGIN,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a valid handshake from the allowlisted origin: accepted, `Access-Control-Allow-Origin` is that origin or `*`, and no `Access-Control-Allow-Credentials: true`.",
            how_to_fix: "Echo only allowlisted origins and never allow credentials.",
            run: run!(p => cors_allowlisted(p)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &str = "https://shop-a.test:8443";

    #[test]
    fn known_lookalikes_are_never_the_allowed_origin() {
        for template in KNOWN_LOOKALIKE_ORIGINS {
            let origin = fill_origin(template, ALLOWED);
            assert_ne!(origin, ALLOWED, "{template}");
            assert!(
                !origin.contains('{'),
                "{template} left a placeholder: {origin}"
            );
        }
        assert_eq!(
            fill_origin("{scheme}://www.{host}{port}", ALLOWED),
            "https://www.shop-a.test:8443"
        );
    }

    proptest! {
        /// Every generated origin is filled in completely and keeps the
        /// grammar `scheme://host[:port]` (proptest prints the seed of a failure).
        #[test]
        fn generated_lookalikes_fill_in(template in lookalike_origins()) {
            let origin = fill_origin(&template, ALLOWED);
            prop_assert!(!origin.contains('{'), "{}", origin);
            let (scheme, host, port) = origin_parts(&origin);
            prop_assert!(["https", "http", "wss"].contains(&scheme.as_str()), "{}", origin);
            prop_assert!(!host.is_empty() && !host.contains('/'), "{}", origin);
            prop_assert!(port.is_empty() || port[1..].parse::<u16>().is_ok(), "{}", origin);
        }
    }
}
