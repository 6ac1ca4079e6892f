import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CifCall } from '../../../src/sandbox/cif/cif-arguments.ts';
import { CifErrorCode, CifRejection } from '../../../src/sandbox/cif/cif-error.ts';
import { CifHost, type HandleOutcome, type RefusalReason } from '../../../src/sandbox/cif/cif-host.ts';
import { CIF_MARK } from '../../../src/sandbox/cif/cif-protocol.ts';
import { itemAt } from '../../support/item-at.ts';

const CHANNEL = 'http://localhost:8080';
const TRUSTED_DOMAIN = 'https://login.example.test';

class FakeWindow {
  readonly posted: { message: Record<string, unknown>; origin: string }[] = [];
  postMessage(message: unknown, origin: string): void {
    this.posted.push({ message: message as Record<string, unknown>, origin });
  }
}

let panel: FakeWindow;
let executed: CifCall[];
let refused: { origin: string; reason: RefusalReason }[];
let result: (call: CifCall) => Promise<unknown>;
let host: CifHost;

beforeEach(() => {
  panel = new FakeWindow();
  executed = [];
  refused = [];
  result = async () => 'done';
  host = new CifHost({
    trustedOrigins: [CHANNEL, TRUSTED_DOMAIN],
    execute: (call) => {
      executed.push(call);
      return result(call);
    },
    panel: () => panel,
    onRefused: (origin, reason) => refused.push({ origin, reason }),
  });
});

let nextId = 0;
function request(method: string, args: unknown[], origin = CHANNEL, source: FakeWindow = panel): Promise<HandleOutcome> {
  return host.handleMessage({ origin, source, data: { cif: CIF_MARK, type: 'request', id: `r${++nextId}`, method, args } });
}

/** The last answer posted to `source`. */
function answer(source: FakeWindow = panel): { ok: boolean; result?: unknown; error?: string; id: string } {
  const last = source.posted.at(-1);
  assert.ok(last, 'an answer was posted');
  assert.equal(last.message.type, 'response');
  return last.message as never;
}

/** The rejection of the last call, parsed: CIF rejects with JSON strings. */
function rejection(source: FakeWindow = panel): { message: string; code: string } {
  const { ok, error } = answer(source);
  assert.equal(ok, false);
  assert.equal(typeof error, 'string');
  const body = JSON.parse(error as string) as { message: string; code: string };
  assert.equal(typeof body.message, 'string');
  return body;
}

describe('origin checks', () => {
  test('messages that are not CIF messages are left alone', async () => {
    assert.equal(await host.handleMessage({ origin: 'https://elsewhere.example', source: panel, data: { type: 'request' } }), 'ignored');
    assert.equal(await host.handleMessage({ origin: CHANNEL, source: panel, data: 'hello' }), 'ignored');
    assert.deepEqual(panel.posted, []);
    assert.deepEqual(refused, []);
  });

  test('a CIF message from an origin the provider does not trust gets no answer and runs nothing', async () => {
    for (const origin of ['http://localhost:8081', 'https://localhost:8080', 'http://127.0.0.1:8080', 'null', 'http://login.example.test']) {
      assert.equal(await request('getEnvironment', [], origin), 'refused', origin);
      assert.equal(await host.handleMessage({ origin, source: panel, data: { cif: CIF_MARK, type: 'init' } }), 'refused', origin);
    }
    assert.deepEqual(panel.posted, []);
    assert.deepEqual(executed, []);
    assert.equal(refused.length, 10);
    assert.deepEqual(refused[0], { origin: 'http://localhost:8081', reason: 'untrusted-origin' });
    assert.equal(host.connectedOrigin, undefined);
  });

  test("the landing URL's origin and the Trusted Domain are both answered, each at its own origin", async () => {
    const login = new FakeWindow();
    assert.equal(await request('getMode', [], TRUSTED_DOMAIN, login), 'answered');
    assert.equal(itemAt(login.posted, 0).origin, TRUSTED_DOMAIN);
    assert.equal(await request('getMode', []), 'answered');
    assert.equal(itemAt(panel.posted, 0).origin, CHANNEL);
  });

  test('a message without a window to answer is refused', async () => {
    assert.equal(await host.handleMessage({ origin: CHANNEL, source: null, data: { cif: CIF_MARK, type: 'init' } }), 'refused');
    assert.deepEqual(refused, [{ origin: CHANNEL, reason: 'no-source' }]);
  });
});

describe('initialisation and events', () => {
  test("events wait for the panel's library, then go to the panel at the origin that initialised", async () => {
    assert.equal(host.emit('onclicktoact', { value: '1' }), false);
    assert.equal(await host.handleMessage({ origin: CHANNEL, source: panel, data: { cif: CIF_MARK, type: 'init' } }), 'initialized');
    assert.deepEqual(panel.posted[0], { message: { cif: CIF_MARK, type: 'initResult' }, origin: CHANNEL });
    assert.equal(host.connectedOrigin, CHANNEL);
    assert.equal(host.emit('onmodechanged', { value: 0 }), true);
    assert.deepEqual(panel.posted[1], { message: { cif: CIF_MARK, type: 'event', name: 'onmodechanged', payload: '{"value":0}' }, origin: CHANNEL });
  });

  test("a library elsewhere is answered but does not take the panel's events", async () => {
    const nested = new FakeWindow();
    await host.handleMessage({ origin: CHANNEL, source: nested, data: { cif: CIF_MARK, type: 'init' } });
    assert.equal(nested.posted.length, 1);
    assert.equal(host.connectedOrigin, undefined);
  });

  test('after the panel navigates to its trusted domain, events follow it there', async () => {
    await host.handleMessage({ origin: CHANNEL, source: panel, data: { cif: CIF_MARK, type: 'init' } });
    await host.handleMessage({ origin: TRUSTED_DOMAIN, source: panel, data: { cif: CIF_MARK, type: 'init' } });
    host.emit('onsizechanged', { value: 400 });
    assert.equal(panel.posted.at(-1)?.origin, TRUSTED_DOMAIN);
  });
});

describe('calls', () => {
  test('a call is answered once, with its id, and the result as the handler made it', async () => {
    result = async () => '{"appid":"x"}';
    await host.handleMessage({ origin: CHANNEL, source: panel, data: { cif: CIF_MARK, type: 'request', id: 'abc', method: 'getEnvironment', args: [] } });
    assert.deepEqual(panel.posted, [{ message: { cif: CIF_MARK, type: 'response', id: 'abc', ok: true, result: '{"appid":"x"}' }, origin: CHANNEL }]);
    assert.deepEqual(executed, [{ method: 'getEnvironment' }]);
  });

  test('structured arguments are parsed from JSON strings and plain values kept plain', async () => {
    await request('createRecord', ['contact', '{"lastname":"Baker","telephone1":"+1 415"}']);
    await request('openForm', ['{"entityName":"contact"}', '{"telephone1":"+4930123"}']);
    await request('setMode', [0]);
    await request('setWidth', [420.4]);
    await request('setClickToAct', [false]);
    await request('searchAndOpenRecords', ['contact', "?$select=fullname&$filter=telephone1 eq '1'", true]);
    await request('getEntityMetadata', ['contact', ['telephone1']]);
    await request('retrieveRecord', ['contact', 'c0c00000-0000-4000-8000-000000000001']);
    assert.deepEqual(executed, [
      { method: 'createRecord', entity: 'contact', data: { lastname: 'Baker', telephone1: '+1 415' } },
      { method: 'openForm', options: { entityName: 'contact' }, parameters: { telephone1: '+4930123' } },
      { method: 'setMode', mode: 0 },
      { method: 'setWidth', width: 420 },
      { method: 'setClickToAct', value: false },
      { method: 'searchAndOpenRecords', entity: 'contact', query: "?$select=fullname&$filter=telephone1 eq '1'", searchOnly: true },
      { method: 'getEntityMetadata', entity: 'contact', attributes: ['telephone1'] },
      { method: 'retrieveRecord', entity: 'contact', id: 'c0c00000-0000-4000-8000-000000000001', options: '' },
    ]);
  });

  const refusedCalls: [string, unknown[], RegExp][] = [
    ['createRecord', ['contact', { lastname: 'Baker' }], /data \(a JSON string\) must be a string, got an object/],
    ['createRecord', ['contact', '{lastname:"Baker"}'], /data is not valid JSON/],
    ['createRecord', ['contact', '[1]'], /data must be a JSON object, got an array/],
    ['createRecord', ['Contact', '{}'], /entity logical name/],
    ['createRecord', ['contacts; drop', '{}'], /entity logical name/],
    ['updateRecord', ['contact', 42, '{}'], /id must be a string/],
    ['openForm', [{ entityName: 'contact' }], /entityFormOptions \(a JSON string\) must be a string/],
    ['openForm', ['{"entityId":"x"}'], /entityFormOptions\.entityName/],
    ['openForm', ['{"entityName":"contact"}', '{"telephone1":{"a":1}}'], /formParameters\.telephone1 must be a string, number or boolean/],
    ['setMode', ['1'], /must be 0 \(minimized\) or 1 \(docked\)/],
    ['setMode', [3], /must be 0 \(minimized\) or 1 \(docked\)/],
    ['setWidth', ['500'], /width in pixels/],
    ['setWidth', [-1], /width in pixels/],
    ['setClickToAct', ['true'], /must be true or false, got the string "true"/],
    ['searchAndOpenRecords', ['contact', '?$select=fullname', 'false'], /searchOnly must be true or false/],
    ['searchAndOpenRecords', ['contact', { $select: 'fullname' }, false], /queryParmeters must be a string/],
    ['getEntityMetadata', ['contact', '["telephone1"]'], /attributes must be an array of attribute names/],
    ['renderSearchPage', ['contact'], /searchString must be a string, got nothing/],
  ];
  for (const [method, args, message] of refusedCalls) {
    test(`${method}(${args.map((a) => JSON.stringify(a)).join(', ')}) is refused with a JSON-string error`, async () => {
      await request(method, args);
      const error = rejection();
      assert.equal(error.code, CifErrorCode.InvalidArgument);
      assert.match(error.message, message);
      assert.deepEqual(executed, []);
    });
  }

  test('setMode(2) and the CIF 2.0 calls fail as not supported in CIF 1.0', async () => {
    await request('setMode', [2]);
    assert.equal(rejection().code, CifErrorCode.NotSupported);
    for (const method of ['createSession', 'notifyEvent', 'setPresence', 'createTab']) {
      await request(method, []);
      const error = rejection();
      assert.equal(error.code, CifErrorCode.NotSupported, method);
      assert.match(error.message, /Channel Integration Framework 2\.0/);
    }
    assert.deepEqual(executed, []);
  });

  test('an unknown method is refused', async () => {
    await request('toString', []);
    assert.equal(rejection().code, CifErrorCode.InvalidArgument);
  });

  test('a request without an id is dropped; one with an id but no argument list is answered with an error', async () => {
    assert.equal(await host.handleMessage({ origin: CHANNEL, source: panel, data: { cif: CIF_MARK, type: 'request', method: 'getMode', args: [] } }), 'malformed');
    assert.equal(
      await host.handleMessage({ origin: CHANNEL, source: panel, data: { cif: CIF_MARK, type: 'request', id: 'x'.repeat(101), method: 'getMode', args: [] } }),
      'malformed',
    );
    assert.deepEqual(panel.posted, []);
    assert.equal(await host.handleMessage({ origin: CHANNEL, source: panel, data: { cif: CIF_MARK, type: 'request', id: 'a', method: 'getMode' } }), 'malformed');
    assert.equal(rejection().code, CifErrorCode.InvalidArgument);
  });

  test("a handler's rejection is passed on as it is; any other failure becomes a JSON-string error", async () => {
    result = async () => {
      throw new CifRejection('{"message":"contact With Id = 1 Does Not Exist","code":"0x80040217","errorCode":2147746327}');
    };
    await request('retrieveRecord', ['contact', '1']);
    assert.equal(answer().error, '{"message":"contact With Id = 1 Does Not Exist","code":"0x80040217","errorCode":2147746327}');
    result = async () => {
      throw new TypeError('boom');
    };
    await request('getEnvironment', []);
    assert.deepEqual(rejection(), { message: 'boom', code: CifErrorCode.Failed });
  });
});
