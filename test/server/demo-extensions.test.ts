import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/security/password-hash.ts';
import { Dataverse, SALESPERSON } from '../../src/sandbox/dataverse/index.ts';
import { currentDemoCredentials, DEMO_EXTENSIONS, demoLeftoverWarning, leftoverDemoExtensions, seedDemoExtensions, type DemoStore } from '../../src/server/demo-extensions.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createMetaRepository } from '../../src/store/meta-repository.ts';
import { itemAt } from '../support/item-at.ts';

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

test('the first seeding creates Alex Agent 1001 and 李娜 1002 and keeps their credentials in a private file', async () => {
  const created = await seedDemoExtensions(store);
  assert.deepEqual(
    created.map((c) => [c.number, c.displayName, c.email]),
    [
      ['1001', 'Alex Agent', 'alex.agent@sandbox.example'],
      ['1002', '李娜', 'li.na@sandbox.example'],
    ],
  );
  assert.notEqual(itemAt(created, 0).password, itemAt(created, 1).password);
  assert.equal(store.extensions.get('1001')?.sipSecret, itemAt(created, 0).sipSecret);
  const path = join(store.dataDir, 'demo-credentials.json');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).extensions, created);
});

test('each demo extension is one of the sandbox’s agents: the enabled Dynamics user with its e-mail, under the same name', () => {
  const dataverse = new Dataverse({ path: ':memory:' });
  try {
    for (const demo of DEMO_EXTENSIONS) {
      const users = dataverse.retrieveMultiple('systemusers', {
        $select: 'systemuserid,fullname,accessmode',
        $filter: `internalemailaddress eq '${demo.email}' and isdisabled eq false`,
      }).records;
      assert.deepEqual(
        users.map((user) => [user.fullname, user.accessmode]),
        [[demo.displayName, 0]],
        `${demo.number} ${demo.email}`,
      );
      assert.deepEqual(dataverse.rolesOf(String(users[0]?.systemuserid)), [SALESPERSON.id], 'an agent, not the supervisor');
    }
  } finally {
    dataverse.close();
  }
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
  assert.deepEqual(
    created.map((c) => c.number),
    ['1002'],
  );
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
  assert.deepEqual(
    views.map((v) => [v.number, v.password, v.sipSecret]),
    [['1002', itemAt(created, 1).password, undefined]],
  );
});

test('without a credentials file there is nothing to show', async () => {
  assert.deepEqual(await currentDemoCredentials(store.dataDir, store.extensions), []);
});

test('with the demo off, names the demo extensions that still have a credential it generated, until both are changed or it is removed', async () => {
  const created = await seedDemoExtensions(store);
  assert.deepEqual(await leftoverDemoExtensions(store.dataDir, store.extensions), [
    { number: '1001', webPassword: true, sipSecret: true },
    { number: '1002', webPassword: true, sipSecret: true },
  ]);
  // A new web password alone leaves the SIP secret that went into the log.
  store.extensions.setPasswordHash('1001', await hashPassword('changed-by-admin'));
  store.extensions.setSipSecret('1002', 'new-sip-secret');
  assert.deepEqual(await leftoverDemoExtensions(store.dataDir, store.extensions), [
    { number: '1001', webPassword: false, sipSecret: true },
    { number: '1002', webPassword: true, sipSecret: false },
  ]);
  store.extensions.setSipSecret('1001', 'another-sip-secret');
  store.extensions.remove('1002');
  assert.deepEqual(await leftoverDemoExtensions(store.dataDir, store.extensions), []);
  assert.equal(created.length, 2);
});

test('the warning about them is one line naming each, what is still generated, and what to do, never a secret', async () => {
  const created = await seedDemoExtensions(store);
  const line = demoLeftoverWarning(await leftoverDemoExtensions(store.dataDir, store.extensions));
  assert.equal(
    line,
    'demo extensions 1001 (web password and SIP secret), 1002 (web password and SIP secret) still have the credentials the demo generated, ' +
      'which earlier versions printed into the service log, while the demo is off (demo.seedExtensions): ' +
      'remove them (callpane ext rm 1001) or change their secrets (callpane ext passwd 1001 --sip)',
  );
  for (const { password, sipSecret } of created) assert.ok(!line.includes(password) && !line.includes(sipSecret));
  assert.match(
    demoLeftoverWarning([{ number: '1002', webPassword: false, sipSecret: true }]),
    /^demo extension 1002 \(SIP secret\) still has .* remove it \(callpane ext rm 1002\) or change its secrets \(callpane ext passwd 1002 --sip\)$/,
  );
});
