import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/security/password-hash.ts';
import { currentDemoCredentials, seedDemoExtensions, type DemoStore } from '../../src/server/demo-extensions.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createMetaRepository } from '../../src/store/meta-repository.ts';

let store: DemoStore;
beforeEach(() => {
  const dataDir = mkdtempSync(join(tmpdir(), 'callpane-demo-'));
  const db = openDatabase(dataDir);
  store = { dataDir, db, extensions: createExtensionRepository(db), meta: createMetaRepository(db) };
});
afterEach(() => {
  store.db.close();
  rmSync(store.dataDir, { recursive: true, force: true });
});

test('the first seeding creates Alice 1001 and Bob 1002 and keeps their credentials in a private file', async () => {
  const created = await seedDemoExtensions(store);
  assert.deepEqual(created.map((c) => [c.number, c.displayName, c.email]), [
    ['1001', 'Alice Agent', 'alice@callpane.test'],
    ['1002', 'Bob Agent', 'bob@callpane.test'],
  ]);
  assert.notEqual(created[0].password, created[1].password);
  assert.equal(store.extensions.get('1001')?.sipSecret, created[0].sipSecret);
  const path = join(store.dataDir, 'demo-credentials.json');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).extensions, created);
});

test('seeding happens once: deleted demo extensions are not created again', async () => {
  await seedDemoExtensions(store);
  store.extensions.remove('1001');
  assert.deepEqual(await seedDemoExtensions(store), []);
  assert.equal(store.extensions.exists('1001'), false);
});

test('a number already taken by the administrator is left alone', async () => {
  store.extensions.add({ number: '1001', displayName: 'Real Person', passwordHash: 'h', sipSecret: 's' });
  const created = await seedDemoExtensions(store);
  assert.deepEqual(created.map((c) => c.number), ['1002']);
  assert.equal(store.extensions.get('1001')?.displayName, 'Real Person');
});

test('credentials are shown while they work; a changed password hides the entry, a changed SIP secret only the secret', async () => {
  const created = await seedDemoExtensions(store);
  assert.deepEqual(
    (await currentDemoCredentials(store.dataDir, store.extensions)).map((v) => [v.number, v.password, v.sipSecret]),
    created.map((c) => [c.number, c.password, c.sipSecret]),
  );
  store.extensions.setPasswordHash('1001', await hashPassword('changed-by-admin'));
  store.extensions.setSipSecret('1002', 'new-sip-secret');
  const views = await currentDemoCredentials(store.dataDir, store.extensions);
  assert.deepEqual(views.map((v) => [v.number, v.password, v.sipSecret]), [['1002', created[1].password, undefined]]);
});

test('without a credentials file there is nothing to show', async () => {
  assert.deepEqual(await currentDemoCredentials(store.dataDir, store.extensions), []);
});
