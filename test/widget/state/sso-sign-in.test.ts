/**
 * The pane's popup sign-in against a scripted browser and API: what it opens, what it claims,
 * and when it stops. The real popup, provider and server are in test/e2e/pane-sso.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiResult, SsoClaim } from '../../../src/widget/api/api-client.ts';
import { GIVE_UP_AFTER_MS, POLL_INTERVAL_MS, SsoSignIn, type SsoBrowser, type SsoEnd, type SsoPhase } from '../../../src/widget/state/sso-sign-in.ts';
import { itemAt } from '../../support/item-at.ts';

const ORIGIN = 'https://pbx.example.com';
const SESSION = { expiresAt: 1, extension: { number: '1001', displayName: 'Alice', email: null } };

interface Harness {
  sso: SsoSignIn;
  phases: SsoPhase[];
  ends: SsoEnd[];
  opened: { url: string; name: string; replacedWith: string[]; closed: boolean; window: Window }[];
  claims: string[];
  /** Answers for the next claims, in order (the last one repeats). */
  answers: ApiResult<SsoClaim>[];
  /** A message event from `source` (default: the last popup opened). */
  post(origin: string, data: unknown, source?: unknown): void;
  clock: { now: number };
}

function harness(options: { blocked?: boolean } = {}): Harness {
  const listeners = new Set<(event: MessageEvent) => void>();
  const h = { phases: [], ends: [], opened: [], claims: [], answers: [], clock: { now: 0 } } as unknown as Harness;
  const browser: SsoBrowser = {
    origin: ORIGIN,
    open(url, name) {
      if (options.blocked) return null;
      const record = { url, name, replacedWith: [] as string[], closed: false, window: undefined as unknown as Window };
      record.window = { location: { replace: (next: string) => record.replacedWith.push(next) }, close: () => (record.closed = true) } as unknown as Window;
      h.opened.push(record);
      return record.window;
    },
    randomSecret: () => `${'s'.repeat(42)}${h.opened.length}`,
    sha256: async () => 'h'.repeat(43),
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  h.post = (origin, data, source = h.opened.at(-1)?.window) => {
    for (const listener of [...listeners]) listener({ origin, data, source } as MessageEvent);
  };
  h.sso = new SsoSignIn({
    api: {
      async claimSso(secret) {
        h.claims.push(secret);
        return h.answers.length > 1 ? h.answers.shift()! : itemAt(h.answers, 0);
      },
    },
    browser,
    onPhase: (phase) => h.phases.push(phase),
    onEnd: (end) => h.ends.push(end),
    now: () => h.clock.now,
  });
  return h;
}

const pending: ApiResult<SsoClaim> = { ok: true, value: { status: 'pending' } };
const signedIn: ApiResult<SsoClaim> = { ok: true, value: { status: 'signed-in', session: SESSION } };
const notFound: ApiResult<SsoClaim> = { ok: false, error: { status: 404, code: 'NOT_FOUND', message: 'gone' } };
const refused: ApiResult<SsoClaim> = { ok: false, error: { status: 403, code: 'SSO_FAILED', message: 'No extension has the e-mail address x@y.z.' } };

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the popup opens at once and is sent to the start with the handoff only, never the secret', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness();
  h.answers = [signedIn];
  h.sso.start('entra');
  assert.equal(h.opened.length, 1);
  assert.equal(itemAt(h.opened, 0).url, '');
  assert.match(itemAt(h.opened, 0).name, /^callpane-sso-s{42}0$/, 'a name of its own, not a fixed one');
  await settle();
  assert.deepEqual(itemAt(h.opened, 0).replacedWith, [`${ORIGIN}/dyncrm/sso/start?provider=entra&handoff=${'h'.repeat(43)}`]);
  assert.deepEqual(h.phases, [{ phase: 'waiting', providerId: 'entra' }]);
  assert.equal(h.claims.length, 0);
  t.mock.timers.tick(POLL_INTERVAL_MS);
  await settle();
  assert.deepEqual(h.claims, [`${'s'.repeat(42)}1`], 'the secret is another random value than the name');
  assert.deepEqual(h.ends, [{ kind: 'signed-in', session: SESSION }]);
  assert.deepEqual(h.phases.at(-1), { phase: 'idle' });
});

test('a blocked popup is reported, and nothing is claimed', async () => {
  const h = harness({ blocked: true });
  h.sso.start('google');
  await settle();
  assert.deepEqual(h.phases, [{ phase: 'blocked', providerId: 'google' }]);
  assert.deepEqual(h.claims, []);
});

test("the result page's message makes the pane claim at once; messages of other origins, windows or kinds do not", async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness();
  h.answers = [signedIn];
  h.sso.start('entra');
  await settle();
  h.post('https://contoso.crm.dynamics.com', { type: 'callpane-sso', ok: true });
  h.post(ORIGIN, { type: 'callpane-sso', ok: true }, {});
  h.post(ORIGIN, { cif: 'x' });
  await settle();
  assert.equal(h.claims.length, 0);
  h.post(ORIGIN, { type: 'callpane-sso', ok: true });
  await settle();
  assert.equal(h.claims.length, 1);
  assert.equal(h.ends[0]?.kind, 'signed-in');
});

test('it keeps claiming while the sign-in is pending (an opener cut off never posts) and reports a refusal', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness();
  h.answers = [notFound, pending, pending, refused];
  h.sso.start('entra');
  await settle();
  for (let i = 0; i < 4; i++) {
    t.mock.timers.tick(POLL_INTERVAL_MS);
    await settle();
  }
  assert.equal(h.claims.length, 4, 'a "not found" before the popup reached the server is only too early');
  assert.deepEqual(h.ends, [{ kind: 'failed', message: 'No extension has the e-mail address x@y.z.' }]);
});

test('a sign-in that vanishes after it was pending, or runs too long, ends as expired', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const vanished = harness();
  vanished.answers = [pending, notFound];
  vanished.sso.start('entra');
  await settle();
  for (let i = 0; i < 2; i++) {
    t.mock.timers.tick(POLL_INTERVAL_MS);
    await settle();
  }
  assert.deepEqual(vanished.ends, [{ kind: 'expired' }]);

  const slow = harness();
  slow.answers = [pending];
  slow.sso.start('entra');
  await settle();
  slow.clock.now = GIVE_UP_AFTER_MS;
  t.mock.timers.tick(POLL_INTERVAL_MS);
  await settle();
  assert.deepEqual(slow.ends, [{ kind: 'expired' }]);
});

test('a failure the popup reports ends the wait with its message, though nothing is left to claim', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness();
  h.answers = [notFound];
  h.sso.start('entra');
  await settle();
  h.post(ORIGIN, { type: 'callpane-sso', ok: false, code: 'SSO_STATE_MISMATCH', message: 'This sign-in was not started in this browser.' });
  t.mock.timers.tick(POLL_INTERVAL_MS * 3);
  await settle();
  assert.deepEqual(h.ends, [{ kind: 'failed', message: 'This sign-in was not started in this browser.' }]);
  assert.equal(h.claims.length, 0);
});

test('cancel stops claiming and closes the popup', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness();
  h.answers = [pending];
  h.sso.start('entra');
  await settle();
  h.sso.cancel();
  t.mock.timers.tick(POLL_INTERVAL_MS * 3);
  await settle();
  assert.equal(h.claims.length, 0);
  assert.equal(itemAt(h.opened, 0).closed, true);
  assert.deepEqual(h.phases.at(-1), { phase: 'idle' });
  assert.deepEqual(h.ends, []);
});
