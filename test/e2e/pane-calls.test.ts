/**
 * The pane's journeys in Chromium, as agents live them inside Dynamics 365: Callpane with its
 * PBX and its sandbox (another site), a fake carrier on the demo trunk, and two agents — Alice
 * (1001, who the demo DID rings) and Bob (1002) — each in their own browser context with a fake
 * microphone. Chromium's default profile blocks third-party storage, so every journey runs with
 * the pane as a cross-site iframe that has nothing but Partitioned cookies and memory.
 * What happened in Dynamics is checked through the sandbox's Web API; each journey's end state
 * is screenshotted to test-results/pane-e2e-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { SEED } from '../../src/sandbox/dataverse/index.ts';
import type { CallRecord } from '../../src/store/call-record-repository.ts';
import { zhCN } from '../../src/widget/i18n/messages-zh-cn.ts';
import { delay } from '../support/deadline.ts';
import { ANSWERING_NUMBER } from '../support/fake-carrier.ts';
import { Agent, launchPaneBrowser, STEP_MS } from '../support/pane-browser.ts';
import { DEMO_DID, startPaneStack, type PaneStack, type PhonecallRow } from '../support/pane-stack.ts';
import { itemAt } from '../support/item-at.ts';

/** One journey, from its first step to its screenshot. */
const JOURNEY_MS = 45_000;
/** Phone Call statuscode of a completed activity (docs/dataverse.md §7). */
const MADE = 2;
const RECEIVED = 4;
/**
 * Numbers the seed gives to exactly one record (one per journey, so a stray second activity for
 * a journey's number cannot hide among another's), to two records, and to none (the seed has no
 * Australian numbers).
 */
const ALEX_BAKER_MOBILE = '+16195550129';
const SOFIA_ROSSI_MOBILE = '+447700900123';
const EMMA_HUGHES_PHONE = '+442079460958';
const SHARED_NUMBER = '+14155550100';
const UNKNOWN_NUMBER = '+61491570156';

let stack: PaneStack;
let browser: Browser;
let alice: Agent;
let bob: Agent;

before(async () => {
  stack = await startPaneStack();
  browser = await launchPaneBrowser();
  [alice, bob] = await Promise.all([Agent.open(browser, stack, 'alice'), Agent.open(browser, stack, 'bob')]);
  await Promise.all([alice.signIn('1001', stack.password('1001')), bob.signIn('1002', stack.password('1002'))]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** Polls `read` until `accept` holds, at most `ms`; the last value either way. */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms = STEP_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await delay(100);
  }
}

/** The newest call record of 1001's whose other party is `number`, once the pane has logged it (or `ms` passed). */
async function loggedCall(number: string, since: number, ms = STEP_MS): Promise<CallRecord> {
  const mine = (calls: CallRecord[]) => calls.find((call) => call.startedAt >= since && (call.from.number === number || call.to.number === number));
  const calls = await eventually(
    () => stack.calls('1001'),
    (list) => mine(list)?.crm.logState === 'logged',
    ms,
  );
  const call = mine(calls);
  assert.ok(call, `no call record with ${number} since the journey started`);
  assert.equal(call.crm.logState, 'logged', `the call with ${number} was not logged: ${JSON.stringify(call.crm)}`);
  return call;
}

/** Exactly one Phone Call activity for the call in the sandbox, with the call's deterministic id. */
async function oneActivity(call: CallRecord, since: number): Promise<PhonecallRow> {
  // Give a second writer (a reloaded pane catching up) the time to show itself before counting.
  await delay(500);
  // createdon has whole seconds.
  const rows = await stack.activitiesOf(call, new Date(Math.floor(since / 1000) * 1000));
  assert.equal(rows.length, 1, `one activity for call ${call.id}, found ${JSON.stringify(rows, null, 1)}`);
  const row = itemAt(rows, 0);
  assert.equal(row.activityid, call.crm.activityId);
  return row;
}

function pageRoute(agent: Agent): URLSearchParams {
  return new URL(agent.page.url()).searchParams;
}

/** Alice's page back on the contact list, so a pop that follows shows as a navigation. */
async function toContactList(): Promise<void> {
  await alice.page.click('nav >> text=Contacts');
  await alice.page.waitForURL((url) => url.searchParams.get('pagetype') === 'entitylist' && url.searchParams.get('etn') === 'contact');
}

async function ringAlice(number: string, name = ''): Promise<{ callId: string; final: Promise<number> }> {
  const placed = stack.carrier.call(number, DEMO_DID, name);
  await alice.pane.waitForSelector('.card.incoming');
  return placed;
}

describe('pane journeys inside the Dynamics 365 sandbox', () => {
  test('the pane runs with third-party storage blocked: no localStorage or IndexedDB in its frame, its refresh token in a Partitioned cookie', {
    timeout: JOURNEY_MS,
  }, async () => {
    const storage = await alice.pane.evaluate(async () => {
      const outcome = (run: () => unknown) => {
        try {
          run();
          return 'allowed';
        } catch {
          return 'denied';
        }
      };
      const indexedDb = await new Promise<string>((resolve) => {
        try {
          const request = indexedDB.open('callpane-probe');
          request.onsuccess = () => resolve('allowed');
          request.onerror = () => resolve('denied');
        } catch {
          resolve('denied');
        }
      });
      return { localStorage: outcome(() => localStorage.length), sessionStorage: outcome(() => sessionStorage.length), indexedDb };
    });
    assert.deepEqual(storage, { localStorage: 'denied', sessionStorage: 'denied', indexedDb: 'denied' });
    const cookies = (await alice.context.cookies(`${stack.paneOrigin}/api/session`)).filter((cookie) => cookie.name === 'callpane_session');
    assert.equal(cookies.length, 1, 'the pane keeps its session in one cookie');
    assert.equal(itemAt(cookies, 0).sameSite, 'None');
    assert.ok((cookies[0] as { partitionKey?: string }).partitionKey, `the session cookie is Partitioned (CHIPS): ${JSON.stringify(cookies[0])}`);
    await alice.shot('e2e-signed-in');
  });

  test('two agents talk: Bob answers Alice and audio from her microphone reaches his pane (getStats inbound-rtp bytes > 0)', { timeout: JOURNEY_MS }, async () => {
    await alice.pane.fill('#dial-input', '1002');
    await alice.pane.click('.call-button');
    await bob.pane.waitForSelector('.card.incoming');
    await bob.pane.click('.card.incoming .answer');
    await Promise.all([alice.pane.waitForSelector('.card.active'), bob.pane.waitForSelector('.card.active')]);
    const bytes = await eventually(
      () => bob.audioBytesReceived(),
      (received) => received > 0,
      8000,
    );
    assert.ok(bytes > 0, `Bob's pane received ${bytes} audio bytes`);
    await bob.shot('e2e-agent-call');
    await alice.pane.click('.card.active .btn-danger');
    // Between two extensions nothing is journaled in Dynamics 365.
    await Promise.all([alice.pane.waitForSelector('.card.wrap-up .log-status .muted'), bob.pane.waitForSelector('.card.wrap-up .log-status .muted')]);
    await Promise.all([alice.dismissWrapUps(), bob.dismissWrapUps()]);
  });

  test("click-to-act on a contact's phone number calls it out through the trunk and journals the call once, as made and regarding that contact", {
    timeout: JOURNEY_MS,
  }, async () => {
    const since = Date.now();
    const contact = await stack.sandboxApi<{ contactid: string }>('contacts', {
      method: 'POST',
      body: { firstname: 'Casey', lastname: 'Carrier', telephone1: '(202) 555-0123' },
    });
    await toContactList();
    await alice.page.fill('.view-search input[name=q]', 'Casey');
    await alice.page.press('.view-search input[name=q]', 'Enter');
    const received = stack.carrier.nextReceived(STEP_MS);
    await alice.page.click('tr:has-text("Casey Carrier") .phone-link');
    assert.equal((await received).user.replace(/^\+/, ''), ANSWERING_NUMBER.slice(1), 'the call went out through the trunk to the clicked number in E.164');
    await alice.pane.waitForSelector('.card.active .record-link:has-text("Casey Carrier")');
    await alice.pane.click('.card.active .btn-danger');
    await alice.pane.waitForSelector('.card.wrap-up .log-status .ok');
    await alice.shot('e2e-click-to-act');
    const call = await loggedCall(ANSWERING_NUMBER, since);
    const activity = await oneActivity(call, since);
    assert.equal(activity.directioncode, true);
    assert.equal(activity.statuscode, MADE);
    assert.equal(activity._regardingobjectid_value, contact.contactid);
    await alice.dismissWrapUps();
  });

  test("a call from a known number opens the caller's contact while it rings and is journaled exactly once, as received", { timeout: JOURNEY_MS }, async () => {
    await toContactList();
    const since = Date.now();
    await ringAlice(ALEX_BAKER_MOBILE, 'Cell Phone CA');
    await alice.pane.waitForSelector('.card.incoming .record-link:has-text("Alex Baker")');
    await alice.page.waitForURL((url) => url.searchParams.get('id') === SEED.contactAlexBaker);
    assert.equal(pageRoute(alice).get('etn'), 'contact');
    await alice.pane.click('.card.incoming .answer');
    await alice.pane.fill('.card.active textarea', 'Wants a quote for 40 seats.');
    await alice.pane.click('.card.active .btn-danger');
    await alice.pane.waitForSelector('.card.wrap-up .log-status .ok');
    await alice.shot('e2e-known-caller');
    const call = await loggedCall(ALEX_BAKER_MOBILE, since);
    const activity = await oneActivity(call, since);
    assert.equal(activity.directioncode, false);
    assert.equal(activity.statuscode, RECEIVED);
    assert.equal(activity._regardingobjectid_value, SEED.contactAlexBaker);
    assert.equal(activity.description, 'Wants a quote for 40 seats.');
    await alice.dismissWrapUps();
  });

  test('a call from an unknown number opens a new contact form prefilled with the number, when the settings ask for it', { timeout: JOURNEY_MS }, async () => {
    await alice.pane.click('#tab-settings');
    await alice.pane.click('input[name=unknownNumber][value=new-contact-form]');
    await eventually(
      () => stack.api<{ unknownNumber: string }>('1001', '/settings'),
      (settings) => settings.unknownNumber === 'new-contact-form',
    );
    await alice.pane.click('#tab-phone');
    await toContactList();
    const since = Date.now();
    const { callId } = await ringAlice(UNKNOWN_NUMBER);
    await alice.page.waitForURL((url) => url.searchParams.get('pagetype') === 'entityrecord' && url.searchParams.get('etn') === 'contact' && !url.searchParams.get('id'));
    const prefilled = new URLSearchParams(pageRoute(alice).get('extraqs') ?? '').get('telephone1') ?? '';
    assert.equal(prefilled.replace(/\D/g, ''), UNKNOWN_NUMBER.replace(/\D/g, ''), `the new form carries the caller's number, got ${prefilled}`);
    // The form shows it in its phone field.
    await alice.page.waitForFunction((number) => [...document.querySelectorAll<HTMLInputElement>('input[type=tel]')].some((input) => input.value === number), prefilled);
    await alice.shot('e2e-unknown-caller');
    stack.carrier.cancel(callId);
    await alice.pane.waitForSelector('.card.wrap-up .log-status .ok');
    const call = await loggedCall(UNKNOWN_NUMBER, since);
    const activity = await oneActivity(call, since);
    assert.equal(activity._regardingobjectid_value, null);
    await alice.dismissWrapUps();
  });

  test('a number two records share: the pane asks which one, and the next call from it opens the one chosen', { timeout: JOURNEY_MS }, async () => {
    await toContactList();
    const first = await ringAlice(SHARED_NUMBER);
    await alice.pane.waitForSelector('.card.incoming .chooser');
    const items = alice.pane.locator('.card.incoming .chooser-item');
    assert.ok((await items.count()) >= 2, 'the chooser lists every record holding the number');
    const chosen = (await items.nth(1).locator('.name').textContent()) ?? '';
    await alice.shot('e2e-chooser');
    await items.nth(1).click();
    await alice.pane.waitForSelector(`.card.incoming .record-link:has-text("${chosen}")`);
    await alice.page.waitForURL((url) => url.searchParams.get('pagetype') === 'entityrecord' && Boolean(url.searchParams.get('id')));
    const chosenId = pageRoute(alice).get('id');
    const remembered = await eventually(
      () => stack.api<{ rememberedChoices: Record<string, { id: string; name: string }> }>('1001', '/settings'),
      (settings) => settings.rememberedChoices[SHARED_NUMBER] !== undefined,
    );
    assert.equal(remembered.rememberedChoices[SHARED_NUMBER]?.id, chosenId);
    stack.carrier.cancel(first.callId);
    await alice.pane.waitForSelector('.card.wrap-up .log-status .ok');
    await alice.dismissWrapUps();

    await toContactList();
    const second = await ringAlice(SHARED_NUMBER);
    await alice.pane.waitForSelector(`.card.incoming .record-link:has-text("${chosen}")`);
    await alice.page.waitForURL((url) => url.searchParams.get('id') === chosenId);
    assert.equal(await alice.pane.locator('.card.incoming .chooser').count(), 0, 'no chooser the second time');
    await alice.shot('e2e-choice-remembered');
    stack.carrier.cancel(second.callId);
    await alice.pane.waitForSelector('.card.wrap-up .log-status .ok');
    await alice.dismissWrapUps();
  });

  test('a reload of the Dynamics page while a call rings still leaves exactly one activity for that call', { timeout: JOURNEY_MS }, async () => {
    const since = Date.now();
    const { callId, final } = await ringAlice(SOFIA_ROSSI_MOBILE);
    await alice.reload();
    await alice.registered();
    stack.carrier.cancel(callId);
    await final;
    const call = await loggedCall(SOFIA_ROSSI_MOBILE, since, 15_000);
    await oneActivity(call, since);
    await alice.pane.click('#tab-history');
    await alice.pane.waitForSelector('.history-item');
    await alice.shot('e2e-reload-ringing');
    await alice.pane.click('#tab-phone');
  });

  test('a reload of the Dynamics page during wrap-up still leaves exactly one activity for that call', { timeout: JOURNEY_MS }, async () => {
    const since = Date.now();
    await ringAlice(EMMA_HUGHES_PHONE);
    await alice.pane.click('.card.incoming .answer');
    await alice.pane.waitForSelector('.card.active');
    await alice.pane.click('.card.active .btn-danger');
    await alice.pane.waitForSelector('.card.wrap-up');
    await alice.reload();
    await alice.registered();
    const call = await loggedCall(EMMA_HUGHES_PHONE, since, 15_000);
    const activity = await oneActivity(call, since);
    assert.equal(activity.statuscode, RECEIVED);
    await alice.pane.click('#tab-history');
    await alice.pane.waitForSelector('.history-item');
    await alice.shot('e2e-reload-wrap-up');
    await alice.pane.click('#tab-phone');
  });

  test('a Dynamics user whose language is Simplified Chinese (2052) sees the pane in Chinese', { timeout: JOURNEY_MS }, async () => {
    await alice.page.click('.user-button');
    await Promise.all([alice.page.waitForEvent('load'), alice.page.click('.user-menu li >> text=2052')]);
    await alice.findPane();
    await alice.registered();
    await alice.pane.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal((await alice.pane.textContent('#tab-phone'))?.trim(), zhCN.tabPhone);
    assert.equal((await alice.pane.textContent('#tab-history'))?.trim(), zhCN.tabHistory);
    await alice.shot('e2e-chinese-user');
  });

  test('no page or pane raised an uncaught error during the journeys', () => {
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  });
});
