import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Binding } from '../../src/pbx/binding.ts';
import { LocationService } from '../../src/pbx/location-service.ts';
import { SessionBoundBindings } from '../../src/pbx/session-bound-bindings.ts';
import { WriteBehindBindingStore } from '../../src/pbx/write-behind-binding-store.ts';
import { inTransaction, openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createRegistrationRepository } from '../../src/store/registration-repository.ts';
import { createSessionRepository } from '../../src/store/session-repository.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';

const NOW = 1_000_000;
/** Web session ids are SHA-256 hex; a pane credential names its session by the first 16 characters. */
const ENDED = `${'a'.repeat(16)}${'0'.repeat(48)}`;
const LIVE = `${'b'.repeat(16)}${'0'.repeat(48)}`;
const tagOf = (sessionId: string) => sessionId.slice(0, 16);

function binding(contactUri: string, overrides: Partial<Binding> = {}): Binding {
  return {
    aor: '1001',
    contact: `<${contactUri}>`,
    contactUri,
    expiresAt: NOW + 600_000,
    callId: contactUri,
    cseq: 1,
    transport: 'UDP',
    sourceAddress: '127.0.0.1',
    sourcePort: 5070,
    ...overrides,
  };
}

/** Bindings of 1001 made with its own secret, a pane credential of an ended session (UDP and WebSocket) and one of a live session. */
function fixture() {
  const store = new MemoryBindingStore();
  const location = new LocationService(store, () => NOW);
  location.save(binding('sip:own@127.0.0.1:5070'));
  location.save(binding('sip:ended@127.0.0.1:5071', { sessionTag: tagOf(ENDED) }));
  location.save(binding('sip:ended-ws@x.invalid;transport=ws', { transport: 'WS', flowId: 'ws#1', sessionTag: tagOf(ENDED) }));
  location.save(binding('sip:live@127.0.0.1:5072', { sessionTag: tagOf(LIVE) }));
  const live = new Set([`1001 ${tagOf(LIVE)}`]);
  const removedFor: Array<[string, number]> = [];
  const sessions = new SessionBoundBindings({
    location,
    isLive: (tag, extension, now) => {
      assert.equal(now, NOW);
      return live.has(`${extension} ${tag}`);
    },
    now: () => NOW,
    onRemoved: (extension, count) => removedFor.push([extension, count]),
  });
  const contactUris = () =>
    location
      .lookup('1001')
      .map((b) => b.contactUri)
      .sort();
  const storedUris = () => [...store.rows.values()].map((b) => b.contactUri).sort();
  return { location, sessions, live, removedFor, contactUris, storedUris };
}

describe('bindings made with a pane credential', () => {
  afterEach(() => mock.timers.reset());

  it("go with their session when the sweep finds it ended, while own-secret bindings and other sessions' stay", () => {
    const { sessions, removedFor, contactUris, storedUris } = fixture();
    assert.equal(sessions.sweep(), 2);
    const kept = ['sip:live@127.0.0.1:5072', 'sip:own@127.0.0.1:5070'];
    assert.deepEqual(contactUris(), kept);
    assert.deepEqual(storedUris(), kept);
    assert.deepEqual(removedFor, [['1001', 2]]);
    assert.equal(sessions.sweep(), 0);
  });

  it('go at once when this process hears that their session ended, and only theirs', () => {
    const { sessions, live, contactUris } = fixture();
    // The live session ended elsewhere too, but only the one heard of is looked at now.
    live.clear();
    assert.equal(sessions.sessionEnded(ENDED), 2);
    assert.deepEqual(contactUris(), ['sip:live@127.0.0.1:5072', 'sip:own@127.0.0.1:5070']);
  });

  it('stay when the session heard of still lives', () => {
    const { sessions, contactUris } = fixture();
    assert.equal(sessions.sessionEnded(LIVE), 0);
    assert.equal(contactUris().length, 4);
  });

  it('are swept periodically once started, and no more once stopped', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const { sessions, live, contactUris } = fixture();
    sessions.start(1000);
    mock.timers.tick(999);
    assert.equal(contactUris().length, 4);
    mock.timers.tick(1);
    assert.deepEqual(contactUris(), ['sip:live@127.0.0.1:5072', 'sip:own@127.0.0.1:5070']);
    sessions.stop();
    live.clear();
    mock.timers.tick(5000);
    assert.deepEqual(contactUris(), ['sip:live@127.0.0.1:5072', 'sip:own@127.0.0.1:5070']);
  });

  it('report a failed periodic sweep and are swept again at the next one', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const errors: unknown[] = [];
    let failing = true;
    const location = new LocationService(new MemoryBindingStore(), () => NOW);
    location.save(binding('sip:ended@127.0.0.1:5071', { sessionTag: tagOf(ENDED) }));
    const sessions = new SessionBoundBindings({
      location,
      isLive: () => {
        if (failing) throw new Error('database is locked');
        return false;
      },
      now: () => NOW,
      onError: (error) => errors.push(error),
    });
    sessions.start(1000);
    mock.timers.tick(1000);
    assert.equal(errors.length, 1);
    assert.equal(location.lookup('1001').length, 1);
    failing = false;
    mock.timers.tick(1000);
    assert.deepEqual(location.lookup('1001'), []);
    sessions.stop();
  });

  it('leave SQLite when their session is removed from the store, as `callpane sessions revoke` does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callpane-session-bindings-'));
    const db = openDatabase(dir);
    try {
      createExtensionRepository(db).add({ number: '1001', displayName: '1001', passwordHash: 'h', sipSecret: 's' });
      const sessionStore = createSessionRepository(db);
      const registrations = createRegistrationRepository(db);
      for (const id of [ENDED, LIVE]) sessionStore.create({ tokenHash: id, extension: '1001', createdAt: NOW, expiresAt: NOW + 3_600_000 });
      const store = new WriteBehindBindingStore(
        registrations,
        (work) => inTransaction(db, work),
        (error) => assert.fail(String(error)),
      );
      const location = new LocationService(store, () => NOW);
      location.save(binding('sip:own@127.0.0.1:5070'));
      location.save(binding('sip:ended@127.0.0.1:5071', { sessionTag: tagOf(ENDED) }));
      location.save(binding('sip:live@127.0.0.1:5072', { sessionTag: tagOf(LIVE) }));
      const sessions = new SessionBoundBindings({ location, isLive: (tag, extension, now) => sessionStore.hasLiveWithPrefix(tag, extension, now), now: () => NOW });
      assert.equal(sessions.sweep(), 0);
      sessionStore.remove(ENDED);
      assert.equal(sessions.sweep(), 1);
      store.flush();
      assert.deepEqual(
        registrations
          .listForAor('1001', NOW)
          .map((b) => b.contactUri)
          .sort(),
        ['sip:live@127.0.0.1:5072', 'sip:own@127.0.0.1:5070'],
      );
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
