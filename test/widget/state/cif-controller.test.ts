import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordRef } from '../../../src/widget/api/api-types.ts';
import type { CifFramework, CifHandler } from '../../../src/widget/cif/cif-framework.ts';
import { CifController } from '../../../src/widget/state/cif-controller.ts';
import type { PaneState } from '../../../src/widget/state/pane-state.ts';
import { fakeEnvironment, paneStore, settle, signedInStore } from '../support/pane-fakes.ts';

/** Dynamics 365's side of CIF 1.0: records calls, answers getEnvironment/getMode, keeps handlers. */
function fakeFramework(mode: 0 | 1 = 1) {
  const calls: string[] = [];
  const handlers = new Map<string, CifHandler>();
  const answers: Record<string, (...args: unknown[]) => unknown> = {
    getEnvironment: () => JSON.stringify({ userId: '{AB-12}', userLcid: 1033 }),
    getMode: () => mode,
    addHandler: (name, handler) => void handlers.set(name as string, handler as CifHandler),
  };
  const framework = new Proxy({} as CifFramework, {
    get:
      (_target, method: string) =>
      async (...args: unknown[]) => {
        calls.push([method, ...args.filter((arg) => typeof arg !== 'function')].join(' '));
        return answers[method]?.(...args);
      },
  });
  return { framework, calls, handlers };
}

function setup(state: Partial<PaneState> = {}, signedIn = true) {
  const store = signedIn ? signedInStore(state) : paneStore(state);
  const { env, cif: loader } = fakeEnvironment();
  const done: string[] = [];
  const dialled: Array<{ raw: string; record?: RecordRef }> = [];
  const cif = new CifController({
    store,
    config: { base: 'https://org.crm.dynamics.com' },
    env,
    calls: {
      dial: async (raw, record) => void dialled.push({ raw, record }),
      addArticle: (title, link) => void done.push(`article ${title} ${link}`),
    },
    onEnvironment: () => void done.push('environment'),
    onConnected: () => void done.push('connected'),
  });
  return { cif, store, loader, done, dialled };
}

async function connected(state: Partial<PaneState> = {}, mode: 0 | 1 = 1, signedIn = true) {
  const context = setup(state, signedIn);
  const dynamics = fakeFramework(mode);
  context.cif.start();
  context.loader.loads[0]?.onReady(dynamics.framework);
  await settle();
  return { ...context, dynamics };
}

describe('CIF controller', () => {
  test('the library is loaded from the Dynamics origin, and without it the pane is a plain softphone', () => {
    const { cif, store, loader } = setup();
    assert.equal(cif.client.available, false);
    cif.start();
    assert.equal(loader.loads[0]?.base, 'https://org.crm.dynamics.com');
    loader.loads[0]?.onUnavailable('timeout');
    assert.equal(store.state.cif, 'unavailable');
  });

  test('once connected the Dynamics user and panel mode are known and click-to-act follows the settings', async () => {
    const { cif, store, done, dynamics } = await connected();
    assert.equal(cif.client.available, true);
    assert.equal(store.state.cif, 'connected');
    assert.equal(store.state.environment?.userId, 'ab-12');
    assert.equal(store.state.panelMode, 1);
    assert.deepEqual(done, ['environment', 'connected']);
    assert.ok(dynamics.calls.includes(`setClickToAct ${store.state.settings.clickToCall}`));
  });

  test('before sign-in click-to-act is left alone', async () => {
    const { dynamics } = await connected({}, 1, false);
    assert.equal(
      dynamics.calls.some((call) => call.startsWith('setClickToAct')),
      false,
    );
  });

  test('a click on a contact’s phone field dials it about that contact', async () => {
    const { dialled, dynamics, store } = await connected();
    store.update({ settings: { ...store.state.settings, clickToCall: true } });
    await dynamics.handlers.get('onclicktoact')?.(JSON.stringify({ value: '+14155550100', format: 'Phone', entityLogicalName: 'contact', entityId: '{C-1}', recordTitle: 'Ann' }));
    await settle();
    assert.deepEqual(dialled, [{ raw: '+14155550100', record: { entity: 'contact', id: 'c-1', name: 'Ann' } }]);
  });

  test('clicks that are not phone numbers, or with click-to-call off, dial nothing', async () => {
    const { dialled, dynamics, store } = await connected();
    store.update({ settings: { ...store.state.settings, clickToCall: true } });
    assert.ok(dynamics.handlers.has('onclicktoact'));
    await dynamics.handlers.get('onclicktoact')?.(JSON.stringify({ value: 'ann@example.com', format: 'Email' }));
    store.update({ settings: { ...store.state.settings, clickToCall: false } });
    await dynamics.handlers.get('onclicktoact')?.(JSON.stringify({ value: '+14155550100', format: 'Phone' }));
    await settle();
    assert.deepEqual(dialled, []);
  });

  test('a knowledge article sent from Dynamics goes to the call’s notes, and a mode change is shown', async () => {
    const { done, dynamics, store } = await connected();
    await dynamics.handlers.get('onsendkbarticle')?.(JSON.stringify({ title: 'Reset a password', link: 'https://kb/1' }));
    await dynamics.handlers.get('onmodechanged')?.(JSON.stringify({ value: 0 }));
    assert.ok(done.includes('article Reset a password https://kb/1'));
    assert.equal(store.state.panelMode, 0);
  });

  test('a call docks a minimized panel open, and leaves a docked one alone', async () => {
    const minimized = await connected({}, 0);
    await minimized.cif.dock();
    assert.ok(minimized.dynamics.calls.includes('setMode 1'));
    assert.equal(minimized.store.state.panelMode, 1);
    const docked = await connected({}, 1);
    await docked.cif.dock();
    assert.equal(docked.dynamics.calls.includes('setMode 1'), false);
  });

  test('signing out turns click-to-act off', async () => {
    const { cif, dynamics } = await connected();
    cif.clickToActOff();
    await settle();
    assert.equal(dynamics.calls.at(-1), 'setClickToAct false');
  });
});
