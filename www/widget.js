/* Provixchat loader. Site owners paste:
 *   <script src="https://EDGE/widget.js" data-site="SITE_ID" defer></script>
 * `defer` runs it once the page is parsed, before DOMContentLoaded, where Chromium runs an async
 * script only after the page's first frame: the banner's request starts that much sooner.
 * Snippets pasted with `async` (as given before) work the same, a frame later.
 * It draws the chat launcher, keeps the site's consent record (first-party storage), runs the
 * page's consent-gated scripts, updates Google Consent Mode, offers window.Provixchat.consent, and
 * shows the consent banner without WASM (banner.js, fetched only when a banner must show, draws the
 * markup the edge renders with the configuration), and opens the widget (WASM, in an iframe on the
 * edge's origin) only when the visitor opens the chat or the privacy choices.
 * The launcher takes the site's colour, side and text from the same configuration.
 * Everything else (window.Provixchat: the queue, methods, events, consent API, page activity, the
 * unread badge) is in api.js, loaded from the edge (after the banner on a first visit) and sharing
 * window.__provixchat.
 * A classic script (document.currentScript), safe to load twice, served minified (< 2 KB gzip). */
(() => {
  var me = document.currentScript, html = document.documentElement;
  if (!me || window.__provixchat) return;
  // Shared with api.js: v the view ('', 'banner', 'prefs' or 'chat'; api.js hears it change), f the
  // widget's frame (api.js removes it on reset), s what the site's storage holds ({ token, record }),
  // r the frame that said it is ready (messages for the widget wait for it), i the site (URL-encoded);
  // below, the functions it calls: o(view) (show), u() (update the widget: its state), t() (the
  // launcher's click), d() (the decision), l(path) (load a script of the edge's),
  // a() (apply the decision: gated scripts, Consent Mode, the event; api.js applies one made in
  // another tab).
  // The edge's banner.js calls g(config) (take the configuration), then its banner code reads c
  // (the configuration) and k(stored) (keep a decision), sets B (it draws or removes the banner
  // on every view change) and loads api.js on a first visit.
  var P = window.__provixchat = {};
  var site = encodeURIComponent(me.dataset.site || '');
  var edge = new URL(me.src).origin;
  // One key in the site's own storage: the visitor token and the consent record. Browsers block or
  // partition storage in third-party iframes, so the first-party page keeps them for the widget.
  var key = 'provixchat.' + site;
  // view and back are always strings.
  var config, frame, view = '', back = '', text = '';
  // store() reads ({} when empty or blocked), store(value) writes.
  var store = value => {
    try { return value ? localStorage.setItem(key, JSON.stringify(value)) : JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  };
  P.s = store();
  // A script of the edge's (api.js, the banner), run async; answers its element.
  var load = (path, s) => {
    s = document.createElement('script');
    s.src = edge + path;
    html.append(s);
    return s;
  };
  // The banner is one request, asked for first thing (before anything is drawn): the edge's
  // banner.js for this site brings the configuration with the banner's markup, in the page's
  // language (else the browser's: the edge reads Accept-Language), hands it to P.g (below) and
  // draws the banner. It comes only when a banner must show (B stands in for it until it has run
  // and then draws or removes the banner on every view change): at once without a stored
  // decision; with one, only when the configuration says it no longer counts.
  var api = '/api/v1/sites/' + site + '/';
  // The JavaScript API (api.js): at once on a visit with a decision. On a first visit the banner's
  // script loads it once the banner is up, so its download and its run do not hold the banner up;
  // the loader does if that script fails (blocked, say).
  var API = '/api.js';
  // A language tag, like an origin (the frame's address below), goes into a query as it is: it
  // holds no character a query needs escaped.
  var banner = want => P.B ? P.B() : want && (P.B = () => {}, load(api + 'banner.js?lang=' + html.lang).onerror = () => load(API));
  // The configuration (from the edge's banner.js, or the fetch below; it runs after this script):
  // the decision applied, the launcher drawn again as the site set it, with its text; the banner
  // when undecided.
  var configure = P.g = c => {
    config = P.c = c;
    apply();
    var l = c.launcher;
    text = l.text;
    button.style.background = l.color;
    box.className = l.position;
    show(view || idle());
  };
  // With a decision, the configuration alone: its policy version and the launcher (no texts are
  // shown, so no language is asked for). An error answer leaves config unset: nothing is granted
  // and the chat still works.
  P.s.record ? (fetch(edge + api + 'consent-config').then(r => r.ok && r.json()).then(configure).catch(() => {}), load(API)) : banner(1);

  // The decision counts only for the current policy version and until it expires; before the
  // configuration has arrived nothing counts, so nothing gated runs early.
  var record = (r = P.s.record) => r && config && r.policy_version === config.policy_version && r.expires_at > Date.now() && r;
  var granted = (category, r = record()) => !!r && (category === 'necessary' || r.choices[category] === true);
  var decision = (r = record()) =>
    r && Object.assign({ necessary: true, policy_version: r.policy_version, decided_at: r.at, gpc: r.gpc }, r.choices);
  var idle = () => record() ? '' : 'banner';

  // <script type="text/plain" data-consent="analytics" src=…> (or inline) runs once its category
  // is granted: replaced by a real script with the same attributes.
  var activate = () => record() && document.querySelectorAll('script[type="text/plain"][data-consent]').forEach(old => {
    if (!granted(old.getAttribute('data-consent'))) return;
    var s = document.createElement('script');
    for (var a of old.attributes) if (a.name != 'type') s.setAttribute(a.name, a.value);
    s.text = old.text;
    old.replaceWith(s);
  });

  var consentMode = (kind, g = c => granted(c) ? 'granted' : 'denied', ads = g('marketing')) =>
    typeof gtag === 'function' &&
    gtag('consent', kind, { analytics_storage: g('analytics'), ad_storage: ads, ad_user_data: ads, ad_personalization: ads });

  var apply = (d = decision()) => {
    if (!d) return;
    activate();
    consentMode('update');
    // api.js hears this too (Provixchat.consent.onChange and the `consent` event).
    document.dispatchEvent(new CustomEvent('provixchat:consent', { detail: d }));
  };

  // A shadow root keeps the host page's CSS off the launcher and the iframe, and ours off the page.
  // The host's class is the launcher's side (`left` moves the button and the chat to the left).
  var box = document.createElement('div');
  box.id = 'provixchat';
  var root = box.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>:host{all:initial}' +
    'button,iframe{position:fixed;z-index:2147483647;border:0;box-shadow:0 6px 24px #0004}' +
    'button{right:20px;bottom:20px;min-width:56px;height:56px;padding:0 14px;border-radius:28px;background:#1f5eff;' +
    'color:#fff;font:600 15px sans-serif;cursor:pointer;display:flex;gap:8px;align-items:center;justify-content:center}' +
    'button:focus-visible{outline:3px solid #ffbf47}' +
    'svg{width:28px;fill:#fff}b{font-size:32px}iframe{background:#fff;border-radius:14px}' +
    '.chat{right:20px;bottom:88px;width:min(380px,100vw - 40px);height:min(600px,100vh - 108px)}' +
    ':host(.left) button,:host(.left) .chat{left:20px;right:auto}' +
    '.prefs{inset:0;margin:auto;width:min(560px,100vw - 24px);height:min(640px,100vh - 24px)}' +
    '@media (max-width:480px){.chat{inset:0!important;width:100%;height:100%;border-radius:0}}' +
    '</style><button type="button"></button>';
  var button = root.lastChild;

  var state = () => (frame = P.f) && frame.contentWindow.postMessage({ pvx: 'state', view, lang: html.lang,
    token: P.s.token || '', consent: P.s.record ? P.s : null }, edge);

  var show = next => {
    if (next == 'prefs' && view != 'prefs') back = view == 'banner' ? '' : view;
    view = next;
    // The banner is the loader's own; the frame holds the chat and the privacy choices.
    var framed = view != 'banner' && view, fresh = !(frame = P.f) && framed, chat = view == 'chat';
    if (fresh) {
      frame = P.f = document.createElement('iframe');
      frame.title = 'Chat';
      frame.src = edge + '/embed/' + site + '?host=' + origin;
      // Focus follows the visitor into the widget once it has loaded (a hidden frame takes none).
      frame.onload = () => view && frame.focus();
      root.append(frame);
    }
    if (frame) {
      frame.hidden = !framed;
      frame.className = view;
      // The widget hears every change, hiding included, so it can focus what it shows next.
      if (!fresh) { framed && frame.focus(); state(); }
    }
    // The site's launcher text shows beside the icon, appended as a text node (never parsed as
    // markup); the button's name stays "Open chat" / "Close chat".
    button.innerHTML = chat ? '<b>×</b>' : '<svg viewBox="0 0 24 24"><path d="M3 4h18v13H9l-5 4v-4H3z"/></svg>';
    chat || button.append(text);
    button.setAttribute('aria-label', (chat ? 'Close' : 'Open') + ' chat');
    button.setAttribute('aria-expanded', chat);
    P.v = view;
    banner(view == 'banner');
  };

  button.onclick = P.t = () => show(view == 'chat' ? idle() : 'chat');

  // A decision the edge recorded (from the banner or the privacy choices): kept on the site, then
  // back to what was open before; a chat opened while the decision was saving stays open.
  var keep = stored => {
    store(P.s = stored);
    show(view == 'prefs' ? back : view == 'chat' ? view : '');
    apply();
  };

  // Only the widget's own frame, on the edge's origin, may talk to the loader.
  addEventListener('message', e => {
    if (!(frame = P.f) || e.origin !== edge || e.source !== frame.contentWindow) return;
    var d = e.data || {}, pvx = d.pvx;
    if (pvx == 'ready') { P.r = frame; state(); }
    if (pvx == 'view') show(d.view);
    if (pvx == 'close') { show(view == 'prefs' && back || idle()); view || button.focus(); }
    if (pvx == 'token' && typeof d.token === 'string') { P.s.token = d.token; store(P.s); }
    if (pvx == 'consent' && d.stored && d.stored.record) keep(d.stored);
  });
  // Gated scripts the page adds later run as soon as their category is granted.
  new MutationObserver(activate).observe(html, { childList: true, subtree: true });

  Object.assign(P, { i: site, o: show, u: state, d: decision, b: button, k: keep, a: apply, l: load });
  consentMode('default');
  show('');
  // <html> exists even when an async script runs before <body>; fixed positioning ignores where.
  html.append(box);
})();
