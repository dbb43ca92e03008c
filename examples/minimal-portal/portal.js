/* UserHero Embedded Portal SDK, minimal example. Load it with
 *   <script async src="https://PORTAL/portal.js"></script>
 * API: UserHero.init({publicKey, container, theme}), UserHero.setUser(user, userHmac),
 *      UserHero.on(name, handler) with the events ready, auth_failed, auth_expiring.
 * Calls made on the queue stub (window.UserHero.q) before this script ran are replayed in order.
 * It asks the host page for nothing but this script, one fetch and one iframe on the portal origin
 * (no inline styles or scripts, no eval), so a strict host CSP works.
 */
(function () {
  'use strict';
  var PORTAL = __PORTAL_ORIGIN__; // filled in by the server
  var REASONS = ['invalid_signature', 'expired', 'invalid_payload', 'malformed_hmac',
    'origin_not_allowed', 'unknown_public_key', 'network'];
  var previous = window.UserHero;
  if (previous && previous.isPortalSdk) { return; } // loaded twice: keep the first

  var handlers = {};
  var s = { publicKey: null, port: null, session: null, attempt: 0, ready: false,
    early: null, expiringTimer: null };

  function emit(name, detail) {
    (handlers[name] || []).slice().forEach(function (handler) {
      try { handler(detail); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function fail(reason, message) {
    console.error('UserHero: auth_failed (' + reason + ') for public key ' + s.publicKey +
      (message ? ': ' + message : ''));
    emit('auth_failed', { reason: reason, publicKey: s.publicKey, message: message || '' });
  }

  // The frame gets the session over a MessageChannel port offered to the portal origin only;
  // the session token never appears in a URL.
  function connect(frame) {
    var channel = new MessageChannel();
    s.port = channel.port1;
    s.port.onmessage = function (e) {
      if (e.data && e.data.type === 'rendered' && !s.ready) {
        s.ready = true;
        emit('ready', { publicKey: s.publicKey, tickets: e.data.count });
      }
    };
    frame.contentWindow.postMessage({ type: 'userhero:connect' }, PORTAL, [channel.port2]);
    sendSession();
  }

  function sendSession() {
    if (!s.port || !s.session) { return; }
    var ttl = (s.session.deadline - performance.now()) / 1000;
    s.port.postMessage({ type: 'session', token: s.session.token, ttl: ttl });
  }

  function startSession(answer) {
    var ttl = typeof answer.ttl === 'number' ? answer.ttl : answer.expiresAt - Date.now() / 1000;
    s.session = { token: answer.sessionToken, deadline: performance.now() + ttl * 1000 };
    sendSession();
    // auth_expiring: 60 s before expiry, or half the lifetime when shorter, at least 1 s.
    var lead = Math.min(60, Math.max(1, ttl / 2));
    clearTimeout(s.expiringTimer);
    s.expiringTimer = setTimeout(function () {
      emit('auth_expiring', { expiresAt: answer.expiresAt, msLeft: Math.round(lead * 1000) });
    }, Math.max(0, (ttl - lead) * 1000));
  }

  function init(options) {
    options = options || {};
    if (s.publicKey) { return; } // one portal per page
    var container = typeof options.container === 'string'
      ? document.querySelector(options.container) : options.container;
    if (!options.publicKey || !container) {
      console.error('UserHero: init needs a publicKey and a container');
      return;
    }
    s.publicKey = String(options.publicKey);
    // An `origin` option is ignored: the portal trusts only the origin the browser asserts.
    var src = PORTAL + '/embed?pk=' + encodeURIComponent(s.publicKey);
    if (options.theme && typeof options.theme === 'object') {
      src += '&theme=' + encodeURIComponent(JSON.stringify(options.theme));
    }
    var frame = document.createElement('iframe');
    frame.title = 'Support';
    frame.src = src;
    frame.style.border = '0';
    frame.style.width = '100%';
    frame.style.minHeight = '360px';
    frame.addEventListener('load', function () { connect(frame); });
    container.appendChild(frame);
    if (s.early) { setUser.apply(null, s.early); }
  }

  function setUser(user, userHmac) {
    if (!s.publicKey) { s.early = [user, userHmac]; return; }
    var attempt = ++s.attempt;
    // A plain-text body keeps this a simple CORS request: no preflight.
    fetch(PORTAL + '/api/v1/handshake', {
      method: 'POST', mode: 'cors', credentials: 'omit',
      body: JSON.stringify({ publicKey: s.publicKey, user: user, userHmac: userHmac })
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body || {} }; },
        function () { return { ok: false, body: {} }; });
    }).then(function (answer) {
      if (attempt !== s.attempt) { return; } // a later setUser took over
      if (answer.ok && answer.body.sessionToken) { startSession(answer.body); return; }
      var reason = REASONS.indexOf(answer.body.error) >= 0 ? answer.body.error : 'network';
      fail(reason, answer.body.message); // a refused re-sign leaves the current session as it was
    }, function (e) {
      if (attempt === s.attempt) { fail('network', 'the handshake could not be made (' + e + ')'); }
    });
  }

  function on(name, handler) {
    if (typeof handler === 'function') { (handlers[name] = handlers[name] || []).push(handler); }
  }

  var api = { init: init, setUser: setUser, on: on, isPortalSdk: true };
  window.UserHero = api;
  var queued = previous && Array.isArray(previous.q) ? previous.q : [];
  queued.forEach(function (call) {
    if (['init', 'setUser', 'on'].indexOf(call[0]) >= 0) { api[call[0]].apply(null, call.slice(1)); }
  });
})();
