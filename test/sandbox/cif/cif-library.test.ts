import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CifErrorCode } from '../../../src/sandbox/cif/cif-error.ts';
import { CifHost } from '../../../src/sandbox/cif/cif-host.ts';
import { CIF_INIT_DONE, createCifFramework, resolveCrmOrigin, type CIFramework } from '../../../src/sandbox/cif/cif-library.ts';
import { CIF_MARK } from '../../../src/sandbox/cif/cif-protocol.ts';

const CRM = 'http://127.0.0.1:8081';

type Listener = (event: { origin: string; source: unknown; data: unknown }) => void;

/** window.top as the library sees it: what it was sent, as a structured clone. */
class FakeTop {
  readonly posted: { message: Record<string, unknown>; origin: string }[] = [];
  postMessage(message: unknown, origin: string): void {
    this.posted.push({ message: structuredClone(message) as Record<string, unknown>, origin });
  }
}

/** The channel's window. */
class FakeFrame {
  readonly top = new FakeTop();
  readonly dispatched: string[] = [];
  private readonly listeners: Listener[] = [];
  addEventListener(_type: 'message', listener: Listener): void {
    this.listeners.push(listener);
  }
  dispatchEvent(event: Event): boolean {
    this.dispatched.push(event.type);
    return true;
  }
  receive(data: unknown, origin = CRM, source: unknown = this.top): void {
    for (const listener of this.listeners) listener({ origin, source, data });
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const errorOf = async (promise: Promise<unknown>) => {
  const reason = await promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );
  assert.equal(typeof reason, 'string', 'CIF rejects with a JSON string');
  return JSON.parse(reason as string) as { message: string; code: string };
};

function started(timeoutMs = 1000, errors: unknown[][] = []): { frame: FakeFrame; api: CIFramework } {
  const frame = new FakeFrame();
  const framework = createCifFramework({ window: frame, crmOrigin: CRM, timeoutMs, console: { error: (...args: unknown[]) => errors.push(args) } });
  framework.start();
  return { frame, api: framework.api };
}

async function initialised(timeoutMs?: number, errors?: unknown[][]): Promise<{ frame: FakeFrame; api: CIFramework }> {
  const { frame, api } = started(timeoutMs, errors);
  frame.receive({ cif: CIF_MARK, type: 'initResult' });
  await tick();
  return { frame, api };
}

describe('start-up', () => {
  test('the library asks window.top, at the CRM origin, and fires CIFInitDone asynchronously after the answer', async () => {
    const { frame } = started();
    assert.deepEqual(frame.top.posted, [{ message: { cif: CIF_MARK, type: 'init' }, origin: CRM }]);
    frame.receive({ cif: CIF_MARK, type: 'initResult' });
    assert.deepEqual(frame.dispatched, [], 'not from inside the message handler');
    await tick();
    assert.deepEqual(frame.dispatched, [CIF_INIT_DONE]);
    frame.receive({ cif: CIF_MARK, type: 'initResult' });
    await tick();
    assert.deepEqual(frame.dispatched, [CIF_INIT_DONE], 'once');
  });

  test('an answer from another origin, or from a window other than top, does not initialise it', async () => {
    const { frame } = started();
    frame.receive({ cif: CIF_MARK, type: 'initResult' }, 'http://localhost:8081');
    frame.receive({ cif: CIF_MARK, type: 'initResult' }, CRM, {});
    await tick();
    assert.deepEqual(frame.dispatched, []);
  });

  test('calls before CIFInitDone are rejected', async () => {
    const { api, frame } = started();
    assert.equal((await errorOf(api.getEnvironment())).code, CifErrorCode.NotInitialized);
    assert.equal((await errorOf(api.addHandler('onclicktoact', () => undefined))).code, CifErrorCode.NotInitialized);
    assert.equal(frame.top.posted.length, 1, 'only the init message went out');
  });

  test('the CRM origin comes from data-crmurl, else from the referrer', () => {
    assert.equal(resolveCrmOrigin('https://org1.crm.dynamics.com/main.aspx', 'https://other.example/'), 'https://org1.crm.dynamics.com');
    assert.equal(resolveCrmOrigin(null, 'https://org1.crm4.dynamics.com/'), 'https://org1.crm4.dynamics.com');
    assert.equal(resolveCrmOrigin('not a url', 'http://127.0.0.1:8081/main.aspx'), 'http://127.0.0.1:8081');
    assert.equal(resolveCrmOrigin('javascript:alert(1)', ''), undefined);
    assert.equal(resolveCrmOrigin(undefined, undefined), undefined);
  });
});

describe('calls', () => {
  test('a call is a request to top at the CRM origin, with the documented arguments only, settled by its own answer', async () => {
    const { frame, api } = await initialised();
    const result = api.createRecord('contact', '{"lastname":"Baker"}', 'extra');
    const { message, origin } = frame.top.posted.at(-1)!;
    assert.equal(origin, CRM);
    assert.deepEqual({ ...message, id: undefined }, { cif: CIF_MARK, type: 'request', id: undefined, method: 'createRecord', args: ['contact', '{"lastname":"Baker"}'] });
    frame.receive({ cif: CIF_MARK, type: 'response', id: 'someone-else', ok: true, result: 'wrong' });
    frame.receive({ cif: CIF_MARK, type: 'response', id: message.id, ok: true, result: '{"id":"1"}' }, 'http://localhost:8080');
    frame.receive({ cif: CIF_MARK, type: 'response', id: message.id, ok: true, result: '{"entityType":"contact","id":"1"}' });
    assert.equal(await result, '{"entityType":"contact","id":"1"}');
  });

  test('a rejection from the host arrives as its JSON string', async () => {
    const { frame, api } = await initialised();
    const result = api.setMode(2);
    const id = frame.top.posted.at(-1)!.message.id;
    frame.receive({ cif: CIF_MARK, type: 'response', id, ok: false, error: '{"message":"no","code":"NotSupportedInCif1"}' });
    assert.deepEqual(await errorOf(result), { message: 'no', code: 'NotSupportedInCif1' });
  });

  test('a call without an answer gives up with a timeout error', async () => {
    const { api } = await initialised(30);
    const error = await errorOf(api.getWidth());
    assert.equal(error.code, CifErrorCode.Timeout);
    assert.match(error.message, /getWidth got no answer/);
  });

  test('an argument that cannot be posted (a function) is rejected at once', async () => {
    const { api } = await initialised();
    const error = await errorOf(api.createRecord('contact', () => undefined));
    assert.equal(error.code, CifErrorCode.InvalidArgument);
  });

  test('the CIF 2.0 calls exist but fail, without asking the host', async () => {
    const { frame, api } = await initialised();
    const sent = frame.top.posted.length;
    for (const method of ['createSession', 'notifyEvent', 'setPresence', 'getFocusedTab']) {
      assert.equal(typeof api[method], 'function', method);
      const call = api[method];
      assert.ok(call !== undefined, method);
      assert.equal((await errorOf(call.call(api))).code, CifErrorCode.NotSupported, method);
    }
    assert.equal(frame.top.posted.length, sent);
  });
});

describe('events', () => {
  test('handlers get the payload as a JSON string until removed; other events and origins are not theirs', async () => {
    const { frame, api } = await initialised();
    const received: string[] = [];
    const handler = (payload: string) => {
      received.push(payload);
      return Promise.resolve();
    };
    await api.addHandler('onclicktoact', handler);
    frame.receive({ cif: CIF_MARK, type: 'event', name: 'onclicktoact', payload: '{"value":"619-555-0129"}' });
    frame.receive({ cif: CIF_MARK, type: 'event', name: 'onmodechanged', payload: '{"value":0}' });
    frame.receive({ cif: CIF_MARK, type: 'event', name: 'onclicktoact', payload: '{"value":"forged"}' }, 'http://evil.example');
    await api.removeHandler('onclicktoact', handler);
    frame.receive({ cif: CIF_MARK, type: 'event', name: 'onclicktoact', payload: '{"value":"later"}' });
    assert.deepEqual(received, ['{"value":"619-555-0129"}']);
  });

  test('only the five CIF 1.0 events can be handled, with a function', async () => {
    const { api } = await initialised();
    for (const name of ['onclicktoact', 'onmodechanged', 'onsizechanged', 'onpagenavigate', 'onsendkbarticle']) await api.addHandler(name, () => undefined);
    assert.equal((await errorOf(api.addHandler('onSessionSwitch', () => undefined))).code, CifErrorCode.InvalidArgument);
    assert.equal((await errorOf(api.addHandler('onclicktoact', 'handler' as never))).code, CifErrorCode.InvalidArgument);
  });

  test('a failing handler is logged and the others still run', async () => {
    const errors: unknown[][] = [];
    const { frame, api } = await initialised(1000, errors);
    const received: string[] = [];
    await api.addHandler('onsizechanged', () => {
      throw new Error('handler bug');
    });
    await api.addHandler('onsizechanged', () => Promise.reject(new Error('async bug')));
    await api.addHandler('onsizechanged', (payload) => received.push(payload));
    frame.receive({ cif: CIF_MARK, type: 'event', name: 'onsizechanged', payload: '{"value":400}' });
    await tick();
    assert.deepEqual(received, ['{"value":400}']);
    assert.equal(errors.length, 2);
  });
});

test('library and host together: a call is one postMessage round trip each way', async () => {
  const frame = new FakeFrame();
  const host = new CifHost({
    trustedOrigins: ['http://localhost:8080'],
    execute: async (call) => (call.method === 'getMode' ? 1 : undefined),
    panel: () => frameWindow,
  });
  // Host → frame: what the host posts arrives as a message event in the frame, from top at the CRM origin.
  const frameWindow = { postMessage: (message: unknown) => frame.receive(structuredClone(message)) };
  // Frame → host: the library's posts to top arrive at the host from the channel origin.
  frame.top.postMessage = (message: unknown, origin: string) => {
    assert.equal(origin, CRM);
    void host.handleMessage({ origin: 'http://localhost:8080', source: frameWindow, data: structuredClone(message) });
  };
  const framework = createCifFramework({ window: frame, crmOrigin: CRM });
  framework.start();
  await tick();
  await tick();
  assert.deepEqual(frame.dispatched, [CIF_INIT_DONE]);
  assert.equal(await framework.api.getMode(), 1);
});
