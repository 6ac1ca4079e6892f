/**
 * The sandbox in Chromium with a test page as the channel (on http://localhost:P, another site
 * than the sandbox on http://127.0.0.1:S): the page gets CIFInitDone, calls getEnvironment, stays
 * loaded while the agent moves between records, receives click-to-act from a contact's phone
 * icon, and — once the panel has navigated to an origin the provider does not trust — is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Frame, Page } from 'playwright-core';
import { Dataverse, SEED } from '../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, type SandboxServer } from '../../src/sandbox/sandbox-server.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startChannelFixture, type ChannelFixture } from './support/channel-fixture.ts';
import { launchChromium, screenshotPath } from './support/chromium.ts';
import { itemAt } from '../support/item-at.ts';

const WAIT_MS = 10_000;

interface ChannelState {
  loadId: string;
  initDone: boolean;
  events: { name: string; payload: string }[];
}

let fixture: ChannelFixture;
let dataverse: Dataverse;
let sandbox: SandboxServer;
let origin: string;
let browser: Browser;
let page: Page;
const consoleLines: string[] = [];

before(async () => {
  fixture = await startChannelFixture(2);
  dataverse = new Dataverse({ path: ':memory:' });
  sandbox = createSandboxServer({
    host: '127.0.0.1',
    port: 0,
    dataverse,
    logger: createLogger({ level: 'silent', pretty: false }),
    provider: (own) => ({ label: 'Callpane for Dynamics 365', landingUrl: fixture.channelUrl(own, 0), clickToAct: true }),
  });
  origin = await sandbox.listen();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
});

after(async () => {
  await browser?.close();
  await sandbox?.close();
  dataverse?.close();
  await fixture?.close();
});

async function channelFrame(originWanted: string): Promise<Frame> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const frame = page.frames().find((f) => f.url().startsWith(`${originWanted}/channel.html`));
    if (frame) return frame;
    if (Date.now() > deadline)
      assert.fail(
        `no channel frame from ${originWanted}; frames: ${page
          .frames()
          .map((f) => f.url())
          .join(', ')}`,
      );
    await page.waitForTimeout(50);
  }
}

const channelState = (frame: Frame) => frame.evaluate(() => (window as unknown as { __cif: ChannelState }).__cif);
const cif = <T>(frame: Frame, call: string) => frame.evaluate(`Microsoft.CIFramework.${call}`) as Promise<T>;

async function nextEvent(frame: Frame, name: string, seen: number): Promise<string> {
  await frame.waitForFunction(
    ([eventName, count]) => (window as unknown as { __cif: ChannelState }).__cif.events.filter((e) => e.name === eventName).length > (count as number),
    [name, seen] as const,
    { timeout: WAIT_MS },
  );
  return (await channelState(frame)).events.filter((e) => e.name === name).at(-1)!.payload;
}

const count = async (frame: Frame, name: string) => (await channelState(frame)).events.filter((e) => e.name === name).length;

test('a channel in the sandbox panel: CIFInitDone, getEnvironment, click-to-act, and refusal from an untrusted origin', { timeout: 90_000 }, async () => {
  const trusted = itemAt(fixture.origins, 0);
  await page.goto(`${origin}/main.aspx?pagetype=entitylist&etn=contact`);
  await page.getByText('Local Dynamics 365 sandbox').first().waitFor({ timeout: WAIT_MS });

  // The panel's iframe is Dynamics' iframe: the Channel URL verbatim, its allow and sandbox tokens.
  const iframe = page.locator('#channel-panel iframe');
  assert.equal(await iframe.getAttribute('src'), fixture.channelUrl(origin, 0));
  assert.equal(await iframe.getAttribute('allow'), 'microphone; camera; geolocation');
  assert.equal(await iframe.getAttribute('sandbox'), 'allow-forms allow-popups allow-scripts allow-same-origin allow-modals allow-downloads');

  const frame = await channelFrame(trusted);
  await frame.waitForFunction(() => (window as unknown as { __cif: ChannelState }).__cif.initDone, undefined, { timeout: WAIT_MS });
  const { loadId } = await channelState(frame);

  const environmentText = await cif<unknown>(frame, 'getEnvironment()');
  assert.equal(typeof environmentText, 'string', 'getEnvironment answers a JSON string');
  const environment = JSON.parse(environmentText as string) as Record<string, unknown>;
  assert.equal(environment.userId, `{${SEED.agentEnglish.toUpperCase()}}`);
  assert.equal(environment.userLcid, 1033);
  assert.equal(environment.orgLcid, 1033);
  assert.equal(environment.clientUrl, origin);
  assert.equal(environment.pagetype, 'entitylist');
  assert.equal(environment.etn, 'contact');
  for (const key of ['appUrl', 'appid', 'cifVersion', 'crmVersion', 'isDirty', 'orgId', 'orgUniqueName', 'username']) assert.ok(key in environment, key);

  // Mode and width are plain values; setWidth below 300 is ignored.
  assert.equal(await cif(frame, 'getMode()'), 1);
  assert.equal(await cif(frame, 'setWidth(420)'), 420);
  assert.equal(await cif(frame, 'setWidth(200)'), 420);
  assert.equal(await page.locator('#channel-panel').evaluate((panel) => panel.getBoundingClientRect().width), 420);
  await cif(frame, 'setMode(0)');
  assert.ok(await page.locator('#channel-panel.minimized').isVisible());
  await cif(frame, 'setMode(1)');
  const modeError = await frame.evaluate(() =>
    (window as unknown as { Microsoft: { CIFramework: { setMode(m: number): Promise<unknown> } } }).Microsoft.CIFramework.setMode(2).then(
      () => 'resolved',
      (e: unknown) => e,
    ),
  );
  assert.equal(JSON.parse(modeError as string).code, 'NotSupportedInCif1');

  // A person minimizing, docking and dragging the panel: onmodechanged and onsizechanged.
  const modes = await count(frame, 'onmodechanged');
  await page.locator('.panel-toggle').click();
  assert.equal(await nextEvent(frame, 'onmodechanged', modes), '{"value":0}');
  assert.equal(await cif(frame, 'getMode()'), 0);
  await page.locator('.panel-toggle').click();
  assert.equal(await nextEvent(frame, 'onmodechanged', modes + 1), '{"value":1}');
  const sizes = await count(frame, 'onsizechanged');
  const edge = (await page.locator('.panel-resize').boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + 200);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2 - 60, edge.y + 200, { steps: 4 });
  await page.mouse.up();
  assert.equal(await nextEvent(frame, 'onsizechanged', sizes), '{"value":480}');
  assert.equal(await cif(frame, 'getWidth()'), 480);

  // Open a contact inside the app: the channel is told first and is not reloaded.
  const alex = dataverse.retrieve('contacts', SEED.contactAlexBaker, '?$select=fullname,telephone1').record;
  const navigations = await count(frame, 'onpagenavigate');
  await page
    .getByRole('link', { name: String(alex.fullname), exact: true })
    .first()
    .click();
  await page.locator('.form-header h1', { hasText: String(alex.fullname) }).waitFor({ timeout: WAIT_MS });
  const navigated = JSON.parse(await nextEvent(frame, 'onpagenavigate', navigations)) as { value: string };
  assert.match(navigated.value, new RegExp(`pagetype=entityrecord&etn=contact&id=${SEED.contactAlexBaker}`));
  assert.equal((await channelState(frame)).loadId, loadId, 'the channel was not reloaded');
  const onForm = JSON.parse((await cif<string>(frame, 'getEnvironment()')) as string) as Record<string, unknown>;
  assert.equal(onForm.pagetype, 'entityrecord');
  assert.equal(onForm.id, SEED.contactAlexBaker);

  // Click the phone icon of the business phone: the payload Dynamics sends.
  const clicks = await count(frame, 'onclicktoact');
  await page.locator('.phone-icon[data-phone-field="telephone1"]').click();
  const payload = await nextEvent(frame, 'onclicktoact', clicks);
  assert.deepEqual(Object.keys(JSON.parse(payload)), ['value', 'name', 'format', 'entityLogicalName', 'entityId', 'recordTitle']);
  assert.deepEqual(JSON.parse(payload), {
    value: alex.telephone1,
    name: 'telephone1',
    format: 'Phone',
    entityLogicalName: 'contact',
    entityId: SEED.contactAlexBaker,
    recordTitle: alex.fullname,
  });

  // With click-to-act off, the same click raises nothing.
  assert.equal(await cif(frame, 'setClickToAct(false)'), undefined);
  assert.equal(await cif(frame, 'getClickToAct()'), false);
  await page.locator('.phone-icon[data-phone-field="telephone1"]').click();
  await page.getByText('Click-to-act is off').waitFor({ timeout: WAIT_MS });
  assert.equal(await count(frame, 'onclicktoact'), clicks + 1);
  await page.screenshot({ path: screenshotPath('sandbox-channel-contact-form') });

  // The channel navigates itself to an origin the provider does not trust: nothing it sends is answered.
  const untrusted = itemAt(fixture.origins, 1);
  await frame.evaluate(
    (url) => {
      location.href = url;
    },
    fixture.channelUrl(origin, 1),
  );
  const stranger = await channelFrame(untrusted);
  await stranger.waitForFunction(() => typeof (window as unknown as { Microsoft?: unknown }).Microsoft === 'object', undefined, { timeout: WAIT_MS });
  const refusal = new RegExp(`CIF host: refused a message from ${untrusted.replace(/[.:/]/g, '\\$&')} \\(untrusted-origin\\)`);
  await waitFor(() => consoleLines.some((line) => refusal.test(line)), 'the host logs the refused init');
  const forged = await stranger.evaluate(async (crm) => {
    const answers: unknown[] = [];
    window.addEventListener('message', (event) => answers.push(event.data));
    window.top?.postMessage({ cif: 'callpane-sandbox-cif-1.0', type: 'request', id: 'forged-1', method: 'getEnvironment', args: [] }, crm);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return answers;
  }, origin);
  assert.deepEqual(forged, [], 'no answer to an untrusted origin');
  assert.equal((await channelState(stranger)).initDone, false, 'no CIFInitDone for an untrusted origin');
  const refused = await stranger.evaluate(() =>
    (window as unknown as { Microsoft: { CIFramework: { getEnvironment(): Promise<unknown> } } }).Microsoft.CIFramework.getEnvironment().then(
      () => 'resolved',
      (e: unknown) => e,
    ),
  );
  assert.equal(JSON.parse(refused as string).code, 'NotInitialized');
  assert.equal(consoleLines.filter((line) => line.startsWith('pageerror')).length, 0, consoleLines.join('\n'));
});

test('the channel drives the app: openForm prefilled and saved, searchAndOpenRecords, renderSearchPage, and the user picker', { timeout: 90_000 }, async () => {
  await page.goto(`${origin}/main.aspx?pagetype=entitylist&etn=account`);
  const frame = await channelFrame(itemAt(fixture.origins, 0));
  await frame.waitForFunction(() => (window as unknown as { __cif: ChannelState }).__cif.initDone, undefined, { timeout: WAIT_MS });

  // openForm for a new contact, prefilled; the promise settles when the agent saves.
  await frame.evaluate(() => {
    const w = window as unknown as { opened: Promise<unknown>; Microsoft: { CIFramework: { openForm(o: string, p: string): Promise<unknown> } } };
    w.opened = w.Microsoft.CIFramework.openForm('{"entityName":"contact"}', '{"telephone1":"+49 30 1234567","lastname":"Neumann","firstname":"Greta"}');
  });
  await page.locator('.form-header h1', { hasText: 'New Contact' }).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('#field-telephone1').inputValue(), '+49 30 1234567');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const opened = JSON.parse((await frame.evaluate(() => (window as unknown as { opened: Promise<string> }).opened)) as string) as {
    savedEntityReference: { entityType: string; id: string; name: string }[];
  };
  assert.equal(opened.savedEntityReference.length, 1);
  const saved = itemAt(opened.savedEntityReference, 0);
  assert.equal(saved.entityType, 'contact');
  assert.equal(saved.name, 'Greta Neumann');
  assert.equal(dataverse.retrieve('contacts', saved.id, '?$select=telephone1').record.telephone1, '+49 30 1234567');
  await page.locator('.form-header h1', { hasText: 'Greta Neumann' }).waitFor({ timeout: WAIT_MS });

  // A number two records share, typed differently (found with T-SQL wildcards, docs/dataverse.md §5;
  // the query is a URL query string, so `%` travels as %25): several hits open the search page,
  // one hit opens the form.
  const filter = encodeURIComponent("contains(telephone1,'%415%555%0100%') or contains(mobilephone,'%415%555%0100%')");
  const expected = dataverse.retrieveMultiple('contacts', `?$select=fullname&$filter=${filter}`).records.length;
  assert.ok(expected >= 2, 'the seed has a shared number');
  const several = JSON.parse(
    (await cif<string>(frame, `searchAndOpenRecords('contact', ${JSON.stringify(`?$select=fullname,telephone1,mobilephone&$filter=${filter}`)}, false)`)) as string,
  ) as Record<string, Record<string, unknown>>;
  assert.deepEqual(
    Object.keys(several),
    Array.from({ length: expected }, (_, i) => String(i)),
  );
  await page.getByText(`${expected} records match the channel's search`).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('.search-page tbody tr').count(), expected);
  await cif(frame, `searchAndOpenRecords('contact', '?$select=fullname&$filter=contactid eq ${SEED.contactAlexBaker}', false)`);
  await page.locator('.form-header h1', { hasText: 'Alex Baker' }).waitFor({ timeout: WAIT_MS });
  const searchOnly = JSON.parse(
    (await cif<string>(frame, `searchAndOpenRecords('contact', '?$select=fullname&$filter=contactid eq ${SEED.contactJordanLee}', true)`)) as string,
  ) as Record<string, unknown>;
  assert.equal(Object.keys(searchOnly).length, 1);
  assert.ok(await page.locator('.form-header h1', { hasText: 'Alex Baker' }).isVisible(), 'searchOnly opens nothing');

  await cif(frame, "renderSearchPage('contact', 'Alex')");
  await page.getByText(/results? for “Alex”/).waitFor({ timeout: WAIT_MS });
  assert.ok((await page.locator('.search-page tbody tr').count()) >= 1);

  // Another user: the page reloads (and the channel with it); getEnvironment reports the new user and language.
  try {
    await page.locator('.user-button').click();
    await Promise.all([page.waitForEvent('load'), page.getByRole('option', { name: /李娜/ }).click()]);
    const reloaded = await channelFrame(itemAt(fixture.origins, 0));
    await reloaded.waitForFunction(() => (window as unknown as { __cif?: ChannelState }).__cif?.initDone === true, undefined, { timeout: WAIT_MS });
    const environment = JSON.parse((await cif<string>(reloaded, 'getEnvironment()')) as string) as Record<string, unknown>;
    assert.equal(environment.userId, `{${SEED.agentChinese.toUpperCase()}}`);
    assert.equal(environment.userLcid, 2052);
    assert.equal(environment.username, '李娜');
  } finally {
    sandbox.currentUserId = SEED.agentEnglish;
  }
  await page.screenshot({ path: screenshotPath('sandbox-channel-user-2052') });
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what}; console:\n${consoleLines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
