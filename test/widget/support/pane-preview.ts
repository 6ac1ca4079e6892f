/**
 * Looks at the pane as agents would: Callpane (embedded PBX, API, /dyncrm) and its Dynamics 365
 * sandbox on another site, two agents in two Chromium contexts with fake microphones, one calling
 * the other; a screenshot of each state goes to test-results/pane-*.png. Not a test (the browser
 * journeys are e2e's); run it by hand inside a loopback-only network namespace so WebRTC media
 * stays on 127.0.0.1 (testing.md):
 *   unshare -rn sh -c 'ip link set lo up && ./node_modules/.bin/node test/widget/support/pane-preview.ts'
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { startCallpane } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { startSipService } from '../../../src/pbx/sip-service.ts';
import { startSandboxService } from '../../../src/sandbox/sandbox-service.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { CHROMIUM_FLAGS, CHROMIUM_PATH, screenshotPath } from '../../e2e/support/chromium.ts';
import { freePort, freeUdpTcpPort } from '../../support/ports.ts';
import { ANSWERING_NUMBER, CARRIER_HOST, FakeCarrier } from './fake-carrier.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'callpane-preview-'));
const [httpPort, sandboxPort, sipPort] = [await freePort(), await freePort(), await freeUdpTcpPort()];
const carrier = await FakeCarrier.open(sipPort);
const DID = '+14155550000';
const configPath = join(dataDir, 'callpane.json');
writeFileSync(
  configPath,
  JSON.stringify({
    trunks: [{ name: 'demo', host: CARRIER_HOST, port: carrier.port, transport: 'udp', match: { addresses: [`${CARRIER_HOST}/32`] }, country: 'US' }],
    routes: { inbound: [{ did: DID, extension: '1001' }], outbound: [{ pattern: '_+.', trunk: 'demo' }] },
  }),
);
const config = loadConfig({
  argvConfigPath: configPath,
  env: {
    CALLPANE_DATA_DIR: dataDir,
    CALLPANE_HTTP_HOST: '127.0.0.1',
    CALLPANE_HTTP_PORT: String(httpPort),
    CALLPANE_SIP_HOST: '127.0.0.1',
    CALLPANE_SIP_PORT: String(sipPort),
    CALLPANE_SANDBOX_PORT: String(sandboxPort),
    CALLPANE_SANDBOX_PANE_URL: `http://localhost:${httpPort}`,
    CALLPANE_CRM_ALLOWED_ORIGINS: `http://127.0.0.1:${sandboxPort}`,
  },
  cwd: dataDir,
  interfaces: {},
});
const logger = createLogger({ level: (process.env.PREVIEW_LOG ?? 'warn') as 'warn', pretty: true });
let sandboxUrl = '';
const running = await startCallpane({
  config,
  logger,
  extraServices: [startSipService, async (context) => {
    const sandbox = await startSandboxService(context);
    sandboxUrl = sandbox.url;
    return sandbox;
  }],
});
const password = (number: string) => running.demoExtensions.find((demo) => demo.number === number)?.password ?? '';
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection'],
});
const problems: string[] = [];

/** A page of the sandbox in `context` (a new one by default), with the pane's frame. */
async function agentPage(name: string, context?: BrowserContext): Promise<{ page: Page; pane: Frame }> {
  const owner = context ?? (await browser.newContext({ viewport: { width: 1280, height: 820 } }));
  // Keeps every peer connection the pane makes reachable, to read its statistics.
  if (!context) {
    await owner.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      const made: RTCPeerConnection[] = [];
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = made;
      window.RTCPeerConnection = class extends Native {
        constructor(config?: RTCConfiguration) {
          super(config);
          made.push(this);
        }
      } as typeof RTCPeerConnection;
    });
  }
  const page = await owner.newPage();
  page.on('pageerror', (error) => problems.push(`${name} pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && !message.text().includes('401') && problems.push(`${name} console: ${message.text()}`));
  await page.goto(`${sandboxUrl}/main.aspx`);
  return { page, pane: await paneOf(page) };
}

async function paneOf(page: Page): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pane = page.frames().find((frame) => frame.url().startsWith(`http://localhost:${httpPort}/dyncrm`));
    if (pane) {
      await pane.waitForSelector('.pane', { timeout: 15_000 });
      return pane;
    }
    if (Date.now() > deadline) throw new Error(`no pane frame: ${page.frames().map((frame) => frame.url()).join(', ')}`);
    await page.waitForTimeout(100);
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: screenshotPath(`pane-${name}`) });
  const panel = page.locator('#channel-panel');
  if (await panel.count()) await panel.screenshot({ path: screenshotPath(`pane-${name}-panel`) });
}

async function signIn(pane: Frame, number: string): Promise<void> {
  await pane.fill('input[name=login]', number);
  await pane.fill('input[name=password]', password(number));
  await pane.click('button[type=submit]');
  await pane.waitForSelector('.badge-ok', { timeout: 15_000 });
}

try {
  const alice = await agentPage('alice');
  await alice.pane.waitForSelector('input[name=login]');
  await shot(alice.page, 'sign-in');
  await signIn(alice.pane, '1001');
  await shot(alice.page, 'dial-pad');

  const bob = await agentPage('bob');
  await signIn(bob.pane, '1002');

  await alice.pane.fill('#dial-input', '1002');
  await alice.pane.click('.call-button');
  await bob.pane.waitForSelector('.card.incoming', { timeout: 15_000 });
  await shot(bob.page, 'incoming');
  await bob.pane.click('.card.incoming .answer');
  await alice.pane.waitForSelector('.card.active .call-status:not(:empty)', { timeout: 15_000 });
  await alice.page.waitForTimeout(2500);
  const received = await bob.pane.evaluate(async () => {
    let bytes = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      (await pc.getStats()).forEach((report: { type: string; kind?: string; bytesReceived?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'audio') bytes += report.bytesReceived ?? 0;
      });
    }
    return bytes;
  });
  console.log(`audio bytes Bob received from Alice: ${received}`);
  await alice.pane.fill('.card.active textarea', 'Asked for the new price list.');
  await shot(alice.page, 'in-call');
  await alice.pane.click('.card.active button[title="Transfer"]');
  await shot(alice.page, 'transfer');
  await alice.pane.click('.card.active button[title="Transfer"]');
  await alice.pane.click('.card.active .btn-danger');
  await alice.pane.waitForSelector('.card.wrap-up', { timeout: 15_000 });
  await alice.page.waitForTimeout(1500);
  await shot(alice.page, 'wrap-up');
  await alice.pane.click('.card.wrap-up .btn-primary');
  for (const done of await bob.pane.$$('.card.wrap-up .btn-primary')) await done.click();

  // Blind transfer: Alice hands Bob to an outside number; Bob's pane follows the REFER.
  await alice.pane.fill('#dial-input', '1002');
  await alice.pane.click('.call-button');
  await bob.pane.waitForSelector('.card.incoming');
  await bob.pane.click('.card.incoming .answer');
  await alice.pane.waitForSelector('.card.active .call-status:not(:empty)');
  await alice.pane.click('.card.active button[title="Transfer"]');
  await alice.pane.fill('.transfer input', ANSWERING_NUMBER);
  await alice.pane.click('.transfer button[type=submit]');
  await alice.pane.waitForSelector('.notice-info', { timeout: 15_000 });
  await bob.pane.waitForSelector('.card.active >> text=202', { timeout: 15_000 });
  await shot(alice.page, 'blind-transferred');
  await shot(bob.page, 'blind-transferee');
  await bob.pane.click('.card.active .btn-danger');
  await bob.page.waitForTimeout(1000);
  for (const done of await bob.pane.$$('.card.wrap-up .btn-primary')) await done.click();
  for (const done of await alice.pane.$$('.card.wrap-up .btn-primary')) await done.click();
  await alice.pane.click('.notice button');

  // Attended transfer: Alice consults the outside number first, then connects Bob to it.
  await alice.pane.fill('#dial-input', '1002');
  await alice.pane.click('.call-button');
  await bob.pane.waitForSelector('.card.incoming');
  await bob.pane.click('.card.incoming .answer');
  await alice.pane.waitForSelector('.card.active .call-status:not(:empty)');
  await alice.pane.click('.card.active button[title="Transfer"]');
  await alice.pane.fill('.transfer input', ANSWERING_NUMBER);
  await alice.pane.click('.transfer .btn-secondary');
  await alice.pane.waitForSelector('.card.consult', { timeout: 15_000 });
  await alice.page.waitForTimeout(1000);
  await shot(alice.page, 'consulting');
  await alice.pane.click('.transfer .btn-primary');
  await alice.pane.waitForSelector('.notice-info', { timeout: 15_000 });
  await bob.pane.waitForSelector('.card.active >> text=202', { timeout: 15_000 });
  await shot(alice.page, 'attended-transferred');
  await shot(bob.page, 'attended-transferee');
  await bob.pane.click('.card.active .btn-danger');
  await bob.page.waitForTimeout(1000);
  for (const done of await alice.pane.$$('.card.wrap-up .btn-primary')) await done.click();
  await alice.pane.click('.notice button');

  // A reload: the session comes back from its Partitioned cookie, the phone registers again.
  await alice.page.reload();
  alice.pane = await paneOf(alice.page);
  await alice.pane.waitForSelector('.badge-ok', { timeout: 15_000 });

  // A customer whose number one contact holds: the card names them and their form opens on ring.
  carrier.call('+16195550129', DID, 'Cell Phone CA');
  await alice.pane.waitForSelector('.card.incoming .record-link', { timeout: 15_000 });
  await shot(alice.page, 'screen-pop');
  await alice.pane.click('.card.incoming .answer');
  await alice.pane.waitForSelector('.card.active', { timeout: 15_000 });
  await alice.pane.fill('.card.active textarea', 'Wants a quote for 40 seats.');
  await alice.page.waitForTimeout(1500);
  await alice.pane.click('.card.active .btn-danger');
  await alice.pane.waitForSelector('.card.wrap-up .log-status .ok', { timeout: 20_000 });
  await shot(alice.page, 'journaled');
  await alice.pane.click('.card.wrap-up .btn-primary');

  // A number two records share: the pane asks which one.
  carrier.call('+14155550100', DID);
  await alice.pane.waitForSelector('.card.incoming .chooser', { timeout: 15_000 });
  await shot(alice.page, 'chooser');
  await alice.pane.click('.card.incoming .chooser-item >> nth=1');
  await alice.pane.click('.card.incoming .btn-danger');
  await alice.pane.waitForSelector('.card.wrap-up .log-status .ok, .card.wrap-up .log-status .bad', { timeout: 20_000 });
  await shot(alice.page, 'missed-logged');
  await alice.pane.click('.card.wrap-up .btn-primary');

  // Click-to-act on a contact's phone field: out through the demo trunk, refused there, logged as unanswered.
  await alice.page.click('text=Contacts');
  await alice.page.click('.phone-link >> nth=5');
  await alice.pane.waitForSelector('.card.wrap-up .log-status .ok, .card.wrap-up .log-status .bad', { timeout: 20_000 });
  await shot(alice.page, 'click-to-act-logged');
  await alice.pane.click('.card.wrap-up .btn-primary');
  await alice.page.goto(`${sandboxUrl}/main.aspx?pagetype=entitylist&etn=phonecall`);
  await alice.page.waitForTimeout(1500);
  await alice.page.screenshot({ path: screenshotPath('pane-sandbox-phonecalls') });
  const again = alice.page.frames().find((frame) => frame.url().startsWith(`http://localhost:${httpPort}/dyncrm`));
  if (!again) throw new Error('no pane after navigation');
  alice.pane = again;
  await alice.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await alice.pane.click('#tab-history');
  await alice.pane.waitForSelector('.history-item >> nth=3', { timeout: 10_000 });
  await shot(alice.page, 'history');

  // A second Dynamics tab: the pane there follows; taking over moves the registration; closing it hands it back.
  const second = await agentPage('alice-tab-2', alice.page.context());
  await second.pane.waitForSelector('.banner-info', { timeout: 15_000 });
  await shot(second.page, 'other-tab');
  await second.pane.click('.banner-info button');
  await second.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await alice.pane.waitForSelector('.banner-info', { timeout: 15_000 });
  await shot(alice.page, 'taken-over');
  await second.page.close({ runBeforeUnload: true });
  await alice.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await shot(alice.page, 'handed-back');
  await alice.pane.click('#tab-settings');
  await shot(alice.page, 'settings');
  await alice.pane.click('input[name=language][value="zh-CN"]');
  await alice.page.waitForTimeout(500);
  await shot(alice.page, 'settings-zh');
  await alice.pane.click('#tab-phone');
  await shot(alice.page, 'dial-pad-zh');
  await alice.pane.click('#tab-settings');
  await alice.pane.click('input[name=language][value="dynamics"]');

  // Outside Dynamics (the pane opened on its own): a plain softphone that logs nothing yet...
  await alice.page.context().close();
  await bob.page.context().close();
  const standaloneContext = await browser.newContext({ viewport: { width: 380, height: 760 } });
  const standalone = await standaloneContext.newPage();
  await standalone.goto(`http://localhost:${httpPort}/dyncrm?base=${sandboxUrl}`);
  await standalone.waitForSelector('input[name=login]');
  await signIn(standalone.mainFrame(), '1001');
  await standalone.waitForSelector('.banner-warning', { timeout: 10_000 });
  carrier.call('+16195550129', DID);
  await standalone.waitForSelector('.card.incoming');
  await standalone.click('.card.incoming .answer');
  await standalone.waitForSelector('.card.active');
  await standalone.fill('.card.active textarea', 'Logged later, from the catch-up.');
  await standalone.waitForTimeout(1200);
  await standalone.click('.card.active .btn-danger');
  await standalone.waitForSelector('.card.wrap-up');
  await standalone.waitForTimeout(6000);
  await standalone.screenshot({ path: screenshotPath('pane-standalone') });
  await standaloneContext.close();
  // ...until a pane inside Dynamics starts and catches the call's log up.
  const later = await agentPage('alice-later');
  await signIn(later.pane, '1001');
  await later.pane.click('#tab-history');
  await later.pane.waitForFunction(() => document.querySelectorAll('.history-item')[0]?.textContent?.includes('Logged'), undefined, { timeout: 20_000 });
  await shot(later.page, 'caught-up');

  // A Dynamics user whose language is Simplified Chinese (2052): the pane follows after the page reloads.
  await later.page.click('.user-button');
  await later.page.click('.user-menu li >> text=2052');
  await later.page.waitForLoadState('load');
  later.pane = await paneOf(later.page);
  await later.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await later.pane.waitForFunction(() => document.documentElement.lang === 'zh-CN', undefined, { timeout: 15_000 });
  await later.pane.click('#tab-history');
  await shot(later.page, 'chinese-user');
} catch (error) {
  for (const [index, page] of browser.contexts().flatMap((context) => context.pages()).entries()) await page.screenshot({ path: screenshotPath(`pane-failure-${index}`) });
  problems.push(`preview stopped: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  console.log(problems.length > 0 ? problems.join('\n') : 'no page errors');
  await browser.close();
  await running.close();
  carrier.close();
}
