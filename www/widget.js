/* Provixchat loader. Site owners paste:
 *   <script src="https://EDGE/widget.js" data-site="SITE_ID" async></script>
 * It draws the chat launcher, keeps the site's consent record (first-party storage), runs the
 * page's consent-gated scripts, updates Google Consent Mode, offers window.Provixchat.consent, and
 * opens the widget (WASM, in an iframe on the edge's origin) only when needed: a consent banner
 * must show, the visitor opens the chat, or the page asks for the privacy choices.
 * A classic script (document.currentScript), safe to load twice, served minified (< 2 KB gzip). */
(function () {
  var me = document.currentScript, html = document.documentElement;
  if (!me || window.__provixchat) return;
  window.__provixchat = 1;
  var site = encodeURIComponent(me.getAttribute('data-site') || '');
  var edge = new URL(me.src).origin;
  // One key in the site's own storage: the visitor token and the consent record. Browsers block or
  // partition storage in third-party iframes, so the first-party page keeps them for the widget.
  var key = 'provixchat.' + site;
  var stored = read(key) || {}; // { token, record }
  var config, frame, view = '', back = '', listeners = [];

  function read(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function save() { try { localStorage.setItem(key, JSON.stringify(stored)); } catch (e) { /* blocked */ } }

  // The decision counts only for the current policy version and until it expires; before the
  // configuration has arrived nothing counts, so nothing gated runs early.
  function record() {
    var r = stored.record;
    return r && config && r.policy_version === config.policy_version && r.expires_at > Date.now() ? r : null;
  }
  function granted(category) { var r = record(); return !!r && (category === 'necessary' || r.choices[category] === true); }
  function decision() {
    var r = record();
    return r && Object.assign({ necessary: true, policy_version: r.policy_version, decided_at: r.at, gpc: r.gpc }, r.choices);
  }

  // <script type="text/plain" data-consent="analytics" src=…> (or inline) runs once its category
  // is granted: replaced by a real script with the same attributes.
  function activate() {
    if (!record()) return;
    document.querySelectorAll('script[type="text/plain"][data-consent]').forEach(function (old) {
      if (!granted(old.getAttribute('data-consent'))) return;
      var s = document.createElement('script');
      for (var i = 0; i < old.attributes.length; i++) {
        if (old.attributes[i].name !== 'type') s.setAttribute(old.attributes[i].name, old.attributes[i].value);
      }
      s.text = old.text;
      old.replaceWith(s);
    });
  }

  function consentMode(kind) {
    if (typeof window.gtag !== 'function') return;
    var g = function (c) { return granted(c) ? 'granted' : 'denied'; }, ads = g('marketing');
    window.gtag('consent', kind, { analytics_storage: g('analytics'), ad_storage: ads, ad_user_data: ads, ad_personalization: ads });
  }

  function apply() {
    if (!record()) return;
    activate();
    consentMode('update');
    var d = decision();
    document.dispatchEvent(new CustomEvent('provixchat:consent', { detail: d }));
    listeners.forEach(function (fn) { fn(d); });
  }

  // A shadow root keeps the host page's CSS off the launcher and the iframe, and ours off the page.
  var box = document.createElement('div');
  box.id = 'provixchat';
  var root = box.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>:host{all:initial}' +
    '*{position:fixed;z-index:2147483647;border:0;box-shadow:0 6px 24px #0004}' +
    'button{right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;background:#1f5eff;color:#fff;' +
    'cursor:pointer;display:grid;place-items:center}button:focus-visible{outline:3px solid #ffbf47}' +
    'svg,b{position:static;box-shadow:none;width:28px;fill:#fff;font:32px/1 sans-serif}iframe{background:#fff;border-radius:14px}' +
    '.chat{right:20px;bottom:88px;width:min(380px,100vw - 40px);height:min(600px,100vh - 108px)}' +
    '.banner{left:0;bottom:0;width:100%;height:200px;max-height:100%;border-radius:0}' +
    '.prefs{left:50%;top:50%;transform:translate(-50%,-50%);width:min(560px,100vw - 24px);height:min(640px,100vh - 24px)}' +
    '@media (max-width:480px){.chat{inset:0;width:100%;height:100%;border-radius:0}}' +
    '</style><button type="button"></button>';
  var button = root.querySelector('button');
  var bubble = '<svg viewBox="0 0 24 24"><path d="M3 4h18v13H9l-5 4v-4H3z"/></svg>';

  function state() {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage({ pvx: 'state', view: view, lang: html.lang, token: stored.token || '',
        consent: stored.record ? stored : null }, edge);
    }
  }

  function show(next) {
    if (next === 'prefs' && view !== 'prefs') back = view === 'banner' ? '' : view;
    view = next;
    var fresh = view && !frame;
    if (fresh) {
      frame = document.createElement('iframe');
      frame.title = 'Chat';
      frame.src = edge + '/embed/' + site + '?host=' + encodeURIComponent(origin);
      // Focus follows the visitor into the widget once it has loaded.
      frame.onload = function () { if (view) frame.focus(); };
      root.appendChild(frame);
    }
    if (frame) {
      frame.hidden = !view;
      frame.className = view;
      // The widget hears every change, hiding included, so it can focus what it shows next.
      if (!fresh) { if (view) frame.focus(); state(); }
    }
    if (view !== 'banner') button.style.bottom = '';
    var chat = view === 'chat';
    button.innerHTML = chat ? '<b>×</b>' : bubble;
    button.setAttribute('aria-label', chat ? 'Close chat' : 'Open chat');
    button.setAttribute('aria-expanded', chat);
  }
  function idle() { return record() ? '' : 'banner'; }

  button.addEventListener('click', function () { show(view === 'chat' ? idle() : 'chat'); });

  // Only the widget's own frame, on the edge's origin, may talk to the loader.
  addEventListener('message', function (e) {
    if (!frame || e.origin !== edge || e.source !== frame.contentWindow) return;
    var d = e.data || {};
    if (d.pvx === 'ready') state();
    if (d.pvx === 'view') show(d.view);
    if (d.pvx === 'close') { show(view === 'prefs' ? back || idle() : idle()); if (!view) button.focus(); }
    if (d.pvx === 'token' && typeof d.token === 'string') { stored.token = d.token; save(); }
    // The banner is sized to its content and the launcher moves above it, so both stay usable.
    if (d.pvx === 'size' && view === 'banner') {
      frame.style.height = d.height + 'px';
      button.style.bottom = d.height + 20 + 'px';
    }
    if (d.pvx === 'consent' && d.stored && d.stored.record) {
      stored = d.stored;
      save();
      show(view === 'prefs' ? back : '');
      apply();
    }
  });
  // A decision made in another tab holds here too.
  addEventListener('storage', function (e) {
    if (e.key !== key) return;
    stored = read(key) || {};
    if (record()) { if (view === 'banner') show(''); apply(); }
  });
  // Gated scripts the page adds later run as soon as their category is granted.
  new MutationObserver(activate).observe(html, { childList: true, subtree: true });

  var api = window.Provixchat = window.Provixchat || {};
  api.consent = {
    get: decision,
    onChange: function (fn) { listeners.push(fn); },
    show: function () { show('prefs'); }
  };

  consentMode('default');
  show('');
  // <html> exists even when an async script runs before <body>; fixed positioning ignores where.
  html.appendChild(box);
  fetch(edge + '/api/v1/sites/' + site + '/consent-config')
    .then(function (r) { if (!r.ok) throw r; return r.json(); })
    .then(function (c) { config = c; if (record()) apply(); else if (!view) show('banner'); })
    .catch(function () { /* no configuration: nothing is granted and the chat still works */ });
})();
