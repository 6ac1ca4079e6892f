/**
 * The pane's SIP credentials are renewed before they expire, a failed fetch is retried, and a
 * refused one ends the session, on a mocked clock.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import type { SipCredentials } from '../../../src/widget/api/api-types.ts';
import { CredentialRenewal, RENEW_BEFORE_MS, RETRY_AFTER_MS } from '../../../src/widget/phone/credential-renewal.ts';

const MINUTE = 60_000;

function credentials(user: string, expiresAt: number): SipCredentials {
  return { wsUrl: 'wss://pbx/sip', uri: 'sip:1001@pbx', authorizationUser: user, password: `pw-${user}`, expiresAt: new Date(expiresAt).toISOString(), displayName: 'A', registrarServer: 'sip:pbx', iceServers: [] };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function renewal(t: TestContext, answers: (now: number) => ApiResult<SipCredentials>) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const applied: string[] = [];
  const state = { over: 0, fetches: 0 };
  const subject = new CredentialRenewal({
    fetch: async () => {
      state.fetches++;
      return answers(Date.now());
    },
    apply: (next) => applied.push(next.authorizationUser),
    onSessionOver: () => state.over++,
  });
  return { subject, applied, state };
}

test('new credentials are fetched and applied five minutes before the old ones expire, and again before those do', async (t) => {
  let n = 0;
  const { subject, applied, state } = renewal(t, (now) => ({ ok: true, value: credentials(`c${++n}`, now + 20 * MINUTE) }));
  subject.start(credentials('c0', Date.now() + 20 * MINUTE));
  t.mock.timers.tick(20 * MINUTE - RENEW_BEFORE_MS - 1);
  await settle();
  assert.equal(state.fetches, 0);
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(applied, ['c1']);
  t.mock.timers.tick(20 * MINUTE - RENEW_BEFORE_MS);
  await settle();
  assert.deepEqual(applied, ['c1', 'c2']);
  subject.stop();
});

test('a failed fetch is retried, and a refused one ends the session without more fetches', async (t) => {
  const answers: ApiResult<SipCredentials>[] = [
    { ok: false, error: { status: 0, code: 'NETWORK', message: 'offline' } },
    { ok: false, error: { status: 401, code: 'UNAUTHORIZED', message: 'ended' } },
  ];
  const { subject, applied, state } = renewal(t, () => answers.shift()!);
  subject.start(credentials('c0', Date.now() + 20 * MINUTE));
  t.mock.timers.tick(20 * MINUTE - RENEW_BEFORE_MS);
  await settle();
  assert.equal(state.fetches, 1);
  t.mock.timers.tick(RETRY_AFTER_MS);
  await settle();
  assert.deepEqual({ ...state, applied }, { fetches: 2, over: 1, applied: [] });
  t.mock.timers.tick(60 * MINUTE);
  await settle();
  assert.equal(state.fetches, 2);
});

test('stopped (signed out, or another tab holds the phone), nothing is fetched', async (t) => {
  const { subject, state } = renewal(t, (now) => ({ ok: true, value: credentials('c1', now + 20 * MINUTE) }));
  subject.start(credentials('c0', Date.now() + 20 * MINUTE));
  subject.stop();
  t.mock.timers.tick(60 * MINUTE);
  await settle();
  assert.equal(state.fetches, 0);
});
