import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import type { SessionView, SsoButton } from '../../../src/widget/api/api-types.ts';
import { SessionController } from '../../../src/widget/state/session-controller.ts';
import { failed, ok, paneStore, SESSION, settle, signedInStore } from '../support/pane-fakes.ts';

function setup(answers: { refresh?: ApiResult<SessionView>; login?: ApiResult<SessionView>; providers?: SsoButton[] } = {}, store = paneStore()) {
  const log: string[] = [];
  const api = {
    login: async (login: string) => {
      log.push(`login ${login}`);
      return answers.login ?? ok(SESSION);
    },
    logout: async () => {
      log.push('logout');
      return ok(undefined);
    },
    refresh: async () => answers.refresh ?? failed<SessionView>(401, 'UNAUTHORIZED'),
    ssoProviders: async () => ok({ providers: answers.providers ?? [] }),
    forget: () => void log.push('forget'),
  };
  const sso = { start: (id: string) => void log.push(`sso ${id}`), cancel: () => void log.push('sso cancel') };
  const lifecycle = {
    signedIn: async (session: SessionView) => void log.push(`started ${session.extension.number}`),
    signedOut: async () => void log.push('stopped'),
  };
  const session = new SessionController({ store, api, sso, lifecycle });
  return { session, store, log };
}

describe('session controller', () => {
  test('a session the cookie still holds is resumed at start-up and everything that goes with it starts', async () => {
    const { session, store, log } = setup({ refresh: ok(SESSION) });
    session.start();
    await settle();
    assert.equal(store.state.boot, 'signed-in');
    assert.equal(store.state.session?.extension.number, '1001');
    assert.deepEqual(log, ['started 1001']);
  });

  test('without a session the pane shows the sign-in form and offers the identity providers', async () => {
    const providers: SsoButton[] = [{ id: 'entra', kind: 'entra', label: 'Microsoft' }];
    const { session, store, log } = setup({ providers });
    session.start();
    await settle();
    assert.equal(store.state.boot, 'signed-out');
    assert.deepEqual(store.state.ssoProviders, providers);
    assert.deepEqual(log, []);
  });

  test('a login is trimmed and, when accepted, signs the agent in', async () => {
    const { session, store, log } = setup();
    await session.signIn('  1001 ', 'pw');
    assert.equal(store.state.signingIn, false);
    assert.equal(store.state.boot, 'signed-in');
    assert.deepEqual(log, ['login 1001', 'started 1001']);
  });

  test('refused credentials say so and start nothing', async () => {
    const { session, store, log } = setup({ login: failed(401, 'INVALID_CREDENTIALS') });
    await session.signIn('1001', 'wrong');
    assert.deepEqual(store.state.notice, { kind: 'error', key: 'errInvalidCredentials' });
    assert.notEqual(store.state.boot, 'signed-in');
    assert.deepEqual(log, ['login 1001']);
  });

  test('too many attempts, no answer and other refusals each have their own notice', async () => {
    const cases: Array<[ApiResult<SessionView>, unknown]> = [
      [failed(429, 'TOO_MANY_ATTEMPTS'), { kind: 'error', key: 'errTooManyAttempts' }],
      [failed(0, 'NETWORK'), { kind: 'error', key: 'errNetwork' }],
      [failed(500, 'INTERNAL', 'boom'), { kind: 'error', key: 'errGeneric', values: { message: 'boom' } }],
    ];
    for (const [login, notice] of cases) {
      const { session, store } = setup({ login });
      await session.signIn('1001', 'pw');
      assert.deepEqual(store.state.notice, notice);
    }
  });

  test('signing out ends the session on the server, stops what ran with it, forgets the token and clears the calls', async () => {
    const { session, store, log } = signedIn();
    await session.signOut();
    assert.deepEqual(log, ['logout', 'stopped', 'forget']);
    assert.equal(store.state.boot, 'signed-out');
    assert.equal(store.state.session, undefined);
    assert.deepEqual(store.state.calls, []);
    assert.equal(store.state.role, 'undecided');
    assert.equal(store.state.notice, undefined);
  });

  test('a session the server ended tells the agent why', async () => {
    const { session, store, log } = signedIn();
    await session.end();
    assert.deepEqual(log, ['stopped', 'forget']);
    assert.deepEqual(store.state.notice, { kind: 'info', key: 'sessionEnded' });
  });

  test('an identity provider sign-in starts with the click, and its outcome signs in or explains', async () => {
    const { session, store, log } = setup();
    store.update({ notice: { kind: 'error', key: 'errNetwork' } });
    session.signInWith('entra');
    assert.equal(store.state.notice, undefined);
    await session.ssoEnded({ kind: 'failed', message: 'denied' });
    assert.deepEqual(store.state.notice, { kind: 'error', key: 'ssoFailed', values: { message: 'denied' } });
    await session.ssoEnded({ kind: 'expired' });
    assert.deepEqual(store.state.notice, { kind: 'info', key: 'ssoExpired' });
    await session.ssoEnded({ kind: 'signed-in', session: SESSION });
    assert.equal(store.state.boot, 'signed-in');
    session.cancelSso();
    assert.deepEqual(log, ['sso entra', 'started 1001', 'sso cancel']);
  });
});

function signedIn() {
  return setup({}, signedInStore({ role: 'holder' }));
}
