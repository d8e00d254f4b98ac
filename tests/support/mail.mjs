// The mail the edge sent, read where `wrangler dev`'s simulated `send_email` binding writes it:
// one .eml file per message under the runtime's temporary folder, which scripts/edge.mjs puts in
// the suite's state folder (TMPDIR). Parsed with postal-mime, a MIME parser written elsewhere, so
// a malformed message fails here as it would in a mail reader.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import PostalMime from 'postal-mime';

/** Every .eml file the edge of `stateDir` wrote, oldest first. */
function files(stateDir) {
  const tmp = path.join(stateDir, 'tmp');
  let runs = [];
  try { runs = readdirSync(tmp).filter((d) => d.startsWith('miniflare-')); } catch { return []; }
  return runs.flatMap((run) => {
    const dir = path.join(tmp, run, 'files', 'email');
    try { return readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => path.join(dir, f)); } catch { return []; }
  }).map((file) => ({ file, at: statSync(file).mtimeMs })).sort((a, b) => a.at - b.at).map((f) => f.file);
}

/** Every message sent so far, parsed: `{ file, raw, from, to, subject, text, html, headers }`. */
export async function sentMail(stateDir) {
  const parsed = [];
  for (const file of files(stateDir)) {
    const raw = readFileSync(file, 'utf8');
    const mail = await PostalMime.parse(raw);
    const headers = Object.fromEntries(mail.headers.map((h) => [h.key, h.value]));
    parsed.push({ file, raw, from: mail.from?.address, to: mail.to?.map((t) => t.address) ?? [], subject: mail.subject, text: mail.text ?? '', html: mail.html ?? '', headers });
  }
  return parsed;
}

/** Mail to `to` (optionally whose subject includes `subject`), in the order sent. */
export async function mailTo(stateDir, to, subject = '') {
  return (await sentMail(stateDir)).filter((m) => m.to.includes(to) && m.subject.includes(subject));
}

/** Waits up to `ms` for the `count`-th mail to `to` whose subject includes `subject`; answers it. */
export async function nextMail(stateDir, to, subject, { count = 1, ms = 10_000 } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await mailTo(stateDir, to, subject);
    if (found.length >= count) return found[count - 1];
    assert.ok(Date.now() < deadline, `mail ${count} to ${to} about "${subject}" within ${ms} ms (have ${found.length})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first link in a mail's text whose path and hash start with `prefix` (`/inbox#reset=`),
 * moved onto `origin`: the edge links to the origin the mail was asked from, and a test's API
 * client and browser use two names for the same edge. */
export function linkIn(mail, prefix, origin) {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = mail.text.match(new RegExp(`https?://[^/\\s]+${escaped}\\S+`));
  assert.ok(match, `a link to ${prefix} in:\n${mail.text}`);
  const url = new URL(match[0]);
  return `${origin}${url.pathname}${url.hash}`;
}

/** The token of a link's hash (`#reset=TOKEN`). */
export const tokenOf = (link) => decodeURIComponent(link.split('=').slice(1).join('='));
