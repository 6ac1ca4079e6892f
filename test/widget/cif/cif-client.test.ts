import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CifClient } from '../../../src/widget/cif/cif-client.ts';
import type { CifFramework, CifHandler } from '../../../src/widget/cif/cif-framework.ts';
import { itemAt } from '../../support/item-at.ts';

/** A stand-in framework recording every call; answers come from `answers` by method name. */
function fakeFramework(answers: Record<string, (...args: unknown[]) => Promise<unknown>> = {}) {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const handlers = new Map<string, CifHandler>();
  const framework = new Proxy({} as CifFramework, {
    get(_target, method: string) {
      return (...args: unknown[]) => {
        calls.push({ method, args });
        if (method === 'addHandler') handlers.set(args[0] as string, args[1] as CifHandler);
        if (method === 'removeHandler') handlers.delete(args[0] as string);
        return answers[method]?.(...args) ?? Promise.resolve(undefined);
      };
    },
  });
  return { framework, calls, handlers };
}

describe('CIF client', () => {
  test('structured arguments go out as JSON strings and plain values stay plain', async () => {
    const { framework, calls } = fakeFramework({ createRecord: async () => '{"id":"{AB-CD}"}' });
    const cif = new CifClient(framework);
    await cif.setClickToAct(true);
    await cif.setMode(1);
    await cif.setWidth(360.4);
    await cif.openForm({ entityName: 'contact' }, { telephone1: '+4930123' });
    const created = await cif.createRecord('phonecall', { subject: 'Call' });
    assert.deepEqual(
      calls.map((c) => [c.method, ...c.args]),
      [
        ['setClickToAct', true],
        ['setMode', 1],
        ['setWidth', 360],
        ['openForm', '{"entityName":"contact"}', '{"telephone1":"+4930123"}'],
        ['createRecord', 'phonecall', '{"subject":"Call"}'],
      ],
    );
    assert.deepEqual(created, { ok: true, value: { id: 'ab-cd' } });
  });

  test('search results come back as a list and the search-only flag is passed as given', async () => {
    const { framework, calls } = fakeFramework({ searchAndOpenRecords: async () => '{"0":{"contactid":"1"},"1":{"contactid":"2"}}' });
    const result = await new CifClient(framework).searchAndOpenRecords('contact', '?$select=fullname', true);
    assert.deepEqual(result, { ok: true, value: [{ contactid: '1' }, { contactid: '2' }] });
    assert.deepEqual(itemAt(calls, 0).args, ['contact', '?$select=fullname', true]);
  });

  test('a rejection becomes a typed error instead of a thrown one', async () => {
    const { framework } = fakeFramework({ createRecord: () => Promise.reject('{"message":"exists","code":"0x80040237"}') });
    const result = await new CifClient(framework).createRecord('phonecall', {});
    assert.deepEqual(result, { ok: false, error: { kind: 'rejected', message: 'exists', code: '0x80040237' } });
  });

  test('a call that never settles ends as a timeout', async () => {
    const { framework } = fakeFramework({ getEnvironment: () => new Promise(() => {}) });
    const result = await new CifClient(framework, 20).getEnvironment();
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.kind, 'timeout');
  });

  test('an answer of the wrong shape is a bad result', async () => {
    const { framework } = fakeFramework({ getMode: async () => 2, getEnvironment: async () => 'not json' });
    const cif = new CifClient(framework);
    assert.equal((await cif.getMode()).ok, false);
    const env = await cif.getEnvironment();
    assert.equal(!env.ok && env.error.kind, 'bad-result');
  });

  test('mode and width answers are read as numbers', async () => {
    const { framework } = fakeFramework({ getMode: async () => '1', getWidth: async () => 360 });
    const cif = new CifClient(framework);
    assert.deepEqual(await cif.getMode(), { ok: true, value: 1 });
    assert.deepEqual(await cif.getWidth(), { ok: true, value: 360 });
  });

  test('without a library every call answers unavailable at once', async () => {
    const cif = new CifClient(undefined);
    assert.equal(cif.available, false);
    const result = await cif.searchAndOpenRecords('contact', '', true);
    assert.equal(!result.ok && result.error.kind, 'unavailable');
  });

  test('event handlers get parsed payloads, return promises and can be removed', async () => {
    const { framework, handlers } = fakeFramework();
    const cif = new CifClient(framework);
    const seen: unknown[] = [];
    const listening = await cif.listen({
      onClickToAct: (event) => seen.push(['click', event.value]),
      onModeChanged: (mode) => seen.push(['mode', mode]),
      onSizeChanged: (width) => seen.push(['size', width]),
    });
    assert.equal(listening.ok, true);
    assert.deepEqual([...handlers.keys()], ['onclicktoact', 'onmodechanged', 'onsizechanged']);
    const answer = handlers.get('onclicktoact')?.('{"value":"+1 415 555 0100","name":"telephone1","format":"Phone"}');
    assert.ok(answer instanceof Promise);
    await handlers.get('onmodechanged')?.('{"value":0}');
    await handlers.get('onsizechanged')?.('{"value":420}');
    await handlers.get('onmodechanged')?.('{"value":2}');
    assert.deepEqual(seen, [
      ['click', '+1 415 555 0100'],
      ['mode', 0],
      ['size', 420],
    ]);
    if (listening.ok) await listening.value();
    assert.equal(handlers.size, 0);
  });

  test('no CIF 2.0 call exists on the client', () => {
    const names = Object.getOwnPropertyNames(CifClient.prototype);
    for (const cif2 of ['createSession', 'notifyEvent', 'setPresence', 'createTab', 'getSession']) assert.equal(names.includes(cif2), false);
  });
});
