// Billing against the real edge, configured with plans as an operator would (BILLING): the
// owners' billing page in Chromium (screenshot tests/artifacts/billing.png), the hosted checkout
// and portal asked of the payment processor as its API documents (the processor cannot be reached
// from here: a loopback server in this file answers in its place and records what was asked),
// the webhook route with events signed as the processor signs them, and the plan's limits where
// the actions happen. A deployment without BILLING has none of it (errors.test.mjs).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { assertAccessible } from '../support/axe.mjs';
import { signInToInbox } from '../support/inbox.mjs';
import { mailTo, nextMail } from '../support/mail.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';
import { devVars, freePort } from '../../scripts/edge.mjs';

const SECRET = 'whsec_e2e_endpoint_secret';
const DAY = 86_400_000;
const BILLING = {
  operator: { name: 'Provixchat Test GmbH', address: 'Hauptstraße 1\n10115 Berlin\nGermany', vat_id: 'DE123456789', email: 'billing@provixchat.test' },
  currency: 'EUR',
  grace_days: 7,
  plans: [
    { id: 'free', name: 'Free', price: 0, limits: { seats: 2, conversations: 3, retention_days: 30, email: false, eu_region: false } },
    { id: 'team', name: 'Team', price: 2900, processor_price: 'price_team', limits: { seats: 10, conversations: 1000, retention_days: 365 } },
  ],
};

// The processor's stand-in: sessions answered as the API documents, every request kept.
const asked = [];
let processor;
const processorServer = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    asked.push({ method: req.method, path: req.url, headers: req.headers, form: new URLSearchParams(body) });
    if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'cs_test_1', object: 'checkout.session', url: `${processor}/pay/cs_test_1` }));
    }
    if (req.method === 'POST' && req.url === '/v1/billing_portal/sessions') {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'bps_1', url: `${processor}/portal/bps_1` }));
    }
    if (req.method === 'GET') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Test checkout</title><h1>Test checkout</h1>');
    res.writeHead(404).end();
  });
});

let suite, edge, api;
before(async () => {
  const port = await freePort();
  await new Promise((r) => processorServer.listen(port, '127.0.0.1', r));
  processor = `http://127.0.0.1:${port}`;
  suite = await startSuite('billing', {
    vars: {
      BILLING: JSON.stringify(BILLING), STRIPE_API: processor, STRIPE_SECRET_KEY: 'sk_test_e2e', STRIPE_WEBHOOK_SECRET: SECRET,
      // A "day" of 72 s for the objects' own timers (mail to visitors comes a minute after a reply:
      // here at once); billing's grace period counts real days.
      RETENTION_DAY_MS: '72000',
    },
  });
  ({ edge, api } = suite);
});
after(async () => {
  await stopSuite(suite);
  processorServer.close();
});

let n = 0;
async function newOwner(extra = {}) {
  n += 1;
  const email = `olga${n}@billing${n}.example`;
  const owner = await api.signUp({ name: 'Olga', email, password: 'billing tests password', workspace_name: `Pottery ${n}`, website: `https://pottery${n}.example/`, ...extra });
  return Object.assign(owner, { email, password: 'billing tests password', site: owner.me.workspaces[0].id, host: `https://pottery${n}.example` });
}

/** Posts an event to the webhook route, signed as the processor signs (`t` in seconds). */
function webhook(event, { secret = SECRET, t = Math.floor(Date.now() / 1000), header } = {}) {
  const body = JSON.stringify(event);
  const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  return fetch(`${edge.base}/api/v1/billing/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header !== null && { 'stripe-signature': header ?? signature }) },
    body,
  });
}

let ids = 0;
/** An event as the processor sends it; `created` in ms. */
function event(type, object, created = Date.now()) {
  ids += 1;
  return { id: `evt_e2e_${ids}`, object: 'event', api_version: '2025-03-31.basil', created: Math.floor(created / 1000), type, data: { object } };
}
const checkoutDone = (site, at) => event('checkout.session.completed', {
  id: 'cs_test_1', object: 'checkout.session', mode: 'subscription', client_reference_id: site,
  customer: `cus_${site}`, subscription: `sub_${site}`, metadata: { site, plan: 'team' },
}, at);
const invoice = (type, site, at = Date.now()) => event(type, {
  id: `in_${ids}`, object: 'invoice', customer: `cus_${site}`, currency: 'eur', subtotal: 2900, total: 2900,
  period_start: Math.floor(at / 1000), period_end: Math.floor(at / 1000) + 30 * 86400,
  parent: { type: 'subscription_details', subscription_details: { subscription: `sub_${site}`, metadata: { site } } },
}, at);

/** `invoice.paid` with what was paid: 29.00 + 19 % VAT for the month from `start` (ms). */
const paid = (site, invoiceId, start = Date.UTC(2026, 11, 1)) => event('invoice.paid', {
  id: invoiceId, object: 'invoice', customer: `cus_${site}`, currency: 'eur', subtotal: 2900, total_excluding_tax: 2900,
  total: 3451, amount_paid: 3451, period_start: start / 1000, period_end: start / 1000,
  lines: { data: [{ period: { start: start / 1000, end: start / 1000 + 31 * 86400 } }] },
  parent: { type: 'subscription_details', subscription_details: { subscription: `sub_${site}`, metadata: { site } } },
});

/** The numbers of a workspace's invoices, as its billing page lists them (newest first). */
async function invoiceNumbers(owner) {
  return [...(await billingHtml(owner)).matchAll(/invoices\/((?:INV|CN)-\d{6})"/g)].map((m) => m[1]);
}

/** The webhook's answer: accepted, and whether the subscription changed (`null`: either). */
async function applied(res, changed) {
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  assert.equal(body.received, true);
  if (changed !== null) assert.equal(body.changed, changed);
}

async function billingHtml(owner) {
  const res = await owner.get(`/billing/${owner.site}`);
  assert.equal(res.status, 200);
  return res.text();
}

async function auditDetails(owner) {
  const res = await owner.get(`/api/v1/workspaces/${owner.site}/audit?action=billing`);
  assert.equal(res.status, 200);
  return (await res.json()).entries.map((e) => e.detail);
}

test('an owner opens Billing from the inbox, subscribes at the processor\'s checkout, and the signed webhook makes the plan active', async () => {
  const owner = await newOwner();
  const page = await suite.browser.newPage();
  try {
    await signInToInbox(page, edge, owner);
    await page.screenshot({ path: artifact('inbox-billing-link.png') });
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    await page.getByText('You are on the Free plan.').waitFor();
    const usage = page.getByRole('table', { name: /Usage in/ });
    assert.equal(await usage.getByRole('row', { name: /Seats/ }).getByRole('cell').textContent(), '1 of 2');
    await assertAccessible(page, 'billing page');

    // The details printed on invoices: a VAT number in the wrong format is refused, nothing typed is lost.
    await page.getByRole('textbox', { name: 'Company' }).fill('Pottery Olga GmbH');
    await page.getByRole('textbox', { name: 'Address' }).fill('Töpferweg 3\n50667 Köln');
    await page.getByRole('textbox', { name: /VAT number/ }).fill('DE12345');
    await page.getByRole('textbox', { name: 'Billing email' }).fill('accounts@pottery.example');
    await page.getByRole('button', { name: 'Save billing details' }).click();
    await page.getByRole('alert').filter({ hasText: 'is not an EU VAT number' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Company' }).inputValue(), 'Pottery Olga GmbH');
    await page.getByRole('textbox', { name: /VAT number/ }).fill('de 123 456 789');
    await page.getByRole('button', { name: 'Save billing details' }).click();
    await page.getByText('Billing details saved.').waitFor();
    assert.equal(await page.getByRole('textbox', { name: /VAT number/ }).inputValue(), 'DE123456789');

    // Choose Team: the edge asks the processor for a checkout session and sends the owner there.
    asked.length = 0;
    await page.getByRole('button', { name: 'Choose Team' }).click();
    await page.getByRole('heading', { name: 'Test checkout' }).waitFor();
    const call = asked.find((a) => a.path === '/v1/checkout/sessions');
    assert.ok(call, 'a checkout session was asked for');
    assert.equal(call.headers.authorization, 'Bearer sk_test_e2e');
    assert.equal(call.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.match(call.headers['idempotency-key'], new RegExp(`^checkout-${owner.site}-team-`));
    assert.equal(call.form.get('mode'), 'subscription');
    assert.equal(call.form.get('line_items[0][price]'), 'price_team');
    assert.equal(call.form.get('client_reference_id'), owner.site);
    assert.equal(call.form.get('subscription_data[metadata][site]'), owner.site);
    assert.equal(call.form.get('customer_email'), 'accounts@pottery.example', 'the billing email saved');
    assert.equal(call.form.get('success_url'), `${edge.edge}/billing/${owner.site}?checkout=done`);

    // The processor reports the finished checkout; the page shows the plan.
    await applied(await webhook(checkoutDone(owner.site)), true);
    await page.goto(`${edge.edge}/billing/${owner.site}?checkout=done`);
    await page.getByText('Thank you.').waitFor();
    await page.getByText(/Team · 29\.00 EUR a month · active/).waitFor();
    assert.equal(await page.getByRole('table', { name: /Usage in/ }).getByRole('row', { name: /Seats/ }).getByRole('cell').textContent(), '1 of 10');
    await page.screenshot({ path: artifact('billing.png'), fullPage: true });

    // The first payment: an invoice, listed on the page, as a page and as a PDF.
    await applied(await webhook(paid(owner.site, `in_first_${owner.site}`)), null);
    await page.reload();
    const invoices = page.getByRole('table', { name: 'Invoices and credit notes, newest first' });
    const link = invoices.getByRole('link', { name: /^INV-\d{6}$/ });
    const number = await link.textContent();
    assert.equal(await invoices.getByRole('row', { name: new RegExp(number) }).getByRole('cell').nth(2).textContent(), '34.51 EUR');
    await link.click();
    await page.getByRole('heading', { name: `Invoice ${number}`, level: 1 }).waitFor();
    for (const text of ['Provixchat Test GmbH', 'VAT number: DE123456789', 'Pottery Olga GmbH', 'Töpferweg 3', 'VAT number: DE123456789',
      'Provixchat Team plan, 2026-12-01 to 2027-01-01: 29.00 EUR', 'VAT: 5.51 EUR', 'Total: 34.51 EUR']) {
      await page.getByText(text, { exact: true }).first().waitFor();
    }
    await assertAccessible(page, 'an invoice');
    await page.screenshot({ path: artifact('invoice.png'), fullPage: true });
    const pdf = await owner.get(`/billing/${owner.site}/invoices/${number}/pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(pdf.headers.get('content-disposition'), `attachment; filename="${number}.pdf"`);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    assert.equal(bytes.subarray(0, 8).toString(), '%PDF-1.4');
    assert.ok(bytes.includes(Buffer.from(`(Invoice ${number}) Tj`)), 'its title');
    assert.ok(bytes.includes(Buffer.from('(Total: 34.51 EUR) Tj')), 'its total');
    await page.goto(`${edge.edge}/billing/${owner.site}`);

    // Managing the subscription goes to the processor's portal for this customer.
    asked.length = 0;
    await page.getByRole('button', { name: 'Manage subscription' }).click();
    await page.waitForURL(/\/portal\/bps_1$/);
    assert.equal(asked.find((a) => a.path === '/v1/billing_portal/sessions').form.get('customer'), `cus_${owner.site}`);
    assert.deepEqual(await auditDetails(owner), ['Subscribed to the Team plan']);
  } finally {
    await page.close();
  }
});

test('the webhook refuses wrong and stale signatures, applies a replayed event once, and ends events out of order where the newest says', async () => {
  const owner = await newOwner();
  const done = checkoutDone(owner.site);
  await api.expectError(await webhook(done, { secret: 'whsec_wrong' }), 400, 'invalid_input');
  await api.expectError(await webhook(done, { t: Math.floor(Date.now() / 1000) - 600 }), 400, 'invalid_input');
  await api.expectError(await webhook(done, { header: null }), 400, 'invalid_input');
  assert.match(await billingHtml(owner), /You are on the <strong>Free<\/strong> plan/, 'nothing applied');

  await applied(await webhook(done), true);
  await applied(await webhook(done), false); // the processor's redelivery
  // A payment that cleared a failure arrives before the failure itself.
  const now = Date.now();
  await applied(await webhook(invoice('invoice.paid', owner.site, now + 2000)), true);
  await applied(await webhook(invoice('invoice.payment_failed', owner.site, now + 1000)), false);
  const html = await billingHtml(owner);
  assert.match(html, /Team<\/strong> · 29\.00 EUR a month · <span class="ok">active/);
  assert.doesNotMatch(html, /payment failed/i);
  // Another product's events on the same account are acknowledged and left alone.
  await applied(await webhook(event('invoice.paid', { id: 'in_x', subscription: 'sub_other' })), false);
  await applied(await webhook(event('customer.created', { id: 'cus_x' })), false);
});

test('a failed payment keeps the plan through the grace period, then the free plan\'s limits hold until a payment, each step told to the owner', async () => {
  const owner = await newOwner();
  await applied(await webhook(checkoutDone(owner.site, Date.now() - 40 * DAY)), true);
  // The failure now: the plan holds until the end of the grace period.
  const failedAt = Date.now();
  await applied(await webhook(invoice('invoice.payment_failed', owner.site, failedAt)), true);
  const until = new Date(failedAt + 7 * DAY).toISOString().slice(0, 10);
  assert.match(await billingHtml(owner), new RegExp(`Your Team plan stays active until ${until}`));

  // Another workspace whose payment failed eight days ago: its grace period is over already.
  const late = await newOwner();
  await applied(await webhook(checkoutDone(late.site, Date.now() - 40 * DAY)), true);
  await applied(await webhook(invoice('invoice.payment_failed', late.site, Date.now() - 8 * DAY)), true);
  let html;
  for (let i = 0; i < 50; i++) {
    html = await billingHtml(late);
    if (/Payment not received/.test(html)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(html, /Payment not received\.<\/strong> The Free plan's limits apply/);
  assert.match(html, /<th scope="row">Seats \(members\)<\/th><td>1 of 2<\/td>/, 'the free plan\'s limits');
  await applied(await webhook(invoice('invoice.paid', late.site)), true);
  assert.match(await billingHtml(late), /Team<\/strong> · 29\.00 EUR a month/);
  const told = await auditDetails(late);
  assert.equal(told[0], 'Payment received: the Team plan is active again');
  assert.equal(told[1], 'Grace period over without payment: the Free plan\'s limits apply (nothing stored is removed)');
  assert.match(told[2], /^A payment failed: the Team plan holds until \d{4}-\d{2}-\d{2} \(grace period\)/);
});

test('the plan\'s limits hold where the action happens: seats, retention, and new conversations in the month', async () => {
  const owner = await newOwner();
  // Seats: the owner and one more on the free plan.
  const invite = await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' });
  assert.equal(invite.status, 201);
  const token = new URL((await invite.json()).url).hash.split('=')[1];
  const extra = await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' });
  assert.equal(extra.status, 201, 'an invite while a seat is free');
  const extraToken = new URL((await extra.json()).url).hash.split('=')[1];
  const joined = await api.request('POST', `/api/v1/invites/${token}/accept`, { name: 'Ada', email: `ada${n}@x.example`, password: 'agent password 1' });
  assert.equal(joined.status, 200);
  await api.expectError(await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' }), 402, 'plan_limit');
  const refused = await api.request('POST', `/api/v1/invites/${extraToken}/accept`, { name: 'Bo', email: `bo${n}@x.example`, password: 'agent password 1' });
  await api.expectError(refused, 402, 'plan_limit');
  await api.expectError(await api.request('POST', '/api/v1/auth/sign-in', { email: `bo${n}@x.example`, password: 'agent password 1' }), 401, 'invalid_credentials');

  // Retention: the free plan's ceiling is 30 days.
  const settings = await (await owner.get(`/api/v1/workspaces/${owner.site}/settings`)).json();
  const longer = await owner.put(`/api/v1/workspaces/${owner.site}/settings`, { ...settings, retention_days: 90 });
  await api.expectError(longer, 402, 'plan_limit');
  assert.equal((await owner.put(`/api/v1/workspaces/${owner.site}/settings`, { ...settings, retention_days: 30 })).status, 200);

  // Conversations: three new ones a month; a fourth visitor is told in their language.
  const started = [];
  for (let i = 0; i < 3; i++) {
    const session = await api.visitorSession(owner.site, owner.host);
    const visitor = await api.visitorSocket(owner.site, session.token);
    await visitor.hello();
    visitor.send({ type: 'send', client_id: `c_billing${String(i).padStart(5, '0')}`, body: `Hello ${i}` });
    await visitor.nextOf('ack');
    visitor.close();
    started.push(session);
  }
  // The index counts them as its feeds deliver (batches every few tens of ms).
  let usage;
  for (let i = 0; i < 50; i++) {
    usage = await billingHtml(owner);
    if (usage.includes('<td>3 of 3</td>')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(usage, /<th scope="row">Conversations started<\/th><td>3 of 3<\/td>/);
  // The agents see it in their inbox: live when it starts, on opening while it lasts, gone once
  // new chats are taken again.
  const page = await suite.browser.newPage();
  await signInToInbox(page, edge, owner);
  const notice = page.getByRole('status').filter({ hasText: 'New chats are refused' });
  assert.equal(await notice.count(), 0, 'nothing refused yet');
  const fourth = await api.request('POST', `/api/v1/sites/${owner.site}/visitor-session`, { host: owner.host, lang: 'de' });
  assert.equal(fourth.status, 402);
  assert.deepEqual(await fourth.json(), {
    error: 'plan_limit',
    message: 'Der Chat kann gerade keine neuen Gespräche annehmen. Bitte kontaktieren Sie die Website auf anderem Weg.',
  });
  // A visitor whose conversation started goes on.
  const back = await api.request('POST', `/api/v1/sites/${owner.site}/visitor-session`, { host: owner.host, token: started[0].token });
  assert.equal(back.status, 200);
  assert.equal((await back.json()).conversation_id, started[0].conversation_id);

  const html = await billingHtml(owner);
  assert.match(html, /<th scope="row">New chats refused<\/th><td>1 \(the allowance starts again on \d{4}-\d{2}-01\)<\/td>/);
  assert.match(html, /<th scope="row">Seats \(members\)<\/th><td>2 of 2<\/td>/);
  const [told] = await auditDetails(owner);
  assert.match(told, /^The Free plan's 3 conversations this month are used: new chats cannot start until \d{4}-\d{2}-01/);
  await notice.waitFor();
  assert.match(await notice.textContent(), /^New chats are refused until \d{4}-\d{2}-01: the Free plan's 3 conversations this month are used\. Conversations already started go on; an owner can change the plan on the billing page\.$/);
  await page.reload();
  await page.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  await notice.waitFor();
  await page.screenshot({ path: artifact('inbox-plan-notice.png') });
  await assertAccessible(page, 'inbox with the plan notice');

  // A paid plan lifts the limits at once; nothing that was stored went anywhere.
  await applied(await webhook(checkoutDone(owner.site)), true);
  assert.equal((await api.request('POST', `/api/v1/sites/${owner.site}/visitor-session`, { host: owner.host })).status, 200);
  await notice.waitFor({ state: 'detached' });
  await page.close();
  assert.equal((await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' })).status, 201);
});

test('only owners see billing: an admin is refused, someone signed out is sent to sign in', async () => {
  const owner = await newOwner();
  const invite = await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'admin' });
  const token = new URL((await invite.json()).url).hash.split('=')[1];
  const admin = await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`, { name: 'Ida', email: `ida${n}@x.example`, password: 'admin password 1' }));
  await api.expectError(await admin.get(`/billing/${owner.site}`), 403, 'forbidden');
  await api.expectError(await admin.post(`/billing/${owner.site}/checkout`, 'plan=team'), 403, 'forbidden');
  const signedOut = await fetch(`${edge.base}/billing/${owner.site}`, { redirect: 'manual' });
  assert.equal(signedOut.status, 303);
  assert.equal(new URL(signedOut.headers.get('location')).pathname, '/inbox');
  // Forms only from the edge's own pages.
  const forged = await fetch(`${edge.base}/billing/${owner.site}/details`, {
    method: 'POST', redirect: 'manual', headers: { cookie: owner.cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'company=x',
  });
  assert.equal(forged.status, 403);
  assert.equal((await (await owner.get('/api/v1/me')).json()).billing, true);
});

test('invoices are numbered without gaps across workspaces, issued once per payment, kept as issued, and cancelled only by a credit note', async () => {
  const [a, b] = [await newOwner(), await newOwner()];
  for (const owner of [a, b]) await applied(await webhook(checkoutDone(owner.site)), true);
  await applied(await webhook(paid(a.site, `in_a_${a.site}`)), null);
  await applied(await webhook(paid(b.site, `in_b_${b.site}`)), null);
  const replay = paid(a.site, `in_a_${a.site}`); // the processor's retry of the same payment, as a new event
  await applied(await webhook(replay), null);
  const [[ia], [ib]] = [await invoiceNumbers(a), await invoiceNumbers(b)];
  assert.equal(Number(ib.slice(4)), Number(ia.slice(4)) + 1, `${ia} then ${ib}: one series, no gap`);
  assert.deepEqual(await invoiceNumbers(a), [ia], 'one invoice for one payment');
  // Another workspace's invoice is not there for them.
  await api.expectError(await b.get(`/billing/${b.site}/invoices/${ia}`), 404, 'not_found');
  await api.expectError(await b.get(`/billing/${a.site}/invoices/${ia}`), 403, 'forbidden');

  const before = await (await a.get(`/billing/${a.site}/invoices/${ia}`)).text();
  const admin = { authorization: `Bearer ${devVars().ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const credit = (number, headers = admin) => fetch(`${edge.base}/api/v1/admin/invoices/${number}/credit-note`, {
    method: 'POST', headers, body: JSON.stringify({ reason: 'Charged twice' }),
  });
  await api.expectError(await credit(ia, { 'content-type': 'application/json' }), 401, 'unauthorized');
  const res = await credit(ia);
  assert.equal(res.status, 201);
  const note = await res.json();
  assert.match(note.number, /^CN-\d{6}$/);
  assert.equal(note.draft.total, -3451);
  assert.deepEqual(await (await credit(ia)).json(), note, 'one credit note per invoice');
  await api.expectError(await credit('INV-999999'), 404, 'not_found');
  assert.equal(await (await a.get(`/billing/${a.site}/invoices/${ia}`)).text(), before, 'the invoice is as it was issued');
  assert.deepEqual(await invoiceNumbers(a), [note.number, ia]);
  const html = await (await a.get(`/billing/${a.site}/invoices/${note.number}`)).text();
  assert.match(html, new RegExp(`Cancels invoice ${ia}`));
  assert.match(html, /Total: -34\.51 EUR/);
  assert.ok((await auditDetails(a)).includes(`Credit note ${note.number} issued for invoice ${ia}`));
});

test('billing records outlive a closed workspace, and the record of processing says so', async () => {
  const owner = await newOwner();
  const record = await (await fetch(`${edge.base}/privacy/${owner.site}/record`)).text();
  assert.match(record, /<h2>Billing of this workspace<\/h2>/);
  assert.match(record, /also after the workspace is closed\. Erasing a visitor never reaches them\./);
  await applied(await webhook(checkoutDone(owner.site)), true);
  await applied(await webhook(paid(owner.site, `in_closing_${owner.site}`)), null);
  const [number] = await invoiceNumbers(owner);
  assert.equal((await owner.post(`/api/v1/workspaces/${owner.site}/close`, { confirm: owner.site })).status, 200);
  // The workspace is gone for everyone; its invoice is still in the operator's ledger.
  await api.expectError(await owner.get(`/billing/${owner.site}`), 403, 'forbidden');
  const res = await fetch(`${edge.base}/api/v1/admin/invoices/${number}/credit-note`, {
    method: 'POST', headers: { authorization: `Bearer ${devVars().ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'Workspace closed mid-period' }),
  });
  assert.equal(res.status, 201);
  const note = await res.json();
  assert.deepEqual(note.kind, { credit_note: { of: number, reason: 'Workspace closed mid-period' } });
  assert.equal(note.draft.site, owner.site);
});

test('a plan without email sends no notification mail while account mail still goes, and the month\'s emails are counted', async () => {
  const owner = await newOwner();
  // Visitor replies by email: a notification, which the free plan here leaves out.
  const chat = async (address, n) => {
    const session = await api.visitorSession(owner.site, owner.host);
    const visitor = await api.visitorSocket(owner.site, session.token);
    const { conversation_id: id } = await visitor.hello();
    visitor.send({ type: 'send', client_id: `c_mailvis${n}000`, body: 'Is the blue vase in stock?' });
    await visitor.nextOf('ack');
    visitor.send({ type: 'contact', email: address, email_replies: true });
    await new Promise((r) => setTimeout(r, 200));
    visitor.close();
    const agent = await owner.socket(`/api/v1/workspaces/${owner.site}/conversations/${id}/connect`);
    await agent.hello();
    agent.send({ type: 'send', client_id: `c_mailagt${n}000`, body: 'Yes, it ships tomorrow.' });
    await agent.nextOf('ack');
    agent.close();
  };
  await chat(`ana${n}@visitor.example`, 1);
  // An invite by email is account mail: it goes on any plan.
  assert.equal((await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent', email: `ben${n}@x.example` })).status, 201);
  await nextMail(suite.stateDir, `ben${n}@x.example`, 'invited you');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await mailTo(suite.stateDir, `ana${n}@visitor.example`)).length, 0, 'no replies by email on this plan');
  assert.match(await billingHtml(owner), /<th scope="row">Emails sent<\/th><td>1 \(not in this plan\)<\/td>/);

  // On a plan with email, the visitor gets the replies.
  await applied(await webhook(checkoutDone(owner.site)), true);
  await chat(`cai${n}@visitor.example`, 2);
  const mail = await nextMail(suite.stateDir, `cai${n}@visitor.example`, 'replied to your message');
  assert.match(mail.text, /Yes, it ships tomorrow\./);
  assert.match(await billingHtml(owner), /<th scope="row">Emails sent<\/th><td>2<\/td>/);
});

test('a workspace in the EU data region takes new chats only on a plan with the EU region, and keeps everything meanwhile', async () => {
  const owner = await newOwner({ data_region: 'eu' });
  assert.match(owner.site, /-eu$/);
  const refused = await api.request('POST', `/api/v1/sites/${owner.site}/visitor-session`, { host: owner.host });
  await api.expectError(refused, 402, 'plan_limit');
  let html = await billingHtml(owner);
  assert.match(html, /<th scope="row">Data region<\/th><td>European Union \(not in this plan: new chats cannot start\)<\/td>/);
  assert.match((await auditDetails(owner))[0], /^The Free plan takes no new conversations in this workspace/);
  await applied(await webhook(checkoutDone(owner.site)), true);
  assert.equal((await api.request('POST', `/api/v1/sites/${owner.site}/visitor-session`, { host: owner.host })).status, 200);
  html = await billingHtml(owner);
  assert.match(html, /European Union \(in this plan\)/);
});
