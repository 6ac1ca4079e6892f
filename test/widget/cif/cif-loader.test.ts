import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CIF_INIT_DONE, loadCifLibrary } from '../../../src/widget/cif/cif-loader.ts';
import { itemAt } from '../../support/item-at.ts';

class FakeScript extends EventTarget {
  src = '';
  readonly attributes = new Map<string, string>();
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
}

function fakePage() {
  const win = new EventTarget() as EventTarget & { Microsoft?: unknown };
  const scripts: FakeScript[] = [];
  const document = {
    createElement: () => new FakeScript(),
    head: { append: (script: FakeScript) => scripts.push(script) },
  } as unknown as Document;
  return { win, document, scripts };
}

describe('CIF library loader', () => {
  test('adds the library script tag with the CRM URL and the CIF id', () => {
    const { win, document, scripts } = fakePage();
    loadCifLibrary({ base: 'https://org.crm4.dynamics.com', document, window: win, timeoutMs: 50, onReady: () => {}, onUnavailable: () => {} });
    assert.equal(scripts.length, 1);
    assert.equal(itemAt(scripts, 0).src, 'https://org.crm4.dynamics.com/webresources/Widget/msdyn_ciLibrary.js');
    assert.equal(itemAt(scripts, 0).attributes.get('data-crmurl'), 'https://org.crm4.dynamics.com');
    assert.equal(itemAt(scripts, 0).attributes.get('data-cifid'), 'CIFMainLibrary');
  });

  test('reports ready on CIFInitDone with the framework the library left on the window', async () => {
    const { win, document } = fakePage();
    const framework = { getEnvironment: () => Promise.resolve('{}') };
    const outcome = new Promise<unknown>((resolve, reject) => {
      loadCifLibrary({ base: 'https://org.crm.dynamics.com', document, window: win, timeoutMs: 1000, onReady: resolve, onUnavailable: reject });
    });
    win.Microsoft = { CIFramework: framework };
    win.dispatchEvent(new Event(CIF_INIT_DONE));
    assert.equal(await outcome, framework);
  });

  test('falls back after the timeout and still connects when CIFInitDone comes late', async () => {
    const { win, document } = fakePage();
    const events: string[] = [];
    let ready: () => void = () => {};
    const readyLater = new Promise<void>((resolve) => (ready = resolve));
    const unavailable = new Promise<void>((resolve) => {
      loadCifLibrary({
        base: 'https://org.crm.dynamics.com',
        document,
        window: win,
        timeoutMs: 10,
        onReady: () => {
          events.push('ready');
          ready();
        },
        onUnavailable: (reason) => {
          events.push(reason);
          resolve();
        },
      });
    });
    await unavailable;
    win.Microsoft = { CIFramework: { getEnvironment: () => Promise.resolve('{}') } };
    win.dispatchEvent(new Event(CIF_INIT_DONE));
    await readyLater;
    assert.deepEqual(events, ['timeout', 'ready']);
  });

  test('a script that fails to load is reported at once', async () => {
    const { win, document, scripts } = fakePage();
    const reason = new Promise((resolve) => {
      loadCifLibrary({ base: 'https://org.crm.dynamics.com', document, window: win, timeoutMs: 5000, onReady: () => {}, onUnavailable: resolve });
    });
    itemAt(scripts, 0).dispatchEvent(new Event('error'));
    assert.equal(await reason, 'script-error');
  });
});
