// The shared inbox as a team uses it, in real Chromium against the real edge: a site owner signs
// up, gets their snippet, invites an agent; a visitor chats through the widget on the site; both
// agents see it live in their own browsers; one assigns it to himself, replies, writes a private
// note the visitor never sees, and resolves it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fillSignUp, signInToInbox, submitSignUp } from '../support/inbox.mjs';
import { linkIn, nextMail } from '../support/mail.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, browser;

before(async () => {
  suite = await startSuite('inbox');
  ({ edge, browser } = suite);
});
after(() => stopSuite(suite));

/** Waits until the select named `name` shows `label`. */
async function waitSelected(page, name, label) {
  const select = page.getByRole('combobox', { name });
  for (let i = 0; i < 100; i++) {
    if ((await select.evaluate((el) => el.selectedOptions[0]?.textContent ?? '')).includes(label)) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`${name} shows ${label}`);
}

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  return context.newPage();
}

test('sign-up → snippet → invite → a visitor chats → two agents work it live', async () => {
  // The owner signs up on the inbox and lands on the onboarding page with their snippet.
  const owner = await newPage();
  await owner.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: edge.edge });
  await fillSignUp(owner, edge, {
    name: 'Olivia', email: 'olivia@ceramics.example', password: 'a long owner password', workspace: 'Ceramics Studio', website: '127.0.0.1',
  });
  const { snippet, site } = await submitSignUp(owner);
  assert.ok(snippet.includes(`${edge.edge}/widget.js`), snippet);
  await owner.getByRole('button', { name: 'Copy snippet' }).click();
  await owner.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await owner.evaluate(() => navigator.clipboard.readText()), snippet);
  assert.equal(await owner.getByRole('link', { name: 'Test your widget' }).getAttribute('href'), `/preview/${site}`);
  await owner.screenshot({ path: artifact('onboarding.png') });
  await owner.getByRole('button', { name: 'Go to inbox' }).click();
  await owner.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();

  // The owner invites an agent by email, who joins from the mailed link in another browser.
  await owner.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Team' }).click();
  await owner.getByRole('heading', { name: 'Team' }).waitFor();
  await owner.getByRole('textbox', { name: 'Email (optional)' }).fill('alex@ceramics.example');
  await owner.getByRole('button', { name: 'Create invite' }).click();
  await owner.getByRole('status').filter({ hasText: 'Invite emailed to alex@ceramics.example.' }).waitFor();
  const shown = await owner.getByRole('textbox', { name: 'Invite link' }).inputValue();
  assert.match(shown, /\/inbox#invite=/);
  await owner.screenshot({ path: artifact('team.png') });
  const invite = await nextMail(suite.stateDir, 'alex@ceramics.example', 'invited you to Ceramics Studio on Provixchat');
  assert.match(invite.text, /answer chats for Ceramics Studio on Provixchat, as an agent/);
  const link = linkIn(invite, '/inbox#invite=', edge.edge);
  assert.equal(link, shown, 'the mail carries the link the owner sees');
  const agent = await newPage();
  await agent.goto(link);
  await agent.getByRole('heading', { name: 'Join Ceramics Studio' }).waitFor();
  await agent.getByRole('textbox', { name: 'Your name' }).fill('Alex');
  await agent.getByRole('textbox', { name: 'Email' }).fill('alex@ceramics.example');
  await agent.getByRole('textbox', { name: 'Password' }).fill('a long agent password');
  await agent.getByRole('button', { name: 'Join workspace' }).click();
  await agent.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  assert.ok(!agent.url().includes('invite='), 'the used invite leaves the address bar');
  // The owner gives the widget the studio's colour and a launcher text.
  await owner.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Settings' }).click();
  await owner.getByRole('heading', { name: 'Settings' }).waitFor();
  await owner.getByLabel('Colour').fill('#aa3300');
  await owner.getByRole('textbox', { name: 'Launcher text' }).fill('Chat with us');
  await owner.getByRole('button', { name: 'Save settings' }).click();
  await owner.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
  await owner.screenshot({ path: artifact('settings.png'), fullPage: true });
  await owner.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Conversations' }).click();
  await owner.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();

  // A visitor on the site writes through the widget.
  const visitor = await newPage();
  await visitor.goto(`${edge.base}/demo?site=${site}`);
  const widget = visitor.frameLocator('iframe[title="Chat"]');
  await visitor.getByRole('button', { name: 'Reject all' }).click();
  const launcher = visitor.getByRole('button', { name: 'Open chat' });
  await launcher.getByText('Chat with us').waitFor();
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(170, 51, 0)');
  await launcher.click();
  const header = widget.locator('.pvx-header');
  await header.waitFor();
  assert.equal(await header.evaluate((h) => getComputedStyle(h).backgroundColor), 'rgb(170, 51, 0)', 'the widget wears the site colour');
  await widget.getByRole('textbox', { name: 'Message' }).fill('Is the blue vase still available?');
  await widget.getByRole('button', { name: 'Send' }).click();
  await widget.getByText('Sent', { exact: true }).waitFor();

  // Both agents see it appear live, unread.
  for (const page of [owner, agent]) {
    await page.getByRole('button', { name: /Visitor [0-9A-F]{4}.*blue vase/s }).waitFor();
    await page.getByText('1 unread').waitFor();
  }

  // Alex takes it: assigns it to himself, replies, and leaves a note for the team.
  await agent.getByRole('button', { name: /blue vase/ }).click();
  const view = agent.getByRole('region', { name: /Conversation with Visitor/ });
  await view.getByText('Is the blue vase still available?').waitFor();
  await agent.getByRole('button', { name: 'Assign to me' }).click();
  await owner.getByRole('button', { name: /blue vase/ }).click();
  const ownerView = owner.getByRole('region', { name: /Conversation with Visitor/ });
  await waitSelected(owner, 'Assignee', 'Alex');

  await widget.getByRole('textbox', { name: 'Message' }).pressSequentially('Also, do you');
  await view.getByText('Visitor is typing…').or(agent.getByText(/is typing…/)).first().waitFor();

  await view.getByRole('textbox', { name: 'Message' }).fill('Yes, it is! Shall I reserve it for you?');
  await view.getByRole('textbox', { name: 'Message' }).press('Enter');
  await widget.getByText('Yes, it is! Shall I reserve it for you?').waitFor();
  await ownerView.getByText('Yes, it is! Shall I reserve it for you?').waitFor();
  await widget.getByText('Alex', { exact: true }).waitFor();

  await agent.getByRole('checkbox', { name: 'Private note' }).check();
  await view.getByRole('textbox', { name: 'Message' }).fill('Regular customer: offer free shipping.');
  await agent.getByRole('button', { name: 'Add note' }).click();
  await ownerView.getByText('Regular customer: offer free shipping.').waitFor();
  await ownerView.getByRole('listitem').filter({ hasText: 'Private note' }).first().waitFor();

  // The visitor read Alex's reply: Alex sees "Seen".
  await view.getByText('Seen', { exact: true }).waitFor();

  // Alex resolves it; Olivia sees the status change live, and the filters follow.
  await agent.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Resolved' });
  await waitSelected(owner, 'Status', 'Resolved');
  const list = owner.getByRole('list', { name: 'Conversations' });
  const item = list.getByRole('button', { name: /^Visitor [0-9A-F]{4}/ });
  await owner.getByRole('group', { name: 'Filter' }).getByRole('button', { name: 'Open' }).click();
  await item.waitFor({ state: 'detached' });
  await owner.getByRole('group', { name: 'Filter' }).getByRole('button', { name: 'Resolved' }).click();
  await item.waitFor();
  await agent.screenshot({ path: artifact('inbox-conversation.png') });

  // Alex steps away: Olivia sees it beside his name, live.
  const visitorPane = owner.getByRole('complementary', { name: 'Visitor' });
  await visitorPane.getByText('Alex · available').waitFor();
  await agent.getByRole('switch', { name: 'Available' }).click();
  await visitorPane.getByText('Alex · away').waitFor();

  // The note never reached the visitor, not even after a reload.
  await visitor.reload();
  await visitor.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByText('Yes, it is! Shall I reserve it for you?').waitFor();
  assert.equal(await widget.getByText('free shipping').count(), 0);
  await visitor.screenshot({ path: artifact('widget-after-reply.png') });

  // Search finds the conversation by its note.
  await owner.getByRole('group', { name: 'Filter' }).getByRole('button', { name: 'All' }).click();
  await owner.getByRole('searchbox', { name: 'Search conversations' }).fill('free shipping');
  await item.waitFor();
  await owner.getByRole('searchbox', { name: 'Search conversations' }).fill('no such words anywhere');
  await item.waitFor({ state: 'detached' });
});

test('a new visitor message while the inbox tab is hidden raises a desktop notification and a sound', async () => {
  // Olivia's studio from the test above. Headless Chromium has no notification centre and its
  // tabs are never hidden: this agent's page reports itself hidden and records the
  // notifications and tones it is asked to show.
  const agent = await newPage();
  await agent.addInitScript(() => {
    window.shown = [];
    window.tones = 0;
    Object.defineProperty(Document.prototype, 'hidden', { get: () => window.pretendHidden === true });
    class Recorded { constructor(title, options) { window.shown.push({ title, body: options?.body }); } }
    Recorded.permission = 'granted';
    Recorded.requestPermission = async () => 'granted';
    window.Notification = Recorded;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) { window.tones += 1; return start.apply(this, args); };
  });
  await signInToInbox(agent, edge, { email: 'olivia@ceramics.example', password: 'a long owner password' });
  await agent.getByRole('checkbox', { name: 'Sound for new messages' }).check();
  await agent.evaluate(() => { window.pretendHidden = true; });

  const site = await agent.evaluate(async () => (await (await fetch('/api/v1/me')).json()).workspaces[0].id);
  const visitor = await newPage();
  await visitor.goto(`${edge.base}/demo?site=${site}`);
  const widget = visitor.frameLocator('iframe[title="Chat"]');
  await visitor.getByRole('button', { name: 'Reject all' }).click();
  await visitor.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill('Do you do custom glazes?');
  await widget.getByRole('button', { name: 'Send' }).click();
  await agent.waitForFunction(() => window.shown.some((n) => `${n.title} ${n.body}`.includes('custom glazes')));
  assert.ok(await agent.evaluate(() => window.tones) > 0, 'a sound played');
  const before = await agent.evaluate(() => window.shown.length);
  await agent.evaluate(() => { window.pretendHidden = false; });
  await widget.getByRole('textbox', { name: 'Message' }).fill('And gift wrapping?');
  await widget.getByRole('button', { name: 'Send' }).click();
  await agent.getByRole('button', { name: /gift wrapping/ }).waitFor();
  assert.equal(await agent.evaluate(() => window.shown.length), before, 'no notification while the agent is looking');

  // The owner reads the audit log: Alex joining by invite is there, and the CSV is offered.
  await agent.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Audit log' }).click();
  await agent.getByRole('heading', { name: 'Audit log' }).waitFor();
  await agent.getByRole('cell', { name: 'Joined by invite' }).waitFor();
  await agent.getByRole('cell', { name: 'alex@ceramics.example' }).first().waitFor();
  assert.match(await agent.getByRole('link', { name: 'Export CSV' }).getAttribute('href'), /\/audit\?format=csv$/);
  await agent.screenshot({ path: artifact('audit-log.png') });
});
