import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCustomerPhonePage } from '../../src/sandbox/customer-phone/customer-phone-page.ts';
import { renderSandboxDocument, SANDBOX_BANNER } from '../../src/sandbox/sandbox-page.ts';

const HOSTILE = '</title><script>alert(1)</script>';

test('a sandbox page escapes its title, body class and banner note, and carries its configuration as inert JSON', () => {
  const html = renderSandboxDocument({
    title: HOSTILE,
    bodyClass: `x"><script>`,
    bannerNote: HOSTILE,
    body: '<main id="m"></main>',
    configElementId: 'cfg',
    config: { value: HOSTILE },
    script: '/_sandbox/app.js',
  });
  assert.doesNotMatch(html, /<script>|alert\(1\)<\/script>/);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2);
  assert.ok(html.includes(`<title>&#60;/title&#62;&#60;script&#62;alert(1)&#60;/script&#62; - Dynamics 365 (local sandbox)</title>`));
  assert.ok(html.includes(`<strong>${SANDBOX_BANNER}</strong>`));
  const json = /<script type="application\/json" id="cfg">([^<]*)<\/script>/.exec(html)?.[1];
  assert.deepEqual(JSON.parse(json ?? 'null'), { value: HOSTILE });
});

test("the customer phone's page is a sandbox page with its own body, configuration and script", () => {
  const html = renderCustomerPhonePage({ did: '+15550100', contacts: [] });
  assert.match(html, /<title>Customer phone - Dynamics 365 \(local sandbox\)<\/title>/);
  assert.match(html, /<body class="customer-phone-body">/);
  assert.match(html, /<main id="customer-phone" class="customer-phone"><\/main>/);
  assert.match(html, /<script type="module" src="\/_sandbox\/customer-phone.js"><\/script>/);
  assert.ok(html.includes('{"did":"+15550100","contacts":[]}'));
});
