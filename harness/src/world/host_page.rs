//! The customer's host page, generated per scenario from a
//! [`HostPage`](scenarios::probe::HostPage): the SDK stub, the page's
//! calls, the script tag, and a recorder of SDK events, CSP violations and
//! console messages that the watcher reads back. Every value a scenario
//! supplies (user strings, HMACs, theme values) is embedded through
//! [`js_literal`], so hostile payloads stay data.

use crate::browser::watch::NEST_FRAME_ID;
use scenarios::contract::{EVENT_AUTH_EXPIRING, EVENT_AUTH_FAILED, EVENT_READY, SDK_STUB};
use scenarios::probe::{
    ForeignKind, ForgerTarget, HostPage, OnExpiring, OnReady, PageUser, ScriptLoading,
};

/// A JavaScript function taking a value through JSON (`null` when it does
/// not survive): the recorder and the catcher read message data with it.
macro_rules! json_clone_js {
    () => {
        "function (d) { try { var t = JSON.stringify(d); return t === undefined ? null : JSON.parse(t); } catch (_) { return null; } }"
    };
}

/// The member that marks the harness's own messages between the host page
/// and its foreign documents (`{__portalcheck: "loaded" | "done" |
/// "caught" | "go"}`); the recorder keeps them apart from the page's
/// window messages.
const MARK: &str = "__portalcheck";

/// Where the page's pieces are, resolved by the probe.
#[derive(Debug, Clone)]
pub struct PageContext {
    pub portal_origin: String,
    /// The SDK's URL exactly as the target gives it (`script_url`).
    pub script_url: String,
    pub public_key: String,
    pub claimed_origin: Option<String>,
    pub nonce: String,
    /// Same-origin URL of the token endpoint for the first `setUser`.
    pub token_url: Option<String>,
    /// Same-origin URL of the token endpoint for the re-sign.
    pub resign_token_url: Option<String>,
    /// Where the page's foreign documents are served: the forger's (for
    /// [`HostPage::forger`]), the catcher's (for
    /// [`OnReady::NavigateFrameThenSetUser`]) and the bystander's (for
    /// [`HostPage::bystander`], a catcher too).
    pub forger: Option<ForeignDocument>,
    pub catcher: Option<ForeignDocument>,
    pub bystander: Option<ForeignDocument>,
}

/// A document served from a foreign origin for one page.
#[derive(Debug, Clone)]
pub struct ForeignDocument {
    /// Its full URL.
    pub url: String,
    /// Its origin (what `event.origin` says of its messages).
    pub origin: String,
}

/// The rendered page and its response header.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    pub html: String,
    pub csp: Option<String>,
}

/// A JavaScript literal for any JSON value, safe inside `<script>`:
/// `<`, `>`, `&`, U+2028 and U+2029 are escaped.
pub fn js_literal(value: &serde_json::Value) -> String {
    let json = serde_json::to_string(value).expect("JSON values serialize");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn js_str(text: &str) -> String {
    js_literal(&serde_json::Value::String(text.to_string()))
}

const RECORDER: &str = concat!(
    r#"(function(){
  var r = window.__portalcheck = {events: [], csp: [], console: [], t0: null, start: performance.now(), waiters: []};
  // Everything recorded goes through add(), which wakes the harness's
  // long-poll (see watch.rs) instead of the harness polling on a timer.
  r.add = function (list, item) {
    list.push(item);
    var waiting = r.waiters; r.waiters = [];
    waiting.forEach(function (wake) { try { wake(); } catch (_) {} });
  };
  document.addEventListener('securitypolicyviolation', function (e) {
    r.add(r.csp, {directive: e.effectiveDirective || e.violatedDirective || '', blocked_uri: e.blockedURI || ''});
  });
  ['error', 'warn', 'info', 'log'].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      try {
        r.add(r.console, {level: level === 'warn' ? 'warning' : level, text: Array.prototype.map.call(arguments, function (a) {
          try { return typeof a === 'string' ? a : JSON.stringify(a); } catch (_) { return String(a); }
        }).join(' ')});
      } catch (_) {}
      return original.apply(console, arguments);
    };
  });
  // Window messages: the harness's marks from its foreign documents go to
  // `foreign`; every other message (the portal frame's, anyone's) to
  // `messages`, its data through JSON (at most 200 kept).
  r.messages = []; r.foreign = [];
  r.clone = "#,
    json_clone_js!(),
    r#";
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (d && typeof d === 'object' && typeof d.__portalcheck === 'string') {
      r.add(r.foreign, {kind: d.__portalcheck, origin: e.origin, from: typeof d.from === 'string' ? d.from : null, data: d.data === undefined ? null : d.data});
      return;
    }
    if (r.messages.length < 200) { r.add(r.messages, {origin: e.origin, data: r.clone(d), ports: e.ports ? e.ports.length : 0}); }
  });
  window.addEventListener('error', function (e) { r.add(r.console, {level: 'error', text: 'uncaught: ' + (e.message || '')}); });
  window.addEventListener('unhandledrejection', function (e) { r.add(r.console, {level: 'error', text: 'unhandled rejection: ' + String(e.reason)}); });
  r.record = function (name) {
    return function (detail) { r.add(r.events, {name: name, detail: detail === undefined ? null : detail, at: performance.now()}); };
  };
  r.token = function (url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (res) { return res.json(); });
  };
  r.fail = function (what) { return function (e) { r.add(r.console, {level: 'error', text: 'portalcheck: ' + what + ': ' + e}); }; };
})();"#
);

/// Render the page.
pub fn render(page: &HostPage, ctx: &PageContext) -> RenderedPage {
    let nonce = &ctx.nonce;
    let script_url = &ctx.script_url;
    let mut setup = String::new();
    setup.push_str("function portalcheckSetup() {\n  var r = window.__portalcheck;\n");
    for event in [EVENT_READY, EVENT_AUTH_FAILED, EVENT_AUTH_EXPIRING] {
        setup.push_str(&format!(
            "  UserHero.on({0}, r.record({0}));\n",
            js_str(event)
        ));
    }
    match &page.on_expiring {
        OnExpiring::Nothing => {}
        OnExpiring::Resign(_) => {
            let url = ctx
                .resign_token_url
                .as_deref()
                .unwrap_or("/api/userhero-token");
            setup.push_str(&format!(
                "  UserHero.on({}, function () {{ r.token({}).then(function (t) {{ UserHero.setUser(t.user, t.userHmac); }}, r.fail('re-sign token')); }});\n",
                js_str(EVENT_AUTH_EXPIRING),
                js_str(url)
            ));
        }
        OnExpiring::SetUser { user, hmac } => {
            setup.push_str(&format!(
                "  UserHero.on({}, function () {{ UserHero.setUser({}, {}); }});\n",
                js_str(EVENT_AUTH_EXPIRING),
                js_str(user),
                js_str(hmac)
            ));
        }
    }
    match &page.on_ready {
        OnReady::Nothing => {}
        OnReady::SetUser { user, hmac } => {
            setup.push_str(&format!(
                "  var switched = false;\n  UserHero.on({}, function () {{ if (switched) {{ return; }} switched = true; UserHero.setUser({}, {}); }});\n",
                js_str(EVENT_READY),
                js_str(user),
                js_str(hmac)
            ));
        }
        OnReady::NavigateFrameThenSetUser { user, hmac, .. } => {
            if let Some(catcher) = &ctx.catcher {
                setup.push_str(&navigate_then_resign(catcher, user, hmac));
            }
        }
    }
    if let (Some(forger), Some(doc)) = (&page.forger, &ctx.forger) {
        setup.push_str(&format!(
            "  var forger = {{loaded: false, due: false, sent: false}};\n  var forgerGo = function () {{ if (!forger.loaded || !forger.due || forger.sent) {{ return; }} forger.sent = true; document.getElementById('portalcheck-forger').contentWindow.postMessage({{{MARK}: 'go'}}, {origin}); }};\n  window.addEventListener('message', function (e) {{ if (e.origin === {origin} && e.data && e.data.{MARK} === '{loaded}') {{ forger.loaded = true; forgerGo(); }} }});\n  UserHero.on({event}, function () {{ forger.due = true; forgerGo(); }});\n",
            loaded = ForeignKind::Loaded.as_str(),
            origin = js_str(&doc.origin),
            event = js_str(&forger.after_event),
        ));
    }
    let mut options = serde_json::Map::new();
    options.insert("publicKey".into(), ctx.public_key.clone().into());
    options.insert("container".into(), "#userhero-portal".into());
    if !page.theme.is_empty() {
        let theme: serde_json::Map<String, serde_json::Value> = page
            .theme
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        options.insert("theme".into(), theme.into());
    }
    if let Some(origin) = &ctx.claimed_origin {
        options.insert("origin".into(), origin.clone().into());
    }
    setup.push_str(&format!(
        "  UserHero.init({});\n",
        js_literal(&options.into())
    ));
    let sign_in = match &page.user {
        PageUser::None => String::new(),
        PageUser::Signed { user, hmac } => format!(
            "  r.t0 = performance.now();\n  UserHero.setUser({}, {});\n",
            js_str(user),
            js_str(hmac)
        ),
        PageUser::FromTokenEndpoint(_) => {
            let url = ctx.token_url.as_deref().unwrap_or("/api/userhero-token");
            format!(
                "  r.token({}).then(function (t) {{ r.t0 = performance.now(); UserHero.setUser(t.user, t.userHmac); }}, r.fail('token endpoint'));\n",
                js_str(url)
            )
        }
    };
    match (&page.bystander, &ctx.bystander) {
        (Some(_), Some(doc)) if !sign_in.is_empty() => {
            setup.push_str(&after_loaded(doc, &sign_in));
        }
        _ => setup.push_str(&sign_in),
    }
    setup.push_str("}\n");

    let (stub, call, tag) = match page.loading {
        ScriptLoading::AsyncTag => (
            SDK_STUB.to_string(),
            "portalcheckSetup();".to_string(),
            format!("<script async src=\"{}\"></script>", html_attr(script_url)),
        ),
        ScriptLoading::AfterLoad => (
            SDK_STUB.to_string(),
            format!(
                "portalcheckSetup();\nwindow.addEventListener('load', function () {{ var s = document.createElement('script'); s.async = true; s.src = {}; document.body.appendChild(s); }});",
                js_str(script_url)
            ),
            String::new(),
        ),
        ScriptLoading::OnLoadCallback => (
            String::new(),
            "document.addEventListener('load', function (e) { if (e.target && e.target.id === 'uh-sdk') portalcheckSetup(); }, true);".to_string(),
            format!("<script async id=\"uh-sdk\" src=\"{}\"></script>", html_attr(script_url)),
        ),
    };

    // After the page's script, so its listener hears the forger load.
    let forger_frame = match (&page.forger, &ctx.forger) {
        (Some(_), Some(doc)) => format!(
            "<iframe hidden id=\"portalcheck-forger\" title=\"third-party frame\" src=\"{}\"></iframe>\n",
            html_attr(&doc.url)
        ),
        _ => String::new(),
    };
    // Before the portal's container, so it is the page's first frame.
    let bystander_frame = match (&page.bystander, &ctx.bystander) {
        (Some(_), Some(doc)) => format!(
            "<iframe id=\"portalcheck-bystander\" title=\"third-party frame\" width=\"300\" height=\"50\" src=\"{}\"></iframe>\n",
            html_attr(&doc.url)
        ),
        _ => String::new(),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop — portalcheck host page</title>\n\
<script nonce=\"{nonce}\">{RECORDER}</script>\n</head><body>\n<h1>Shop</h1>\n{bystander_frame}<div id=\"userhero-portal\"></div>\n\
<script nonce=\"{nonce}\">\n{stub}\n{setup}{call}\n</script>\n{tag}\n{forger_frame}</body></html>\n"
    );
    let csp = page.csp.as_ref().map(|template| {
        template
            .replace("{portal}", &ctx.portal_origin)
            .replace("{nonce}", nonce)
    });
    RenderedPage { html, csp }
}

/// Runs `body` (statements of the setup function) once `doc` reported it
/// loaded: the recorder keeps that mark in `r.foreign`, and every mark it
/// adds wakes its waiters, so nothing polls.
fn after_loaded(doc: &ForeignDocument, body: &str) -> String {
    format!(
        "  var whenLoaded = function () {{\n    var loaded = r.foreign.some(function (m) {{ return m.kind === '{loaded}' && m.origin === {origin}; }});\n    if (!loaded) {{ r.waiters.push(whenLoaded); return; }}\n{body}  }};\n  whenLoaded();\n",
        loaded = ForeignKind::Loaded.as_str(),
        origin = js_str(&doc.origin),
    )
}

/// On `ready` (once): navigate the SDK's frame (the container's first
/// iframe) to the catcher; once the catcher says it loaded, re-sign with
/// `user`/`hmac` and mark `done`.
fn navigate_then_resign(catcher: &ForeignDocument, user: &str, hmac: &str) -> String {
    format!(
        "  var navigated = false, resigned = false;\n  UserHero.on({ready}, function () {{\n    if (navigated) {{ return; }} navigated = true;\n    var f = document.querySelector('#userhero-portal iframe');\n    if (!f) {{ r.add(r.console, {{level: 'error', text: 'portalcheck: no portal iframe to navigate'}}); return; }}\n    window.addEventListener('message', function (e) {{\n      if (resigned || e.origin !== {origin} || !e.data || e.data.{MARK} !== '{loaded}') {{ return; }}\n      resigned = true;\n      UserHero.setUser({user}, {hmac});\n      r.add(r.foreign, {{kind: '{done}', origin: {origin}, from: null, data: null}});\n    }});\n    f.src = {url};\n  }});\n",
        ready = js_str(EVENT_READY),
        loaded = ForeignKind::Loaded.as_str(),
        done = ForeignKind::Done.as_str(),
        origin = js_str(&catcher.origin),
        url = js_str(&catcher.url),
        user = js_str(user),
        hmac = js_str(hmac),
    )
}

/// The forger: a document on a foreign origin that, told `go` by its
/// parent, posts each of `messages` with targetOrigin `*` to the parent
/// window, or into every other frame of the parent, then a `done` mark to
/// the parent.
pub fn render_forger(messages: &[serde_json::Value], into: ForgerTarget) -> String {
    let post = match into {
        ForgerTarget::HostWindow => "parent.postMessage(m, '*');",
        ForgerTarget::SiblingFrames => {
            "for (var i = 0; i < parent.frames.length; i++) { if (parent.frames[i] !== window) { parent.frames[i].postMessage(m, '*'); } }"
        }
    };
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>third-party frame</title></head><body>\n<script>\n(function () {{\n  var messages = {messages};\n  window.addEventListener('message', function (e) {{\n    if (e.source !== parent || !e.data || e.data.{MARK} !== 'go') {{ return; }}\n    messages.forEach(function (m) {{ {post} }});\n    parent.postMessage({{{MARK}: '{done}'}}, '*');\n  }});\n  parent.postMessage({{{MARK}: '{loaded}'}}, '*');\n}})();\n</script>\n</body></html>\n",
        messages = js_literal(&serde_json::Value::Array(messages.to_vec())),
        done = ForeignKind::Done.as_str(),
        loaded = ForeignKind::Loaded.as_str(),
    )
}

/// The catcher: a document on a foreign origin that reports to its parent
/// every message it gets (its data through JSON) and that it loaded.
pub fn render_catcher() -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>foreign document</title></head><body>\n<script>\n(function () {{\n  var clone = {clone};\n  window.addEventListener('message', function (e) {{\n    if (e.data && typeof e.data === 'object' && e.data.{MARK}) {{ return; }}\n    var data = clone(e.data);\n    parent.postMessage({{{MARK}: '{caught}', from: e.origin, data: data === null ? String(e.data) : data}}, '*');\n  }});\n  parent.postMessage({{{MARK}: '{loaded}'}}, '*');\n}})();\n</script>\n</body></html>\n",
        clone = json_clone_js!(),
        caught = ForeignKind::Caught.as_str(),
        loaded = ForeignKind::Loaded.as_str(),
    )
}

/// A page on some site whose one frame shows `inner` (the host page, or
/// the next page of a chain, for [`HostPage::framed_in`]): the frame tree
/// a foreign page builds around an allowlisted one.
pub fn render_nest(inner: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>framing page</title></head><body style=\"margin:0\">\n<iframe id=\"{NEST_FRAME_ID}\" src=\"{src}\" style=\"border:0;width:100vw;height:100vh\"></iframe>\n</body></html>\n",
        src = html_attr(inner),
    )
}

/// Escape text for an HTML attribute value in double quotes.
fn html_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use scenarios::contract::SCRIPT_PATH;
    use scenarios::probe::HostPage;

    fn ctx() -> PageContext {
        PageContext {
            portal_origin: "https://portal.userhero.test:8443".into(),
            script_url: format!("https://portal.userhero.test:8443{SCRIPT_PATH}"),
            public_key: "pk_1".into(),
            claimed_origin: None,
            nonce: "n0nce".into(),
            token_url: None,
            resign_token_url: None,
            forger: None,
            catcher: None,
            bystander: None,
        }
    }

    #[test]
    fn hostile_user_strings_stay_inside_their_literal() {
        let page = HostPage::new(PageUser::Signed {
            user: "</script><script>alert(1)</script>\u{2028}".into(),
            hmac: "\"'\\".into(),
        });
        let rendered = render(&page, &ctx());
        assert_eq!(
            rendered.html.matches("</script>").count(),
            3,
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("\\u003c/script\\u003e"));
    }

    /// The recorder is a plain string: it must use the same mark member.
    #[test]
    fn the_recorder_knows_the_mark() {
        assert!(RECORDER.contains(&format!("d.{MARK}")));
    }

    #[test]
    fn replayed_messages_stay_data_in_the_forger() {
        let html = render_forger(
            &[serde_json::json!({"type": "</script><script>alert(1)//"})],
            ForgerTarget::SiblingFrames,
        );
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
        assert!(html.contains("\\u003c/script\\u003e"));
    }

    #[test]
    fn a_forger_frame_follows_the_script_that_hears_it_load() {
        let mut page = HostPage::new(PageUser::None);
        page.forger = Some(scenarios::probe::Forger {
            site: scenarios::probe::Site::Evil,
            into: ForgerTarget::HostWindow,
            after_event: "auth_failed".into(),
            messages: vec![],
        });
        let mut c = ctx();
        c.forger = Some(ForeignDocument {
            url: "https://evil.test:1/f.html".into(),
            origin: "https://evil.test:1".into(),
        });
        let html = render(&page, &c).html;
        let listens = html.find("forger.loaded = true").expect("the page listens");
        let frame = html
            .find("id=\"portalcheck-forger\"")
            .expect("the forger frame");
        assert!(listens < frame);
    }

    #[test]
    fn csp_template_is_filled() {
        let mut page = HostPage::new(PageUser::None);
        page.csp = Some("script-src 'nonce-{nonce}' {portal}".into());
        let rendered = render(&page, &ctx());
        assert_eq!(
            rendered.csp.as_deref(),
            Some("script-src 'nonce-n0nce' https://portal.userhero.test:8443")
        );
    }
}
