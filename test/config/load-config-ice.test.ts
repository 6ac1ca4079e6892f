import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { redactSecrets } from '../../src/security/redact.ts';
import { problemsOfRefused } from './config-problems.ts';
import { itemAt } from '../support/item-at.ts';

const SECRET = 'turn-static-auth-secret-42';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-config-ice-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function withIce(ice: unknown, env: Record<string, string> = {}): LoadConfigOptions {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ media: { ice } }));
  return { argvConfigPath: path, env };
}

function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, ...options });
}

function problemsOf(options: LoadConfigOptions): readonly string[] {
  return problemsOfRefused(() => load(options));
}

test('no STUN or TURN server is configured by default, and every candidate is allowed', () => {
  assert.deepEqual(load().media.ice, { stun: [], turn: undefined, transportPolicy: 'all' });
});

test('STUN and TURN servers are read with the TURN secret, a default lifetime of an hour, and a relay-only policy', () => {
  const config = load(
    withIce({
      stun: ['stun:stun.example.com:3478'],
      turn: { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349?transport=tcp'], secret: SECRET },
      transportPolicy: 'relay',
    }),
  );
  assert.deepEqual(config.media.ice, {
    stun: ['stun:stun.example.com:3478'],
    turn: { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349?transport=tcp'], secret: SECRET, ttlSeconds: 3600 },
    transportPolicy: 'relay',
  });
});

test('the TURN secret may come from the variable secretEnv names, and from CALLPANE_MEDIA_ICE_* variables', () => {
  const fromEnv = load(withIce({ turn: { urls: ['turn:127.0.0.1:3478'], secretEnv: 'TURN_SECRET', ttlSeconds: 1800 } }, { TURN_SECRET: SECRET }));
  assert.deepEqual(fromEnv.media.ice.turn, { urls: ['turn:127.0.0.1:3478'], secret: SECRET, ttlSeconds: 1800 });
  const variables = load({ env: { CALLPANE_MEDIA_ICE_STUN: 'stun:127.0.0.1:3478', CALLPANE_MEDIA_ICE_TURN_URLS: 'turn:127.0.0.1:3478', CALLPANE_MEDIA_ICE_TURN_SECRET: SECRET } });
  assert.deepEqual(variables.media.ice.stun, ['stun:127.0.0.1:3478']);
  assert.equal(variables.media.ice.turn?.secret, SECRET);
});

test('config check shows the TURN secret as [redacted]', () => {
  const printed = JSON.stringify(redactSecrets(load(withIce({ turn: { urls: ['turn:127.0.0.1:3478'], secret: SECRET } }))));
  assert.doesNotMatch(printed, new RegExp(SECRET));
  assert.match(printed, /"turn":\{"urls":\["turn:127\.0\.0\.1:3478"\],"secret":"\[redacted\]","ttlSeconds":3600\}/);
});

test('a TURN server without a usable secret is refused, each problem at the key to fix and no secret shown', () => {
  assert.deepEqual(problemsOf(withIce({ turn: { urls: ['turn:127.0.0.1'] } })), [
    "media.ice.turn.secret (CALLPANE_MEDIA_ICE_TURN_SECRET) = (not set): is required with media.ice.turn: the TURN server's static-auth-secret (or secretEnv naming a variable that holds it)",
  ]);
  assert.deepEqual(problemsOf(withIce({ turn: { urls: ['turn:127.0.0.1'], secret: SECRET, secretEnv: 'TURN_SECRET' } }, { TURN_SECRET: SECRET })), [
    'media.ice.turn.secretEnv (CALLPANE_MEDIA_ICE_TURN_SECRET_ENV) = "[redacted]": is set together with media.ice.turn.secret: keep one',
  ]);
  assert.deepEqual(problemsOf(withIce({ turn: { urls: ['turn:127.0.0.1'], secretEnv: 'TURN_SECRET' } })), [
    'media.ice.turn.secretEnv (CALLPANE_MEDIA_ICE_TURN_SECRET_ENV) = "[redacted]": names TURN_SECRET, which is not set or empty',
  ]);
  const short = problemsOf(withIce({ turn: { urls: ['turn:127.0.0.1'], secret: 'short-one' } }));
  assert.equal(short.length, 1);
  assert.match(
    itemAt(short, 0),
    /^media\.ice\.turn\.secret \(CALLPANE_MEDIA_ICE_TURN_SECRET\) = "\[redacted\]": must be the TURN server's static-auth-secret, 16 to 256 characters/,
  );
});

test("URIs must be STUN or TURN URIs, the lifetime must outlast the pane's SIP credential, and relay-only needs a TURN server", () => {
  const problems = problemsOf(withIce({ stun: ['turn:127.0.0.1'], turn: { urls: ['https://turn.example.com'], secret: SECRET, ttlSeconds: 600 }, transportPolicy: 'relay' }));
  assert.deepEqual(
    problems.map((line) => line.split(':')[0]),
    [
      'media.ice.stun (CALLPANE_MEDIA_ICE_STUN) = ["turn',
      'media.ice.turn.urls (CALLPANE_MEDIA_ICE_TURN_URLS) = ["https',
      'media.ice.turn.ttlSeconds (CALLPANE_MEDIA_ICE_TURN_TTL_SECONDS) = 600',
    ],
  );
  assert.deepEqual(problemsOf(withIce({ transportPolicy: 'relay' })), [
    'media.ice.transportPolicy (CALLPANE_MEDIA_ICE_TRANSPORT_POLICY) = "relay": needs media.ice.turn: with relay only and no TURN server, no call could carry audio',
  ]);
});
