import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import type { SipCredentials } from '../../../src/widget/api/api-types.ts';
import type { CoordinationChannel, CoordinatorClock, CoordinatorMessage } from '../../../src/widget/phone/registration-coordinator.ts';
import { RegistrationController } from '../../../src/widget/state/registration-controller.ts';
import { CREDENTIALS, FakeEngine, failed, fakeEnvironment, ok, settle, signedInStore } from '../support/pane-fakes.ts';

/** Timers that never fire by themselves: the tests decide what the other tabs say. */
const stillClock: CoordinatorClock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };

/** Another tab of the same agent that holds the registration and is in a call. */
function busyHolderTab(): CoordinationChannel & { closed: boolean } {
  const listeners = new Set<(event: { data: unknown }) => void>();
  const answer = (data: CoordinatorMessage) =>
    queueMicrotask(() => {
      for (const listener of listeners) listener({ data });
    });
  return {
    closed: false,
    postMessage(message) {
      if (message.type === 'hello') answer({ v: 1, type: 'holder', from: 'other-tab', epoch: 1 });
      if (message.type === 'takeover') answer({ v: 1, type: 'busy', from: 'other-tab', epoch: 1, to: message.from });
    },
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    close() {
      this.closed = true;
    },
  };
}

function setup(options: { credentials?: ApiResult<SipCredentials>; channel?: CoordinationChannel } = {}) {
  const store = signedInStore();
  const engine = new FakeEngine();
  const { env, channels } = fakeEnvironment({ channel: options.channel });
  const log: string[] = [];
  const renewal = {
    start: (credentials: SipCredentials) => void log.push(`renewal start ${credentials.password}`),
    stop: () => void log.push('renewal stop'),
    recover: () => void log.push('renewal recover'),
    checkNow: () => void log.push('renewal check'),
  };
  const api = { sipCredentials: async () => options.credentials ?? ok(CREDENTIALS) };
  const registration = new RegistrationController({
    store,
    engine,
    api,
    renewal,
    env,
    paneId: 'pane-1',
    clock: stillClock,
    onHolder: () => void log.push('holder'),
    onSessionOver: () => void log.push('session over'),
  });
  return { registration, store, engine, log, channels };
}

describe('registration controller', () => {
  test('the only tab holds the registration, registers with the server’s credentials and renews them', async () => {
    const { registration, store, engine, log, channels } = setup();
    registration.start('1001');
    await settle();
    assert.deepEqual(channels, ['callpane-registration:1001']);
    assert.equal(store.state.role, 'holder');
    assert.deepEqual(engine.actions, ['register 1001']);
    assert.deepEqual(log, ['holder', 'renewal start short-lived']);
  });

  test('credentials refused because the session is over end it, and nothing registers', async () => {
    const { registration, engine, log } = setup({ credentials: failed(401, 'UNAUTHORIZED') });
    registration.start('1001');
    await settle();
    assert.deepEqual(engine.actions, []);
    assert.ok(log.includes('session over'));
  });

  test('credentials the server cannot give show the registration failed, with the reason', async () => {
    const { registration, store, engine } = setup({ credentials: failed(503, 'SIP_UNAVAILABLE', 'SIP is not running') });
    registration.start('1001');
    await settle();
    assert.deepEqual(engine.actions, []);
    assert.equal(store.state.registration, 'failed');
    assert.equal(store.state.registrationReason, 'SIP is not running');
  });

  test('the registrar’s answers are shown, and a refused credential is recovered with a fresh one', () => {
    const { store, engine, log } = setup();
    engine.registered('registered');
    assert.equal(store.state.registration, 'registered');
    engine.registered('failed', 'Request Timeout');
    assert.deepEqual(log, []);
    engine.registered('failed', 'Authentication Error');
    assert.equal(store.state.registrationReason, 'Authentication Error');
    assert.deepEqual(log, ['renewal recover']);
  });

  test('signing out leaves the tabs, stops renewing and unregisters', async () => {
    const channel = busyHolderTab();
    const { registration, engine, log } = setup({ channel });
    registration.start('1001');
    await settle();
    await registration.stop();
    assert.equal(channel.closed, true);
    assert.equal(engine.actions.at(-1), 'unregister');
    assert.equal(log.at(-1), 'renewal stop');
  });

  test('a page that goes away unregisters, and joins again when it comes back from the cache', async () => {
    const { registration, engine } = setup();
    registration.start('1001');
    await settle();
    registration.leave();
    assert.equal(engine.actions.at(-1), 'unregister');
    registration.restore();
    await settle();
    assert.equal(engine.actions.at(-1), 'register 1001');
  });

  test('waking from sleep checks whether the credential is due', () => {
    const { registration, log } = setup();
    registration.wake();
    assert.deepEqual(log, ['renewal check']);
  });

  test('while another tab holds the registration this one stays unregistered, and cannot take over a call in progress', async () => {
    const { registration, store, engine } = setup({ channel: busyHolderTab() });
    registration.start('1001');
    await settle();
    assert.equal(store.state.role, 'follower');
    assert.deepEqual(engine.actions, ['unregister']);
    await registration.takeOver();
    assert.deepEqual(store.state.notice, { kind: 'info', key: 'otherTabBusy' });
    store.update({ notice: undefined });
    assert.equal(await registration.ensureHolder(), false);
    assert.deepEqual(store.state.notice, { kind: 'info', key: 'otherTabBusy' });
  });

  test('a call waits until the holder’s phone is registered', async () => {
    const { registration, engine } = setup();
    assert.equal(await registration.ensureHolder(), false, 'not signed in: no coordinator yet');
    registration.start('1001');
    await settle();
    const ready = registration.ensureHolder();
    engine.registered('registered');
    assert.equal(await ready, true);
    assert.equal(engine.listenerCount(), 1, 'the wait stops listening');
    assert.equal(await registration.ensureHolder(), true);
  });
});
