// Account email against the real edge: the mail `wrangler dev`'s `send_email` binding writes (no
// mock), read back and parsed (tests/support/mail.mjs). An agent who forgot their password gets a
// single-use link that signs every device out; nobody learns which addresses have accounts; a
// sign-up confirms its address by a link; a sign-in from a new device is mailed to the owner; and
// a flood of reset requests for one address sends a handful of mails.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { linkIn, mailTo, nextMail, tokenOf } from '../support/mail.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api;
const PASSWORD = 'email test password 1';
const FROM = 'notifications@provixchat.com';

before(async () => {
  // A day of 72 s makes a minute 50 ms: the digests' delays (a minute, a 10-minute gap) pass in
  // a test's time.
  // And a site's hourly mail budget of 6, so a test can reach it.
  suite = await startSuite('email', { browser: true, vars: { RETENTION_DAY_MS: '72000', SITE_MAIL_PER_HOUR: '6' } });
  ({ api } = suite);
});
after(() => stopSuite(suite));

let n = 0;
async function newOwner() {
  n += 1;
  const email = `owner${n}@mail${n}.example`;
  const owner = await api.signUp({
    name: 'Olga', email, password: PASSWORD, workspace_name: `Mail ${n}`, website: '127.0.0.1',
  });
  return Object.assign(owner, { email });
}

/** A sign-in from a client that says it is `ua`, from address `ip`. */
function signInAs(email, password, ua, ip) {
  return api.request('POST', '/api/v1/auth/sign-in', { email, password }, { headers: { 'user-agent': ua, 'cf-connecting-ip': ip } });
}

test('a forgotten password: a single-use link by mail, every device signed out, no way to tell who has an account', async () => {
  const owner = await newOwner();
  const page = await suite.browser.newPage();
  try {
    await page.goto(`${suite.edge.edge}/inbox`);
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByRole('textbox', { name: 'Email' }).fill(owner.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();

    const mail = await nextMail(suite.stateDir, owner.email, 'Reset your Provixchat password');
    assert.equal(mail.from, FROM);
    assert.match(mail.text, /30 minutes/);
    assert.equal(mail.headers['list-unsubscribe'], undefined, 'account mail is transactional');
    const link = linkIn(mail, '/inbox#reset=', suite.edge.edge);
    assert.ok(mail.html.includes(`href="${link}"`), 'the HTML has the same link');

    // The link: a new password, then the sign-in form.
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByRole('textbox', { name: 'New password' }).fill('a brand new password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password was changed and every device was signed out' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the used link leaves the address bar');
    await page.screenshot({ path: artifact('email-reset-done.png') });

    // The session opened before the reset is over; the old password no longer works.
    assert.equal((await owner.get('/api/v1/me')).status, 401);
    await api.expectError(await api.post('/api/v1/auth/sign-in', { email: owner.email, password: PASSWORD }), 401, 'invalid_credentials');
    // The link worked once.
    const token = tokenOf(link);
    await api.expectError(await api.post('/api/v1/auth/password-reset/complete', { token, password: 'yet another password' }), 410, 'link_expired');
    // The new password does.
    await signInToInbox(page, suite.edge, { email: owner.email, password: 'a brand new password' });


    // The same answer for an address without an account, and no mail for it.
    const stranger = 'nobody@mail-none.example';
    const [known, unknown] = await Promise.all([owner.email, stranger].map((email) =>
      api.post('/api/v1/auth/password-reset', { email })));
    assert.deepEqual([known.status, unknown.status], [202, 202]);
    assert.deepEqual(await known.json(), await unknown.json());
    await nextMail(suite.stateDir, owner.email, 'Reset your Provixchat password', { count: 2 });
    assert.equal((await mailTo(suite.stateDir, stranger)).length, 0, 'no mail to an address without an account');
  } finally {
    await page.close();
  }
});

test('a dead reset link says so and offers a new one', async () => {
  const page = await suite.browser.newPage();
  try {
    await page.goto(`${suite.edge.edge}/inbox#reset=bm9ib2R5QGV4YW1wbGUuY29t.forged`);
    await page.getByRole('textbox', { name: 'New password' }).fill('a long enough password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').filter({ hasText: 'expired or was used already' }).waitFor();
    await page.getByRole('button', { name: 'Send me a new link' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  } finally {
    await page.close();
  }
  for (const token of ['', 'no-dot', '%%%.x']) {
    await api.expectError(await api.post('/api/v1/auth/password-reset/complete', { token, password: 'a long enough password' }), 410, 'link_expired');
  }
  await api.expectError(await api.post('/api/v1/auth/password-reset', { email: 'not an address' }), 400, 'invalid_input');
});

test('a sign-up confirms its address by a mailed link; the inbox reminds until then', async () => {
  const owner = await newOwner();
  assert.equal(owner.me.email_verified, false);
  const mail = await nextMail(suite.stateDir, owner.email, 'Confirm your email address');
  const page = await suite.browser.newPage();
  try {
    await signInToInbox(page, suite.edge, { email: owner.email, password: PASSWORD });
    await page.getByRole('status').filter({ hasText: `Confirm your address: we sent a link to ${owner.email}.` }).waitFor();
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByRole('status').filter({ hasText: 'A new link is on its way' }).waitFor();
    const again = await nextMail(suite.stateDir, owner.email, 'Confirm your email address', { count: 2 });
    // Only the newest link works.
    const oldToken = tokenOf(linkIn(mail, '/inbox#verify=', suite.edge.edge));
    await api.expectError(await api.post('/api/v1/auth/verify-email', { token: oldToken }), 410, 'link_expired');

    await page.goto(linkIn(again, '/inbox#verify=', suite.edge.edge));
    await page.getByRole('status').filter({ hasText: 'Thank you: your address is confirmed.' }).waitFor();
    assert.equal(await page.getByText('Confirm your address:').count(), 0, 'the reminder is gone');
    assert.equal(new URL(page.url()).hash, '', 'the used link leaves the address bar');
    assert.equal((await (await owner.get('/api/v1/me')).json()).email_verified, true);
    // Opened again (say, from the mail in another tab), it says it is spent.
    await page.goto(linkIn(again, '/inbox#verify=', suite.edge.edge));
    await page.getByRole('status').filter({ hasText: 'The address was not confirmed' }).waitFor();
    await api.expectError(await owner.post('/api/v1/me/verification'), 409, 'conflict');
  } finally {
    await page.close();
  }
});

test('a sign-in from a new device is mailed to the account; a known device is not', async () => {
  const owner = await newOwner();
  const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
  const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
  assert.equal((await signInAs(owner.email, PASSWORD, firefox, '203.0.113.7')).status, 200);
  const alert = await nextMail(suite.stateDir, owner.email, 'New sign-in to your Provixchat account');
  assert.match(alert.text, /Firefox/);
  assert.match(alert.text, /\/inbox#forgot/, 'a way to lock the stranger out');
  assert.equal((await signInAs(owner.email, PASSWORD, firefox, '203.0.113.7')).status, 200);
  assert.equal((await signInAs(owner.email, PASSWORD, safari, '203.0.113.8')).status, 200);
  await nextMail(suite.stateDir, owner.email, 'New sign-in', { count: 2 });
  await new Promise((r) => setTimeout(r, 1000));
  const alerts = await mailTo(suite.stateDir, owner.email, 'New sign-in');
  assert.equal(alerts.length, 2, 'one alert per new device, none for a known one');
  assert.match(alerts[1].text, /Safari/);
  // The alert's link opens the reset form.
  const page = await suite.browser.newPage();
  try {
    await page.goto(`${suite.edge.edge}/inbox#forgot`);
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  } finally {
    await page.close();
  }
});

test('a flood of reset requests for one address sends it a handful of mails', async () => {
  const owner = await newOwner();
  const results = [];
  for (let i = 0; i < 20; i++) {
    const res = await api.post('/api/v1/auth/password-reset', { email: owner.email });
    results.push(res.status);
  }
  // Past its share, the requesting address is refused too; those it made all count.
  assert.ok(results.every((s) => s === 202 || s === 429), `${results}`);
  assert.ok(results.filter((s) => s === 202).length > 5, `more requests than mails: ${results}`);
  await nextMail(suite.stateDir, owner.email, 'Reset your Provixchat password', { count: 5 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await mailTo(suite.stateDir, owner.email, 'Reset your Provixchat password')).length, 5);
});

/** An owner whose address is confirmed (they opened the mailed link). */
async function confirmedOwner() {
  const owner = await newOwner();
  const mail = await nextMail(suite.stateDir, owner.email, 'Confirm your email address');
  const res = await api.post('/api/v1/auth/verify-email', { token: tokenOf(linkIn(mail, '/inbox#verify=', suite.edge.edge)) });
  assert.equal(res.status, 200);
  return Object.assign(owner, { site: owner.me.workspaces[0].id });
}

/** A visitor of `site` who writes `text`; answers their socket. */
async function visitorWrites(site, text) {
  const session = await api.visitorSession(site, 'http://127.0.0.1:1');
  const visitor = await api.visitorSocket(site, session.token);
  visitor.conversationId = (await visitor.hello()).conversation_id;
  visitor.send({ type: 'send', client_id: `c_${Date.now().toString(36).padStart(10, '0')}`, body: text });
  await visitor.nextOf('ack');
  return visitor;
}

test('a visitor nobody answers is mailed to the team as one digest, with a one-click unsubscribe that works', async () => {
  const owner = await confirmedOwner();
  const first = await visitorWrites(owner.site, 'Is the blue vase still in stock?');
  const second = await visitorWrites(owner.site, 'Do you ship to Norway?');
  const digest = await nextMail(suite.stateDir, owner.email, 'waiting for an answer');
  assert.equal(digest.from, FROM);
  assert.match(digest.subject, /^Mail \d+: (a visitor is|2 visitors are) waiting for an answer$/);
  assert.match(digest.text, /Is the blue vase still in stock\?/);
  assert.ok(digest.text.includes(`${suite.edge.edge}/inbox`), 'a link to the inbox');
  const unsubscribe = digest.headers['list-unsubscribe'].replace(/^<|>$/g, '');
  assert.equal(digest.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  assert.ok(unsubscribe.startsWith(`${suite.edge.edge}/api/v1/mail/unsubscribe/`), unsubscribe);
  await page(async (p) => {
    // Opening the link changes nothing by itself (mail scanners open links): it asks.
    await p.goto(unsubscribe);
    await p.getByRole('button', { name: 'Stop these emails' }).waitFor();
  });
  assert.equal((await (await owner.get('/api/v1/me')).json()).notify, 'away', 'opening the link changed nothing');

  // More messages within the gap make no mail of their own.
  first.send({ type: 'send', client_id: 'c_again00001', body: 'Hello?' });
  await first.nextOf('ack');
  await new Promise((r) => setTimeout(r, 200));
  const count = (await mailTo(suite.stateDir, owner.email, 'waiting for an answer')).length;
  assert.ok(count <= 2, `no mail per message: ${count}`);

  // The one-click POST, as a mail reader sends it: no session, no origin.
  const res = await fetch(unsubscribe, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(res.status, 200);
  assert.equal((await (await owner.get('/api/v1/me')).json()).notify, 'never');
  const before = (await mailTo(suite.stateDir, owner.email, 'waiting for an answer')).length;
  second.send({ type: 'send', client_id: 'c_again00002', body: 'Anyone?' });
  await second.nextOf('ack');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await mailTo(suite.stateDir, owner.email, 'waiting for an answer')).length, before, 'no more digests');
  // A forged token changes nothing.
  const forged = unsubscribe.replace(/\/unsubscribe\/[^.]+/, `/unsubscribe/${Buffer.from('someone@else.example').toString('base64url')}`);
  await api.expectError(await fetch(forged, { method: 'POST' }), 410, 'link_expired');
  first.close();
  second.close();
});

test('an agent chooses when to be mailed, and an unconfirmed address gets no digest', async () => {
  const owner = await newOwner();
  const site = owner.me.workspaces[0].id;
  await page(async (p) => {
    await signInToInbox(p, suite.edge, { email: owner.email, password: PASSWORD });
    await p.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Account' }).click();
    await p.getByRole('combobox', { name: 'Email me about visitors waiting for an answer' }).selectOption('after15');
    await p.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await p.screenshot({ path: artifact('account-notifications.png'), fullPage: true });
  });
  assert.equal((await (await owner.get('/api/v1/me')).json()).notify, 'after15');
  const visitor = await visitorWrites(site, 'Hello, anyone?');
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await mailTo(suite.stateDir, owner.email, 'waiting for an answer')).length, 0, 'not confirmed: nothing');
  visitor.close();
});

/** Delivers `raw` to the edge's `email()` handler as Email Routing would (wrangler dev's endpoint). */
function deliver(from, to, raw) {
  const url = `${suite.edge.base}/cdn-cgi/handler/email?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  return fetch(url, { method: 'POST', body: raw });
}

/** A reply as a mail client writes it: the new text above the quoted mail. */
function replyMail({ from, to, id, text }) {
  return [
    `From: Ana <${from}>`, `To: ${to}`, 'Subject: Re: your message', `Message-ID: <${id}@visitor.example>`,
    'Content-Type: text/plain; charset=utf-8', '', text, '', 'On Sun, Dec 6, 2026 at 5:01 PM Shop wrote:', '> Yes, it ships tomorrow.', '',
  ].join('\r\n');
}

test('a visitor who asked gets the replies by email, answers by email into the chat, and can stop them', async () => {
  const owner = await confirmedOwner();
  const session = await api.visitorSession(owner.site, 'http://127.0.0.1:1');
  const visitor = await api.visitorSocket(owner.site, session.token);
  const { conversation_id: id } = await visitor.hello();
  visitor.send({ type: 'send', client_id: 'c_vis0000001', body: 'Is the blue vase in stock?' });
  await visitor.nextOf('ack');
  visitor.send({ type: 'contact', email: 'ana@visitor.example', email_replies: true });
  await new Promise((r) => setTimeout(r, 200));
  visitor.close();
  const agent = await owner.socket(`/api/v1/workspaces/${owner.site}/conversations/${id}/connect`);
  await agent.hello();
  agent.send({ type: 'send', client_id: 'c_agt0000001', body: 'Yes, it ships tomorrow.' });
  await agent.nextOf('ack');

  const mail = await nextMail(suite.stateDir, 'ana@visitor.example', 'replied to your message');
  assert.match(mail.subject, /^Mail \d+ replied to your message$/);
  assert.match(mail.text, /Yes, it ships tomorrow\./);
  assert.doesNotMatch(mail.text, /Is the blue vase/, 'only the replies, not what the visitor wrote');
  const replyTo = mail.headers['reply-to'];
  assert.match(replyTo, /^reply\+[a-z2-7]+\.[a-z2-7]+@provixchat\.com$/);
  const stop = mail.headers['list-unsubscribe'].replace(/^<|>$/g, '');
  assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');

  // The visitor answers by email: their text, without the quote, reaches the agent once.
  const answer = replyMail({ from: 'ana@visitor.example', to: replyTo, id: 'a1', text: 'Great, I will take it.' });
  let res = await deliver('ana@visitor.example', replyTo, answer);
  assert.equal(res.status, 200, await res.text());
  const message = await agent.nextOf('message', (f) => f.message.body === 'Great, I will take it.');
  assert.equal(message.message.author.kind, 'visitor');
  res = await deliver('ana@visitor.example', replyTo, answer);
  assert.equal(res.status, 200, 'the same mail again is accepted');
  assert.equal(await agent.sawWithin(500, (f) => f.type === 'message'), false, 'and stored once');
  // Anyone else, or a forged address, is refused (and logged).
  res = await deliver('eve@else.example', replyTo, replyMail({ from: 'eve@else.example', to: replyTo, id: 'e1', text: 'Hi' }));
  assert.equal(res.status, 400);
  const forged = replyTo.replace(/\.[a-z2-7]+@/, '.aaaaaaaaaaaaaaaa@');
  res = await deliver('ana@visitor.example', forged, replyMail({ from: 'ana@visitor.example', to: forged, id: 'f1', text: 'Hi' }));
  assert.equal(res.status, 400);

  // One click stops the mail; the next reply stays in the chat.
  res = await fetch(stop, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(res.status, 200);
  const before = (await mailTo(suite.stateDir, 'ana@visitor.example')).length;
  agent.send({ type: 'send', client_id: 'c_agt0000002', body: 'Anything else?' });
  await agent.nextOf('ack');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await mailTo(suite.stateDir, 'ana@visitor.example')).length, before, 'no more mail');

  // Asked for again, then blocked by an agent: their answers by email are refused too.
  const back = await api.visitorSocket(owner.site, session.token);
  await back.hello();
  back.send({ type: 'contact', email_replies: true });
  await new Promise((r) => setTimeout(r, 200));
  back.close();
  const visitorId = session.token.split('.')[2];
  const block = (blocked) => owner.put(`/api/v1/workspaces/${owner.site}/visitors/${visitorId}/blocked`, { blocked });
  assert.equal((await block(true)).status, 200);
  res = await deliver('ana@visitor.example', replyTo, replyMail({ from: 'ana@visitor.example', to: replyTo, id: 'b1', text: 'Still me' }));
  assert.equal(res.status, 400, 'a blocked visitor cannot write by email either');
  assert.equal((await block(false)).status, 200);
  agent.close();

  // The visitor's export lists what was mailed to them; their erasure removes it, and their
  // answer by email with the rest.
  const myData = (request) => api.post(`/api/v1/sites/${owner.site}/my-data`, { token: session.token, request });
  const file = await (await myData({ kind: 'export' })).json();
  assert.deepEqual(file.emails.map((m) => [m.kind, m.to, m.status]), [['visitor_replies', 'ana@visitor.example', 'sent']]);
  assert.ok(file.conversations[0].messages.some((m) => m.body === 'Great, I will take it.'));
  assert.equal((await myData({ kind: 'erase' })).status, 200);
  // A second visitor of the same address on this site starts with no mail history.
  const again = await api.visitorSession(owner.site, 'http://127.0.0.1:1');
  const socket = await api.visitorSocket(owner.site, again.token);
  await socket.hello();
  socket.send({ type: 'send', client_id: 'c_vis0000009', body: 'Me again' });
  await socket.nextOf('ack');
  socket.send({ type: 'contact', email: 'ana@visitor.example' });
  await new Promise((r) => setTimeout(r, 200));
  socket.close();
  const fresh = await (await api.post(`/api/v1/sites/${owner.site}/my-data`, { token: again.token, request: { kind: 'export' } })).json();
  assert.equal(fresh.emails, undefined, 'the erased mail log is gone');
});

/** Shows a mail's HTML part in the browser, as a mail reader would, and keeps a screenshot. */
async function screenshotMail(mail, name) {
  await page(async (p) => {
    await p.setViewportSize({ width: 640, height: 800 });
    await p.setContent(mail.html);
    await p.screenshot({ path: artifact(name), fullPage: true });
  });
}

test('a digest links each waiting conversation, and the member answers it by replying to the mail', async () => {
  const owner = await confirmedOwner();
  const visitor = await visitorWrites(owner.site, 'Can I return the teapot?');
  const digest = await nextMail(suite.stateDir, owner.email, 'a visitor is waiting for an answer');
  await screenshotMail(digest, 'mail-digest.png');
  const conversation = { id: visitor.conversationId };
  // One visitor: a plain reply answers them, from the address signed for this member.
  const replyTo = digest.headers['reply-to'];
  assert.match(replyTo, /^team\+[a-z2-7]+\.[a-z2-7]+@provixchat\.com$/);
  assert.ok(digest.html.includes(`href="mailto:${replyTo}"`), 'an "Answer by email" link too');
  const open = linkIn(digest, `/inbox#open=${owner.site}/`, suite.edge.edge);
  assert.equal(open, `${suite.edge.edge}/inbox#open=${owner.site}/${conversation.id}`);

  // The link opens that conversation in the inbox (after signing in).
  await page(async (p) => {
    await p.setViewportSize({ width: 1200, height: 760 });
    await p.goto(open);
    await p.getByRole('textbox', { name: 'Email' }).fill(owner.email);
    await p.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('region', { name: /Conversation with Visitor/ }).getByText('Can I return the teapot?').waitFor();
  });

  // The member replies to the mail: their text, without the quote, reaches the visitor as theirs.
  const answer = replyMail({ from: owner.email, to: replyTo, id: 'o1', text: 'Yes, within 30 days.' });
  let res = await deliver(owner.email, replyTo, answer);
  assert.equal(res.status, 200, await res.text());
  const message = await visitor.nextOf('message', (f) => f.message.body === 'Yes, within 30 days.');
  assert.deepEqual(message.message.author, { kind: 'agent', name: 'Olga' });
  res = await deliver(owner.email, replyTo, answer);
  assert.equal(res.status, 200);
  assert.equal(await visitor.sawWithin(500, (f) => f.type === 'message'), false, 'the same mail twice is one reply');
  // The address works only from the member it was made for.
  res = await deliver('eve@else.example', replyTo, replyMail({ from: 'eve@else.example', to: replyTo, id: 'e2', text: 'Hi' }));
  assert.equal(res.status, 400);
  visitor.close();
});

test('a visitor who asked for a transcript gets it in their language once the conversation is resolved', async () => {
  const owner = await confirmedOwner();
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const p = await context.newPage();
    await p.goto(`${suite.edge.base}/demo?site=${owner.site}&lang=de`);
    await p.getByRole('button', { name: 'Alle ablehnen' }).click();
    await p.getByRole('button', { name: 'Chat öffnen' }).click();
    const widget = p.frameLocator('iframe[title="Chat"]');
    // Nobody is available: the offline form (in German) asks for an email, both choices unticked.
    await widget.getByRole('textbox', { name: 'Ihre E-Mail-Adresse' }).fill('jonas@visitor.example');
    assert.equal(await widget.getByRole('checkbox', { name: 'Antworten per E-Mail erhalten' }).isChecked(), false);
    await widget.getByRole('checkbox', { name: 'Gesprächsprotokoll per E-Mail erhalten' }).check();
    await widget.getByRole('button', { name: 'E-Mail speichern' }).click();
    await widget.getByText('Wir antworten an jonas@visitor.example.').waitFor();
    await widget.getByRole('textbox', { name: 'Nachricht' }).fill('Ist die blaue Vase vorrätig?');
    await widget.getByRole('button', { name: 'Senden' }).click();
    await widget.getByText('Gesendet', { exact: true }).waitFor();
  } finally {
    await context.close();
  }
  const hits = await (await owner.get(`/api/v1/workspaces/${owner.site}/search?q=${encodeURIComponent('blaue Vase')}`)).json();
  const id = hits[0].conversation_id;
  const agent = await owner.socket(`/api/v1/workspaces/${owner.site}/conversations/${id}/connect`);
  await agent.hello();
  agent.send({ type: 'send', client_id: 'c_agt0000011', body: 'Ja, sie ist vorrätig.' });
  await agent.nextOf('ack');
  agent.send({ type: 'send', client_id: 'c_note000011', body: 'VIP customer', note: true });
  await agent.nextOf('ack');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await mailTo(suite.stateDir, 'jonas@visitor.example')).length, 0, 'nothing before it is resolved');
  agent.send({ type: 'set_status', status: 'resolved' });

  const mail = await nextMail(suite.stateDir, 'jonas@visitor.example', 'Ihr Gespräch mit');
  await screenshotMail(mail, 'mail-transcript-de.png');
  assert.match(mail.subject, /^Ihr Gespräch mit Mail \d+$/);
  assert.match(mail.text, /Sie · \d+\. \S+ \d{4}, \d\d:\d\d UTC\nIst die blaue Vase vorrätig\?/);
  assert.match(mail.text, /Olga · .*\nJa, sie ist vorrätig\./);
  assert.doesNotMatch(mail.text, /VIP customer/, 'no private note');
  assert.match(mail.html, /^<!doctype html><html lang="de">/);
  assert.match(mail.headers['reply-to'], /^reply\+/);
  const stop = mail.headers['list-unsubscribe'].replace(/^<|>$/g, '');
  assert.match(stop, /\?lang=de$/);
  await page(async (p) => {
    await p.goto(stop);
    await p.getByRole('button', { name: 'Diese E-Mails abbestellen' }).click();
    await p.getByRole('status').filter({ hasText: 'Erledigt' }).waitFor();
  });
  // Stopped: resolved again after a new message, nothing more is mailed.
  agent.send({ type: 'set_status', status: 'open' });
  agent.send({ type: 'send', client_id: 'c_agt0000012', body: 'Noch etwas?' });
  await agent.nextOf('ack');
  agent.send({ type: 'set_status', status: 'resolved' });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await mailTo(suite.stateDir, 'jonas@visitor.example')).length, 1);
  agent.close();
});

test('in a live chat the visitor asks for a transcript from the line above the composer', async () => {
  const owner = await confirmedOwner();
  const inbox = await suite.browser.newPage({ viewport: { width: 1200, height: 800 } });
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    // An agent is online: the chat is live, no offline form.
    await signInToInbox(inbox, suite.edge, { email: owner.email, password: PASSWORD });
    const p = await context.newPage();
    await p.goto(`${suite.edge.base}/demo?site=${owner.site}`);
    await p.getByRole('button', { name: 'Reject all' }).click();
    await p.getByRole('button', { name: 'Open chat' }).click();
    const widget = p.frameLocator('iframe[title="Chat"]');
    await widget.getByText('Online', { exact: true }).waitFor();
    await widget.getByText('Email me the replies or a transcript').click();
    await widget.getByRole('textbox', { name: 'Your email' }).fill('lea@visitor.example');
    await widget.getByRole('checkbox', { name: 'Email me a transcript' }).check();
    await widget.getByRole('button', { name: 'Save email' }).click();
    await widget.getByText("We'll reply to lea@visitor.example.").waitFor();
    await widget.getByRole('textbox', { name: 'Message' }).fill('Do you gift-wrap?');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByText('Sent', { exact: true }).waitFor();
  } finally {
    await context.close();
    await inbox.close();
  }
  const hits = await (await owner.get(`/api/v1/workspaces/${owner.site}/search?q=${encodeURIComponent('gift-wrap')}`)).json();
  const agent = await owner.socket(`/api/v1/workspaces/${owner.site}/conversations/${hits[0].conversation_id}/connect`);
  await agent.hello();
  agent.send({ type: 'send', client_id: 'c_agt0000021', body: 'Yes, for free.' });
  await agent.nextOf('ack');
  agent.send({ type: 'set_status', status: 'resolved' });
  const mail = await nextMail(suite.stateDir, 'lea@visitor.example', 'Your conversation with');
  assert.match(mail.text, /You · .*\nDo you gift-wrap\?/);
  assert.match(mail.text, /Olga · .*\nYes, for free\./);
  agent.close();
});

test("a site's mail has an hourly budget: invites by email past it are refused and not sent", async () => {
  const owner = await newOwner();
  const site = owner.me.workspaces[0].id;
  const statuses = [];
  for (let i = 1; i <= 7; i++) {
    const res = await owner.post(`/api/v1/workspaces/${site}/invites`, { role: 'agent', email: `agent${i}@budget.example` });
    statuses.push(res.status);
    if (res.status === 429) assert.equal((await res.json()).error, 'rate_limited');
  }
  // The sign-up's confirmation mail is the site's own account's, not the site's: six invites go.
  assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 429]);
  await nextMail(suite.stateDir, 'agent6@budget.example', 'invited you');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await mailTo(suite.stateDir, 'agent7@budget.example')).length, 0);
  // Without an address, a link is still made: the budget is for mail.
  assert.equal((await owner.post(`/api/v1/workspaces/${site}/invites`, { role: 'agent' })).status, 201);
});

/** Runs `fn` with a fresh page of the suite's browser, closed afterwards. */
async function page(fn) {
  const p = await suite.browser.newPage();
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}
