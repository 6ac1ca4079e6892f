/**
 * The pane's SIP credentials are renewed before they expire (by the lifetime the server states,
 * whatever this machine's clock says), a failed fetch is retried, a refused one ends the session,
 * and a wake-up or a refused registration renews at once — on a mocked clock.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import type { SipCredentials } from '../../../src/widget/api/api-types.ts';
import { CredentialRenewal, RECOVER_INTERVAL_MS, RENEW_BEFORE_MS, RETRY_AFTER_MS } from '../../../src/widget/phone/credential-renewal.ts';

const MINUTE = 60_000;

function credentials(user: string, lifetimeMs = 20 * MINUTE): SipCredentials {
  // expiresAt as a badly set clock would read it: the renewal must count with expiresInSeconds.
  const expiresAt = new Date(Date.now() - 3 * 60 * MINUTE + lifetimeMs).toISOString();
  return {
    wsUrl: 'wss://pbx/sip',
    uri: 'sip:1001@pbx',
    authorizationUser: user,
    password: `pw-${user}`,
    expiresAt,
    expiresInSeconds: lifetimeMs / 1000,
    displayName: 'A',
    registrarServer: 'sip:pbx',
    iceServers: [],
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function renewal(t: TestContext, answers: () => ApiResult<SipCredentials>) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const applied: string[] = [];
  const state = { over: 0, fetches: 0 };
  const subject = new CredentialRenewal({
    fetch: async () => {
      state.fetches++;
      return answers();
    },
    apply: (next) => applied.push(next.authorizationUser),
    onSessionOver: () => state.over++,
  });
  const advance = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settle();
  };
  return { subject, applied, state, advance };
}

function counting(lifetimeMs?: number): () => ApiResult<SipCredentials> {
  let n = 0;
  return () => ({ ok: true, value: credentials(`c${++n}`, lifetimeMs) });
}

test('new credentials are fetched and applied five minutes before the old ones expire, and again before those do, whatever the clock says', async (t) => {
  const { subject, applied, state, advance } = renewal(t, counting());
  subject.start(credentials('c0'));
  await advance(20 * MINUTE - RENEW_BEFORE_MS - 1);
  assert.equal(state.fetches, 0);
  await advance(1);
  assert.deepEqual(applied, ['c1']);
  await advance(20 * MINUTE - RENEW_BEFORE_MS);
  assert.deepEqual(applied, ['c1', 'c2']);
  subject.stop();
});

test('a failed fetch is retried, and a refused one ends the session without more fetches', async (t) => {
  const answers: ApiResult<SipCredentials>[] = [
    { ok: false, error: { status: 0, code: 'NETWORK', message: 'offline' } },
    { ok: false, error: { status: 401, code: 'UNAUTHORIZED', message: 'ended' } },
  ];
  const { subject, applied, state, advance } = renewal(t, () => answers.shift()!);
  subject.start(credentials('c0'));
  await advance(20 * MINUTE - RENEW_BEFORE_MS);
  assert.equal(state.fetches, 1);
  await advance(RETRY_AFTER_MS);
  assert.deepEqual({ ...state, applied }, { fetches: 2, over: 1, applied: [] });
  await advance(60 * MINUTE);
  assert.equal(state.fetches, 2);
});

test("at the session's end, when new credentials last no longer, it waits for their expiry instead of fetching every few seconds", async (t) => {
  // The server caps every credential at the session's end, 4 minutes from now.
  const { subject, state, advance } = renewal(t, () => ({ ok: true, value: credentials('capped', sessionEnd - Date.now()) }));
  const sessionEnd = Date.now() + 4 * MINUTE;
  subject.start(credentials('c0', 4 * MINUTE));
  await advance(10_000);
  assert.equal(state.fetches, 1, 'the first is due at once (less than five minutes left)');
  await advance(4 * MINUTE - 10_001);
  assert.equal(state.fetches, 1, 'no fetch before the credential runs out');
  await advance(1);
  assert.equal(state.fetches, 2);
  subject.stop();
});

test('waking up renews at once when the credential is due, and not before', async (t) => {
  const { subject, applied, advance } = renewal(t, counting());
  subject.start(credentials('c0'));
  subject.checkNow();
  await settle();
  assert.deepEqual(applied, [], 'fresh credentials are left alone');
  // The machine slept through the timer: the mocked clock jumps without running it.
  t.mock.timers.setTime(Date.now() + 18 * MINUTE);
  subject.checkNow();
  await settle();
  assert.deepEqual(applied, ['c1']);
  await advance(0);
  subject.stop();
});

test('a refused registration renews at once, at most every 30 seconds', async (t) => {
  const { subject, applied, advance } = renewal(t, counting());
  subject.start(credentials('c0'));
  subject.recover();
  await settle();
  subject.recover();
  await settle();
  assert.deepEqual(applied, ['c1']);
  await advance(RECOVER_INTERVAL_MS);
  subject.recover();
  await settle();
  assert.deepEqual(applied, ['c1', 'c2']);
  subject.stop();
});

test('stopped (signed out, or another tab holds the phone), nothing is fetched, and an answer in flight is dropped', async (t) => {
  let release: (value: ApiResult<SipCredentials>) => void = () => {};
  const applied: string[] = [];
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const subject = new CredentialRenewal({
    fetch: () => new Promise((resolve) => (release = resolve)),
    apply: (next) => applied.push(next.authorizationUser),
    onSessionOver: () => assert.fail('not over'),
  });
  subject.start(credentials('c0'));
  subject.recover();
  subject.stop();
  release({ ok: true, value: credentials('late') });
  await settle();
  t.mock.timers.tick(60 * MINUTE);
  await settle();
  assert.deepEqual(applied, []);
});
