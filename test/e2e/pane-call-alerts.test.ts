/**
 * A call ringing while the agent's Dynamics 365 tab is in the background, in Chromium: with
 * notifications allowed for the Dynamics site (the sandbox's origin — a cross-site frame gets the
 * top-level site's permission and cannot ask for its own), the pane shows a real desktop
 * notification (Chromium fires its `show` event), and clicking it answers the call. A pane opened
 * on its own (top-level, where the browser lets it ask) offers alerts once after sign-in.
 *
 * Headless Chromium keeps every tab "visible" (checked: another tab brought to the front, or the
 * window minimized over CDP, leaves document.visibilityState at "visible"), so the test makes the
 * pane's document report "hidden" itself; the Notification API, its permission and the answer
 * are the browser's own.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { delay } from '../support/deadline.ts';
import { screenshotPath } from './support/chromium.ts';
import { Agent, launchPaneBrowser, STEP_MS } from '../support/pane-browser.ts';
import { startPaneStack, type PaneStack } from '../support/pane-stack.ts';
import { itemAt } from '../support/item-at.ts';

const JOURNEY_MS = 45_000;

interface RecordedNotification {
  title: string;
  body: string | undefined;
  tag: string | undefined;
  shown: boolean;
  failed: boolean;
  closed: boolean;
}

interface AlertObserver {
  __notifications?: RecordedNotification[];
  __lastNotification?: Notification;
  __setHidden?: (hidden: boolean) => void;
}

/** In the pane's frame: records each Notification made (still the browser's own), and lets the test hide the page. */
function observeAlerts(): void {
  if (window === window.top) return;
  const scope = window as unknown as AlertObserver;
  let hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  scope.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  const made: RecordedNotification[] = [];
  scope.__notifications = made;
  const Native = window.Notification;
  if (!Native) return;
  window.Notification = class extends Native {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      const entry: RecordedNotification = { title, body: options?.body, tag: options?.tag, shown: false, failed: false, closed: false };
      made.push(entry);
      this.addEventListener('show', () => (entry.shown = true));
      this.addEventListener('error', () => (entry.failed = true));
      const close = this.close.bind(this);
      this.close = () => {
        entry.closed = true;
        close();
      };
      scope.__lastNotification = this;
    }
  } as typeof Notification;
}

let stack: PaneStack;
let browser: Browser;
let alice: Agent;
let bob: Agent;

before(async () => {
  stack = await startPaneStack();
  browser = await launchPaneBrowser();
  [alice, bob] = await Promise.all([Agent.open(browser, stack, 'alice'), Agent.open(browser, stack, 'bob')]);
  // Notifications allowed for the Dynamics site, as an agent (or NotificationsAllowedForUrls) would;
  // granting one permission over CDP refuses the others, so the microphone is granted with it.
  await bob.context.grantPermissions(['notifications', 'microphone'], { origin: stack.sandboxUrl });
  await bob.context.addInitScript(observeAlerts);
  await bob.reload();
  await Promise.all([alice.signIn('1001', stack.password('1001')), bob.signIn('1002', stack.password('1002'))]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

function notifications(agent: Agent): Promise<RecordedNotification[]> {
  return agent.pane.evaluate(() => (window as unknown as AlertObserver).__notifications ?? []);
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await delay(100);
  }
}

test("the pane inside Dynamics sees the Dynamics site's notification permission, and offers nothing it cannot ask", async () => {
  assert.equal(await bob.pane.evaluate(() => Notification.permission), 'granted');
  await bob.pane.click('#tab-settings');
  assert.match((await bob.pane.textContent('.call-alerts .alerts-status')) ?? '', /Desktop alerts are on/);
  assert.equal(await bob.pane.locator('.alerts-offer').count(), 0, 'no offer banner: the browser has decided');
  assert.equal(await alice.pane.evaluate(() => Notification.permission), 'denied', 'a frame whose top-level site has not allowed notifications cannot ask');
  await alice.pane.click('#tab-settings');
  assert.match((await alice.pane.textContent('.call-alerts .alerts-status')) ?? '', /blocked for this site/);
  await Promise.all([alice.pane.click('#tab-phone'), bob.pane.click('#tab-phone')]);
});

test('a call ringing in a background tab shows a desktop notification, and clicking it answers the call', { timeout: JOURNEY_MS }, async () => {
  await bob.pane.evaluate(() => (window as unknown as AlertObserver).__setHidden?.(true));
  await alice.pane.fill('#dial-input', '1002');
  await alice.pane.click('.call-button');
  const [shown] = await until(
    () => notifications(bob),
    (made) => made.length > 0 && itemAt(made, 0).shown,
  );
  assert.ok(shown, 'no notification was made');
  assert.deepEqual({ title: shown.title, shown: shown.shown, failed: shown.failed }, { title: 'Incoming call: Alex Agent', shown: true, failed: false });
  assert.match(shown.body ?? '', /Click to answer/);
  await bob.pane.evaluate(() => (window as unknown as AlertObserver).__lastNotification?.dispatchEvent(new Event('click')));
  await Promise.all([alice.pane.waitForSelector('.card.active'), bob.pane.waitForSelector('.card.active')]);
  assert.equal(itemAt(await notifications(bob), 0).closed, true, 'the notification went once answered');
  await bob.pane.evaluate(() => (window as unknown as AlertObserver).__setHidden?.(false));
  await bob.shot('e2e-call-alert-answered');
  await alice.pane.click('.card.active .btn-danger');
  await Promise.all([alice.pane.waitForSelector('.card.wrap-up'), bob.pane.waitForSelector('.card.wrap-up')]);
  await Promise.all([alice.dismissWrapUps(), bob.dismissWrapUps()]);
  assert.equal((await notifications(bob)).length, 1, 'one notification for one call');
  assert.deepEqual([...alice.problems, ...bob.problems], []);
});

test('a pane opened on its own offers desktop alerts once after sign-in, and never again once answered', { timeout: JOURNEY_MS }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const paneUrl = `${stack.paneOrigin}/dyncrm?base=${encodeURIComponent(stack.sandboxUrl)}`;
    await page.goto(paneUrl);
    await page.fill('input[name=login]', '1002');
    await page.fill('input[name=password]', stack.password('1002'));
    await page.click('button[type=submit]');
    assert.equal(await page.evaluate(() => Notification.permission), 'default');
    await page.waitForSelector('.alerts-offer');
    await page.screenshot({ path: screenshotPath('pane-e2e-alerts-offer') });
    await page.click('.alerts-offer .alerts-on');
    await page.waitForSelector('.alerts-offer', { state: 'detached' });
    const decided = await page.evaluate(() => Notification.permission);
    await page.reload();
    await page.waitForSelector('.badge-ok');
    assert.equal(await page.locator('.alerts-offer').count(), 0, `not offered again (the browser answered ${decided})`);
  } finally {
    await context.close();
  }
});
