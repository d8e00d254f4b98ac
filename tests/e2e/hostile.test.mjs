// Hostile input end to end, in Chromium against the real edge: a corpus of XSS payloads (script
// tags, event handlers, `javascript:` URLs, SVG, mXSS, template strings, bidi overrides, very
// long strings) goes in through every door a visitor, a site's page or an agent has — chat
// messages and notes, contact details, identify, custom attributes, page addresses and titles,
// the user agent, workspace and banner settings, the agent's own name — and then every place that
// shows them is opened: the widget and its privacy choices, the inbox (conversations, visitor
// profile, settings, team, account, consent and audit logs, data requests), the notice pages, the
// preview, and the exports. Payloads set `window.__pvx_xss` and open a dialog if they ever run, and
// every element they would inject carries `data-pvx`: nothing may run, open or appear, and every
// payload must come back as the plain text it was. What the edge refuses gets a typed error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { startSuite, stopSuite } from '../support/suite.mjs';

const RUN = 'window.__pvx_xss=1,alert(1)';
/** Payloads that fit everywhere text goes (each at most 80 characters, no control characters). */
const CORPUS = [
  `<script data-pvx>${RUN}</script>`,
  `<img src=x data-pvx onerror=${RUN}>`,
  `"><img src=x data-pvx onerror=${RUN}>`,
  `'><svg data-pvx onload=${RUN}>`,
  `<svg><script data-pvx>${RUN}</script></svg>`,
  `javascript:${RUN}`,
  `<a data-pvx href="javascript:${RUN}">x</a>`,
  `<iframe data-pvx src="javascript:${RUN}">`,
  `<details data-pvx open ontoggle=${RUN}>`,
  `<input data-pvx autofocus onfocus=${RUN}>`,
  '</textarea></title></style></script><b data-pvx>x</b>',
  `{{constructor.constructor('${RUN}')()}}`,
  `\${${RUN}}`,
  `<body data-pvx onload=${RUN}>`,
  `<meta data-pvx http-equiv=refresh content="0;url=javascript:${RUN}">`,
  `<object data-pvx data="javascript:${RUN}">`,
  `[x](javascript:${RUN})`,
  `&lt;img src=x data-pvx onerror=${RUN}&gt;`,
  '<style data-pvx>*{display:none!important}</style>',
  `=HYPERLINK("javascript:${RUN}")`,
  `<x data-pvx onpointerover=${RUN} style=position:fixed;inset:0>`,
  `%3Cscript%3E${RUN}%3C/script%3E`,
  "<img src=x data-pvx onerror=eval(atob('d2luZG93Ll9fcHZ4X3hzcz0x'))>",
];
/** Only where long text or any character may go (chat messages). */
const MESSAGE_ONLY = [
  `<math><mtext><table><mglyph><style><img data-pvx src=x onerror=${RUN}>`,
  '\u202Egnp.exe <b data-pvx>x</b> \u2066isolate\u2069',
  `nul\u0000<b data-pvx>x</b>`,
  'x'.repeat(4000),
];
const BIDI_NAME = 'Ana \u202Enimda';
/** An agents' private note: never shown to the visitor. */
const NOTE = `note ${CORPUS[1]}`;
/** Emails refuse markup characters, so what reaches an email field is quotes and braces. */
const HOSTILE_EMAIL = "x'onfocus='window.__pvx_xss=1'autofocus='@evil.example";
const TEMPLATE_EMAIL = '{{7*7}}${7*7}`x`@evil.example';

const OWNER = { name: CORPUS[1], email: '=cmd+hostile@hostile.example', password: 'hostile owner password' };
// Hostile values sent (accepted or refused): the owner's name, address and workspace name first.
let suite, edge, api, owner, site, host, tried = 3;

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const TITLE = CORPUS[10];
const shopPage = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(TITLE)}</title></head>
<body><h1>Hostile Shop</h1><a href="/next?from=${encodeURIComponent(CORPUS[3])}">Next page</a>
<script src="${edge.edge}/widget.js" data-site="${site}" async></script></body></html>`;

before(async () => {
  suite = await startSuite('hostile', {
    owner: { ...OWNER, workspace_name: CORPUS[2], website: '127.0.0.1' },
    pages: () => shopPage(),
  });
  ({ edge, api, owner, site, host } = suite);
});
after(() => stopSuite(suite));

/** Finds what a payload would have left behind in one document and its open shadow roots. */
function inspect() {
  const found = [];
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i].querySelectorAll('*')) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
      if (el.hasAttribute('data-pvx')) found.push(`<${el.localName} data-pvx>`);
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) found.push(`<${el.localName} ${a.name}>`);
        if (/^(href|src|action|formaction|data|xlink:href)$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) {
          found.push(`<${el.localName} ${a.name}=javascript:…>`);
        }
      }
      if (el.localName === 'script' && el.textContent.includes('__pvx')) found.push('<script> with a payload');
      if (el.localName === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x>');
    }
  }
  if (window.__pvx_xss) found.push('window.__pvx_xss is set');
  return found;
}

/** Watches a browser context: dialogs and CSP refusals (an injected handler the CSP blocked). */
function watch(context) {
  const seen = [];
  context.on('dialog', (d) => { seen.push(`dialog: ${d.message()}`); d.dismiss().catch(() => {}); });
  context.on('page', (p) => p.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(`CSP: ${m.text().slice(0, 160)}`);
  }));
  return seen;
}

/** Every frame of `page` (the widget's too) is clean, and the context saw no dialog or CSP refusal. */
async function assertClean(page, seen, where) {
  const problems = [...seen];
  for (const frame of page.frames()) {
    if (frame.url().startsWith('chrome-error:') || frame.url() === 'about:blank') continue;
    const found = await frame.evaluate(inspect).catch((e) => [`cannot inspect ${frame.url()}: ${e.message}`]);
    problems.push(...found.map((f) => `${frame.url().slice(0, 80)}: ${f}`));
  }
  assert.deepEqual(problems, [], `${where}: nothing ran, opened or was injected`);
}

async function expectFrameError(socket, code, where) {
  const error = await socket.nextOf('error');
  assert.equal(error.code, code, `${where}: ${JSON.stringify(error)}`);
  assert.ok(error.message.length > 0, `${where}: a readable message`);
  return error;
}

/** A call from the customer's page (CORS), as api.js makes it. */
const fromPage = (route, body, headers = {}) =>
  api.request('POST', `/api/v1/sites/${site}${route}`, { host, ...body }, { origin: host, headers });

test('the edge refuses what it must with a typed error, and keeps hostile text as text', async () => {
  // Settings texts: every field the owner writes, the banner's too.
  const settingsRoute = `/api/v1/workspaces/${site}/settings`;
  const settings = await (await owner.get(settingsRoute)).json();
  const hostileSettings = {
    ...settings,
    name: CORPUS[2], team_name: CORPUS[3], greeting: CORPUS[0], offline_message: MESSAGE_ONLY[0],
    launcher_text: '<svg data-pvx onload=alert(1)>',
    canned_responses: [{ shortcut: 'x', text: CORPUS[7] }],
  };
  const saved = await owner.put(settingsRoute, hostileSettings);
  assert.equal(saved.status, 200, await saved.clone().text());
  tried += 6;
  await api.expectError(await owner.put(settingsRoute, { ...hostileSettings, team_name: BIDI_NAME }), 400, 'invalid_input');
  await api.expectError(await owner.put(settingsRoute, { ...hostileSettings, name: 'n'.repeat(81) }), 400, 'invalid_input');
  await api.expectError(await owner.put(settingsRoute, {
    ...hostileSettings, business_hours: { time_zone: 'UTC', days: Array(5000).fill(0), open: 0, close: 60 },
  }), 400, 'invalid_input');
  tried += 3;

  const consentRoute = `/api/v1/workspaces/${site}/consent-settings`;
  const consent = await (await owner.get(consentRoute)).json();
  const en = consent.texts.en;
  const texts = {
    ...consent.texts,
    en: {
      title: CORPUS[4], text: CORPUS[8],
      necessary: { name: CORPUS[9], description: CORPUS[14] },
      preferences: { name: CORPUS[11], description: CORPUS[15] },
      analytics: { name: CORPUS[12], description: CORPUS[16] },
      marketing: { name: CORPUS[13], description: en.marketing.description },
    },
  };
  const policyUrl = 'https://x.example/?a="><svg/data-pvx/onload=alert(1)>';
  const consentSaved = await owner.put(consentRoute, { ...consent, policy_url: policyUrl, texts });
  assert.equal(consentSaved.status, 200, await consentSaved.clone().text());
  await api.expectError(await owner.put(consentRoute, { ...consent, policy_url: `javascript:${RUN}` }), 400, 'invalid_input');
  await api.expectError(await owner.put(consentRoute, { ...consent, categories: Array(1000).fill('analytics') }), 400, 'invalid_input');
  tried += 9 + 2;

  // A visitor straight through the API: contact frames, messages and their refusals.
  const session = await api.visitorSession(site, host);
  const b = await api.visitorSocket(site, session.token);
  await b.hello();
  const refusedContacts = [
    { name: BIDI_NAME }, { name: 'n'.repeat(81) }, { email: 'ana@x.example?cc=boss@x.example' },
    { email: 'ana&bob@x.example' }, { email: `${CORPUS[1]}@x.example` }, { email: 'ana\u202E@x.example' },
    { name: `tab\tname` },
  ];
  for (const contact of refusedContacts) {
    b.send({ type: 'contact', ...contact });
    await expectFrameError(b, 'invalid_input', `contact ${JSON.stringify(contact)}`);
  }
  b.send({ type: 'contact', name: CORPUS[4], email: TEMPLATE_EMAIL });
  tried += refusedContacts.length + 2;
  b.send({ type: 'send', client_id: 'c_toolong001', body: 'x'.repeat(4001) });
  assert.equal((await expectFrameError(b, 'message_too_long', 'a 4001-character message')).client_id, 'c_toolong001');
  b.send(`{"type":"send","client_id":"c_hugeframe1","body":"${'y'.repeat(40_000)}"}`);
  await expectFrameError(b, 'malformed_frame', 'a frame over 32 KB');
  const bMessages = [...CORPUS.slice(12), ...MESSAGE_ONLY];
  for (const [i, body] of bMessages.entries()) {
    b.send({ type: 'send', client_id: `c_hostileb${String(i).padStart(3, '0')}`, body });
    await b.nextOf('ack');
  }
  tried += bMessages.length + 2;
  b.close();

  // The agent answers in B's conversation with the rest of the corpus, and a hostile note.
  const agentB = await owner.socket(`/api/v1/workspaces/${site}/conversations/${session.conversation_id}/connect`);
  await agentB.hello();
  for (const [i, body] of CORPUS.slice(0, 12).entries()) {
    agentB.send({ type: 'send', client_id: `a_hostileb${String(i).padStart(3, '0')}`, body });
    await agentB.nextOf('ack');
  }
  agentB.send({ type: 'send', client_id: 'n_hostileb001', body: NOTE, note: true });
  await agentB.nextOf('ack');
  tried += 13;
  // What comes back is exactly what was sent: stored as text, nothing dropped or rewritten.
  const replay = await owner.socket(`/api/v1/workspaces/${site}/conversations/${session.conversation_id}/connect`);
  const stored = (await replay.hello()).messages.map((m) => m.body);
  for (const body of [...bMessages, ...CORPUS.slice(0, 12), NOTE]) assert.ok(stored.includes(body), `kept as sent: ${JSON.stringify(body.slice(0, 60))}`);
  agentB.close();
  replay.close();

  // The site's page calls: identify, attributes, page views, the browser context.
  const token = session.token;
  for (const [route, body] of [
    ['/identify', { token, id: 'i'.repeat(129) }],
    ['/identify', { token, id: 'user-1', name: BIDI_NAME }],
    ['/identify', { token, id: 'user-1', email: 'a@x.example?bcc=b@y.example' }],
    ['/attributes', { token, attributes: { ['k'.repeat(41)]: 1 } }],
    ['/attributes', { token, attributes: { bio: 'v'.repeat(501) } }],
    ['/attributes', { token, attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, CORPUS[i % CORPUS.length]])) }],
    ['/attributes', { token, attributes: { nested: { html: CORPUS[0] } } }],
    ['/pageview', { token, url: `javascript:${RUN}` }],
    ['/pageview', { token, url: 'data:text/html,<script>alert(1)</script>' }],
    ['/pageview', { token, url: `${host}/x`, context: { language: CORPUS[1], time_zone: 'UTC', screen: 'large' } }],
    ['/pageview', { token, url: `${host}/x`, context: { language: 'en', time_zone: 'z'.repeat(65), screen: 'large' } }],
  ]) {
    await api.expectError(await fromPage(route, body), 400, 'invalid_input');
    tried += 1;
  }
  const badContext = await api.request('POST', `/api/v1/sites/${site}/visitor-session`, {
    host, token, context: { language: '<img src=x onerror=alert(1)>', time_zone: 'UTC', screen: 'small' },
  });
  await api.expectError(badContext, 400, 'invalid_input');
  // The visitor's own data requests refuse the same values as the forms do.
  for (const request of [{ kind: 'correct', email: 'a@x.example?x=1' }, { kind: 'correct', name: BIDI_NAME }]) {
    await api.expectError(await api.post(`/api/v1/sites/${site}/my-data`, { token, request }), 400, 'invalid_input');
  }
  tried += 3;
});

test('no payload runs, opens a dialog or injects an element in the widget, the inbox, the notice pages or the exports', async () => {
  const { browser } = suite;
  // The visitor: a hostile user agent, an address full of markup, a title that closes tags.
  const ua = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 ${CORPUS[1]}`;
  const visitorContext = await browser.newContext({ userAgent: ua, acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  const seen = watch(visitorContext);
  // The detector itself: a payload planted on purpose, where nothing escapes it, is found.
  const probe = await visitorContext.newPage();
  await probe.setContent('<body></body>');
  await probe.evaluate((html) => { document.body.innerHTML = html; }, CORPUS[1]);
  await probe.waitForFunction(() => window.__pvx_xss === 1);
  const planted = await probe.evaluate(inspect);
  assert.ok(planted.includes('<img data-pvx>') && planted.includes('<img onerror>'), planted.join());
  assert.ok(seen.some((s) => s.startsWith('dialog')), 'the dialog is seen');
  seen.length = 0;
  await probe.close();
  const page = await visitorContext.newPage();
  await page.goto(`${host}/shop/${encodeURIComponent(CORPUS[1])}?q=${encodeURIComponent(CORPUS[3])}&utm_source=${encodeURIComponent(CORPUS[0])}`);
  assert.equal(await page.title(), TITLE, 'the page title is the raw payload');
  const widget = page.frameLocator('iframe[title="Chat"]');

  // The banner (the loader's, on the page) and the privacy choices show the hostile texts as text.
  const banner = page.getByRole('dialog');
  await banner.getByText(CORPUS[8]).waitFor();
  assert.equal(await banner.getByRole('link').first().getAttribute('href'), 'https://x.example/?a="><svg/data-pvx/onload=alert(1)>');
  await banner.getByRole('button', { name: 'Customize' }).click();
  const prefs = widget.getByRole('dialog', { name: 'Privacy choices' });
  await prefs.getByText(CORPUS[16], { exact: true }).waitFor();
  await assertClean(page, seen, 'consent banner and privacy choices');
  await prefs.getByRole('button', { name: 'Accept all' }).click();
  await page.waitForFunction(() => window.Provixchat?.consent?.get()?.analytics === true);
  tried += 3; // address, title, user agent

  // A second page, with the first as its referrer (page activity is captured with analytics).
  await page.getByRole('link', { name: 'Next page' }).click();
  await page.waitForURL(/\/next/);

  // The chat: the hostile greeting or offline message, team name and launcher text as text.
  const launcher = page.getByRole('button', { name: /Open chat/ });
  await launcher.getByText('<svg data-pvx onload=alert(1)>', { exact: true }).waitFor();
  await launcher.click();
  const composer = widget.getByRole('textbox', { name: 'Message' });
  await composer.waitFor();
  await widget.getByText(MESSAGE_ONLY[0], { exact: true }).or(widget.getByText(CORPUS[0], { exact: true })).first().waitFor();
  await widget.getByText(CORPUS[3], { exact: true }).first().waitFor();
  // Typed by the visitor, and sent from the page's API.
  for (const body of CORPUS.slice(0, 3)) {
    await composer.fill(body);
    await composer.press('Enter');
  }
  for (const body of CORPUS.slice(3, 10)) await page.evaluate((text) => Provixchat.sendMessage(text), body);
  await widget.getByText(CORPUS[9], { exact: true }).waitFor();
  await widget.getByText('Sent', { exact: true }).last().waitFor();
  tried += 10;
  // The page's API with hostile values (the conversation has started, so agents see the name);
  // its refusals reject with the edge's code.
  const identified = await page.evaluate(([id, name, email]) => Provixchat.identify({ id, name, email }), [CORPUS[5], CORPUS[2], HOSTILE_EMAIL]);
  assert.deepEqual(identified, { verified: false });
  const attributes = { '<svg data-pvx onload=alert(1)>': CORPUS[0], '"><b data-pvx>k</b>': CORPUS[6], 'javascript:alert(1)': CORPUS[9], '{{constructor}}': CORPUS[17], plan: 'pro', seats: 3 };
  await page.evaluate((a) => Provixchat.setAttributes(a), attributes);
  const refusal = (call) => page.evaluate(`(${call})().then(() => 'accepted', (e) => e.message)`);
  assert.equal(await refusal(() => Provixchat.identify({ id: 'user-2', name: 'Ana \u202Enimda' })), 'invalid_input');
  assert.equal(await refusal(() => Provixchat.setAttributes({ ['k'.repeat(41)]: 1 })), 'invalid_input');
  tried += 3 + 8 + 2;
  const token = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)).token, `provixchat.${site}`);
  const conversation = token.split('.')[3];

  // The agent (whose name is a payload) answers with the corpus; the visitor sees it live.
  const agent = await owner.socket(`/api/v1/workspaces/${site}/conversations/${conversation}/connect`);
  await agent.hello();
  for (const [i, body] of [...CORPUS.slice(10), ...MESSAGE_ONLY.slice(0, 3)].entries()) {
    agent.send({ type: 'send', client_id: `a_hostilea${String(i).padStart(3, '0')}`, body });
    await agent.nextOf('ack');
  }
  agent.send({ type: 'send', client_id: 'n_hostilea001', body: NOTE, note: true });
  await agent.nextOf('ack');
  agent.close();
  tried += CORPUS.length - 10 + 4;
  const shown = widget.locator('.pvx-body');
  for (let i = 0; i < 50 && (await shown.count()) < 26; i++) await page.waitForTimeout(100);
  assert.equal(await shown.count(), 26, 'every message shows once');
  await widget.getByText(OWNER.name, { exact: true }).first().waitFor();
  assert.equal(await widget.getByText(NOTE, { exact: true }).count(), 0, 'the note stays with the agents');
  await assertClean(page, seen, 'the chat');

  // "Download my data": the file holds every payload as sent; opened in the browser it is text.
  await widget.getByRole('button', { name: 'Privacy choices' }).click();
  const yours = widget.getByRole('region', { name: 'Your data' });
  const [download] = await Promise.all([page.waitForEvent('download'), yours.getByRole('button', { name: 'Download my data' }).click()]);
  const file = await download.path();
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  const bodies = exported.conversations.flatMap((c) => c.messages.map((m) => m.body));
  for (const body of [...CORPUS, ...MESSAGE_ONLY.slice(0, 3)]) assert.ok(bodies.includes(body), `exported as sent: ${body.slice(0, 50)}`);
  assert.equal(exported.profile.name, CORPUS[2]);
  assert.equal(exported.profile.email, HOSTILE_EMAIL.toLowerCase());
  assert.deepEqual(exported.profile.identity, { id: CORPUS[5], verified: false });
  assert.equal(exported.profile.attributes['{{constructor}}'], CORPUS[17]);
  assert.ok(exported.profile.pages.some((p) => p.title === TITLE), 'the title is kept as text');
  assert.ok(exported.profile.device.browser.length <= 40, exported.profile.device.browser);
  await assertClean(page, seen, 'the privacy choices after the download');
  const viewer = await visitorContext.newPage();
  await viewer.goto(pathToFileURL(file).href);
  await assertClean(viewer, seen, 'the downloaded export opened in the browser');
  await viewer.close();

  // The inbox: every view that shows visitor or setting text.
  const agentContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const agentSeen = watch(agentContext);
  const inbox = await agentContext.newPage();
  await signInToInbox(inbox, edge, OWNER);
  const list = inbox.getByRole('list', { name: 'Conversations' }).getByRole('button');
  await list.nth(1).waitFor();
  await assertClean(inbox, agentSeen, 'the conversation list');
  for (let i = 0; i < (await list.count()); i++) {
    await list.nth(i).click();
    const view = inbox.getByRole('region', { name: /^Conversation with/ });
    await view.getByText(CORPUS[11], { exact: true }).first().waitFor();
    const pane = inbox.getByRole('complementary', { name: 'Visitor' });
    await pane.waitFor();
    await inbox.waitForTimeout(300);
    await assertClean(inbox, agentSeen, `conversation ${i} and its visitor profile`);
  }
  // The browser visitor's profile shows attributes, identity and pages as text.
  await list.filter({ hasText: CORPUS[2] }).click();
  await inbox.getByRole('region', { name: `Conversation with ${CORPUS[2]}` }).waitFor();
  const pane = inbox.getByRole('complementary', { name: 'Visitor' });
  await pane.getByText(CORPUS[17], { exact: true }).waitFor();
  await pane.getByText(TITLE).first().waitFor();
  for (const href of await pane.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    assert.match(href, /^(https?:|mailto:|\/|#)/, `a link from visitor data goes nowhere unexpected: ${href}`);
  }
  const nav = (name) => inbox.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name });
  for (const [name, heading] of [['Settings', 'Settings'], ['Team', 'Team'], ['Account', 'Account'], ['Consent log', 'Consent log'], ['Audit log', 'Audit log'], ['Data requests', 'Data requests']]) {
    await nav(name).click();
    await inbox.getByRole('heading', { name: heading, exact: true }).first().waitFor();
    await inbox.waitForTimeout(200);
    await assertClean(inbox, agentSeen, `the ${name} page`);
  }
  await inbox.getByRole('searchbox', { name: 'Email or visitor ID' }).fill(token.split('.')[2]);
  await inbox.getByRole('button', { name: 'Find', exact: true }).click();
  const card = inbox.getByRole('article', { name: CORPUS[2] });
  await card.waitFor();
  const [adminDownload] = await Promise.all([inbox.waitForEvent('download'), card.getByRole('button', { name: 'Download data' }).click()]);
  const adminExport = JSON.parse(readFileSync(await adminDownload.path(), 'utf8'));
  assert.ok(adminExport.conversations[0].messages.some((m) => m.note && m.body === NOTE), 'the admin export keeps the note as text');
  await assertClean(inbox, agentSeen, 'a data subject\'s card');

  // The public notice, the record of processing and the preview, rendered by the edge itself.
  for (const path of [`/privacy/${site}`, `/privacy/${site}/record`, `/preview/${site}`]) {
    await inbox.goto(`${edge.edge}${path}`);
    await inbox.getByText(CORPUS[2]).first().waitFor();
    await assertClean(inbox, agentSeen, path);
  }

  // The CSV exports: formulas are defused (the owner's address starts with "=").
  const audit = await owner.get(`/api/v1/workspaces/${site}/audit?format=csv`);
  const csv = await audit.text();
  assert.ok(csv.includes(`"'${OWNER.email}"`), 'a cell starting with = is defused');
  assert.ok(!/(^|,)"[=+\-@]/m.test(csv), 'no cell starts a formula');
  const consentCsv = await (await owner.get(`/api/v1/workspaces/${site}/consents?format=csv`)).text();
  assert.ok(!/(^|,)"?[=+\-@]/m.test(consentCsv.split('\n').slice(1).join('\n')), 'no consent log cell starts a formula');

  await visitorContext.close();
  await agentContext.close();
  console.log(`# hostile inputs tried: ${tried} (corpus of ${CORPUS.length + MESSAGE_ONLY.length} payloads)`);
});
