// The chat in the visitor's language, against the real edge in Chromium: an owner writes the
// greeting and the offline message in German in the inbox; a visitor on a German page at 320 px,
// and at 200 % zoom, gets the whole panel in German — header, forms, composer, message states and
// dates — with nothing cut off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, owner, site;
const PASSWORD = 'languages test password 1';
const GREETING = 'Hallo! Wie können wir helfen?';
const OFFLINE = 'Gerade ist niemand da. Hinterlassen Sie Ihre E-Mail-Adresse, wir melden uns.';

before(async () => {
  suite = await startSuite('languages', { browser: true });
  ({ api } = suite);
  const email = 'owner@languages.example';
  owner = await api.signUp({ name: 'Olga', email, password: PASSWORD, workspace_name: 'Keramik Studio', website: '127.0.0.1' });
  site = owner.me.workspaces[0].id;
  // The owner writes the German texts in Settings.
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 900 } });
  try {
    await signInToInbox(page, suite.edge, { email, password: PASSWORD });
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Settings' }).click();
    const german = page.getByRole('group', { name: 'Deutsch' });
    await german.getByRole('textbox', { name: 'Greeting' }).fill(GREETING);
    await german.getByRole('textbox', { name: 'Offline message' }).fill(OFFLINE);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
  } finally {
    await page.close();
  }
  const settings = await (await owner.get(`/api/v1/workspaces/${site}/settings`)).json();
  assert.deepEqual(settings.translations, [{ lang: 'de', greeting: GREETING, offline_message: OFFLINE }]);
});
after(() => stopSuite(suite));

/** The demo shop in German for this site, the banner decided, the chat open. */
async function openGermanChat(viewport) {
  const context = await suite.browser.newContext({ viewport, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${suite.edge.base}/demo?site=${site}&lang=de`);
  await page.getByRole('button', { name: 'Alle ablehnen' }).click();
  // The launcher speaks the page's language too.
  await page.getByRole('button', { name: 'Chat öffnen' }).click();
  await page.getByRole('button', { name: 'Chat schließen' }).waitFor();
  const widget = page.frameLocator('iframe[title="Chat"]');
  await widget.getByRole('region', { name: 'Chat mit Keramik Studio' }).waitFor();
  return { context, page, widget };
}

/** Controls in the widget whose text does not fit, and whether the panel scrolls sideways. */
function overflow(page) {
  return page.frames().find((f) => f.url().includes('/embed/')).evaluate(() => ({
    sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    // Text made for screen readers only (a 1 px box, on purpose) is not cut off for anyone.
    clipped: [...document.querySelectorAll('button, label, h1, h2, p')]
      .filter((el) => el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent),
  }));
}

test('a German page gets the whole chat in German, the owner’s own texts included, at 320 px', async () => {
  const { context, page, widget } = await openGermanChat({ width: 320, height: 640 });
  try {
    // Nobody is available: the owner's German offline message and the form, in German.
    await widget.getByText(OFFLINE).waitFor();
    await widget.getByText('Abwesend').waitFor();
    await widget.getByRole('button', { name: 'Chat schließen' }).waitFor();
    await widget.getByRole('button', { name: 'E-Mail speichern' }).click();
    await widget.getByRole('alert').filter({ hasText: 'Bitte geben Sie Ihre E-Mail-Adresse ein.' }).waitFor();
    await widget.getByRole('textbox', { name: 'Ihre E-Mail-Adresse' }).fill('jonas@example.de');
    await widget.getByRole('checkbox', { name: 'Antworten per E-Mail erhalten' }).waitFor();
    await widget.getByRole('button', { name: 'E-Mail speichern' }).click();
    await widget.getByText('Wir antworten an jonas@example.de.').waitFor();

    const composer = widget.getByRole('textbox', { name: 'Nachricht' });
    assert.equal(await composer.getAttribute('placeholder'), 'Nachricht schreiben…');
    await composer.fill('Ist die blaue Vase noch da?');
    await widget.getByRole('button', { name: 'Senden' }).click();
    await widget.getByText('Gesendet', { exact: true }).waitFor();
    await widget.getByText('Sie', { exact: true }).waitFor();
    // The day above the message, written as a German reader writes it.
    const day = await widget.locator('.pvx-day').first().textContent();
    assert.match(day, /^(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. /, day);
    assert.deepEqual(await overflow(page), { sideways: false, clipped: [] });
    await page.screenshot({ path: artifact('widget-320-de.png') });
  } finally {
    await context.close();
  }
});

test('at 200 % zoom the German chat still fits, with the owner’s German greeting while an agent is online', async () => {
  // 200 % zoom of a 1280 × 800 window is 640 × 400 CSS pixels.
  const inbox = await suite.browser.newPage({ viewport: { width: 1200, height: 800 } });
  await signInToInbox(inbox, suite.edge, { email: 'owner@languages.example', password: PASSWORD });
  const { context, page, widget } = await openGermanChat({ width: 640, height: 400 });
  try {
    await widget.getByText(GREETING).waitFor();
    await widget.getByText('Online', { exact: true }).waitFor();
    await widget.getByRole('textbox', { name: 'Nachricht' }).waitFor();
    assert.deepEqual(await overflow(page), { sideways: false, clipped: [] });
    await page.screenshot({ path: artifact('widget-200-de.png') });
  } finally {
    await context.close();
    await inbox.close();
  }
});
