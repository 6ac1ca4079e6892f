import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocationService } from '../../src/pbx/location-service.ts';
import type { Binding } from '../../src/pbx/binding.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';

function binding(overrides: Partial<Binding> = {}): Binding {
  return {
    aor: '1001', contact: '<sip:1001@127.0.0.1:5070>', contactUri: 'sip:1001@127.0.0.1:5070', expiresAt: 2_000_000,
    callId: 'c1', cseq: 1, transport: 'UDP', sourceAddress: '127.0.0.1', sourcePort: 5070, ...overrides,
  };
}

test('serves saved bindings and writes them through to the store', () => {
  const store = new MemoryBindingStore();
  const location = new LocationService(store, () => 1_000_000);
  location.save(binding());
  assert.equal(location.lookup('1001').length, 1);
  assert.equal(store.rows.size, 1);
});

test('loads the stored bindings again after a restart', () => {
  const store = new MemoryBindingStore();
  new LocationService(store, () => 1_000_000).save(binding());
  const restarted = new LocationService(store, () => 1_000_001);
  assert.equal(restarted.lookup('1001')[0].contactUri, 'sip:1001@127.0.0.1:5070');
});

test('hides and then removes bindings whose time ran out', () => {
  const store = new MemoryBindingStore();
  const clock = { now: 1_000_000 };
  const location = new LocationService(store, () => clock.now);
  location.save(binding({ expiresAt: 1_000_500 }));
  clock.now = 1_000_500;
  assert.deepEqual(location.lookup('1001'), []);
  assert.equal(location.removeExpired(), 1);
  assert.equal(store.rows.size, 0);
});

test('drops the bindings of a WebSocket flow when the connection closes, and only those', () => {
  const store = new MemoryBindingStore();
  const location = new LocationService(store, () => 1_000_000);
  location.save(binding({ contactUri: 'sip:a@x.invalid;transport=ws', transport: 'WS', flowId: 'ws#1' }));
  location.save(binding({ contactUri: 'sip:b@x.invalid;transport=ws', transport: 'WS', flowId: 'ws#2' }));
  location.save(binding());
  assert.equal(location.flowClosed('ws#1'), 1);
  assert.deepEqual(location.lookup('1001').map((b) => b.contactUri).sort(), ['sip:1001@127.0.0.1:5070', 'sip:b@x.invalid;transport=ws']);
  assert.equal(store.rows.size, 2);
  assert.equal(location.size, 2);
});

test('lists the web sessions its bindings were made with, and removes one session\'s bindings of an extension from memory and the store', () => {
  const store = new MemoryBindingStore();
  const location = new LocationService(store, () => 1_000_000);
  location.save(binding({ contactUri: 'sip:a@x.invalid;transport=ws', transport: 'WS', flowId: 'ws#1', sessionTag: 'aaaaaaaaaaaaaaaa' }));
  location.save(binding({ contactUri: 'sip:b@x.invalid', sessionTag: 'aaaaaaaaaaaaaaaa' }));
  location.save(binding({ contactUri: 'sip:c@x.invalid', sessionTag: 'bbbbbbbbbbbbbbbb' }));
  location.save(binding());
  assert.deepEqual(
    location.sessionTags().sort((x, y) => x.sessionTag.localeCompare(y.sessionTag)),
    [{ sessionTag: 'aaaaaaaaaaaaaaaa', aor: '1001' }, { sessionTag: 'bbbbbbbbbbbbbbbb', aor: '1001' }],
  );
  assert.equal(location.removeSession('1001', 'aaaaaaaaaaaaaaaa'), 2);
  assert.deepEqual(location.lookup('1001').map((b) => b.contactUri).sort(), ['sip:1001@127.0.0.1:5070', 'sip:c@x.invalid']);
  assert.deepEqual([...store.rows.values()].map((b) => b.contactUri).sort(), ['sip:1001@127.0.0.1:5070', 'sip:c@x.invalid']);
  assert.equal(location.removeSession('1002', 'bbbbbbbbbbbbbbbb'), 0);
});
