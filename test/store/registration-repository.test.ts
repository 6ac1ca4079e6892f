import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BindingStore } from '../../src/pbx/binding.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createRegistrationRepository, type RegistrationBinding, type RegistrationRepository } from '../../src/store/registration-repository.ts';

let dir: string;
let db: Database;
let repo: RegistrationRepository;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-reg-'));
  db = openDatabase(dir);
  const extensions = createExtensionRepository(db);
  for (const number of ['1001', '1002']) extensions.add({ number, displayName: number, passwordHash: 'h', sipSecret: 's' });
  repo = createRegistrationRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function binding(overrides: Partial<RegistrationBinding> = {}): RegistrationBinding {
  return {
    aor: '1001',
    contact: '<sip:1001@127.0.0.1:5070;transport=udp>',
    contactUri: 'sip:1001@127.0.0.1:5070;transport=udp',
    expiresAt: 10_000,
    callId: 'call-1',
    cseq: 1,
    transport: 'UDP',
    sourceAddress: '127.0.0.1',
    sourcePort: 5070,
    ...overrides,
  };
}

test("the repository is the registrar's binding store", () => {
  const store: BindingStore = repo;
  assert.equal(typeof store.upsert, 'function');
});

test('a binding reads back with exactly the fields it was stored with', () => {
  const full = binding({
    contactUri: 'sip:abc@def.invalid;transport=ws',
    transport: 'WS',
    flowId: 'ws:1',
    instanceId: '<urn:uuid:00000000-0000-0000-0000-000000000001>',
    regId: 1,
    q: 0.5,
    userAgent: 'JsSIP 3.10',
    path: '<sip:edge.test;lr>',
    sessionTag: '0123456789abcdef',
  });
  repo.upsert(binding());
  repo.upsert(full);
  assert.deepEqual(repo.listForAor('1001', 0), [full, binding()]);
});

test('upserting the same contact again refreshes it instead of adding one', () => {
  repo.upsert(binding());
  repo.upsert(binding({ expiresAt: 20_000, cseq: 2, sourcePort: 5071 }));
  assert.deepEqual(repo.listAll(0), [binding({ expiresAt: 20_000, cseq: 2, sourcePort: 5071 })]);
});

test('expired bindings are not listed and are removed on request', () => {
  repo.upsert(binding({ contactUri: 'sip:a@127.0.0.1', expiresAt: 5_000 }));
  repo.upsert(binding({ contactUri: 'sip:b@127.0.0.1', expiresAt: 15_000 }));
  assert.deepEqual(
    repo.listForAor('1001', 5_000).map((b) => b.contactUri),
    ['sip:b@127.0.0.1'],
  );
  assert.equal(repo.countActive(5_000), 1);
  assert.equal(repo.removeExpired(5_000), 1);
  assert.equal(repo.listAll(0).length, 1);
});

test('bindings are listed per AOR, highest q first', () => {
  repo.upsert(binding({ contactUri: 'sip:low@127.0.0.1', q: 0.1 }));
  repo.upsert(binding({ contactUri: 'sip:none@127.0.0.1' }));
  repo.upsert(binding({ contactUri: 'sip:high@127.0.0.1', q: 1 }));
  repo.upsert(binding({ aor: '1002', contactUri: 'sip:other@127.0.0.1' }));
  assert.deepEqual(
    repo.listForAor('1001', 0).map((b) => b.contactUri),
    ['sip:high@127.0.0.1', 'sip:low@127.0.0.1', 'sip:none@127.0.0.1'],
  );
  assert.equal(repo.listAll(0).length, 4);
});

test('one contact, or every contact of an AOR, can be removed', () => {
  repo.upsert(binding({ contactUri: 'sip:a@127.0.0.1' }));
  repo.upsert(binding({ contactUri: 'sip:b@127.0.0.1' }));
  repo.upsert(binding({ aor: '1002', contactUri: 'sip:c@127.0.0.1' }));
  assert.equal(repo.remove('1001', 'sip:a@127.0.0.1'), true);
  assert.equal(repo.remove('1001', 'sip:a@127.0.0.1'), false);
  assert.equal(repo.removeAll('1001'), 1);
  assert.deepEqual(
    repo.listAll(0).map((b) => b.aor),
    ['1002'],
  );
});

test('closing a flow removes exactly the bindings on it', () => {
  repo.upsert(binding({ contactUri: 'sip:a@x.invalid', transport: 'WS', flowId: 'ws:1' }));
  repo.upsert(binding({ aor: '1002', contactUri: 'sip:b@x.invalid', transport: 'WS', flowId: 'ws:1' }));
  repo.upsert(binding({ contactUri: 'sip:c@x.invalid', transport: 'WS', flowId: 'ws:2' }));
  repo.upsert(binding({ contactUri: 'sip:d@127.0.0.1' }));
  assert.equal(repo.removeByFlow('ws:1'), 2);
  assert.deepEqual(
    repo.listAll(0).map((b) => b.contactUri),
    ['sip:c@x.invalid', 'sip:d@127.0.0.1'],
  );
});

test('at start-up every connection-bound binding goes and the others stay', () => {
  repo.upsert(binding({ contactUri: 'sip:a@x.invalid', transport: 'WS', flowId: 'ws:1' }));
  repo.upsert(binding({ contactUri: 'sip:b@127.0.0.1', transport: 'TCP' }));
  assert.equal(repo.removeConnectionBound(), 1);
  assert.deepEqual(
    repo.listAll(0).map((b) => b.contactUri),
    ['sip:b@127.0.0.1'],
  );
});

test('removing an extension removes its bindings', () => {
  repo.upsert(binding());
  createExtensionRepository(db).remove('1001');
  assert.deepEqual(repo.listAll(0), []);
});

test('a binding for an unknown extension is refused', () => {
  assert.throws(() => repo.upsert(binding({ aor: '4242' })), /FOREIGN KEY/);
});
