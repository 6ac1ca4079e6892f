/**
 * The Channel URL's `base` in Chromium: a hostile or malformed one gets the 400 page naming the
 * allowed origins, and the browser loads nothing for it — no pane script, no stylesheet, no
 * request to the named origin, no script run from the URL. A Dynamics 365 origin, for contrast,
 * gets the pane. Every request leaving the page is recorded; none reaches a network (requests
 * to other hosts are aborted here, so the contrast case never tries Microsoft's servers).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { launchChromium, screenshotPath } from './support/chromium.ts';

const HOSTILE_BASES: Array<{ label: string; base: string }> = [
  { label: 'another site', base: 'https://evil.example' },
  { label: 'a look-alike host', base: 'https://contoso.crm.dynamics.com.evil.example' },
  { label: 'a javascript: URL', base: 'javascript:alert(document.domain)' },
  { label: 'credentials in the URL', base: 'https://admin:secret@contoso.crm.dynamics.com' },
  { label: 'markup in a path', base: 'https://contoso.crm.dynamics.com/"><script>alert(1)</script>' },
  { label: 'plain HTTP to a Dynamics host', base: 'http://contoso.crm.dynamics.com' },
];

let callpane: TestCallpane;
let paneOrigin: string;
let browser: Browser;
let context: BrowserContext;

before(async () => {
  callpane = await startTestCallpane();
  paneOrigin = callpane.httpUrl;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 380, height: 640 } });
  context.setDefaultTimeout(5000);
});

after(async () => {
  await browser?.close();
  await callpane?.remove();
});

interface Visit {
  page: Page;
  status: number | undefined;
  requests: string[];
  dialogs: string[];
}

/** Opens /dyncrm?{query} in a fresh page, recording every request it makes. */
async function visit(query: string): Promise<Visit> {
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(paneOrigin) ? route.continue() : route.abort();
  });
  const response = await page.goto(`${paneOrigin}/dyncrm?${query}`);
  await page.waitForLoadState('load');
  return { page, status: response?.status(), requests, dialogs };
}

test('a hostile or malformed base gets the 400 page naming the allowed origins, and nothing else loads', { timeout: 30_000 }, async () => {
  const cases = [
    ...HOSTILE_BASES.map(({ label, base }) => ({ label, query: `base=${encodeURIComponent(base)}` })),
    { label: 'base given twice', query: 'base=https%3A%2F%2Fcontoso.crm.dynamics.com&base=https%3A%2F%2Fevil.example' },
  ];
  for (const { label, query } of cases) {
    const { page, status, requests, dialogs } = await visit(query);
    assert.equal(status, 400, `${label}: status`);
    assert.match((await page.textContent('h1')) ?? '', /cannot load/, `${label}: the refusal page`);
    assert.ok((await page.textContent('ul'))?.includes('https://*.crm.dynamics.com'), `${label}: the allowed origins are named`);
    assert.equal(await page.locator('script').count(), 0, `${label}: the page has no script`);
    assert.deepEqual(requests, [`${paneOrigin}/dyncrm?${query}`], `${label}: only the page itself was requested`);
    assert.deepEqual(dialogs, [], `${label}: nothing ran`);
    await page.screenshot({ path: screenshotPath(`pane-e2e-base-refused-${label.replace(/\W+/g, '-')}`) });
    await page.close();
  }
});

test('a Dynamics 365 org origin as base gets the pane, which asks that org for the CIF library', { timeout: 30_000 }, async () => {
  const { page, status, requests } = await visit(`base=${encodeURIComponent('https://contoso.crm.dynamics.com')}`);
  assert.equal(status, 200);
  await page.waitForSelector('.pane');
  assert.ok(
    requests.some((url) => /^\/dyncrm\/assets\/pane\.[0-9a-f]{16}\.js$/.test(url.slice(paneOrigin.length))),
    `the pane script loads: ${requests.join(', ')}`,
  );
  const library = 'https://contoso.crm.dynamics.com/webresources/Widget/msdyn_ciLibrary.js';
  for (let waited = 0; !requests.includes(library) && waited < 5000; waited += 50) await page.waitForTimeout(50);
  assert.ok(requests.includes(library), `the CIF library is asked of the org: ${requests.join(', ')}`);
  await page.screenshot({ path: screenshotPath('pane-e2e-base-allowed') });
  await page.close();
});
