import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSiteOrigin } from '../../../src/server/api/site-origin.ts';

test('our origin is the Host the browser used, with the scheme this server speaks', () => {
  const plain = createSiteOrigin({ https: false, publicUrl: undefined });
  assert.equal(plain.originFor('localhost:8080'), 'http://localhost:8080');
  assert.equal(plain.originFor('PBX.Example.test'), 'http://pbx.example.test');
  assert.equal(plain.originFor('[::1]:8080'), 'http://[::1]:8080');
  assert.equal(plain.originFor('callpane_app:8080'), 'http://callpane_app:8080');
  assert.equal(plain.webSocketOriginFor('localhost:8080'), 'ws://localhost:8080');
  const tls = createSiteOrigin({ https: true, publicUrl: undefined });
  assert.equal(tls.originFor('pbx.example.test:443'), 'https://pbx.example.test');
  assert.equal(tls.webSocketOriginFor('pbx.example.test:8443'), 'wss://pbx.example.test:8443');
});

test('behind a TLS proxy the public URL makes its own host https, and no other', () => {
  const site = createSiteOrigin({ https: false, publicUrl: 'https://pbx.example.test' });
  assert.equal(site.originFor('pbx.example.test'), 'https://pbx.example.test');
  assert.equal(site.webSocketOriginFor('pbx.example.test'), 'wss://pbx.example.test');
  assert.equal(site.originFor('127.0.0.1:8080'), 'http://127.0.0.1:8080');
});

test('a missing or malformed Host names no origin', () => {
  const site = createSiteOrigin({ https: false, publicUrl: undefined });
  for (const host of [undefined, '', 'a b', 'evil.example; script-src *', 'x:99999', '[zz::1]', 'a/b', 'a@b', 'host:80:80', `${'a'.repeat(64)}.example`]) {
    assert.equal(site.originFor(host), undefined, String(host));
    assert.equal(site.webSocketOriginFor(host), undefined, String(host));
  }
});
