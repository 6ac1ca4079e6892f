import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocationService } from '../../src/pbx/location-service.ts';
import type { Binding } from '../../src/pbx/binding.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';
import { itemAt } from '../support/item-at.ts';

function binding(overrides: Partial<Binding> = {}): Binding {
  return {
    aor: '1001',
    contact: '<sip:1001@127.0.0.1:5070>',
    contactUri: 'sip:1001@127.0.0.1:5070',
    expiresAt: 2_000_000,
    callId: 'c1',
    cseq: 1,
    transport: 'UDP',
    sourceAddress: '127.0.0.1',
    sourcePort: 5070,
    ...overrides,
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
  assert.equal(itemAt(restarted.lookup('1001'), 0).contactUri, 'sip:1001@127.0.0.1:5070');
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
  assert.deepEqual(
    location
      .lookup('1001')
      .map((b) => b.contactUri)
      .sort(),
    ['sip:1001@127.0.0.1:5070', 'sip:b@x.invalid;transport=ws'],
  );
  assert.equal(store.rows.size, 2);
  assert.equal(location.size, 2);
});

test("lists the web sessions its bindings were made with, and removes one session's bindings of an extension from memory and the store", () => {
  const store = new MemoryBindingStore();
  const location = new LocationService(store, () => 1_000_000);
  location.save(binding({ contactUri: 'sip:a@x.invalid;transport=ws', transport: 'WS', flowId: 'ws#1', sessionTag: 'aaaaaaaaaaaaaaaa' }));
  location.save(binding({ contactUri: 'sip:b@x.invalid', sessionTag: 'aaaaaaaaaaaaaaaa' }));
  location.save(binding({ contactUri: 'sip:c@x.invalid', sessionTag: 'bbbbbbbbbbbbbbbb' }));
  location.save(binding());
  assert.deepEqual(
    location.sessionTags().sort((x, y) => x.sessionTag.localeCompare(y.sessionTag)),
    [
      { sessionTag: 'aaaaaaaaaaaaaaaa', aor: '1001' },
      { sessionTag: 'bbbbbbbbbbbbbbbb', aor: '1001' },
    ],
  );
  assert.equal(location.removeSession('1001', 'aaaaaaaaaaaaaaaa'), 2);
  assert.deepEqual(
    location
      .lookup('1001')
      .map((b) => b.contactUri)
      .sort(),
    ['sip:1001@127.0.0.1:5070', 'sip:c@x.invalid'],
  );
  assert.deepEqual([...store.rows.values()].map((b) => b.contactUri).sort(), ['sip:1001@127.0.0.1:5070', 'sip:c@x.invalid']);
  assert.equal(location.removeSession('1002', 'bbbbbbbbbbbbbbbb'), 0);
});

/** A binding that counts every read of its fields into `reads`, to see which bindings an operation touches. */
function counted(fields: Partial<Binding>, reads: { count: number }): Binding {
  return new Proxy(binding(fields), {
    get(target, key, receiver) {
      reads.count++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

test("closing a flow reads only that flow's bindings, however many other connections are registered", () => {
  const location = new LocationService(new MemoryBindingStore(), () => 1_000_000);
  const others = { count: 0 };
  const own = { count: 0 };
  for (let i = 0; i < 1000; i++) {
    location.save(counted({ aor: String(2000 + i), contactUri: `sip:o${i}@x.invalid;transport=ws`, transport: 'WS', flowId: `ws#${i}` }, others));
  }
  location.save(counted({ contactUri: 'sip:mine@x.invalid;transport=ws', transport: 'WS', flowId: 'ws#closing' }, own));
  others.count = 0;
  assert.equal(location.flowClosed('ws#closing'), 1);
  assert.equal(others.count, 0, 'bindings of other flows were read');
  assert.equal(location.flowClosed('ws#closing'), 0);
  assert.equal(location.size, 1000);
});

test('every connection dropping at once costs a bounded number of binding reads each, not one per registered binding', () => {
  const location = new LocationService(new MemoryBindingStore(), () => 1_000_000);
  const reads = { count: 0 };
  const flows = 2000;
  for (let i = 0; i < flows; i++) {
    location.save(counted({ aor: String(2000 + i), contactUri: `sip:a${i}@x.invalid;transport=ws`, transport: 'WS', flowId: `ws#${i}` }, reads));
  }
  reads.count = 0;
  let removed = 0;
  for (let i = 0; i < flows; i++) removed += location.flowClosed(`ws#${i}`);
  assert.equal(removed, flows);
  assert.equal(location.size, 0);
  // Without the flow index each close read every remaining binding: about flows²/2 = 2,000,000.
  assert.ok(reads.count <= 10 * flows, `${reads.count} binding reads for ${flows} closed flows`);
});

test('a contact that registered again on a new connection stays when its old connection closes', () => {
  const store = new MemoryBindingStore();
  const location = new LocationService(store, () => 1_000_000);
  const ws = { contactUri: 'sip:a@x.invalid;transport=ws', transport: 'WS' as const };
  location.save(binding({ ...ws, flowId: 'ws#old' }));
  location.save(binding({ ...ws, flowId: 'ws#new', cseq: 2 }));
  assert.equal(location.flowClosed('ws#old'), 0);
  assert.equal(location.find('1001', ws.contactUri)?.flowId, 'ws#new');
  assert.equal(location.flowClosed('ws#new'), 1);
  assert.deepEqual(location.lookup('1001'), []);
});

test('bindings removed one by one, per extension, by expiry or with their session are gone from the flow index too', () => {
  const clock = { now: 1_000_000 };
  const location = new LocationService(new MemoryBindingStore(), () => clock.now);
  const ws = (name: string, flowId: string, extra: Partial<Binding> = {}) => binding({ contactUri: `sip:${name}@x.invalid;transport=ws`, transport: 'WS', flowId, ...extra });
  location.save(ws('removed', 'ws#1'));
  location.save(ws('all', 'ws#2', { aor: '1002' }));
  location.save(ws('expired', 'ws#3', { expiresAt: 1_000_500 }));
  location.save(ws('session', 'ws#4', { sessionTag: 'aaaaaaaaaaaaaaaa' }));
  location.remove('1001', 'sip:removed@x.invalid;transport=ws');
  location.removeAll('1002');
  clock.now = 1_000_500;
  assert.equal(location.removeExpired(), 1);
  assert.equal(location.removeSession('1001', 'aaaaaaaaaaaaaaaa'), 1);
  // The same contacts registered again on other flows: closing the old flows must leave them.
  clock.now = 1_000_600;
  for (const [name, aor] of [
    ['removed', '1001'],
    ['all', '1002'],
    ['expired', '1001'],
    ['session', '1001'],
  ] as const)
    location.save(ws(name, `ws#again-${name}`, { aor }));
  for (const flowId of ['ws#1', 'ws#2', 'ws#3', 'ws#4']) assert.equal(location.flowClosed(flowId), 0, flowId);
  assert.equal(location.size, 4);
});

test('WebSocket bindings loaded from the store go when their connection closes', () => {
  const store = new MemoryBindingStore();
  new LocationService(store, () => 1_000_000).save(binding({ contactUri: 'sip:a@x.invalid;transport=ws', transport: 'WS', flowId: 'ws#1' }));
  const restarted = new LocationService(store, () => 1_000_001);
  assert.equal(restarted.flowClosed('ws#1'), 1);
  assert.deepEqual(restarted.lookup('1001'), []);
  assert.equal(store.rows.size, 0);
});
