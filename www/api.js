/* Provixchat JavaScript API (window.Provixchat), loaded by the loader (www/widget.js) from the edge
 * right after it has drawn the launcher, so first paint and the consent banner never wait for it.
 *
 * Pages may queue calls before anything has loaded:
 *   window.Provixchat = window.Provixchat || []; Provixchat.push(['identify', { id: '42' }]);
 * Here the queue runs in order and `push` keeps working. Methods: open, close, toggle,
 * identify, setAttributes, reset, sendMessage, on, off, and the consent API (consent.get,
 * consent.onChange, consent.show). Events: ready, open, close, message, unread, consent.
 * It also records page activity (with analytics consent only), draws the unread badge and forgets
 * the visitor once they have erased their data from the widget.
 *
 * The loader shares its state through window.__provixchat (P): v the view ('', 'banner', 'prefs' or
 * 'chat'), f the widget's iframe, r the iframe that said it is ready, s what the site's storage holds
 * ({ token, record }), i the site (URL-encoded), b the launcher button (in the loader's shadow
 * root), o(view) (show), u() (sends the widget the view, the token and the consent), t() (what a
 * click on the launcher does), d() (the current consent decision, if there is one) and a() (apply
 * the decision). On a first visit it is loaded by banner.js, once the banner is up.
 * It sets q(job): its queue of identify calls, which the banner's decision joins (banner.js).
 * A classic script, served minified (≤ 3 KB gzip). */
(() => {
  var P = window.__provixchat, me = document.currentScript;
  // Nothing without the loader, and nothing twice.
  if (!P || P.api || !me) return;
  var edge = new URL(me.src).origin, doc = document;
  var key = 'provixchat.' + P.i;

  // Events: handlers per name. One handler throwing must not stop the others nor the caller, so
  // its error is rethrown on its own (it still shows in the console).
  var handlers = {}, ready = false;
  var safely = (fn, data) => {
    try { fn(data); } catch (e) { setTimeout(() => { throw e; }); }
  };
  var emit = (name, data) => (handlers[name] || []).slice().forEach(fn => safely(fn, data));

  // The site's routes on the edge (CORS: the page's origin must be one of the site's domains).
  // Resolves with the JSON answer (true for 204); rejects with an Error named after the edge's
  // error code, e.g. `unauthorized` when identity verification refuses the hash.
  var call = (route, body) =>
    fetch(edge + '/api/v1/sites/' + P.i + '/' + route, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.assign({ host: location.origin }, body)),
    }).then(r => r.status == 204 || r.json().then(
      json => r.ok ? json : Promise.reject(new Error(json.error || r.status)),
      () => Promise.reject(new Error(r.status))));

  // identify and setAttributes go out one at a time, in the order they were called: attributes set
  // right after identify belong to the identified visitor.
  var chain = Promise.resolve();
  var inOrder = P.q = job => {
    var done = chain.then(job);
    chain = done.catch(() => {});
    return done;
  };

  // Attributes need a visitor: until there is a token (identify, a consent decision or a first chat
  // message gives one) they wait here, then go out in order.
  var waiting = [];
  var flush = () => P.s.token && waiting.splice(0).reduce((prev, [attributes, ok, fail]) =>
    prev.then(() => call('attributes', { token: P.s.token, attributes }).then(ok, fail)), Promise.resolve());
  var wake = () => waiting.length && P.s.token && inOrder(flush);

  // A token from identify is kept like the widget's own: saved only where the loader already
  // saves (a consent decision was recorded or a chat was started, so the key exists), else in
  // memory for this page. The widget hears it and reconnects to that visitor's conversation.
  var save = () => {
    try {
      if (P.s.token || P.s.record) localStorage.getItem(key) != null && localStorage.setItem(key, JSON.stringify(P.s));
      else localStorage.removeItem(key);
    } catch (e) { /* storage blocked: memory only */ }
  };

  // Texts for sendMessage wait until the current iframe has said it is ready (before that its
  // messages would be lost); the loader has sent it the state by then, so the chat is mounting.
  var outbox = [];
  var deliver = () => {
    var frame = P.f;
    if (frame && P.r == frame) outbox.splice(0).forEach(text => frame.contentWindow.postMessage({ pvx: 'send', text }, edge));
  };

  // Unread agent messages (the widget counts them): a badge on the launcher, whose name says it,
  // and a page title that flashes while the page is hidden.
  var unread = 0, title = '', flashing = 0;
  var root = P.b.getRootNode(), style = doc.createElement('style');
  style.textContent = 'i{position:absolute;top:-6px;right:-6px;min-width:22px;height:22px;padding:0 6px;' +
    'box-sizing:border-box;border-radius:11px;background:#d93025;box-shadow:0 0 0 2px #fff;' +
    'color:#fff;font:normal 700 12px/22px sans-serif;text-align:center}';
  root.append(style);
  // The loader redraws the launcher on every view change, so the badge is drawn again after it.
  var badge = () => {
    var button = P.b, mark = button.querySelector('i'), open = P.v != 'chat';
    if (open && unread) {
      mark = mark || button.appendChild(doc.createElement('i'));
      mark.setAttribute('aria-hidden', 'true');
      mark.textContent = unread > 99 ? '99+' : unread;
    } else if (mark) mark.remove();
    // In the visitor's language once the configuration has come (the loader's own are English).
    var l = P.c && P.c.launcher_labels;
    button.setAttribute('aria-label', open
      ? (l ? l.open : 'Open chat') + (unread ? ', ' + (l ? l.unread : '{n} unread').replace('{n}', unread) : '')
      : l ? l.close : 'Close chat');
  };
  var flash = () => {
    if (unread && doc.hidden && P.v != 'chat') {
      if (flashing) return;
      title = doc.title;
      var l = P.c && P.c.launcher_labels;
      var on = 0, tick = () => doc.title = (on = !on) ? '(' + unread + ') ' + (l ? l.new_message : 'New message') : title;
      tick();
      flashing = setInterval(tick, 1000);
    } else if (flashing) {
      clearInterval(flashing);
      flashing = 0;
      doc.title = title;
    }
  };
  var setUnread = count => {
    count = Math.max(0, count | 0);
    if (count == unread) return;
    unread = count;
    badge();
    flash();
    emit('unread', { count });
  };
  doc.addEventListener('visibilitychange', flash);

  // The visitor erased their data from the privacy choices: nothing of them stays on this device,
  // neither the token nor the decision (the banner asks again), and the widget hears it (a choice
  // made next is a new visitor's). The frame still shows that it is done; once the visitor leaves
  // it, it goes (its chat was the erased visitor's) and whatever opens next starts in a new one.
  var erased = null;
  var forget = () => {
    try { localStorage.removeItem(key); } catch (e) { /* storage blocked: memory only */ }
    P.s = {};
    outbox = [];
    sent = '';
    erased = P.f;
    setUnread(0);
    P.u();
  };

  // The loader writes P.v on every view change: a setter hears it (open and close events, badge).
  var view = P.v;
  Object.defineProperty(P, 'v', {
    get: () => view,
    set: next => {
      if (erased && next != 'prefs') {
        var old = erased;
        erased = null;
        if (old == P.f) {
          old.remove();
          P.f = P.r = null;
          // The loader shows `next` again in a new frame; this setter hears that instead.
          return P.o(next);
        }
      }
      var was = view == 'chat';
      view = next;
      badge();
      flash();
      if (was != (next == 'chat')) emit(was ? 'close' : 'open');
    },
  });
  // The launcher in the visitor's language now, if the configuration came before this script.
  badge();

  // Page activity: the page's address on load and on every in-page navigation, only while the
  // decision grants analytics and the visitor has a token; never twice in a row for one address.
  var sent = '', first = true;
  var pageview = () => {
    var d = P.d(), w = screen.width;
    if (!d || !d.analytics || !P.s.token || location.href == sent) return;
    sent = location.href;
    call('pageview', {
      token: P.s.token,
      url: sent,
      // While the title flashes, the page's own title.
      title: flashing ? title : doc.title,
      // The referrer says where the visitor came from: true for the first page only.
      referrer: first ? doc.referrer : '',
      context: {
        language: navigator.language,
        time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        screen: w < 640 ? 'small' : w < 1200 ? 'medium' : 'large',
      },
    }).catch(() => { /* page activity is best effort */ });
    first = false;
  };
  // Routers set the new title after changing the address: read both a moment later.
  var navigated = () => setTimeout(pageview, 100);
  ['pushState', 'replaceState'].forEach(name => {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      navigated();
      return result;
    };
  });
  addEventListener('popstate', navigated);

  // Every decision (made here, in another tab, or found when the configuration arrives).
  var listeners = [];
  doc.addEventListener('provixchat:consent', e => {
    listeners.forEach(fn => safely(fn, e.detail));
    emit('consent', e.detail);
    pageview();
    wake();
  });

  // What the widget tells the page, heard only from the current iframe on the edge's origin.
  addEventListener('message', e => {
    var frame = P.f, d = e.data || {};
    if (!frame || e.origin !== edge || e.source !== frame.contentWindow) return;
    if (d.pvx == 'ready') deliver();
    if (d.pvx == 'unread') setUnread(d.count);
    if (d.pvx == 'message') emit('message', { body: '' + d.body, author: '' + d.author });
    if (d.pvx == 'erased') forget();
    // A first chat message gave the visitor a token (the loader has stored it).
    wake();
  });
  // A decision made in another tab holds here too (the banner goes), and another tab may have
  // given this visitor a token.
  addEventListener('storage', e => {
    if (e.key != key) return;
    try { P.s = JSON.parse(e.newValue) || {}; } catch (x) { P.s = {}; }
    if (P.d()) { P.v == 'banner' && P.o(''); P.a(); }
    wake();
  });

  var api = {
    open: () => P.v == 'chat' || P.t(),
    close: () => P.v == 'chat' && P.t(),
    toggle: () => P.t(),
    identify: (user = {}) => inOrder(() => call('identify', {
      token: P.s.token || null,
      id: user.id == null ? '' : '' + user.id,
      email: user.email,
      name: user.name,
      hash: user.hash,
    }).then(r => {
      // Kept before the next call in line runs (attributes set right after go to this visitor).
      if (r.token != P.s.token) {
        P.s.token = r.token;
        save();
        P.u();
      }
      wake();
      return { verified: r.verified };
    })),
    setAttributes: attributes => new Promise((ok, fail) => {
      waiting.push([attributes, ok, fail]);
      wake();
    }),
    // Forgets the visitor on this device (the consent decision stays): the next chat is a new
    // visitor in a new iframe.
    reset: () => {
      delete P.s.token;
      save();
      outbox = [];
      sent = '';
      var frame = P.f;
      if (frame) {
        frame.remove();
        P.f = P.r = null;
        // The chat closes as by the launcher; a banner or the preferences reopen in a new iframe.
        P.v == 'chat' ? P.t() : P.o(P.v);
      }
      setUnread(0);
    },
    // The chat opens and the text goes out as if the visitor had typed it (nothing when empty).
    sendMessage: text => {
      if (text == null || !('' + text).trim()) return;
      outbox.push('' + text);
      api.open();
      deliver();
    },
    on: (name, fn) => {
      (handlers[name] = handlers[name] || []).push(fn);
      // Late listeners for `ready` still hear it.
      if (name == 'ready' && ready) safely(fn);
    },
    off: (name, fn) => {
      handlers[name] = (handlers[name] || []).filter(h => h !== fn);
    },
    consent: {
      get: () => P.d() || null,
      onChange: fn => listeners.push(fn),
      show: () => P.o('prefs'),
    },
    // Provixchat.push([method, ...args]) keeps working once loaded.
    push: (...calls) => calls.forEach(run),
  };
  var run = ([name, ...args] = []) => typeof api[name] == 'function' && name != 'push'
    ? api[name](...args)
    : console.warn('Provixchat: no method', name);

  var queued = window.Provixchat;
  window.Provixchat = P.api = api;
  if (Array.isArray(queued)) queued.forEach(run);
  ready = true;
  emit('ready');
  pageview();
  wake();
})();
