// Every screen a visitor or an agent meets, checked with axe-core (WCAG 2.2 A and AA rules) in
// Chromium as served (strict CSPs included): the banner in each language, the privacy choices
// and "Your data", the chat panel with its pre-chat and offline forms and with messages, and in
// the inbox the sign-in, the conversation list, a conversation, settings, data requests and the
// visitor notice. What axe found per screen is printed (none, or the test fails).
import { after, before, test } from 'node:test';
import { assertAccessible } from '../support/axe.mjs';
import { signInToInbox } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, owner, site;
const PASSWORD = 'a11y test password 1';
const EMAIL = 'owner@a11y.example';
const checked = [];

before(async () => {
  suite = await startSuite('a11y', { browser: true });
  ({ api } = suite);
  owner = await api.signUp({ name: 'Olga', email: EMAIL, password: PASSWORD, workspace_name: 'Studio A', website: '127.0.0.1' });
  site = owner.me.workspaces[0].id;
});
after(async () => {
  console.log(`# axe-core, WCAG 2.2 A/AA, no violations on: ${checked.join('; ')}`);
  await stopSuite(suite);
});

/** Checks `target` and remembers the screen's name for the summary. */
async function check(target, screen, selector) {
  await assertAccessible(target, screen, selector);
  checked.push(screen);
}

const widgetFrame = (page) => page.frames().find((f) => f.url().includes('/embed/'));

test('the banner in each language, the privacy choices and "Your data"', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await context.newPage();
    for (const [lang, reject] of [['en', 'Reject all'], ['de', 'Alle ablehnen'], ['fr', 'Tout refuser'], ['es', 'Rechazar todo']]) {
      await page.goto(`${suite.edge.base}/demo?site=${site}&lang=${lang}`);
      await page.getByRole('button', { name: reject }).waitFor();
      await check(page, `banner (${lang})`, '#provixchat');
    }
    await page.getByRole('button', { name: 'Personalizar' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('dialog').waitFor();
    await widget.getByRole('heading', { level: 3 }).first().waitFor();
    await check(widgetFrame(page), 'privacy choices and "Your data"');
  } finally {
    await context.close();
  }
});

test('the chat panel: offline form, pre-chat form, and a conversation with messages', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const inboxContext = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('button', { name: 'Save email' }).waitFor();
    await check(widgetFrame(page), 'chat panel, offline form');

    const settings = await (await owner.get(`/api/v1/workspaces/${site}/settings`)).json();
    await owner.put(`/api/v1/workspaces/${site}/settings`, { ...settings, prechat: 'optional' });
    const fresh = await context.newPage();
    await fresh.goto(`${suite.edge.base}/demo?site=${site}&page=shipping`);
    await fresh.getByRole('button', { name: 'Open chat' }).click();
    const prechat = fresh.frameLocator('iframe[title="Chat"]');
    await prechat.getByRole('heading', { name: 'Before we start' }).waitFor();
    await check(widgetFrame(fresh), 'chat panel, pre-chat form');
    await prechat.getByRole('button', { name: 'Skip' }).click();

    // An agent online, and messages both ways.
    const inbox = await inboxContext.newPage();
    await signInToInbox(inbox, suite.edge, { email: EMAIL, password: PASSWORD });
    await prechat.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Norway?');
    await prechat.getByRole('button', { name: 'Send' }).click();
    await inbox.getByRole('button', { name: /Do you ship to Norway\?/ }).click();
    const view = inbox.getByRole('region', { name: /Conversation with Visitor/ });
    await view.getByRole('textbox', { name: 'Message' }).fill('Yes, in 3 to 5 days.');
    await view.getByRole('button', { name: 'Send' }).click();
    await prechat.getByText('Yes, in 3 to 5 days.').waitFor();
    await prechat.getByText('Seen', { exact: true }).waitFor();
    await check(widgetFrame(fresh), 'chat panel with messages');
    await check(inbox, 'inbox, a conversation');

    for (const [name, heading] of [['Settings', 'Settings'], ['Data requests', 'Data requests'], ['Account', 'Account']]) {
      await inbox.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name }).click();
      await inbox.getByRole('heading', { name: heading, exact: true }).waitFor();
      await check(inbox, `inbox, ${name.toLowerCase()}`);
    }
    await inbox.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Conversations' }).click();
    await inbox.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
    await check(inbox, 'inbox, the conversation list');
  } finally {
    await context.close();
    await inboxContext.close();
  }
});

test('a visitor or agent who asks for less motion gets none', async () => {
  const transition = (target, selector, pseudo) =>
    target.evaluate(([s, p]) => getComputedStyle(document.querySelector(s), p).transitionDuration, [selector, pseudo]);
  for (const reducedMotion of ['no-preference', 'reduce']) {
    const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 }, reducedMotion });
    try {
      const page = await context.newPage();
      await page.goto(`${suite.edge.base}/demo?site=${site}`);
      await page.getByRole('button', { name: 'Customize' }).click();
      await page.frameLocator('iframe[title="Chat"]').getByRole('switch', { name: 'Analytics', exact: true }).waitFor();
      const switchKnob = await transition(widgetFrame(page), 'input[role=switch]', '::after');
      const inbox = await context.newPage();
      await signInToInbox(inbox, suite.edge, { email: EMAIL, password: PASSWORD });
      const availability = await transition(inbox, '.switch .thumb', null);
      const expected = reducedMotion === 'reduce' ? '0s' : '0.15s';
      if (switchKnob !== expected || availability !== expected) {
        throw new Error(`${reducedMotion}: the privacy switch moves in ${switchKnob}, the availability switch in ${availability}`);
      }
    } finally {
      await context.close();
    }
  }
  checked.push('reduced motion (privacy switches, availability switch)');
});

test('the inbox at 200 % zoom: nothing scrolls sideways or hides off screen, the navigation wraps', async () => {
  // 200 % zoom of a 1280 × 800 window is 640 × 400 CSS pixels.
  const page = await suite.browser.newPage({ viewport: { width: 640, height: 400 } });
  try {
    await signInToInbox(page, suite.edge, { email: EMAIL, password: PASSWORD });
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    for (const name of ['Conversations', 'Settings', 'Data requests', 'Account']) {
      await nav.getByRole('button', { name }).click();
      await page.getByRole('heading', { name, exact: true }).first().waitFor();
      const fit = await page.evaluate(() => ({
        sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
        offScreen: [...document.querySelectorAll('nav button')]
          .filter((b) => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; })
          .map((b) => b.textContent),
      }));
      if (fit.sideways || fit.offScreen.length) throw new Error(`inbox, ${name}, at 640 px: ${JSON.stringify(fit)}`);
    }
    await page.screenshot({ path: artifact('inbox-200.png') });
    checked.push('inbox at 200 % zoom (conversations, settings, data requests, account)');
  } finally {
    await page.close();
  }
});

test('the inbox sign-in and the visitor notice', async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 800 } });
  try {
    await page.goto(`${suite.edge.edge}/inbox`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await check(page, 'inbox, sign-in');
    await page.goto(`${suite.edge.edge}/privacy/${site}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await check(page, 'visitor notice');
  } finally {
    await page.close();
  }
});
