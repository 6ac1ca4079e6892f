/**
 * Callpane's TURN credentials against a real coturn (Debian `coturn`, `use-auth-secret`) on
 * 127.0.0.1: the server asks for a UDP relay with a TURN Allocate (test/support/turn-client.ts)
 * as a browser would. coturn relays for a credential Callpane issued under the shared secret, and
 * refuses one whose moment has passed or that was made under another secret.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PaneIceServers, turnCredential } from '../../src/security/turn-credentials.ts';
import { startCoturn, type Coturn } from '../support/coturn.ts';
import { TurnClient, type AllocateOutcome } from '../support/turn-client.ts';
import { itemAt } from '../support/item-at.ts';

const SECRET = 'coturn-shared-secret-for-tests';
let coturn: Coturn;

before(async () => {
  coturn = await startCoturn({ secret: SECRET });
});

after(async () => {
  await coturn?.stop();
});

/** From a socket of its own: coturn keeps one allocation per client address (RFC 8656 §7.2, 437 for a second). */
async function allocate(username: string, password: string): Promise<AllocateOutcome> {
  const client = await TurnClient.open(coturn.host, coturn.port);
  try {
    return await client.allocate(username, password);
  } finally {
    client.close();
  }
}

test('coturn relays for the TURN credential Callpane hands the pane', async () => {
  const servers = new PaneIceServers({ stun: [], turn: { urls: coturn.urls, secret: SECRET, ttlSeconds: 3600 }, transportPolicy: 'relay' });
  const turn = itemAt(servers.for('1001', Date.now() + 8 * 3600_000), 0);
  const outcome = await allocate(String(turn.username), String(turn.credential));
  assert.ok(outcome.ok, `coturn refused a fresh credential: ${JSON.stringify(outcome)}\n${coturn.recentLog(20).join('\n')}`);
  assert.equal(outcome.relayedAddress, '127.0.0.1');
});

test('coturn refuses an expired TURN credential (401), though its password is right for its username', async () => {
  const expired = turnCredential(SECRET, '1001', Math.floor(Date.now() / 1000) - 60);
  const outcome = await allocate(expired.username, expired.credential);
  assert.deepEqual({ ok: outcome.ok, code: outcome.ok ? 0 : outcome.code }, { ok: false, code: 401 });
});

test('coturn refuses a credential made under another secret (401)', async () => {
  const forged = turnCredential('not-the-shared-secret', '1001', Math.floor(Date.now() / 1000) + 3600);
  const outcome = await allocate(forged.username, forged.credential);
  assert.deepEqual({ ok: outcome.ok, code: outcome.ok ? 0 : outcome.code }, { ok: false, code: 401 });
});
