import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBaseRefusal, renderPaneShell } from '../../../src/server/pane/pane-page.ts';

const HOSTILE = `</script><script>alert("x")</script><!-- & ' \u2028\u2029`;

test('the shell carries its configuration as inert JSON whatever the values hold', () => {
  const html = renderPaneShell({ base: HOSTILE, defaultRegion: 'US', version: '0.1.0' }, { js: 'pane.0123456789abcdef.js', css: 'pane.fedcba9876543210.css' });
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2);
  assert.doesNotMatch(html, /alert\("x"\)<\/script>/);
  const json = /<script id="pane-config" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  assert.deepEqual(JSON.parse(json ?? 'null'), { base: HOSTILE, defaultRegion: 'US', version: '0.1.0' });
  assert.ok(html.includes('<script type="module" src="/dyncrm/assets/pane.0123456789abcdef.js"></script>'));
  assert.ok(html.includes('<link rel="stylesheet" href="/dyncrm/assets/pane.fedcba9876543210.css">'));
});

test('the refusal page escapes the problem, the patterns and the origin it shows', () => {
  const html = renderBaseRefusal({ problem: HOSTILE, patterns: [`https://*.crm.dynamics.com`, HOSTILE], ownOrigin: `http://a"><script>` });
  assert.doesNotMatch(html, /<script|<!--|alert\("x"\)/);
  assert.ok(html.includes('&#60;/script&#62;&#60;script&#62;alert(&#34;x&#34;)'));
  assert.ok(html.includes('<code>https://*.crm.dynamics.com</code>'));
});

test('without a known origin the refusal page shows the Channel URL with a placeholder host', () => {
  const html = renderBaseRefusal({ problem: 'the base parameter is missing', patterns: [], ownOrigin: undefined });
  assert.ok(html.includes('https://{your Callpane host}/dyncrm?base={your Dynamics 365 org URL}'));
});
