import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Binding } from '../../src/pbx/binding.ts';
import { WriteBehindBindingStore } from '../../src/pbx/write-behind-binding-store.ts';
import { inTransaction, openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createRegistrationRepository } from '../../src/store/registration-repository.ts';

function binding(contactPort: number, overrides: Partial<Binding> = {}): Binding {
  return {
    aor: '1001',
    contact: `<sip:1001@127.0.0.1:${contactPort}>`,
    contactUri: `sip:1001@127.0.0.1:${contactPort}`,
    expiresAt: 2_000_000,
    callId: 'c1',
    cseq: 1,
    transport: 'UDP',
    sourceAddress: '127.0.0.1',
    sourcePort: contactPort,
    ...overrides,
  };
}

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-write-behind-'));
  const db = openDatabase(dir);
  // Bindings belong to an extension (foreign key).
  createExtensionRepository(db).add({ number: '1001', displayName: 'Alice', passwordHash: 'unused', sipSecret: 'unused' });
  const repository = createRegistrationRepository(db);
  const transactions: number[] = [];
  const errors: unknown[] = [];
  const store = new WriteBehindBindingStore(
    repository,
    (work) => {
      transactions.push(1);
      inTransaction(db, work);
    },
    (error) => errors.push(error),
  );
  const cleanup = () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { db, repository, store, transactions, errors, cleanup };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('write-behind binding store', () => {
  it('commits every write of one event-loop turn in a single transaction, in order', async () => {
    const { repository, store, transactions, cleanup } = fixture();
    try {
      store.upsert(binding(5070));
      store.upsert(binding(5072));
      store.remove('1001', 'sip:1001@127.0.0.1:5070');
      assert.equal(repository.countActive(1_000_000), 0, 'nothing is written before the turn ends');
      await nextTurn();
      assert.equal(transactions.length, 1);
      assert.deepEqual(
        repository.listForAor('1001', 1_000_000).map((b) => b.sourcePort),
        [5072],
      );
    } finally {
      cleanup();
    }
  });

  it('flushes what is queued before it reads', () => {
    const { store, cleanup } = fixture();
    try {
      store.upsert(binding(5070));
      assert.equal(store.listAll(1_000_000).length, 1);
    } finally {
      cleanup();
    }
  });

  it('reports a failed commit and keeps going with the next turn', async () => {
    const { db, repository, store, errors, cleanup } = fixture();
    try {
      db.exec('BEGIN');
      store.upsert(binding(5070));
      await nextTurn();
      assert.equal(errors.length, 1, 'a transaction inside a transaction fails');
      db.exec('ROLLBACK');
      store.upsert(binding(5072));
      store.flush();
      assert.deepEqual(
        repository.listForAor('1001', 1_000_000).map((b) => b.sourcePort),
        [5072],
      );
    } finally {
      cleanup();
    }
  });
});
