import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository, type ExtensionRepository } from '../../src/store/extension-repository.ts';
import { createSipCredentialCache } from '../../src/store/sip-credential-cache.ts';

interface Fixture {
  dir: string;
  extensions: ExtensionRepository;
  cache: ReturnType<typeof createSipCredentialCache>;
  lists: () => number;
  clock: { now: number };
}

function withDatabase(work: (fixture: Fixture) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-credentials-'));
  const db = openDatabase(dir);
  const repository = createExtensionRepository(db);
  let listCalls = 0;
  const counting: ExtensionRepository = Object.create(repository, {
    list: {
      value: () => {
        listCalls++;
        return repository.list();
      },
    },
    generation: { get: () => repository.generation },
  });
  const clock = { now: 1_000_000 };
  try {
    work({ dir, extensions: repository, cache: createSipCredentialCache(db, counting, { now: () => clock.now }), lists: () => listCalls, clock });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SIP credential cache', () => {
  it('answers from memory until the extensions change', () => {
    withDatabase(({ extensions, cache, lists }) => {
      extensions.add({ number: '1001', displayName: 'Alice', passwordHash: 'h', sipSecret: 'secret-1' });
      assert.equal(cache.sipSecretOf('1001'), 'secret-1');
      assert.equal(cache.exists('1002'), false);
      assert.equal(cache.sipSecretOf('1001'), 'secret-1');
      assert.equal(lists(), 1, 'one load for three lookups');
    });
  });

  it('sees a changed secret, a new and a removed extension written through this connection', () => {
    withDatabase(({ extensions, cache }) => {
      extensions.add({ number: '1001', displayName: 'Alice', passwordHash: 'h', sipSecret: 'secret-1' });
      assert.equal(cache.sipSecretOf('1001'), 'secret-1');
      extensions.setSipSecret('1001', 'secret-2');
      assert.equal(cache.sipSecretOf('1001'), 'secret-2');
      assert.equal(cache.displayNameOf('1001'), 'Alice');
      extensions.add({ number: '1002', displayName: 'Bob', passwordHash: 'h', sipSecret: 'secret-b' });
      assert.equal(cache.exists('1002'), true);
      extensions.remove('1001');
      assert.equal(cache.exists('1001'), false);
    });
  });

  it('sees what another process (the CLI) committed through its own connection within a second', () => {
    withDatabase(({ dir, extensions, cache, clock }) => {
      extensions.add({ number: '1001', displayName: 'Alice', passwordHash: 'h', sipSecret: 'secret-1' });
      assert.equal(cache.sipSecretOf('1001'), 'secret-1');
      const other = openDatabase(dir);
      createExtensionRepository(other).setSipSecret('1001', 'rotated');
      other.close();
      clock.now += 999;
      assert.equal(cache.sipSecretOf('1001'), 'secret-1', 'not looked at again yet');
      clock.now += 1;
      assert.equal(cache.sipSecretOf('1001'), 'rotated');
    });
  });
});
