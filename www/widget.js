/* Provixchat loader. Site owners paste:
 *   <script src="https://EDGE/widget.js" data-site="SITE_ID" async></script>
 * It draws the launcher itself (no WASM until the visitor opens the chat), then opens the widget
 * in an iframe on the edge's origin. Safe to load twice. Must stay a classic script
 * (document.currentScript) and under 2 KB gzip. */
(function () {
  var me = document.currentScript;
  if (!me || window.__provixchat) return;
  window.__provixchat = 1;
  var site = me.getAttribute('data-site') || '';
  var edge = new URL(me.src).origin;
  var host = location.origin;
  var open = false, frame;
  // The visitor token lives in the site's own (first-party) storage: browsers block or partition
  // storage in third-party iframes, so the widget hands its token to the loader once the visitor
  // has started a chat (a service they asked for) and gets it back in the iframe's URL fragment,
  // which never reaches a server or a Referer.
  var key = 'provixchat.visitor.' + site;
  function token(value) {
    try { return value ? localStorage.setItem(key, value) : localStorage.getItem(key) || ''; } catch (e) { return ''; }
  }

  // A shadow root keeps the host page's CSS off the launcher and ours off the page.
  var box = document.createElement('div');
  box.id = 'provixchat';
  var root = box.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    'button{position:fixed;right:20px;bottom:20px;z-index:2147483647;width:56px;height:56px;border:0;' +
    'border-radius:50%;background:#1f5eff;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);' +
    'display:grid;place-items:center}' +
    'button:focus-visible{outline:3px solid #ffbf47;outline-offset:3px}' +
    'svg{width:28px;height:28px;fill:currentColor}' +
    'iframe{position:fixed;right:20px;bottom:88px;z-index:2147483647;width:min(380px,calc(100vw - 40px));' +
    'height:min(600px,calc(100vh - 108px));border:0;border-radius:14px;background:#fff;' +
    'box-shadow:0 8px 30px rgba(0,0,0,.3)}' +
    '@media (max-width:480px){iframe{right:0;bottom:0;width:100vw;height:100vh;border-radius:0}}' +
    '</style><button type="button" aria-expanded="false"></button>';
  var button = root.querySelector('button');
  var chat = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  var cross = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z"/></svg>';

  function show(next) {
    open = next;
    var fresh = open && !frame;
    if (fresh) {
      var t = token();
      frame = document.createElement('iframe');
      frame.title = 'Chat';
      frame.src = edge + '/embed/' + encodeURIComponent(site) + '?host=' + encodeURIComponent(host) +
        (t ? '#t=' + encodeURIComponent(t) : '');
      // Focus follows the visitor into the panel (the widget then focuses its composer).
      frame.addEventListener('load', function () { if (open) frame.focus(); });
      root.appendChild(frame);
    }
    if (frame) frame.hidden = !open;
    button.innerHTML = open ? cross : chat;
    button.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    button.setAttribute('aria-expanded', String(open));
    // A frame just created has not loaded the widget yet; it focuses itself when it starts.
    if (open && !fresh) { frame.focus(); frame.contentWindow.postMessage({ pvx: 'open' }, edge); }
  }

  button.addEventListener('click', function () { show(!open); });
  // Only the widget's own frame, on the edge's origin, may talk to the loader.
  addEventListener('message', function (e) {
    if (!frame || e.origin !== edge || e.source !== frame.contentWindow) return;
    var d = e.data || {};
    if (d.pvx === 'close') { show(false); button.focus(); }
    if (d.pvx === 'token' && typeof d.token === 'string' && d.token.length < 512) token(d.token);
  });
  show(false);
  (document.body || document.documentElement).appendChild(box);
})();
