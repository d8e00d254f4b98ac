// The demo page's "Cookie settings" link uses the public consent API, as a site owner would.
document.addEventListener('click', function (e) {
  if (e.target.id === 'cookie-settings' && window.Provixchat && window.Provixchat.consent) {
    e.preventDefault();
    window.Provixchat.consent.show();
  }
});
document.addEventListener('provixchat:consent', function (e) {
  var el = document.getElementById('consent-state');
  if (el) el.textContent = 'Analytics ' + (e.detail.analytics ? 'allowed' : 'off') + ', marketing ' + (e.detail.marketing ? 'allowed' : 'off') + '.';
});
