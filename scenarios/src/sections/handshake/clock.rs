//! "Clock skew. expiresAt must be in the future": the expiry rule, the
//! recommended 5-minute window, the format of `expiresAt` and its
//! longest lifetime.

use super::*;

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "AUTH-EXPIRY-FUTURE",
        section: Section::Handshake,
        level: Must,
        text: "`expiresAt` must be strictly in the future by the portal's clock; a payload whose `expiresAt` is now or past is refused with `expired`, with no grace period.",
        source: "Clock skew. expiresAt must be in the future.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-WINDOW",
        section: Section::Handshake,
        level: Must,
        text: "A payload signed with the recommended window (`expiresAt` = signing time + 300 s) is accepted, also when the signing server's clock is somewhat behind but the result is still in the future.",
        source: "If your server clock is behind, generate Math.floor(Date.now() / 1000) + 300 to give a 5-minute window.",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-FORMAT",
        section: Section::Handshake,
        level: Must,
        text: "`expiresAt` is an integer number of unix seconds; a missing one, a string, a fraction, a negative number, milliseconds or a number beyond 2^53 is refused with `invalid_payload`.",
        source: "generate Math.floor(Date.now() / 1000) + 300",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "AUTH-EXPIRY-MAX-LIFETIME",
        section: Section::Handshake,
        level: Should,
        text: "`expiresAt` more than 24 hours ahead of the portal's clock is refused with `invalid_payload`, so a leaked signature cannot live for ever.",
        source: "to give a 5-minute window.",
        surfaces: &[HttpStatus],
    },
];

/// A payload expiring `lifetime` seconds from now (by the portal's clock).
async fn expiry(p: &mut dyn Probe, lifetime: i64) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let signed = sign_identity(p, Tenant::Primary, SigningKey::Current, &identity, lifetime)?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    let what = format!("expiresAt = now {lifetime:+} s");
    if lifetime > 0 {
        expect_accepted(&mut c, &reply, &what)?;
        let echoed = expires_at_of(&reply);
        let sent: i64 = serde_json::from_str::<Value>(&signed.user)
            .ok()
            .and_then(|v| v["expiresAt"].as_i64())
            .unwrap_or(0);
        c.expect(
            echoed == Some(sent),
            "the session's expiresAt is the signed one, in seconds",
            || format!("answer expiresAt {echoed:?}, signed {sent}"),
        )?;
    } else {
        expect_refused(&mut c, &reply, AuthFailure::Expired, &what)?;
    }
    Ok(c.pass())
}

/// A correctly signed payload whose `expiresAt` is `literal` (or missing).
async fn expiry_format(p: &mut dyn Probe, form: fn(i64) -> Option<String>, what: &str) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let literal = form(p.now() + RECOMMENDED_WINDOW_SECONDS);
    let user = Layout::compact().render(&fields_with_expiry(&identity, literal.as_deref()));
    let signed = sign_exact(p, Tenant::Primary, SigningKey::Current, user)?;
    let reply = handshake(p, Tenant::Primary, &signed).await?;
    expect_refused(
        &mut c,
        &reply,
        AuthFailure::InvalidPayload,
        &format!("expiresAt {what}"),
    )?;
    Ok(c.pass())
}

async fn clock_behind_accepted(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (page, canary) = token_page(p, |e| e.clock_offset_seconds = -120).await?;
    let view = p.open_page(page).await?;
    expect_ready(&mut c, &view, Some(&canary))?;
    Ok(c.pass())
}

pub fn scenarios() -> Vec<Scenario> {
    let expiry_fix =
        "Refuse expiresAt <= now with `expired`; no grace period, seconds not milliseconds.";
    let format_fix = "Accept expiresAt only as a JSON integer in [0, 2^53]; refuse strings, fractions, negatives and milliseconds with `invalid_payload`.";
    vec![
        Scenario {
            id: "handshake.expired-one-second-ago",
            title: "expiresAt one second in the past is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FUTURE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is now - 1: must be `expired`.",
            how_to_fix: expiry_fix,
            run: run!(p => expiry(p, -1)),
        },
        Scenario {
            id: "handshake.expires-now",
            title: "expiresAt equal to now is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FUTURE"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is the current second: must be `expired` (strictly in the future).",
            how_to_fix: expiry_fix,
            run: run!(p => expiry(p, 0)),
        },
        Scenario {
            id: "handshake.recommended-window",
            title: "expiresAt now + 300 is accepted",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-WINDOW"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a payload signed with the documented window (now + 300 s): must be accepted, and the session's expiresAt is the signed value.",
            how_to_fix: "Read expiresAt as unix seconds and accept any value in (now, now + 24 h].",
            run: run!(p => expiry(p, RECOMMENDED_WINDOW_SECONDS)),
        },
        Scenario {
            id: "handshake.customer-clock-behind",
            title: "A customer clock 2 minutes behind still works",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-WINDOW", "SDK-EVENTS"],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The page's token endpoint signs with a clock 120 s behind and the +300 window (expiresAt still 180 s ahead): the portal must become ready and show the user's ticket.",
            how_to_fix: "Compare expiresAt with the portal's clock only; do not require a minimum remaining lifetime beyond 'in the future'.",
            run: run!(p => clock_behind_accepted(p)),
        },
        Scenario {
            id: "handshake.customer-clock-far-behind",
            title: "A customer clock 10 minutes behind fails with `expired`",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FUTURE", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The page's token endpoint signs with a clock 600 s behind and the +300 window (expiresAt 300 s in the past): the SDK must fire auth_failed with `expired` and show no ticket.",
            how_to_fix: expiry_fix,
            run: run!(p => browser_refusal(p, |e| e.clock_offset_seconds = -600, AuthFailure::Expired)),
        },
        Scenario {
            id: "handshake.expires-at-string",
            title: "expiresAt as a string is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FORMAT"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is the string \"N\": must be `invalid_payload`.",
            how_to_fix: format_fix,
            run: run!(p => expiry_format(p, |exp| Some(format!("\"{exp}\"")), "as a string")),
        },
        Scenario {
            id: "handshake.expires-at-fraction",
            title: "expiresAt with a fraction is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FORMAT"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is N.5: must be `invalid_payload`.",
            how_to_fix: format_fix,
            run: run!(p => expiry_format(p, |exp| Some(format!("{exp}.5")), "with a fraction")),
        },
        Scenario {
            id: "handshake.expires-at-negative",
            title: "Negative expiresAt is refused as malformed",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FORMAT"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is -N: must be `invalid_payload` (not merely `expired`).",
            how_to_fix: format_fix,
            run: run!(p => expiry_format(p, |exp| Some(format!("-{exp}")), "negative")),
        },
        Scenario {
            id: "handshake.expires-at-milliseconds",
            title: "expiresAt in milliseconds is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FORMAT", "AUTH-EXPIRY-MAX-LIFETIME"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is (now + 300) * 1000: must be `invalid_payload`.",
            how_to_fix: format_fix,
            run: run!(p => expiry_format(p, |exp| Some((exp * 1000).to_string()), "in milliseconds")),
        },
        Scenario {
            id: "handshake.expires-at-beyond-2-53",
            title: "expiresAt beyond 2^53 is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FORMAT"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload whose expiresAt is 2^53 + 1: must be `invalid_payload`, never a server error.",
            how_to_fix: format_fix,
            run: run!(p => expiry_format(p, |_| Some("9007199254740993".into()), "beyond 2^53")),
        },
        Scenario {
            id: "handshake.expires-at-missing",
            title: "A payload without expiresAt is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FORMAT"],
            level: Must,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload with no expiresAt: must be `invalid_payload`.",
            how_to_fix: format_fix,
            run: run!(p => expiry_format(p, |_| None, "missing")),
        },
        Scenario {
            id: "handshake.lifetime-over-24h",
            title: "expiresAt more than 24 h ahead is refused",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-MAX-LIFETIME"],
            level: Should,
            tags: API_AUTH,
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Sends a correctly signed payload expiring 25 h from now: should be `invalid_payload`.",
            how_to_fix: "Refuse expiresAt > now + 86400 with `invalid_payload`.",
            run: run!(p => expiry_format(p, |exp| Some((exp - RECOMMENDED_WINDOW_SECONDS + MAX_LIFETIME_SECONDS + 3600).to_string()), "25 h ahead")),
        },
        Scenario {
            id: "handshake.browser-expired",
            title: "A page with an expired payload fails with `expired`",
            section: Section::Handshake,
            requirements: &["AUTH-EXPIRY-FUTURE", "SDK-AUTH-FAILED-REASON"],
            level: Must,
            tags: BROWSER_AUTH,
            needs: BROWSER_USERS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "The page's token endpoint signs a payload that expired 10 s ago: auth_failed with `expired`, no ticket.",
            how_to_fix: expiry_fix,
            run: run!(p => browser_refusal(p, |e| e.lifetime_seconds = -10, AuthFailure::Expired)),
        },
    ]
}
