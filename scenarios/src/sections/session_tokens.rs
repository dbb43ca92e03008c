//! The session token as an attacker sees it: is it guessable from the
//! tokens one can get oneself, and does the API accept near misses of a
//! real one?

use crate::checks::*;
use crate::contract::RECOMMENDED_WINDOW_SECONDS;
use crate::probe::{ApiCall, Probe, SigningKey, Tenant, UserSpec};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};
use crate::sections::tenancy::{known_ids, own_session_listing};

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    id: "SESSION-TOKEN-UNGUESSABLE",
    section: Section::Session,
    level: Must,
    text: "Session tokens are minted by the portal, unguessable and matched exactly: tokens of successive handshakes share no long common run (no counter or clock with a fixed rest), carry no identifier or public key in clear, and a truncated, extended or altered token is refused with a 4xx.",
    source: "\"Session expired\" message",
    surfaces: &[HttpStatus],
}];

/// The least number of characters by which two tokens of successive
/// handshakes must differ once their common prefix and suffix are removed:
/// 16 hex digits are 64 bits; a counter or a clock changes one or two.
pub const MIN_DIFFERING_CHARS: usize = 16;

/// How many characters differ between `a` and `b` once their common
/// prefix and common suffix are set aside.
pub fn differing_middle(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    a.len().max(b.len()) - suffix
}

async fn unguessable(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let identity = fresh_identity(p);
    let mut tokens = Vec::new();
    for extra in 0..3 {
        // Three different signed strings: a portal may refuse a replayed one.
        let signed = sign_identity(
            p,
            Tenant::Primary,
            SigningKey::Current,
            &identity,
            RECOMMENDED_WINDOW_SECONDS + extra,
        )?;
        let reply = handshake(p, Tenant::Primary, &signed).await?;
        tokens.push(expect_accepted(
            &mut c,
            &reply,
            &format!("handshake {}", extra + 1),
        )?);
    }
    p.note(format!("session tokens of three handshakes: {tokens:?}"));
    let public_key = p.public_key(Tenant::Primary);
    let id = identity.external_user_id.clone().unwrap_or_default();
    for token in &tokens {
        c.expect(
            !token.contains(&id) && !token.contains(&public_key),
            "no token carries the identifier or the public key in clear",
            || format!("token {token:?} (identifier {id:?}, public key {public_key:?})"),
        )?;
    }
    for (i, a) in tokens.iter().enumerate() {
        for b in &tokens[i + 1..] {
            let differ = differing_middle(a, b);
            c.expect(
                differ >= MIN_DIFFERING_CHARS,
                format!("tokens of successive handshakes differ in at least {MIN_DIFFERING_CHARS} characters beyond a common prefix and suffix"),
                || format!("{a:?} and {b:?} differ in {differ} character(s): a counter or a clock"),
            )?;
        }
    }
    Ok(c.pass())
}

/// Near misses of a real token: each must be refused.
fn near_misses(token: &str) -> Vec<(&'static str, String)> {
    let chars: Vec<char> = token.chars().collect();
    let cut = |n: usize| chars[..n.min(chars.len())].iter().collect::<String>();
    let mut altered = chars.clone();
    if let Some(last) = altered.last_mut() {
        *last = if *last == 'a' { 'b' } else { 'a' };
    }
    vec![
        (
            "the token without its last character",
            cut(chars.len().saturating_sub(1)),
        ),
        ("the first half of the token", cut(chars.len() / 2)),
        ("the first 8 characters of the token", cut(8)),
        ("the token with a character appended", format!("{token}0")),
        (
            "the token with its last character changed",
            altered.into_iter().collect(),
        ),
    ]
}

async fn exact_match(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let token = own_session_listing(p, &mut c, &user).await?;
    if token.chars().count() < 10 {
        return Err(Verdict::fail(
            "a session token long enough to be unguessable",
            format!("token {token:?}"),
        ));
    }
    let list = p.api(tickets_request(&token, None)).await?;
    // Every ticket route, not only the list, needs the exact token.
    let mut routes = vec![("the list".to_string(), None)];
    if let Some(id) = known_ids(&user, &list).into_iter().next() {
        routes.push((format!("ticket {id}"), Some(id)));
    }
    for (route, id) in &routes {
        let mut calls: Vec<(String, ApiCall)> = near_misses(&token)
            .into_iter()
            .filter(|(_, presented)| *presented != token)
            .map(|(what, presented)| (what.to_string(), tickets_request(&presented, id.as_deref())))
            .collect();
        let bare = tickets_request(&token, id.as_deref());
        let no_header = ApiCall::get(bare.path.clone());
        calls.push(("no Authorization header".into(), no_header.clone()));
        calls.push((
            "an empty bearer".into(),
            no_header.header("authorization", "Bearer "),
        ));
        for (what, call) in calls {
            let reply = p.api(call).await?;
            c.expect(
                (400..500).contains(&reply.status) && !reply.body.contains(&user.canary),
                format!("{route}, {what}: refused with a 4xx, no ticket"),
                || describe(&reply),
            )?;
        }
    }
    // Other spellings of the same routes, with no credential at all: a
    // session check bound to the exact path must not be the only guard.
    let id = known_ids(&user, &list).into_iter().next();
    for (what, path) in route_spellings(id.as_deref()) {
        let reply = p.api(ApiCall::get(path.clone())).await?;
        c.expect(
            !reply.body.contains(&user.canary),
            format!("{what} ({path}) with no Authorization header: no ticket text"),
            || describe(&reply),
        )?;
    }
    // Other methods on the same routes, with no credential: a session
    // check that runs for `GET` only must not be the only guard.
    let bare = tickets_request(&token, None).path;
    let mut paths = vec![("the list", bare.clone())];
    if let Some(id) = &id {
        paths.push(("the ticket", tickets_request(&token, Some(id)).path));
    }
    for (route, path) in &paths {
        for (what, call) in method_spellings(path) {
            let reply = p.api(call).await?;
            c.expect(
                !reply.body.contains(&user.canary),
                format!("{route} ({path}) {what}, with no Authorization header: no ticket text"),
                || describe(&reply),
            )?;
        }
    }
    Ok(c.pass())
}

/// Requests for `path` with another method than `GET`, or one spelt or
/// overridden so a check bound to `GET` may not run while a handler for
/// any method answers (HTTP verb tampering: OWASP WSTG-CONF-06, CWE-650).
/// No `DELETE`: a flawed target would lose the ticket the scenario reads.
fn method_spellings(path: &str) -> Vec<(&'static str, ApiCall)> {
    let with = |method: &str| ApiCall {
        method: method.into(),
        ..ApiCall::get(path)
    };
    vec![
        ("as `POST`", with("POST")),
        ("as `PUT`", with("PUT")),
        ("as `PATCH`", with("PATCH")),
        ("as a lower-case `get`", with("get")),
        (
            "as `POST` with `X-HTTP-Method-Override: GET`",
            with("POST").header("x-http-method-override", "GET"),
        ),
        (
            "as `POST` with `X-HTTP-Method: GET`",
            with("POST").header("x-http-method", "GET"),
        ),
        (
            "as `POST` with `X-Method-Override: GET`",
            with("POST").header("x-method-override", "GET"),
        ),
    ]
}

/// Spellings of the ticket routes that a router may serve while a check
/// bound to the exact path does not run (path-normalisation differentials:
/// Orange Tsai, "Breaking Parser Logic", Black Hat USA 2018).
fn route_spellings(ticket_id: Option<&str>) -> Vec<(&'static str, String)> {
    let base = crate::contract::TICKETS_PATH;
    let upper = base.to_ascii_uppercase();
    let (dir, leaf) = base.rsplit_once('/').unwrap_or(("", base));
    let mut spellings = vec![
        ("the list with a trailing slash", format!("{base}/")),
        ("the list with a `;` parameter", format!("{base};x")),
        ("the list in upper case", upper.clone()),
        ("the list with a `.json` suffix", format!("{base}.json")),
        ("the list through `/./`", format!("{dir}/./{leaf}")),
        ("the list through `//`", format!("{dir}//{leaf}")),
    ];
    if let Some(id) = ticket_id {
        spellings.extend([
            ("the ticket with a trailing slash", format!("{base}/{id}/")),
            ("the ticket with a `;` parameter", format!("{base}/{id};x")),
            ("the ticket in upper case", format!("{upper}/{id}")),
            (
                "the ticket with a `.json` suffix",
                format!("{base}/{id}.json"),
            ),
            ("the ticket through `//`", format!("{base}//{id}")),
            ("the ticket with `/` encoded", format!("{base}%2F{id}")),
        ]);
    }
    spellings
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "session.token-unguessable",
            title: "Session tokens are not a counter, a clock or an identifier",
            section: Section::Session,
            requirements: &["SESSION-TOKEN-UNGUESSABLE"],
            level: Must,
            tags: &[Tag::Api, Tag::Session],
            needs: &[],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Makes three handshakes for one identity: the tokens must not contain the externalUserId or the public key, and any two must differ in at least 16 characters once their common prefix and suffix are removed.",
            how_to_fix: "Mint session tokens from a CSPRNG (at least 128 bits), or sign them; never derive them from a counter, the clock or the identity.",
            run: run!(p => unguessable(p)),
        },
        Scenario {
            id: "session.token-exact-match",
            title: "Near misses of a real session token are refused",
            section: Section::Session,
            requirements: &["SESSION-TOKEN-UNGUESSABLE"],
            level: Must,
            tags: &[Tag::Api, Tag::Session],
            needs: &[Need::Users],
            budget: API_BUDGET,
            wait: NO_WAIT,
            description: "Takes a seeded user's real session token (which lists their ticket) and presents it, to the list and to the ticket by ID, without its last character, halved, cut to 8 characters, with a character appended and with its last character changed, and sends both requests with no Authorization header and with an empty bearer: each must be a 4xx refusal that shows no ticket. Then asks, with no credential, for other spellings of both routes (a trailing slash, a `;` parameter, upper case, a `.json` suffix, `/./`, `//`, an encoded `/`) and with other methods (`POST`, `PUT`, `PATCH`, a lower-case `get`, `POST` with a method-override header naming `GET`): none may show the ticket (any status: a catch-all page is fine, the ticket is not).",
            how_to_fix: "Look sessions up by the whole token with an exact, constant-time comparison; never by prefix (`LIKE 'x%'`, `strncmp`). Put the session check in the handler (or on every route and method the router matches), not on exact path strings or on `GET` alone.",
            run: run!(p => exact_match(p)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_clocks_differ_little_random_tokens_a_lot() {
        assert_eq!(differing_middle("sess-000041", "sess-000042"), 1);
        assert_eq!(
            differing_middle("0000000069b1c2d300000007", "0000000069b1c2d400000008"),
            9
        );
        assert!(
            differing_middle(
                "8f14e45fceea167a5a36dedd4bea2543",
                "c9f0f895fb98ab9159f51fd0297e236d"
            ) >= MIN_DIFFERING_CHARS
        );
        assert_eq!(differing_middle("abc", "abc"), 0);
        assert_eq!(differing_middle("abc", "abcd"), 1);
    }
}
