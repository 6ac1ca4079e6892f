import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IceConfig } from '../../src/config/ice-config.ts';
import { PaneIceServers, turnCredential } from '../../src/security/turn-credentials.ts';
import { itemAt } from '../support/item-at.ts';

const SECRET = 'a-shared-turn-secret-01';
const NOW = 1_700_000_000_000;
const LATER_SESSION_END = NOW + 8 * 3600_000;

function ice(overrides: Partial<IceConfig> = {}): IceConfig {
  return { stun: [], turn: undefined, transportPolicy: 'all', ...overrides };
}

test('a TURN credential is the REST API pair coturn checks: expiry:extension, and base64 HMAC-SHA1 of it under the shared secret', () => {
  // The password computed independently (Python: base64(hmac.new(secret, username, sha1).digest())).
  assert.deepEqual(turnCredential(SECRET, '1001', 1_700_003_600), { username: '1700003600:1001', credential: 'w582cp61Prp//3W0hKv+M3yQ1K8=', expiresAt: 1_700_003_600_000 });
});

test('the pane gets STUN then TURN, with a credential for its own extension lasting the configured time', () => {
  const servers = new PaneIceServers(
    ice({
      stun: ['stun:stun.example.com'],
      turn: { urls: ['turn:turn.example.com?transport=udp', 'turns:turn.example.com:5349?transport=tcp'], secret: SECRET, ttlSeconds: 3600 },
    }),
    () => NOW,
  );
  assert.deepEqual(servers.for('1001', LATER_SESSION_END), [
    { urls: ['stun:stun.example.com'] },
    { urls: ['turn:turn.example.com?transport=udp', 'turns:turn.example.com:5349?transport=tcp'], ...pair(turnCredential(SECRET, '1001', (NOW + 3600_000) / 1000)) },
  ]);
});

test('a TURN credential never outlives the web session it was issued to', () => {
  const servers = new PaneIceServers(ice({ turn: { urls: ['turn:127.0.0.1'], secret: SECRET, ttlSeconds: 86400 } }), () => NOW);
  const turn = itemAt(servers.for('1002', NOW + 600_500), 0);
  assert.equal(turn.username, `${(NOW + 600_000) / 1000}:1002`, "rounded down to the second, at the session's end");
});

test('with nothing configured the pane gets no ICE server, and the secret is in no server entry', () => {
  assert.deepEqual(new PaneIceServers(ice()).for('1001', LATER_SESSION_END), []);
  const entries = JSON.stringify(new PaneIceServers(ice({ turn: { urls: ['turn:127.0.0.1'], secret: SECRET, ttlSeconds: 3600 } })).for('1001', LATER_SESSION_END));
  assert.doesNotMatch(entries, new RegExp(SECRET));
});

function pair({ username, credential }: { username: string; credential: string }) {
  return { username, credential };
}
