// Keyboard only, as a visitor and as an agent who use no mouse, in Chromium against the real
// edge: the visitor goes banner → chat → send → close, the agent signs in → opens the new
// conversation → replies, and at each step the test asserts where focus is.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, site;
const PASSWORD = 'keyboard test password 1';
const EMAIL = 'owner@keyboard.example';

before(async () => {
  suite = await startSuite('keyboard', { browser: true });
  ({ api } = suite);
  const owner = await api.signUp({ name: 'Olga', email: EMAIL, password: PASSWORD, workspace_name: 'Keys Shop', website: '127.0.0.1' });
  site = owner.me.workspaces[0].id;
});
after(() => stopSuite(suite));

/** What has focus, through the loader's shadow root and into the widget's frame: its tag and name. */
async function focused(page) {
  const describe = () => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const name = el?.getAttribute('aria-label') || el?.labels?.[0]?.textContent || el?.textContent || '';
    return { tag: el?.tagName.toLowerCase() ?? '', name: name.trim().replace(/\s+/g, ' ').slice(0, 80) };
  };
  const top = await page.evaluate(describe);
  if (top.tag !== 'iframe') return top;
  return page.frames().find((f) => f.url().includes('/embed/')).evaluate(describe);
}

/** Presses Tab until what has focus is named like `name` (at most `max` times); answers it. */
async function tabTo(page, name, max = 40) {
  for (let i = 0; i < max; i++) {
    const now = await focused(page);
    if (name.test(now.name)) return now;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${name} (last: ${JSON.stringify(await focused(page))})`);
}

test('a visitor with the keyboard alone: banner → chat → send → close, focus where it should be at each step', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    await page.getByRole('dialog').waitFor();
    await page.waitForFunction(() => document.getElementById('provixchat').shadowRoot.activeElement?.getAttribute('role') === 'dialog');
    await tabTo(page, /^Reject all$/, 6);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await tabTo(page, /^Open chat$/);
    await page.keyboard.press('Enter');
    const widget = page.frameLocator('iframe[title="Chat"]');
    await widget.getByRole('textbox', { name: 'Message' }).waitFor();
    // The loader moves focus into the frame, the widget into the composer once it has drawn it.
    for (let i = 0; i < 50 && (await focused(page)).tag !== 'textarea'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await focused(page), { tag: 'textarea', name: 'Message' }, 'the composer has focus as the chat opens');
    await page.keyboard.type('Hello, by keyboard only.');
    await page.keyboard.press('Enter');
    await widget.getByText('Sent', { exact: true }).waitFor();
    assert.deepEqual(await focused(page), { tag: 'textarea', name: 'Message' }, 'focus stays to write again');

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.getElementById('provixchat').shadowRoot.activeElement?.getAttribute('aria-label')?.startsWith('Open chat'));
    assert.match((await focused(page)).name, /^Open chat/, 'Escape closes the chat and gives focus back to the launcher');
  } finally {
    await context.close();
  }
});

test('an agent with the keyboard alone: sign in → open the new conversation → reply', async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${suite.edge.edge}/inbox`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await tabTo(page, /^Email$/);
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(page), { tag: 'input', name: 'Password' });
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();

    const item = await tabTo(page, /Hello, by keyboard only\./, 60);
    assert.equal(item.tag, 'button');
    await page.keyboard.press('Enter');
    const view = page.getByRole('region', { name: /Conversation with Visitor/ });
    await view.getByText('Hello, by keyboard only.').waitFor();
    assert.deepEqual(await tabTo(page, /^Message$/, 40), { tag: 'textarea', name: 'Message' });
    await page.keyboard.type('Hello! How can we help?');
    await page.keyboard.press('Enter');
    await view.getByText('Hello! How can we help?').waitFor();
    assert.deepEqual(await focused(page), { tag: 'textarea', name: 'Message' }, 'focus stays in the reply box');
  } finally {
    await page.close();
  }
});
