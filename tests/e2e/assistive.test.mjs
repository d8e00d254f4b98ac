// What axe cannot see, checked in Chromium against the real edge: what a screen reader would
// announce as a conversation goes on (by the ARIA live-region rules, recorded in the page), that
// every Tab stop is visible and not hidden under the panel's own header or composer (WCAG 2.4.7,
// 2.4.11), and that no text is cut off with the text spacing of WCAG 1.4.12.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, owner, site;
const PASSWORD = 'assistive test password 1';
const EMAIL = 'owner@assistive.example';

before(async () => {
  suite = await startSuite('assistive', { browser: true });
  ({ api } = suite);
  owner = await api.signUp({ name: 'Olga', email: EMAIL, password: PASSWORD, workspace_name: 'Voice Shop', website: '127.0.0.1' });
  site = owner.me.workspaces[0].id;
});
after(() => stopSuite(suite));

const widgetFrame = (page) => page.frames().find((f) => f.url().includes('/embed/'));

/** Runs in every frame before its scripts: records what a screen reader would announce, by the
 * ARIA rules for live regions (an `aria-live` element or role status, alert or log; what
 * `aria-relevant` lets through; a status or alert said whole), in `window.__said`. */
function recordAnnouncements() {
  window.__said = [];
  const regionOf = (node) => {
    for (let el = node.nodeType === 1 ? node : node.parentElement; el; el = el.parentElement) {
      const live = el.getAttribute('aria-live');
      if (live === 'off') return null;
      if (live || ['status', 'alert', 'log'].includes(el.getAttribute('role'))) return el;
    }
    return null;
  };
  const say = (region, text) => {
    text = (text ?? '').trim().replace(/\s+/g, ' ');
    if (!text) return;
    const role = region.getAttribute('role');
    const politeness = region.getAttribute('aria-live') || (role === 'alert' ? 'assertive' : 'polite');
    window.__said.push({ politeness, text, region: role || 'live' });
  };
  new MutationObserver((mutations) => {
    // Nodes added together are one change: a message and its parts are one addition (a screen
    // reader reads the tree once it has settled, not each DOM call that built it).
    const added = mutations.flatMap((m) => [...m.addedNodes]);
    const partOfAnother = (n) => added.some((a) => a !== n && a.contains(n));
    for (const m of mutations) {
      const region = regionOf(m.target);
      if (!region) continue;
      const role = region.getAttribute('role');
      const relevant = (region.getAttribute('aria-relevant') || 'additions text').split(/\s+/);
      const atomic = (region.getAttribute('aria-atomic') ?? String(role === 'status' || role === 'alert')) === 'true';
      const lets = (kind) => relevant.includes(kind) || relevant.includes('all');
      if (m.type === 'characterData') {
        if (lets('text')) say(region, atomic ? region.textContent : m.target.data);
        continue;
      }
      for (const n of m.addedNodes) {
        if (partOfAnother(n) || !n.isConnected) continue;
        if (lets(n.nodeType === Node.TEXT_NODE ? 'text' : 'additions')) say(region, atomic ? region.textContent : n.textContent);
      }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const heard = (target) => target.evaluate(() => window.__said);
const times = (said, pick) => said.filter(({ text }) => pick(text)).length;

test('a screen reader hears each message once as it arrives, "Sent" and "Seen" once, and who is typing', async () => {
  const visitorContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const inboxContext = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await visitorContext.addInitScript(recordAnnouncements);
  await inboxContext.addInitScript(recordAnnouncements);
  try {
    const inbox = await inboxContext.newPage();
    await signInToInbox(inbox, suite.edge, { email: EMAIL, password: PASSWORD });
    const page = await visitorContext.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Norway?');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByText('Sent', { exact: true }).waitFor();

    await inbox.getByRole('button', { name: /Do you ship to Norway\?/ }).click();
    const view = inbox.getByRole('region', { name: /Conversation with Visitor/ });
    await widget.getByText('Seen', { exact: true }).waitFor();
    await view.getByRole('textbox', { name: 'Message' }).pressSequentially('Yes, in 3');
    await widget.getByText('Olga is typing…').waitFor();
    await view.getByRole('textbox', { name: 'Message' }).fill('Yes, in 3 to 5 days.');
    await view.getByRole('button', { name: 'Send' }).click();
    await widget.getByText('Yes, in 3 to 5 days.').waitFor();
    await widget.getByRole('textbox', { name: 'Message' }).fill('Thank you!');
    await widget.getByRole('button', { name: 'Send' }).click();
    await view.getByText('Thank you!').waitFor();
    await widget.getByText('Seen', { exact: true }).waitFor();
    await new Promise((r) => setTimeout(r, 500));

    const visitor = await heard(widgetFrame(page));
    console.log(`# the visitor's screen reader: ${visitor.map((s) => `[${s.politeness}] ${s.text}`).join(' | ')}`);
    assert.equal(times(visitor, (t) => t.includes('Do you ship to Norway?')), 1, 'their own message, once');
    assert.equal(times(visitor, (t) => t.includes('Yes, in 3 to 5 days.')), 1, "the agent's answer, once");
    assert.ok(visitor.some(({ text }) => text.includes('Yes, in 3 to 5 days.') && text.includes('Olga')), 'with who wrote it');
    assert.equal(times(visitor, (t) => t.includes('Thank you!')), 1);
    assert.equal(times(visitor, (t) => t === 'Your message was sent'), 2, '"sent" once per message');
    assert.equal(times(visitor, (t) => t === 'Your message was seen'), 2, '"seen" once each time the agent read');
    assert.ok(visitor.some(({ text }) => text === 'Olga is typing…'), 'who is typing');
    assert.equal(times(visitor, (t) => /^\d{1,2}[:.]\d{2}( ?[AP]M)?$/.test(t)), 0, 'a time on its own is never read out');
    assert.ok(visitor.every(({ politeness }) => politeness === 'polite'), 'nothing interrupts');

    const agent = await heard(inbox);
    console.log(`# the agent's screen reader: ${agent.map((s) => `[${s.politeness}] ${s.text}`).join(' | ')}`);
    assert.ok(times(agent, (t) => t.includes('Thank you!')) >= 1, "the visitor's new message");
    assert.equal(times(agent, (t) => t === 'Your message was sent'), 1, 'their own reply: "sent", once');
    assert.equal(times(agent, (t) => /^\d{1,2}[:.]\d{2}( ?[AP]M)?$/.test(t)), 0, 'a time on its own is never read out');
  } finally {
    await visitorContext.close();
    await inboxContext.close();
  }
});

/** Where focus is (through shadow roots), whether any of it can be seen — within the viewport
 * and not covered by something else of the page — and whether it shows a focus indicator. */
function focusState() {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body || el.tagName === 'IFRAME') return { tag: el?.tagName.toLowerCase() ?? '' };
  const r = el.getBoundingClientRect();
  const root = el.getRootNode();
  const points = [[0.5, 0.5], [0.15, 0.15], [0.85, 0.15], [0.15, 0.85], [0.85, 0.85]]
    .map(([x, y]) => [r.left + r.width * x, r.top + r.height * y])
    .filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  const visible = points.some(([x, y]) => {
    const hit = root.elementFromPoint(x, y);
    return hit && (hit === el || el.contains(hit) || (el.labels && [...el.labels].some((l) => l.contains(hit))));
  });
  const style = getComputedStyle(el);
  const indicator = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  const name = (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || el.tagName).trim().replace(/\s+/g, ' ').slice(0, 50);
  return { tag: el.tagName.toLowerCase(), name, visible, indicator };
}

/** Presses Tab `steps` times in `page`; at each stop inside `target` (the page or a frame),
 * asserts what `focusState` says. Answers the names of the stops checked. */
async function walk(page, target, steps, where) {
  const stops = [];
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    const state = await target.evaluate(focusState);
    if (!state.name) continue;
    assert.ok(state.visible, `${where}: "${state.name}" (${state.tag}) has focus but cannot be seen`);
    assert.ok(state.indicator, `${where}: "${state.name}" (${state.tag}) shows no focus indicator`);
    stops.push(state.name);
  }
  return stops;
}

test('every Tab stop in the chat panel and the inbox can be seen, never under the panel\'s own header or composer', async () => {
  const visitorContext = await suite.browser.newContext({ viewport: { width: 1200, height: 700 } });
  const inboxContext = await suite.browser.newContext({ viewport: { width: 1280, height: 640 } });
  try {
    const inbox = await inboxContext.newPage();
    await signInToInbox(inbox, suite.edge, { email: EMAIL, password: PASSWORD });
    const page = await visitorContext.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}&page=focus`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    // A long conversation, so the message list scrolls between the header and the composer.
    for (let i = 1; i <= 14; i++) {
      await widget.getByRole('textbox', { name: 'Message' }).fill(`Question number ${i}, with a link https://shop.example/p/${i}`);
      await widget.getByRole('button', { name: 'Send' }).click();
    }
    await widget.getByRole('list', { name: 'Messages' }).getByText('Question number 14', { exact: false }).waitFor();
    await widget.getByText('Sent', { exact: true }).last().waitFor();
    await widget.getByRole('textbox', { name: 'Message' }).focus();
    const panelStops = await walk(page, widgetFrame(page), 12, 'chat panel');
    assert.ok(panelStops.length >= 3, `the walk went through the panel: ${panelStops.join(', ')}`);

    await inbox.getByRole('button', { name: /Question number 14/ }).click();
    const view = inbox.getByRole('region', { name: /Conversation with Visitor/ });
    await view.getByRole('textbox', { name: 'Message' }).waitFor();
    await inbox.getByRole('navigation', { name: 'Workspace' }).getByRole('button').first().focus();
    const inboxStops = await walk(inbox, inbox, 40, 'inbox');
    assert.ok(inboxStops.some((s) => /Message|Send/.test(s)), `the walk reached the reply box: ${inboxStops.join(', ')}`);
    console.log(`# Tab stops checked: chat panel ${panelStops.length} (${panelStops.join(', ')}); inbox ${inboxStops.length}`);
  } finally {
    await visitorContext.close();
    await inboxContext.close();
  }
});

/** What WCAG 1.4.12's spacing (line height 1.5, paragraphs 2 em apart, letters 0.12 em, words
 * 0.16 em), applied to every document and shadow root under `target`, cuts off: elements whose
 * text overflows hidden with it and did not without it. Visually hidden text is skipped. */
async function clippedWithTextSpacing(target) {
  return target.evaluate(() => {
    const roots = [document];
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
    const clipped = () => {
      const found = new Set();
      for (const root of roots) {
        for (const el of root.querySelectorAll('*')) {
          if (!el.getClientRects().length || el.clientWidth <= 1 || el.clientHeight <= 1) continue;
          if (!el.textContent.trim() || ['TEXTAREA', 'INPUT', 'SELECT'].includes(el.tagName)) continue;
          const s = getComputedStyle(el);
          const hides = (o) => o === 'hidden' || o === 'clip';
          // A one-line preview shortened with an ellipsis by design (its message is one click
          // away, whole) loses nothing to the spacing.
          if (s.textOverflow === 'ellipsis') continue;
          const over = (hides(s.overflowX) && el.scrollWidth > el.clientWidth + 1) || (hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1);
          if (over) found.add(el);
        }
      }
      return found;
    };
    const before = clipped();
    const css = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';
    for (const root of roots) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    }
    return [...clipped()]
      .filter((el) => !before.has(el))
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: "${el.textContent.trim().slice(0, 40)}"`);
  });
}

test('with WCAG text spacing nothing is cut off: banner, privacy choices, chat panel, inbox', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await context.newPage();
    const checked = [];
    const check = async (target, screen) => {
      assert.deepEqual(await clippedWithTextSpacing(target), [], `${screen}: text cut off with WCAG text spacing`);
      checked.push(screen);
    };
    await page.goto(`${suite.edge.base}/demo?site=${site}&lang=de`);
    await page.getByRole('button', { name: 'Alle ablehnen' }).waitFor();
    await check(page, 'banner (de)');
    await page.getByRole('button', { name: 'Anpassen' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('dialog').waitFor();
    await widget.getByRole('heading', { level: 3 }).first().waitFor();
    await check(widgetFrame(page), 'privacy choices (de)');

    const chat = await context.newPage();
    await chat.goto(`${suite.edge.base}/demo?site=${site}&page=spacing`);
    await chat.getByRole('button', { name: 'Open chat' }).click();
    const panel = chat.frameLocator('iframe[title="Chat"]');
    await panel.getByRole('textbox', { name: 'Message' }).fill('Spacing: does anything get cut off here?');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.getByText('Sent', { exact: true }).waitFor();
    await check(widgetFrame(chat), 'chat panel with a message');

    const inbox = await context.newPage();
    await signInToInbox(inbox, suite.edge, { email: EMAIL, password: PASSWORD });
    await inbox.getByRole('button', { name: /Spacing: does anything get cut off/ }).click();
    await inbox.getByRole('region', { name: /Conversation with Visitor/ }).getByRole('textbox', { name: 'Message' }).waitFor();
    await check(inbox, 'inbox, a conversation');
    await inbox.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Settings' }).click();
    await inbox.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await check(inbox, 'inbox, settings');
    console.log(`# text spacing (WCAG 1.4.12), nothing cut off on: ${checked.join('; ')}`);
  } finally {
    await context.close();
  }
});
