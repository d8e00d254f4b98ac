// axe-core (from npm) run in a page or frame, for the WCAG 2.2 A/AA rules: the mechanical part of
// accessibility (names, roles, contrast, landmarks...). Injected through the DevTools protocol
// (Playwright's evaluate), which the pages' strict CSP does not stop, so the pages are checked as
// they are served.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The WCAG A/AA violations in `target` (a Page or a Frame), optionally within `selector`. */
export async function violations(target, selector) {
  if (!(await target.evaluate(() => typeof window.axe !== 'undefined'))) await target.evaluate(source);
  return target.evaluate(async ([selector, tags]) => {
    const result = await window.axe.run(selector ? document.querySelector(selector) : document, {
      runOnly: { type: 'tag', values: tags },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary.split('\n').slice(1, 2).join('')) }));
  }, [selector, TAGS]);
}

/** Fails with what axe found in `target` (named `screen` in the message), if anything. */
export async function assertAccessible(target, screen, selector) {
  const found = await violations(target, selector);
  assert.deepEqual(found, [], `${screen}: ${JSON.stringify(found, null, 1)}`);
  return found;
}
