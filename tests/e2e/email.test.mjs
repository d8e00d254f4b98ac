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
  suite = await startSuite('email', { browser: true });
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
    await page.getByText(`Confirm your address: we sent a link to ${owner.email}.`).waitFor();
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByRole('status').filter({ hasText: 'A new link is on its way.' }).waitFor();
    const again = await nextMail(suite.stateDir, owner.email, 'Confirm your email address', { count: 2 });
    // Only the newest link works.
    const oldToken = tokenOf(linkIn(mail, '/inbox#verify=', suite.edge.edge));
    await api.expectError(await api.post('/api/v1/auth/verify-email', { token: oldToken }), 410, 'link_expired');

    await page.goto(linkIn(again, '/inbox#verify=', suite.edge.edge));
    await page.getByRole('status').filter({ hasText: 'Thank you: your address is confirmed.' }).waitFor();
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
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
