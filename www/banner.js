/* Provixchat consent banner, loaded by the loader (www/widget.js) only when a banner must show: a
 * first visit, a new policy version or an expired decision. No WASM, and one request: the edge
 * serves it as `/api/v1/sites/SITE/banner.js`, this script behind a call that hands the loader the
 * consent configuration with the banner's markup (edge/src/banner.rs `banner_script`), rendered
 * from the same texts as the widget's privacy choices, every owner text escaped there. Here: its
 * styles (a constructed stylesheet, which a strict style-src on the host page does not block), its
 * listeners (the markup has no inline handlers), focus, and the decision. Accept all and Reject
 * all are recorded at the edge from the page (CORS for the site's allowed origins) and the loader
 * keeps and applies what the edge answers; Customize opens the privacy choices in the widget.
 * Escape decides nothing.
 *
 * The loader shares its state through window.__provixchat (P): v the view ('banner' while the
 * banner shows), c the configuration (with the markup), s what the site's storage holds, b the
 * launcher button (in the loader's shadow root), i the site (URL-encoded), o(view) (show),
 * k(stored) (keep and apply a recorded decision) and l(path) (load a script of the edge's). This
 * script sets B: the loader calls it on every view change and it draws or removes the banner. On a
 * first visit (no decision stored) it also loads the JavaScript API (api.js) once the banner is
 * up: the loader leaves that to it, so the API's download and run do not hold the banner up.
 * A classic script, served minified. */
(() => {
  var P = window.__provixchat, me = document.currentScript;
  if (!P || !me || P.banner) return;
  P.banner = 1;
  var edge = new URL(me.src).origin, doc = document, root = P.b.getRootNode();
  var api = edge + '/api/v1/sites/' + P.i + '/';
  // The banner (while shown), where focus was before it took it, and a decision on its way.
  var el, was, busy;

  // The loader's launcher styles name bare `button`: the banner's buttons reset what they set.
  var css = '.pvx-banner{position:fixed;z-index:2147483647;left:0;right:0;bottom:0;box-sizing:border-box;max-height:100%;' +
    'overflow:auto;display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:16px 20px;background:#fff;' +
    'color:#1b1f29;border-top:3px solid #1f5eff;box-shadow:0 -6px 24px #0003;text-align:left;outline:0;' +
    'font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.pvx-banner *{box-sizing:border-box}.pvx-banner [hidden]{display:none}' +
    '.pvx-words{flex:1 1 420px;min-width:0}' +
    '.pvx-banner h2{margin:0 0 6px;font-size:16px;line-height:1.3}.pvx-banner p{margin:0 0 10px;font-size:14px}' +
    '.pvx-banner a{color:#1f5eff}' +
    '.pvx-gpc{padding:8px 10px;border-radius:8px;background:#ecfdf3;color:#05603a}.pvx-error{color:#b42318}' +
    '.pvx-actions{display:flex;flex-wrap:wrap;gap:8px;flex:1 1 auto}' +
    '.pvx-actions button{position:static;display:block;flex:1 1 120px;min-width:auto;height:auto;min-height:44px;margin:0;' +
    'padding:8px 16px;border:2px solid #1f5eff;border-radius:10px;background:#1f5eff;color:#fff;box-shadow:none;' +
    'font:600 15px/1.2 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;cursor:pointer;white-space:nowrap}' +
    '.pvx-actions button:hover{background:#1447d6;border-color:#1447d6}' +
    '.pvx-banner a:focus-visible,.pvx-actions button:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}';
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch (e) {
    // Browsers without constructed stylesheets: a style element (subject to the page's CSP).
    var style = doc.createElement('style');
    style.textContent = css;
    root.append(style);
  }

  // Accept all or Reject all, recorded at the edge first; the loader keeps the record and the
  // visitor token, applies the decision and shows what was open before. Customize opens the
  // privacy choices (the widget's frame: its WASM loads now).
  var choose = value => {
    var c = P.c, all = value == 'accept_all', error = el.querySelector('.pvx-error');
    if (value == 'customize') return P.o('prefs');
    if (busy) return;
    busy = 1;
    // The launcher waits for the answer: a chat opened sooner would begin as a visitor of its own
    // and start over as the decision's when the answer came, what was written in it out of view.
    var open = P.b.onclick, wanted, done = () => { busy = 0; P.b.onclick = open; wanted && open(); };
    P.b.onclick = () => wanted = 1;
    // In line with the page's identify calls (api.js's queue, when it has loaded): a decision
    // made while identify is on its way is the identified visitor's, with the token identify gave.
    var send = () => fetch(api + 'consent', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        host: location.origin,
        token: P.s.token || null,
        decision: {
          policy_version: c.policy_version,
          choices: { preferences: all, analytics: all, marketing: all },
          method: value,
          lang: c.lang,
          // Either signal counts: the page's, or the Sec-GPC header the edge saw.
          gpc: navigator.globalPrivacyControl === true || c.gpc,
        },
      }),
    })
      .then(r => r.ok ? r.json() : Promise.reject(r.status))
      .then(stored => { P.k(stored); done(); }, () => { error.hidden = false; done(); });
    P.q ? P.q(send) : send();
  };

  var draw = P.B = () => {
    var c = P.c;
    if (P.v != 'banner') {
      if (el) {
        el.remove();
        el = null;
        P.b.style.bottom = '';
      }
      // Nothing shows any more (a decision was made, here or in the privacy choices): focus goes
      // back where the visitor was.
      if (!P.v && was) {
        was.focus();
        was = null;
      }
      return;
    }
    if (el || !c || !c.banner) return;
    var t = doc.createElement('template');
    t.innerHTML = c.banner;
    el = t.content.firstChild;
    // The edge saw no Sec-GPC header, but the page's script may still see the signal.
    if (navigator.globalPrivacyControl === true) el.querySelector('.pvx-gpc').hidden = false;
    el.querySelectorAll('button').forEach(b => b.addEventListener('click', () => choose(b.value)));
    root.append(el);
    // The launcher stays above the banner, at any width or zoom.
    var banner = el;
    new ResizeObserver(() => banner == el && (P.b.style.bottom = el.offsetHeight + 20 + 'px')).observe(el);
    // Focus moves into the banner (remembering where the visitor was, also in the launcher).
    was = was || root.activeElement || doc.activeElement;
    el.focus();
  };
  draw();
  P.s.record || P.l('/api.js');
})();
