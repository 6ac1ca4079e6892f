/**
 * Looks at the pane as agents would: Callpane (embedded PBX, API, /dyncrm) and its Dynamics 365
 * sandbox on another site, two agents in two Chromium contexts with fake microphones, one calling
 * the other; a screenshot of each state goes to test-results/pane-*.png. Not a test (the browser
 * journeys are e2e's); run it by hand inside a loopback-only network namespace so WebRTC media
 * stays on 127.0.0.1 (docs/test-environment.md §1):
 *   unshare -rn sh -c 'ip link set lo up && ./node_modules/.bin/node test/widget/support/pane-preview.ts'
 */
import type { Browser } from 'playwright-core';
import { screenshotPath } from '../../e2e/support/chromium.ts';
import { ANSWERING_NUMBER } from '../../support/fake-carrier.ts';
import { Agent, launchPaneBrowser } from '../../support/pane-browser.ts';
import { DEMO_DID as DID, startPaneStack } from '../../support/pane-stack.ts';

const stack = await startPaneStack();
const { carrier, sandboxUrl, paneOrigin } = stack;
const browser: Browser = await launchPaneBrowser();
const agents: Agent[] = [];
const problems: string[] = [];

/** An agent on the sandbox page (in a new context unless another tab of `context`'s is wanted). */
async function agentPage(name: string, context?: Agent['context']): Promise<Agent> {
  const agent = await Agent.open(browser, stack, name, { context });
  agents.push(agent);
  return agent;
}

async function shot(agent: Agent, name: string): Promise<void> {
  await agent.page.waitForTimeout(400);
  await agent.shot(name);
}

const signIn = (agent: Agent, number: string) => agent.signIn(number, stack.password(number));

try {
  const alice = await agentPage('alice');
  await alice.pane.waitForSelector('input[name=login]');
  await shot(alice, 'sign-in');
  await signIn(alice, '1001');
  await shot(alice, 'dial-pad');

  const bob = await agentPage('bob');
  await signIn(bob, '1002');

  await alice.pane.fill('#dial-input', '1002');
  await alice.pane.click('.call-button');
  await bob.pane.waitForSelector('.card.incoming', { timeout: 15_000 });
  await shot(bob, 'incoming');
  await bob.pane.click('.card.incoming .answer');
  await alice.pane.waitForSelector('.card.active .call-status:not(:empty)', { timeout: 15_000 });
  await alice.page.waitForTimeout(2500);
  const received = await bob.audioBytesReceived();
  console.log(`audio bytes Bob received from Alice: ${received}`);
  await alice.pane.fill('.card.active textarea', 'Asked for the new price list.');
  await shot(alice, 'in-call');
  await alice.pane.click('.card.active button[title="Transfer"]');
  await shot(alice, 'transfer');
  await alice.pane.click('.card.active button[title="Transfer"]');
  await alice.pane.click('.card.active .btn-danger');
  await alice.pane.waitForSelector('.card.wrap-up', { timeout: 15_000 });
  await alice.page.waitForTimeout(1500);
  await shot(alice, 'wrap-up');
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
  await shot(alice, 'blind-transferred');
  await shot(bob, 'blind-transferee');
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
  await shot(alice, 'consulting');
  await alice.pane.click('.transfer .btn-primary');
  await alice.pane.waitForSelector('.notice-info', { timeout: 15_000 });
  await bob.pane.waitForSelector('.card.active >> text=202', { timeout: 15_000 });
  await shot(alice, 'attended-transferred');
  await shot(bob, 'attended-transferee');
  await bob.pane.click('.card.active .btn-danger');
  await bob.page.waitForTimeout(1000);
  for (const done of await alice.pane.$$('.card.wrap-up .btn-primary')) await done.click();
  await alice.pane.click('.notice button');

  // A reload: the session comes back from its Partitioned cookie, the phone registers again.
  await alice.reload();
  await alice.pane.waitForSelector('.badge-ok', { timeout: 15_000 });

  // A customer whose number one contact holds: the card names them and their form opens on ring.
  carrier.call('+16195550129', DID, 'Cell Phone CA');
  await alice.pane.waitForSelector('.card.incoming .record-link', { timeout: 15_000 });
  await shot(alice, 'screen-pop');
  await alice.pane.click('.card.incoming .answer');
  await alice.pane.waitForSelector('.card.active', { timeout: 15_000 });
  await alice.pane.fill('.card.active textarea', 'Wants a quote for 40 seats.');
  await alice.page.waitForTimeout(1500);
  await alice.pane.click('.card.active .btn-danger');
  await alice.pane.waitForSelector('.card.wrap-up .log-status .ok', { timeout: 20_000 });
  await shot(alice, 'journaled');
  await alice.pane.click('.card.wrap-up .btn-primary');

  // A number two records share: the pane asks which one.
  carrier.call('+14155550100', DID);
  await alice.pane.waitForSelector('.card.incoming .chooser', { timeout: 15_000 });
  await shot(alice, 'chooser');
  await alice.pane.click('.card.incoming .chooser-item >> nth=1');
  await alice.pane.click('.card.incoming .btn-danger');
  await alice.pane.waitForSelector('.card.wrap-up .log-status .ok, .card.wrap-up .log-status .bad', { timeout: 20_000 });
  await shot(alice, 'missed-logged');
  await alice.pane.click('.card.wrap-up .btn-primary');

  // Click-to-act on a contact's phone field: out through the demo trunk, refused there, logged as unanswered.
  await alice.page.click('text=Contacts');
  await alice.page.click('.phone-link >> nth=5');
  await alice.pane.waitForSelector('.card.wrap-up .log-status .ok, .card.wrap-up .log-status .bad', { timeout: 20_000 });
  await shot(alice, 'click-to-act-logged');
  await alice.pane.click('.card.wrap-up .btn-primary');
  await alice.page.goto(`${sandboxUrl}/main.aspx?pagetype=entitylist&etn=phonecall`);
  await alice.page.waitForTimeout(1500);
  await alice.page.screenshot({ path: screenshotPath('pane-sandbox-phonecalls') });
  await alice.findPane();
  await alice.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await alice.pane.click('#tab-history');
  await alice.pane.waitForSelector('.history-item >> nth=3', { timeout: 10_000 });
  await shot(alice, 'history');

  // A second Dynamics tab: the pane there follows; taking over moves the registration; closing it hands it back.
  const second = await agentPage('alice-tab-2', alice.context);
  await second.pane.waitForSelector('.banner-info', { timeout: 15_000 });
  await shot(second, 'other-tab');
  await second.pane.click('.banner-info button');
  await second.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await alice.pane.waitForSelector('.banner-info', { timeout: 15_000 });
  await shot(alice, 'taken-over');
  await second.page.close({ runBeforeUnload: true });
  await alice.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await shot(alice, 'handed-back');
  await alice.pane.click('#tab-settings');
  await shot(alice, 'settings');
  await alice.pane.click('input[name=language][value="zh-CN"]');
  await alice.page.waitForTimeout(500);
  await shot(alice, 'settings-zh');
  await alice.pane.click('#tab-phone');
  await shot(alice, 'dial-pad-zh');
  await alice.pane.click('#tab-settings');
  await alice.pane.click('input[name=language][value="dynamics"]');

  // Outside Dynamics (the pane opened on its own): a plain softphone that logs nothing yet...
  await alice.page.context().close();
  await bob.page.context().close();
  const standaloneContext = await browser.newContext({ viewport: { width: 380, height: 760 } });
  const standalone = await standaloneContext.newPage();
  await standalone.goto(`${paneOrigin}/dyncrm?base=${sandboxUrl}`);
  await standalone.waitForSelector('input[name=login]');
  await standalone.fill('input[name=login]', '1001');
  await standalone.fill('input[name=password]', stack.password('1001'));
  await standalone.click('button[type=submit]');
  await standalone.waitForSelector('.badge-ok', { timeout: 15_000 });
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
  await signIn(later, '1001');
  await later.pane.click('#tab-history');
  await later.pane.waitForFunction(() => document.querySelectorAll('.history-item')[0]?.textContent?.includes('Logged'), undefined, { timeout: 20_000 });
  await shot(later, 'caught-up');

  // A Dynamics user whose language is Simplified Chinese (2052): the pane follows after the page reloads.
  await later.page.click('.user-button');
  await later.page.click('.user-menu li >> text=2052');
  await later.page.waitForLoadState('load');
  await later.findPane();
  await later.pane.waitForSelector('.badge-ok', { timeout: 15_000 });
  await later.pane.waitForFunction(() => document.documentElement.lang === 'zh-CN', undefined, { timeout: 15_000 });
  await later.pane.click('#tab-history');
  await shot(later, 'chinese-user');
} catch (error) {
  for (const [index, page] of browser
    .contexts()
    .flatMap((context) => context.pages())
    .entries())
    await page.screenshot({ path: screenshotPath(`pane-failure-${index}`) });
  problems.push(`preview stopped: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  problems.push(...agents.flatMap((agent) => agent.problems));
  console.log(problems.length > 0 ? problems.join('\n') : 'no page errors');
  await browser.close();
  await stack.close();
}
