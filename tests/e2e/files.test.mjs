// Files in chat against the real edge and its R2 bucket (kept on disk by wrangler dev): what is
// taken (judged by its bytes), what is refused and with which typed error, who can fetch a file
// and how it is served (nothing in it ever runs), a message carrying it to the other side, and
// the conversation's erasure taking its files with it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, site, owner;
const PAGE = 'http://127.0.0.1:1';

before(async () => {
  suite = await startSuite('files', {
    browser: true,
    owner: { name: 'Fay', email: 'fay@files.example', password: 'files test password 1', workspace_name: 'File Shop', website: '127.0.0.1' },
  });
  ({ api, site, owner } = suite);
});
after(() => stopSuite(suite));

// A 1×1 PNG, a PDF's first bytes, text, and what the chat never takes.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a0f80000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
const EXE = Buffer.from('4d5a90000300000004000000ffff0000b800', 'hex');

/** Uploads `bytes` as the widget does: the visitor token as a bearer, from the edge's own origin. */
function upload(token, name, bytes, { origin = suite.edge.base, inSite = site } = {}) {
  return fetch(`${suite.edge.base}/api/v1/sites/${inSite}/files?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { origin, authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

/** How many files the local R2 bucket holds (wrangler dev keeps one blob per object on disk). */
function blobs() {
  const dir = path.join(suite.stateDir, 'v3', 'r2', 'provixchat-files', 'blobs');
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

async function visitor() {
  const session = await api.visitorSession(site, PAGE);
  const socket = await api.visitorSocket(site, session.token);
  const welcome = await socket.hello();
  return { session, socket, welcome };
}

async function created(res) {
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

test('a visitor sends a picture and a PDF; the agent receives them; each is served as what its bytes are, and nothing in a file runs', async () => {
  const { session, socket, welcome } = await visitor();
  assert.match(welcome.files, new RegExp(`^/files/${site}/${session.conversation_id}/\\d+\\.[A-Za-z0-9_-]+/$`));

  // The name says .exe, the bytes say PNG: a PNG it is. The path part of the name goes.
  const picture = await created(await upload(session.token, 'C:\\Users\\me\\screenshot.exe', PNG));
  assert.deepEqual([picture.name, picture.kind, picture.size], ['screenshot.exe', 'png', PNG.length]);
  assert.ok(picture.seal && picture.id.startsWith('f_'));
  socket.send({ type: 'send', client_id: 'c_file_png01', body: '', file: picture });
  const ack = await socket.nextOf('ack');
  assert.equal(ack.client_id, 'c_file_png01');

  const pdf = await created(await upload(session.token, 'invoice 12.pdf', PDF));
  socket.send({ type: 'send', client_id: 'c_file_pdf01', body: 'My invoice', file: pdf });
  await socket.nextOf('ack', (f) => f.client_id === 'c_file_pdf01');

  // The agent's conversation socket has both, with their own link.
  const agentSocket = await owner.socket(`/api/v1/workspaces/${site}/conversations/${session.conversation_id}/connect`);
  const seen = await agentSocket.hello();
  const [first, second] = seen.messages;
  assert.deepEqual([first.body, first.file?.kind, second.body, second.file?.name], ['screenshot.exe', 'png', 'My invoice', 'invoice 12.pdf']);
  assert.ok(seen.files.startsWith(`/files/${site}/${session.conversation_id}/`));

  // A picture shows in place; anything else downloads; nothing is sniffed or runs.
  const png = await fetch(`${suite.edge.base}${seen.files}${first.file.id}`);
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assert.match(png.headers.get('content-disposition'), /^inline; filename="screenshot.exe"/);
  assert.match(png.headers.get('content-security-policy'), /^sandbox; default-src 'none'/);
  assert.equal(png.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(Buffer.from(await png.arrayBuffer()), PNG, 'the bytes as sent');
  const doc = await fetch(`${suite.edge.base}${welcome.files}${second.file.id}`);
  assert.equal(doc.headers.get('content-type'), 'application/pdf');
  assert.match(doc.headers.get('content-disposition'), /^attachment; filename="invoice 12.pdf"; filename\*=UTF-8''invoice%2012.pdf$/);

  // An SVG with a script is text: kept, and served as plain text to download.
  const svg = await created(await upload(session.token, 'logo.svg', SVG));
  assert.equal(svg.kind, 'text');
  const served = await fetch(`${suite.edge.base}${welcome.files}${svg.id}`);
  assert.equal(served.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.match(served.headers.get('content-disposition'), /^attachment;/);
  assert.match(served.headers.get('content-security-policy'), /^sandbox;/);
  socket.close();
  agentSocket.close();
});

test('what is refused, with a typed error, and nothing stored', async () => {
  const { session, socket, welcome } = await visitor();
  const stored = blobs();
  await api.expectError(await upload(session.token, 'setup.png', EXE), 415, 'unsupported_file');
  await api.expectError(await upload(session.token, 'empty.txt', Buffer.alloc(0)), 415, 'unsupported_file');
  await api.expectError(await upload(session.token, 'huge.txt', Buffer.alloc(5 * 1024 * 1024 + 1, 'a')), 413, 'too_large');
  // A body that announces no length (chunked) is cut off once it passes the limit.
  const chunked = await new Promise((resolve, reject) => {
    const req = http.request(new URL(`${suite.edge.base}/api/v1/sites/${site}/files?name=big.txt`), {
      method: 'POST',
      headers: { origin: suite.edge.base, authorization: `Bearer ${session.token}`, 'transfer-encoding': 'chunked' },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    const chunk = Buffer.alloc(256 * 1024, 'a');
    for (let i = 0; i < 24; i++) req.write(chunk);
    req.end();
  });
  assert.equal(chunked, 413, 'a 6 MB chunked body');
  await api.expectError(await upload('v3.not.a.token', 'a.png', PNG), 401, 'unauthorized');
  await api.expectError(await upload(session.token, 'a.png', PNG, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
  await api.expectError(await upload(session.token, 'a.png', PNG, { inSite: 'demo-elsewhere' }), 401, 'unauthorized');
  assert.equal(blobs(), stored, 'nothing refused was stored');

  // A receipt changed on the way, or another conversation's, goes with no message.
  const picture = await created(await upload(session.token, 'shot.png', PNG));
  socket.send({ type: 'send', client_id: 'c_forged0001', body: 'x', file: { ...picture, name: 'shot.html' } });
  const refused = await socket.nextOf('error', (f) => f.client_id === 'c_forged0001');
  assert.equal(refused.code, 'invalid_input');
  const other = await visitor();
  other.socket.send({ type: 'send', client_id: 'c_stolen0001', body: 'x', file: picture });
  assert.equal((await other.socket.nextOf('error', (f) => f.client_id === 'c_stolen0001')).code, 'invalid_input');

  // Only the conversation's own link opens its files: not another's, not a made-up one.
  const url = (files) => `${suite.edge.base}${files}${picture.id}`;
  assert.equal((await fetch(url(welcome.files))).status, 200);
  const foreign = other.welcome.files.replace(other.session.conversation_id, session.conversation_id);
  await api.expectError(await fetch(url(foreign)), 403, 'forbidden');
  const [, , , , token] = welcome.files.split('/');
  const expired = welcome.files.replace(token, `1000.${token.split('.')[1]}`);
  await api.expectError(await fetch(url(expired)), 403, 'forbidden');
  await api.expectError(await fetch(`${suite.edge.base}${welcome.files}f_nothing_here`), 404, 'not_found');
  socket.close();
  other.socket.close();
});

test('an upload cut off half way (a closed tab, a lost connection) leaves nothing behind', async () => {
  const { session, socket } = await visitor();
  const stored = blobs();
  const url = new URL(`${suite.edge.base}/api/v1/sites/${site}/files?name=cut.txt`);
  await new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { origin: suite.edge.base, authorization: `Bearer ${session.token}`, 'content-length': 200_000 },
    });
    req.on('error', resolve);
    req.on('close', resolve);
    // A tenth of what it announced, then the connection is gone.
    req.write(Buffer.alloc(20_000, 'a'), () => setTimeout(() => req.destroy(), 200));
  });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(blobs(), stored, 'no file from a body that never arrived whole');
  // The visitor goes on as before.
  assert.equal((await upload(session.token, 'whole.txt', Buffer.from('whole'))).status, 201);
  assert.equal(blobs(), stored + 1);
  socket.close();
});

test('a visitor is limited to 20 uploads in 10 minutes', async () => {
  const { session, socket } = await visitor();
  const statuses = [];
  for (let i = 0; i < 21; i++) statuses.push((await upload(session.token, `n${i}.txt`, Buffer.from(`note ${i}`))).status);
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(201));
  assert.equal(statuses[20], 429);
  socket.close();
});

test("an erasure takes the conversation's files with it", async () => {
  const { session, socket, welcome } = await visitor();
  const picture = await created(await upload(session.token, 'me.png', PNG));
  socket.send({ type: 'send', client_id: 'c_erased0001', body: 'a photo of me', file: picture });
  await socket.nextOf('ack');
  const url = `${suite.edge.base}${welcome.files}${picture.id}`;
  assert.equal((await fetch(url)).status, 200);
  const stored = blobs();
  const erased = await api.post(`/api/v1/sites/${site}/my-data`, { token: session.token, request: { kind: 'erase' } });
  assert.equal(erased.status, 200, await erased.clone().text());
  // The link was valid and still is: the file is gone, not the permission to ask.
  await api.expectError(await fetch(url), 404, 'not_found');
  assert.equal(blobs(), stored - 1, 'the bytes are gone from the bucket, not only unreachable');
  socket.close();
});

test("a visitor's export lists their files with a link that downloads each", async () => {
  const { session, socket } = await visitor();
  const note = await created(await upload(session.token, 'order.txt', Buffer.from('Order 1234: two blue vases')));
  socket.send({ type: 'send', client_id: 'c_export0001', body: '', file: note });
  await socket.nextOf('ack');
  const res = await api.post(`/api/v1/sites/${site}/my-data`, { token: session.token, request: { kind: 'export' } });
  assert.equal(res.status, 200, await res.clone().text());
  const [conversation] = (await res.json()).conversations;
  const [message] = conversation.messages;
  assert.deepEqual(message.file, { id: note.id, name: 'order.txt', size: note.size, kind: 'text' });
  const file = await fetch(`${conversation.files}${message.file.id}`);
  assert.equal(await file.text(), 'Order 1234: two blue vases');
  socket.close();
});

/** Hands `file` ({ name, type, bytes }) to the page as a paste into the message box, or a drop on
 * the messages, the way a browser does (a DataTransfer holding the file). */
async function pasteOrDrop(frame, how, file) {
  await frame.evaluate(([how, { name, type, bytes }]) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    const init = { bubbles: true, cancelable: true };
    const [target, event] = how === 'paste'
      ? [document.querySelector('textarea'), new ClipboardEvent('paste', { ...init, clipboardData: data })]
      : [document.querySelector('.pvx-messages'), new DragEvent('drop', { ...init, dataTransfer: data })];
    target.dispatchEvent(event);
  }, [how, { ...file, bytes: [...file.bytes] }]);
}

test('in the widget and the inbox: the paperclip, a pasted screenshot, a dropped PDF; pictures in the chat, other files as a link; a refused file says why', async () => {
  const visitorContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const inboxContext = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await visitorContext.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    // Nothing decided in the banner yet: the chat works all the same.
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('textbox', { name: 'Message' }).waitFor();
    const frame = page.frames().find((f) => f.url().includes('/embed/'));
    const kept = () => page.evaluate((key) => JSON.parse(localStorage.getItem(key) || '{}').token ?? null, `provixchat.${site}`);
    assert.equal(await kept(), null, 'no token kept before the visitor does anything');

    // The paperclip: a picture, shown in the chat once the edge has it.
    await widget.getByLabel('Attach a file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    const photo = widget.getByRole('img', { name: 'photo.png' });
    await photo.waitFor();
    assert.equal(await photo.evaluate((img) => img.decode().then(() => img.naturalWidth)), 1, 'the picture loads');
    // Sending a file started the chat: the site keeps the visitor's token, as after a message.
    await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key) || '{}').token, `provixchat.${site}`);
    // A screenshot pasted into the message box, a PDF dropped on the chat.
    const screenshot = await page.screenshot({ clip: { x: 0, y: 0, width: 640, height: 360 } });
    await pasteOrDrop(frame, 'paste', { name: 'screenshot.png', type: 'image/png', bytes: screenshot });
    const pasted = widget.getByRole('img', { name: 'screenshot.png' });
    await pasted.waitFor();
    assert.equal(await pasted.evaluate((img) => img.decode().then(() => img.naturalWidth)), 640);
    await pasteOrDrop(frame, 'drop', { name: 'invoice.pdf', type: 'application/pdf', bytes: PDF });
    const pdf = widget.getByRole('link', { name: `invoice.pdf · ${PDF.length} B` });
    await pdf.waitFor();
    const served = await frame.evaluate(async (href) => {
      const res = await fetch(href);
      return [res.status, res.headers.get('content-type'), (await res.text()).slice(0, 5)];
    }, await pdf.getAttribute('href'));
    assert.deepEqual(served, [200, 'application/pdf', '%PDF-']);
    // Text pasted stays the browser's to paste.
    const textTaken = await frame.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'just words');
      const paste = new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: data });
      document.querySelector('textarea').dispatchEvent(paste);
      return paste.defaultPrevented;
    });
    assert.equal(textTaken, false);

    // Refused: a program, whatever its name; nothing is stored and the chat says why.
    const before = blobs();
    await widget.getByLabel('Attach a file').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: EXE });
    await widget.getByRole('alert').filter({ hasText: 'This kind of file cannot be sent' }).waitFor();
    assert.equal(blobs(), before);

    // The agent sees the same in the inbox and answers with a file of their own.
    const inbox = await inboxContext.newPage();
    await signInToInbox(inbox, suite.edge, { email: 'fay@files.example', password: 'files test password 1' });
    await inbox.getByRole('button', { name: /invoice\.pdf/ }).first().click();
    const view = inbox.getByRole('region', { name: /Conversation with/ });
    await view.getByRole('img', { name: 'photo.png' }).waitFor();
    await view.getByRole('img', { name: 'screenshot.png' }).waitFor();
    await view.getByRole('link', { name: `invoice.pdf · ${PDF.length} B` }).waitFor();
    await view.getByLabel('Attach a file').setInputFiles({ name: 'opening hours.txt', mimeType: 'text/plain', buffer: Buffer.from('Mon–Fri 9–17') });
    await view.getByRole('link', { name: /^opening hours\.txt · \d+ B$/ }).waitFor();
    await inbox.screenshot({ path: artifact('inbox-files.png') });
    await widget.getByRole('link', { name: /^opening hours\.txt · \d+ B$/ }).waitFor();
    await page.screenshot({ path: artifact('widget-files.png') });
  } finally {
    await visitorContext.close();
    await inboxContext.close();
  }
});

test('a file whose post is lost on the way (the network, then a 503) goes again and arrives once', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    // The first post never reaches the edge, a proxy answers the second 503, the third goes through.
    const posts = [];
    await context.route('**/file-messages?*', (route) => {
      if (route.request().method() != 'POST') return route.continue();
      posts.push(new URL(route.request().url()).searchParams.get('client_id'));
      if (posts.length == 1) return route.abort('connectionreset');
      if (posts.length == 2) return route.fulfill({ status: 503, body: '' });
      return route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('textbox', { name: 'Message' }).waitFor();
    await widget.getByLabel('Attach a file').setInputFiles({ name: 'retried.png', mimeType: 'image/png', buffer: PNG });
    await widget.getByRole('img', { name: 'retried.png' }).waitFor({ timeout: 20000 });
    assert.equal(posts.length, 3, posts.join(', '));
    assert.equal(new Set(posts).size, 1, 'each post is the same message (one client id)');
    await page.waitForTimeout(300);
    assert.equal(await widget.getByRole('img', { name: 'retried.png' }).count(), 1);
  } finally {
    await context.close();
  }
});

test('a file sent before the chat\'s socket has opened is the conversation\'s first message', async () => {
  // The paperclip shows as soon as the chat does: a visitor quick to pick a file (or a slow
  // network) posts it while the socket is still connecting.
  const session = await api.visitorSession(site, PAGE);
  const url = `${suite.edge.base}/api/v1/sites/${site}/file-messages?token=${encodeURIComponent(session.token)}&client_id=c_early000001&name=early.png`;
  const res = await fetch(url, { method: 'POST', headers: { origin: suite.edge.base }, body: PNG });
  assert.equal(res.status, 204, await res.text());
  const socket = await api.visitorSocket(site, session.token);
  const welcome = await socket.hello();
  assert.deepEqual(welcome.messages.map((m) => [m.client_id, m.file?.name]), [['c_early000001', 'early.png']]);
  socket.close();
});

test('the file-message routes: the visitor by their token, an agent of the workspace only, each refusal typed', async () => {
  const { session, socket } = await visitor();
  const route = (token, clientId, name = 'a.txt') =>
    `${suite.edge.base}/api/v1/sites/${site}/file-messages?token=${encodeURIComponent(token)}&client_id=${clientId}&name=${name}`;
  const post = (url, body, headers = {}) => fetch(url, { method: 'POST', headers: { origin: suite.edge.base, ...headers }, body });
  // Sent, and the visitor's socket hears the message with its file; posted twice, it is one.
  assert.equal((await post(route(session.token, 'c_posted0001'), Buffer.from('hello file'))).status, 204);
  const { message } = await socket.nextOf('message', (f) => f.message.client_id === 'c_posted0001');
  assert.deepEqual([message.author.kind, message.body, message.file.name, message.file.kind], ['visitor', 'a.txt', 'a.txt', 'text']);
  const stored = blobs();
  assert.equal((await post(route(session.token, 'c_posted0001'), Buffer.from('hello file'))).status, 204);
  assert.equal(blobs(), stored, 'the second copy is not kept');
  // Refusals the socket hears as a notice, in the visitor's language: too large, not a kind the
  // chat takes.
  const big = Buffer.alloc(5 * 1024 * 1024 + 1, 97);
  assert.equal((await post(`${route(session.token, 'c_posted0002', 'big.txt')}&lang=de`, big)).status, 204);
  const tooLarge = await socket.nextOf('error');
  assert.deepEqual([tooLarge.code, tooLarge.client_id ?? null, tooLarge.message], ['too_large', null, 'Diese Datei ist größer als 5 MB.']);
  // Refused outright: no token, another origin, a malformed client id, a stranger agent.
  await api.expectError(await post(route('v3.nope', 'c_posted0003'), 'x'), 401, 'unauthorized');
  await api.expectError(await post(route(session.token, 'c_posted0004'), 'x', { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
  await api.expectError(await post(route(session.token, 'bad id'), 'x'), 400, 'invalid_input');
  const stranger = await api.signUp({ name: 'Sam', email: 'sam@other.example', password: 'files test password 2', workspace_name: 'Other', website: '127.0.0.1' });
  const agentRoute = `/api/v1/workspaces/${site}/conversations/${session.conversation_id}/file-messages?client_id=c_posted0005&name=x.txt`;
  await api.expectError(await fetch(`${suite.edge.base}${agentRoute}`, { method: 'POST', headers: { origin: suite.edge.base, cookie: stranger.cookie }, body: 'x' }), 403, 'forbidden');
  // The workspace's agent, into a conversation that does not exist: nothing kept.
  const before = blobs();
  const nowhere = `/api/v1/workspaces/${site}/conversations/cv_doesnotexist00/file-messages?client_id=c_posted0006&name=x.txt`;
  await api.expectError(await fetch(`${suite.edge.base}${nowhere}`, { method: 'POST', headers: { origin: suite.edge.base, cookie: owner.cookie }, body: 'x' }), 404, 'not_found');
  assert.equal(blobs(), before);
  socket.close();
});
