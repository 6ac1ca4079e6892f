import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallNotifier, type NotificationConstructor, type NotificationLike, type NotifierEnvironment } from '../../../src/widget/phone/call-notifier.ts';
import { itemAt } from '../../support/item-at.ts';

interface Shown {
  title: string;
  options: NotificationOptions;
  closed: boolean;
  notification: NotificationLike;
}

/** A browser whose Notification API, visibility and focus the test drives and reads. */
function fakeBrowser(permission: NotificationPermission, answerToRequest: NotificationPermission = permission) {
  const shown: Shown[] = [];
  const visibility = new Set<() => void>();
  const state = { permission, hidden: false, focused: 0, requests: 0 };
  class FakeNotification implements NotificationLike {
    onclick: ((event: Event) => void) | null = null;
    readonly #entry: Shown;
    constructor(title: string, options: NotificationOptions) {
      this.#entry = { title, options, closed: false, notification: this };
      shown.push(this.#entry);
    }
    static get permission(): NotificationPermission {
      return state.permission;
    }
    static async requestPermission(): Promise<NotificationPermission> {
      state.requests++;
      state.permission = answerToRequest;
      return answerToRequest;
    }
    close(): void {
      this.#entry.closed = true;
    }
  }
  const env: NotifierEnvironment = {
    Notification: FakeNotification as unknown as NotificationConstructor,
    hidden: () => state.hidden,
    onVisibilityChange: (listener) => visibility.add(listener),
    focus: () => void state.focused++,
  };
  const setHidden = (hidden: boolean) => {
    state.hidden = hidden;
    for (const listener of visibility) listener();
  };
  return { env, shown, state, setHidden };
}

const CALL = { id: 'in-1', title: 'Incoming call: Alex Baker', body: 'Click to answer.' };

test('a call ringing while the page is hidden shows one lasting notification, which goes when the call stops ringing', () => {
  const browser = fakeBrowser('granted');
  const notifier = new CallNotifier(browser.env, () => {});
  browser.setHidden(true);
  notifier.ring(CALL);
  notifier.ring(CALL);
  assert.equal(browser.shown.length, 1);
  assert.equal(itemAt(browser.shown, 0).title, 'Incoming call: Alex Baker');
  assert.deepEqual(itemAt(browser.shown, 0).options, { body: 'Click to answer.', tag: 'callpane-call-in-1', requireInteraction: true, silent: false });
  notifier.stop('in-1');
  assert.equal(itemAt(browser.shown, 0).closed, true);
});

test('while the agent is looking at the page nothing is shown; looking away during the ring shows it', () => {
  const browser = fakeBrowser('granted');
  const notifier = new CallNotifier(browser.env, () => {});
  notifier.ring(CALL);
  assert.equal(browser.shown.length, 0);
  browser.setHidden(true);
  assert.equal(browser.shown.length, 1);
  notifier.stop('in-1');
  browser.setHidden(false);
  browser.setHidden(true);
  assert.equal(browser.shown.length, 1, 'a call that stopped ringing is not notified again');
});

test('clicking the notification brings the tab forward, closes it and answers that call', () => {
  const browser = fakeBrowser('granted');
  const answered: string[] = [];
  const notifier = new CallNotifier(browser.env, (id) => answered.push(id));
  browser.setHidden(true);
  notifier.ring(CALL);
  itemAt(browser.shown, 0).notification.onclick?.(new Event('click'));
  assert.equal(browser.state.focused, 1);
  assert.equal(itemAt(browser.shown, 0).closed, true);
  assert.deepEqual(answered, ['in-1']);
});

test('without permission, or without the API, nothing is shown and nothing throws', () => {
  for (const permission of ['default', 'denied'] as const) {
    const browser = fakeBrowser(permission);
    const notifier = new CallNotifier(browser.env, () => {});
    browser.setHidden(true);
    notifier.ring(CALL);
    assert.equal(browser.shown.length, 0, permission);
  }
  const none = new CallNotifier({ ...fakeBrowser('granted').env, Notification: undefined, hidden: () => true }, () => {});
  none.ring(CALL);
  assert.equal(none.permission, 'unsupported');
});

test('permission is asked only when the agent asks for alerts, and only while the browser has not decided', async () => {
  const browser = fakeBrowser('default', 'granted');
  const notifier = new CallNotifier(browser.env, () => {});
  const heard: string[] = [];
  notifier.onPermission((permission) => heard.push(permission));
  assert.equal(browser.state.requests, 0, 'never on its own');
  assert.equal(await notifier.request(), 'granted');
  assert.deepEqual(heard, ['granted']);
  assert.equal(await notifier.request(), 'granted');
  assert.equal(browser.state.requests, 1, 'a decided permission is not asked again');
  const framed = fakeBrowser('denied');
  assert.equal(await new CallNotifier(framed.env, () => {}).request(), 'denied');
  assert.equal(framed.state.requests, 0, 'a frame the browser denies (Dynamics has not allowed notifications) is not asked');
});
