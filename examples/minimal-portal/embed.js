/* The portal document's script: waits for the SDK's port (only from an allowlisted parent),
 * then lists the session's tickets, and shows "Session expired" when the session ends. */
(function () {
  'use strict';
  var root = document.getElementById('portal');
  var allowed = JSON.parse(root.getAttribute('data-origins') || '[]');
  var status = document.getElementById('status');
  var list = document.getElementById('tickets');
  var port = null;
  var generation = 0; // bumps on every new session and on expiry; stale answers are dropped
  var expiryTimer = null;

  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || allowed.indexOf(e.origin) < 0 || !e.ports[0] ||
        !e.data || e.data.type !== 'userhero:connect') { return; }
    port = e.ports[0];
    port.onmessage = function (m) {
      if (m.data && m.data.type === 'session' && typeof m.data.token === 'string') { start(m.data); }
    };
  });

  function start(session) {
    var mine = ++generation;
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(expire, Math.max(0, session.ttl * 1000));
    fetch('/api/v1/tickets', { headers: { Authorization: 'Bearer ' + session.token }, cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) { throw new Error('HTTP ' + res.status); }
        return res.json();
      })
      .then(function (body) {
        if (mine !== generation) { return; }
        render(body.data || []);
        port.postMessage({ type: 'rendered', count: (body.data || []).length });
      })
      .catch(function (e) {
        if (mine === generation) { status.textContent = 'Your tickets could not be loaded.'; }
        console.error('UserHero portal: ' + e);
      });
  }

  function render(tickets) {
    list.textContent = '';
    tickets.forEach(function (t) {
      var item = document.createElement('li');
      var subject = document.createElement('strong');
      subject.textContent = t.subject;
      item.appendChild(subject);
      item.appendChild(document.createTextNode(' #' + t.id + ' · ' + t.status));
      list.appendChild(item);
    });
    status.textContent = tickets.length ? 'Your tickets' : 'You have no tickets yet.';
  }

  function expire() {
    generation++;
    list.textContent = '';
    status.textContent = 'Session expired';
  }
})();
