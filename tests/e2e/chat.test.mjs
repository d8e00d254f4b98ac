// The first slice end to end, as people use it: a visitor on a customer's page writes through the
// widget, an agent sees the conversation appear live in the inbox and replies, the visitor sees
// the reply live, and everything is still there after a page reload and a restart of the edge.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { DEMO, artifact, restartEdge, startSuite, stopSuite } from '../support/suite.mjs';

const PASSWORD = 'demo-password-e2e';
let suite, edge, browser;

before(async () => {
  suite = await startSuite('chat', { demo: PASSWORD });
  ({ edge, browser } = suite);
});

after(() => stopSuite(suite));

async function openWidget(page, { firstVisit = false } = {}) {
  await page.goto(`${edge.base}/demo`);
  if (firstVisit) {
    // The consent banner (the loader's own, on the page) comes first; the chat works whatever the
    // visitor decides.
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.locator('#consent-state').getByText('Analytics off').waitFor();
  }
  await page.getByRole('button', { name: 'Open chat' }).click();
  const widget = page.frameLocator('iframe[title="Chat"]');
  await widget.getByRole('textbox', { name: 'Message' }).waitFor();
  return widget;
}

test('a visitor and an agent chat live, and the conversation survives reloads and restarts', async () => {
  const agent = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
  await signInToInbox(agent, edge, { email: DEMO.agentEmail, password: PASSWORD });
  await agent.getByText('No conversations yet').waitFor(); // the live list has loaded, empty

  const visitorContext = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const visitor = await visitorContext.newPage();
  const widget = await openWidget(visitor, { firstVisit: true });
  await widget.getByText(DEMO.greeting).waitFor();
  // The widget runs on the edge's origin, not the page's: a different origin from the host.
  assert.notEqual(new URL(edge.base).origin, new URL(edge.edge).origin);

  await widget.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Norway?');
  await widget.getByRole('button', { name: 'Send' }).click();
  await widget.getByText('Sent', { exact: true }).waitFor();

  // The agent's list updates without a reload.
  const item = agent.getByRole('button', { name: /Do you ship to Norway\?/ });
  await item.waitFor();
  await item.click();
  const view = agent.getByRole('region', { name: /Conversation with Visitor/ });
  await view.getByText('Do you ship to Norway?').waitFor();
  await view.getByRole('textbox', { name: 'Message' }).fill('Yes! Delivery to Norway takes 3–5 working days.');
  await view.getByRole('button', { name: 'Send' }).click();

  await widget.getByText('Yes! Delivery to Norway takes 3–5 working days.').waitFor();
  await widget.getByText(DEMO.agentName, { exact: true }).waitFor();
  await visitor.screenshot({ path: artifact('widget.png') });
  await agent.screenshot({ path: artifact('inbox.png') });

  // Keyboard: focus is in the composer when the panel opens; Escape closes it and the focus
  // returns to the launcher; opening it again puts the focus back in the composer.
  const frame = () => visitor.frames().find((f) => f.url().includes('/embed/'));
  const hostFocus = () => visitor.evaluate(() => document.getElementById('provixchat').shadowRoot.activeElement?.tagName);
  const focused = async () => (await hostFocus()) === 'IFRAME' && frame().evaluate(() => document.activeElement?.getAttribute('aria-label'));
  assert.equal(await focused(), 'Message');
  await widget.getByRole('textbox', { name: 'Message' }).press('Escape');
  const launcher = visitor.getByRole('button', { name: 'Open chat' });
  await launcher.waitFor();
  assert.equal(await hostFocus(), 'BUTTON', 'focus back on the launcher');
  await visitor.keyboard.press('Enter');
  await visitor.getByRole('button', { name: 'Close chat' }).first().waitFor();
  for (let i = 0; i < 40 && (await focused()) !== 'Message'; i++) await visitor.waitForTimeout(50);
  assert.equal(await focused(), 'Message');

  // A reload of the host page brings the conversation back, in order.
  const reloaded = await openWidget(visitor);
  await reloaded.getByText('Yes! Delivery to Norway takes 3–5 working days.').waitFor();
  const bodies = await reloaded.locator('.pvx-body').allTextContents();
  assert.deepEqual(bodies, ['Do you ship to Norway?', 'Yes! Delivery to Norway takes 3–5 working days.']);

  // Stop the edge and start it again on the same state: everything is still there.
  edge = await restartEdge(suite);
  const afterRestart = await openWidget(visitor);
  await afterRestart.getByText('Yes! Delivery to Norway takes 3–5 working days.').waitFor();
  assert.equal(await afterRestart.locator('.pvx-body').count(), 2, 'no message lost or duplicated');
  await agent.reload();
  await agent.getByRole('button', { name: /Delivery to Norway/ }).waitFor();

  // The visitor writes again after the restart; the agent, still signed in, sees it live.
  await afterRestart.getByRole('textbox', { name: 'Message' }).fill('Great, thanks!');
  await afterRestart.getByRole('button', { name: 'Send' }).click();
  await agent.getByRole('button', { name: /Great, thanks!/ }).waitFor();
});
