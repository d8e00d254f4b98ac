// The widget shows what is true now, against the real edge in Chromium: a visitor who opened the
// chat while nobody was there sees "Online" and the greeting the moment an agent signs in, "Away"
// again when the agent steps away or leaves, and once an agent has answered, the conversation
// rather than the away card.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api;
const PASSWORD = 'availability test password 1';
const EMAIL = 'owner@availability.example';

before(async () => {
  suite = await startSuite('availability', { browser: true });
  ({ api } = suite);
});
after(() => stopSuite(suite));

test('availability follows the team live, and an answered conversation never falls back to the away card', async () => {
  const owner = await api.signUp({ name: 'Olga', email: EMAIL, password: PASSWORD, workspace_name: 'Live Shop', website: '127.0.0.1' });
  const site = owner.me.workspaces[0].id;
  const settings = await (await owner.get(`/api/v1/workspaces/${site}/settings`)).json();
  const visitorContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const inboxContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await visitorContext.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    const status = (text) => widget.getByRole('status').filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
    await widget.getByText(settings.offline_message).waitFor();
    await status('Away');

    // The visitor starts writing; an agent signs in: the open chat says so without a reload, and
    // what the visitor was writing stays in the composer.
    const composer = widget.getByRole('textbox', { name: 'Message' });
    await composer.fill('A draft, not sent yet');
    await page.screenshot({ path: artifact('widget-away.png') });
    // Half an address in the mail choices, open while nobody is there.
    const email = widget.getByRole('textbox', { name: 'Your email' });
    await email.fill('dora@vis');
    const inbox = await inboxContext.newPage();
    await signInToInbox(inbox, suite.edge, { email: EMAIL, password: PASSWORD });
    await widget.getByText(settings.greeting).waitFor();
    await status('Online');
    assert.equal(await widget.getByText(settings.offline_message).count(), 0, 'the away card is gone');
    assert.equal(await composer.inputValue(), 'A draft, not sent yet');
    assert.equal(await widget.getByRole('button', { name: 'Send' }).isEnabled(), true, 'the draft is still the draft');
    // The mail choices fold into one line; opened again, the half-typed address is still there.
    await widget.getByText('Email me the replies or a transcript').click();
    assert.equal(await email.inputValue(), 'dora@vis', 'and so is the half-typed address');
    await composer.fill('');

    // The agent steps away, then back.
    await inbox.getByRole('switch', { name: 'Available' }).click();
    await widget.getByText(settings.offline_message).waitFor();
    await status('Away');
    await inbox.getByRole('switch', { name: 'Available' }).click();
    await status('Online');

    // The visitor writes, the agent answers, then leaves: "Away", but the conversation stays.
    await widget.getByRole('textbox', { name: 'Message' }).fill('Is the shop open on Sunday?');
    await widget.getByRole('button', { name: 'Send' }).click();
    await inbox.getByRole('button', { name: /Is the shop open on Sunday\?/ }).click();
    const view = inbox.getByRole('region', { name: /Conversation with Visitor/ });
    await view.getByRole('textbox', { name: 'Message' }).fill('Yes, from 10 to 4.');
    await view.getByRole('button', { name: 'Send' }).click();
    await widget.getByText('Yes, from 10 to 4.').waitFor();
    await inbox.close();
    await status('Away');
    assert.equal(await widget.getByText(settings.offline_message).count(), 0, 'answered: no away card');
    await widget.getByText('Yes, from 10 to 4.').waitFor();
    await page.screenshot({ path: artifact('widget-away-after-answer.png') });
  } finally {
    await visitorContext.close();
    await inboxContext.close();
  }
});

test('news of the team crossing a visitor on the way in never leaves them told the wrong thing', async () => {
  // A visitor's socket asks the workspace whether someone can answer; the answer travels back
  // while the agent may already have switched, and the news of that switch can overtake it.
  const owner = await api.signUp({ name: 'Rita', email: 'owner@crossing.example', password: PASSWORD, workspace_name: 'Crossing Shop', website: '127.0.0.1' });
  const site = owner.me.workspaces[0].id;
  const inbox = await owner.socket(`/api/v1/workspaces/${site}/connect`);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  await inbox.nextOf('inbox');
  const sessions = [];
  for (let i = 0; i < 10; i++) sessions.push(await api.visitorSession(site, 'http://127.0.0.1:1'));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let away = false;
  let wrong = 0;
  for (let round = 0; round < 8; round++) {
    // Each visitor comes back (a new socket) while the agent switches once, somewhere among them.
    const arriving = sessions.map(async (s, i) => {
      await sleep(i);
      const v = await api.visitorSocket(site, s.token);
      await v.hello();
      return v;
    });
    await sleep(2 + round);
    away = !away;
    inbox.send({ type: 'presence', away });
    const sockets = await Promise.all(arriving);
    await sleep(400);
    for (const v of sockets) {
      const told = v.frames.filter((f) => f.type === 'availability').map((f) => f.online);
      if (told.at(-1) !== !away) wrong++;
      v.close();
    }
  }
  inbox.close();
  assert.equal(wrong, 0, 'every visitor was last told what is true');
});

test('what the visitor is writing survives the chat starting over as another visitor', async () => {
  const owner = await api.signUp({ name: 'Dora', email: 'owner@draft.example', password: PASSWORD, workspace_name: 'Draft Shop', website: '127.0.0.1' });
  const site = owner.me.workspaces[0].id;
  const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    // The banner is up, nothing decided: the visitor opens the chat and starts writing.
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    const composer = widget.getByRole('textbox', { name: 'Message' });
    await composer.fill('Half a question about the blue vase');
    // Deciding from the chat's privacy choices records the decision for a visitor of its own,
    // and the chat starts over as that visitor.
    await widget.getByRole('button', { name: 'Privacy choices' }).click();
    await widget.getByRole('dialog', { name: 'Privacy choices' }).getByRole('button', { name: 'Reject all' }).click();
    await composer.waitFor();
    await page.waitForFunction(() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith('provixchat.'))) || '{}').token);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await composer.inputValue(), 'Half a question about the blue vase');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByText('Sent', { exact: true }).waitFor();
    assert.equal(await composer.inputValue(), '', 'sent: the box and the kept draft are empty');
  } finally {
    await context.close();
  }
});

test('business hours closing while an agent is online: the open chat turns to "Away" at that minute, with no change in the inbox', async () => {
  const owner = await api.signUp({ name: 'Hana', email: 'owner@hours.example', password: PASSWORD, workspace_name: 'Hours Shop', website: '127.0.0.1' });
  const site = owner.me.workspaces[0].id;
  const settings = await (await owner.get(`/api/v1/workspaces/${site}/settings`)).json();
  // Open until the next whole minute (UTC), or the one after when this one is nearly
  // over: the minute the hours close is the only thing that changes.
  const now = new Date();
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  // Today only (0 = Monday): closing at 24:00 is a change too.
  const close = Math.min(minute + (now.getUTCSeconds() < 40 ? 1 : 2), 24 * 60);
  const hours = { time_zone: 'UTC', days: [(now.getUTCDay() + 6) % 7], open: 0, close };
  const saved = await owner.put(`/api/v1/workspaces/${site}/settings`, { ...settings, business_hours: hours });
  assert.equal(saved.status, 200, await saved.clone().text());
  const visitorContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const inboxContext = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const inbox = await inboxContext.newPage();
    await signInToInbox(inbox, suite.edge, { email: 'owner@hours.example', password: PASSWORD });
    const page = await visitorContext.newPage();
    await page.goto(`${suite.edge.base}/demo?site=${site}`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const widget = page.frameLocator('iframe[title="Chat"]');
    const status = (text, timeout) => widget.getByRole('status').filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout });
    await status('Online');
    const closesAt = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + close * 60_000;
    await status('Away', closesAt - Date.now() + 15_000);
    const late = Date.now() - closesAt;
    assert.ok(late >= -1000, `"Away" came ${-late} ms before the hours closed`);
    await widget.getByText(settings.offline_message).waitFor();
    console.log(`# business hours closed: the open chat said "Away" ${late} ms after the minute`);
  } finally {
    await visitorContext.close();
    await inboxContext.close();
  }
});
