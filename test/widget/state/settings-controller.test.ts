import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import { defaultSettings, type PaneSettings } from '../../../src/widget/api/api-types.ts';
import type { CifEnvironment } from '../../../src/widget/cif/cif-values.ts';
import { SettingsController } from '../../../src/widget/state/settings-controller.ts';
import { failed, fakeEnvironment, ok, signedInStore } from '../support/pane-fakes.ts';

function setup(answers: { load?: ApiResult<PaneSettings>; save?: (settings: PaneSettings) => ApiResult<PaneSettings> } = {}, languages = ['en-US']) {
  const store = signedInStore();
  const { env, document } = fakeEnvironment({ languages });
  const saved: PaneSettings[] = [];
  let clickToCallChanges = 0;
  const api = {
    settings: async () => answers.load ?? ok(defaultSettings()),
    saveSettings: async (settings: PaneSettings) => {
      saved.push(settings);
      return answers.save ? answers.save(settings) : ok(settings);
    },
  };
  const settings = new SettingsController({ store, api, env, onClickToCallChange: () => clickToCallChanges++ });
  return { settings, store, document, saved, clickToCallChanges: () => clickToCallChanges };
}

describe('settings controller', () => {
  test('the agent’s saved settings are shown on sign-in, and their language marks the document', async () => {
    const { settings, store, document } = setup({ load: ok({ ...defaultSettings(), language: 'zh-CN' }) });
    await settings.load();
    assert.equal(store.state.settings.language, 'zh-CN');
    assert.equal(store.state.language, 'zh-CN');
    assert.equal(document.language, 'zh-CN');
  });

  test('settings the server cannot give leave the defaults in place', async () => {
    const { settings, store } = setup({ load: failed(500, 'INTERNAL') });
    await settings.load();
    assert.deepEqual(store.state.settings, defaultSettings());
  });

  test('"Dynamics’ language" follows the browser until the Dynamics user is known, then the user', () => {
    const { settings, store } = setup({}, ['zh-CN', 'en']);
    settings.apply({ ...defaultSettings(), language: 'dynamics' });
    assert.equal(store.state.language, 'zh-CN');
    store.update({ environment: { userLcid: 1033 } as CifEnvironment });
    settings.reapply();
    assert.equal(store.state.language, 'en');
  });

  test('a change is shown at once and the server’s answer is what stays', async () => {
    const { settings, store, saved } = setup({ save: (sent) => ok({ ...sent, subjectTemplate: 'as stored' }) });
    const change = { ...defaultSettings(), subjectTemplate: 'typed' };
    const pending = settings.save(change);
    assert.equal(store.state.settings.subjectTemplate, 'typed');
    assert.equal(await pending, true);
    assert.deepEqual(saved, [change]);
    assert.equal(store.state.settings.subjectTemplate, 'as stored');
  });

  test('a change the server refuses is undone and the agent told why', async () => {
    const { settings, store } = setup({ save: () => failed(400, 'INVALID_REQUEST', 'subject too long') });
    const ok = await settings.save({ ...defaultSettings(), subjectTemplate: 'x'.repeat(500) });
    assert.equal(ok, false);
    assert.deepEqual(store.state.settings, defaultSettings());
    assert.deepEqual(store.state.notice, { kind: 'error', key: 'saveFailed', values: { message: 'subject too long' } });
  });

  test('turning click-to-call on or off tells Dynamics; other changes do not', () => {
    const { settings, clickToCallChanges } = setup();
    const current = defaultSettings();
    settings.apply({ ...current, subjectTemplate: 'other' });
    assert.equal(clickToCallChanges(), 0);
    settings.apply({ ...current, clickToCall: !current.clickToCall });
    assert.equal(clickToCallChanges(), 1);
  });
});
