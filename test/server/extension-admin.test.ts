import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '../../src/security/password-hash.ts';
import { changePassword, provisionExtension } from '../../src/server/extension-admin.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { ExtensionError } from '../../src/store/extension-error.ts';
import { createExtensionRepository, type ExtensionRepository } from '../../src/store/extension-repository.ts';

let dir: string;
let db: Database;
let extensions: ExtensionRepository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-admin-'));
  db = openDatabase(dir);
  extensions = createExtensionRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function refusesWith(code: string) {
  return (error: unknown) => error instanceof ExtensionError && error.code === code;
}

test('omitted credentials are generated, returned once and stored (the password only as a hash)', async () => {
  const result = await provisionExtension(extensions, { number: '1003', displayName: 'Carol' });
  assert.match(result.generatedPassword ?? '', /^[A-Za-z0-9_-]{16}$/);
  assert.match(result.generatedSipSecret ?? '', /^[A-Za-z0-9_-]{24}$/);
  const stored = extensions.get('1003')!;
  assert.equal(stored.sipSecret, result.generatedSipSecret);
  assert.notEqual(stored.passwordHash, result.generatedPassword);
  assert.equal(await verifyPassword(result.generatedPassword!, stored.passwordHash), true);
});

test('given credentials are used and not handed back', async () => {
  const result = await provisionExtension(extensions, { number: '1003', displayName: 'Carol', email: 'carol@callpane.test', password: 'web-pass-1', sipSecret: 'sip-secret-1' });
  assert.equal(result.generatedPassword, undefined);
  assert.equal(result.generatedSipSecret, undefined);
  assert.equal(result.extension.email, 'carol@callpane.test');
  assert.equal(await verifyPassword('web-pass-1', extensions.get('1003')!.passwordHash), true);
  assert.equal(extensions.get('1003')!.sipSecret, 'sip-secret-1');
});

test('short passwords and unusable SIP secrets are refused and nothing is stored', async () => {
  await assert.rejects(provisionExtension(extensions, { number: '1003', displayName: 'C', password: 'short' }), refusesWith('EXTENSION_INVALID_PASSWORD'));
  await assert.rejects(provisionExtension(extensions, { number: '1003', displayName: 'C', sipSecret: 'has space in it' }), refusesWith('EXTENSION_INVALID_SIP_SECRET'));
  await assert.rejects(provisionExtension(extensions, { number: '1003', displayName: 'C', sipSecret: 'tiny' }), refusesWith('EXTENSION_INVALID_SIP_SECRET'));
  assert.deepEqual(extensions.list(), []);
});

test('a password change replaces the hash; omitted, a new one is generated and returned', async () => {
  await provisionExtension(extensions, { number: '1003', displayName: 'Carol', password: 'first-pass' });
  assert.equal(await changePassword(extensions, '1003', 'second-pass'), undefined);
  const hash = extensions.get('1003')!.passwordHash;
  assert.equal(await verifyPassword('second-pass', hash), true);
  assert.equal(await verifyPassword('first-pass', hash), false);
  const generated = await changePassword(extensions, '1003');
  assert.equal(await verifyPassword(generated!, extensions.get('1003')!.passwordHash), true);
});

test('changing the password of an unknown extension is refused', async () => {
  await assert.rejects(changePassword(extensions, '4242', 'whatever-pass'), refusesWith('EXTENSION_NOT_FOUND'));
});
