// Files in chat, for the widget and the inbox alike: the composer's paperclip (an
// `input[data-upload]`, drawn by the Rust Composer with the edge's route for file messages), a
// file pasted (a screenshot) or dropped anywhere on the page. The browser sends each file's
// bytes itself; the edge stores it and sends the message, which arrives on the conversation's
// socket like any other (and a refusal, too large or not a kind the chat takes, as its notice).
// Kept out of the WASM: upload code there cost the widget about 3 KB gzip, this a few hundred bytes.
const input = () => document.querySelector('input[data-upload]');

const send = (files) => {
  const field = input();
  if (!field || !files || !files.length) return false;
  const route = new URL(field.dataset.upload, location.href);
  for (const file of files) {
    const url = new URL(route);
    // The message's client id: a post retried is still one message.
    url.searchParams.set('client_id', 'c_' + crypto.randomUUID().replace(/-/g, '').slice(0, 16));
    url.searchParams.set('name', file.name);
    const clip = field.parentNode, done = () => clip.classList.remove('busy');
    clip.classList.add('busy');
    // A post lost on the way (the network, or a 5xx from the edge or a proxy before it) goes again,
    // as the same message, up to three times, 2 s apart; a refusal (4xx) comes as the
    // conversation's notice.
    const post = (left) => fetch(url, { method: 'POST', body: file })
      .then((r) => r.status < 500 || Promise.reject())
      .catch(() => left && new Promise((wait) => setTimeout(wait, 2000, left - 1)).then(post));
    post(3).then(done);
  }
  // In the widget, a visitor who sent something has started a chat: the site keeps their token,
  // as the widget's WASM has it kept when they send a message (its `ToHost::Token`).
  const token = route.searchParams.get('token');
  const host = new URLSearchParams(location.search).get('host');
  if (token && host) parent.postMessage({ pvx: 'token', token }, host);
  return true;
};

addEventListener('change', (e) => {
  if (e.target.dataset && e.target.dataset.upload && send(e.target.files)) e.target.value = '';
});
// Text pasted stays the browser's to handle; only files are taken.
addEventListener('paste', (e) => send(e.clipboardData.files) && e.preventDefault());
addEventListener('dragover', (e) => input() && e.preventDefault());
addEventListener('drop', (e) => input() && (e.preventDefault(), send(e.dataTransfer.files)));
