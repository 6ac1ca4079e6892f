/**
 * JsSIP — the SIP stack the call pane runs in the browser — registers over SIP over WebSocket
 * (RFC 7118) at /sip on Callpane's HTTP server. Node 24's global WebSocket stands in for the
 * browser's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import JsSIP from 'jssip';
import type { UA } from 'jssip/lib/UA.js';
import { PaneCredentials, type PaneCredential } from '../../src/security/pane-credentials.ts';
import type { Session } from '../../src/server/sessions/session-service.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { withDeadline } from '../support/deadline.ts';
import { itemAt } from '../support/item-at.ts';

const WAIT_MS = 8000;
/** How often the SIP service looks for sessions ended by another process or by expiry (30 s in production). */
const SESSION_SWEEP_MS = 200;

interface Agent {
  ua: UA;
  socket: InstanceType<typeof JsSIP.WebSocketInterface>;
}

/** `authorizationUser`: the digest username when it is not the extension itself (a pane credential). */
function startAgent(callpane: TestCallpane, user: string, password: string, authorizationUser?: string): Agent {
  const wsUrl = `${callpane.httpUrl.replace(/^http/, 'ws')}${callpane.config.sip.wsPath}`;
  const socket = new JsSIP.WebSocketInterface(wsUrl);
  const ua = new JsSIP.UA({
    sockets: [socket],
    uri: `sip:${user}@${callpane.config.sip.domain}`,
    authorization_user: authorizationUser,
    password,
    register: true,
    // A lost connection is what one test causes on purpose: no reconnect while it looks.
    connection_recovery_min_interval: 60,
    connection_recovery_max_interval: 60,
  });
  ua.start();
  return { ua, socket };
}

function registration(ua: UA): Promise<string> {
  return withDeadline(
    new Promise<string>((resolve) => {
      ua.once('registered', () => resolve('registered'));
      ua.once('registrationFailed', (event: { cause?: string }) => resolve(`failed: ${event.cause ?? 'unknown'}`));
    }),
    WAIT_MS,
    () => new Error(`JsSIP did not register or fail within ${WAIT_MS} ms`),
  );
}

/** The contact URIs `number` has bindings for in the store. */
function storedContacts(callpane: TestCallpane, number: string): string[] {
  return callpane.running.context.repositories.registrations.listForAor(number, Date.now()).map((binding) => binding.contactUri);
}

/** Registers `agent` and returns the contact URI of the binding it made. */
async function registeredContact(callpane: TestCallpane, number: string, agent: Agent): Promise<string> {
  const before = new Set(storedContacts(callpane, number));
  assert.equal(await registration(agent.ua), 'registered');
  const added = storedContacts(callpane, number).filter((uri) => !before.has(uri));
  assert.equal(added.length, 1, 'one new binding');
  return itemAt(added, 0);
}

/** A web session of `number`, as a login starts one, and the pane credential issued to it. */
function signIn(callpane: TestCallpane, number: string): { session: Session; credential: PaneCredential } {
  const extension = callpane.running.context.repositories.extensions.get(number);
  assert.ok(extension, `extension ${number}`);
  const { session } = callpane.running.context.sessions.startFor(extension);
  return { session, credential: PaneCredentials.load(callpane.dataDir).issue(number, session) };
}

describe('JsSIP over WebSocket', () => {
  let callpane: TestCallpane;
  const agents: UA[] = [];

  before(async () => {
    callpane = await startTestCallpane({ sip: { sessionSweepMs: SESSION_SWEEP_MS } });
  });
  after(async () => {
    for (const ua of agents) ua.stop();
    await callpane.remove();
  });

  it('registers with the extension SIP secret after a digest challenge', async () => {
    const { ua } = startAgent(callpane, '1001', callpane.secretOf('1001'));
    agents.push(ua);
    assert.equal(await registration(ua), 'registered');
    const [binding] = callpane.running.context.repositories.registrations.listForAor('1001', Date.now());
    assert.equal(binding?.transport, 'WS');
    assert.ok(binding?.flowId, 'a WebSocket binding remembers its connection');
    assert.ok(metricValue(await callpane.metrics(), 'callpane_sip_messages_in_total{kind="request",method="REGISTER",status_class="",transport="ws"}') >= 2);
  });

  it('is refused with a wrong secret', async () => {
    const { ua } = startAgent(callpane, '1002', 'wrong-secret');
    agents.push(ua);
    assert.match(await registration(ua), /^failed: /);
    assert.deepEqual(callpane.running.context.repositories.registrations.listForAor('1002', Date.now()), []);
  });

  it('registers with a short-lived pane credential as the extension it stands for', async () => {
    const { credential } = signIn(callpane, '1001');
    const { ua } = startAgent(callpane, '1001', credential.password, credential.authorizationUser);
    agents.push(ua);
    assert.equal(await registration(ua), 'registered');
    assert.ok(callpane.running.context.repositories.registrations.listForAor('1001', Date.now()).length >= 1);
  });

  it('is refused with an expired pane credential, or one for another extension', async () => {
    const issuer = PaneCredentials.load(callpane.dataDir);
    const { session } = signIn(callpane, '1002');
    const expired = issuer.issue('1002', { id: session.id, expiresAt: Date.now() - 1000 });
    const late = startAgent(callpane, '1002', expired.password, expired.authorizationUser);
    agents.push(late.ua);
    assert.match(await registration(late.ua), /^failed: /);
    const { credential: others } = signIn(callpane, '1001');
    const impostor = startAgent(callpane, '1002', others.password, others.authorizationUser);
    agents.push(impostor.ua);
    assert.match(await registration(impostor.ua), /^failed: /);
    assert.deepEqual(callpane.running.context.repositories.registrations.listForAor('1002', Date.now()), []);
  });

  it('is refused with a pane credential once its session has been logged out or revoked, and loses the binding it made', async () => {
    const first = signIn(callpane, '1001');
    const second = signIn(callpane, '1001');
    // The first test's agent registered with the extension's own secret: no session ends that binding.
    const ownSecret = callpane.running.context.repositories.registrations.listForAor('1001', Date.now()).filter((b) => b.sessionTag === undefined);
    assert.ok(ownSecret.length > 0, 'a binding made with the own secret');
    const one = startAgent(callpane, '1001', first.credential.password, first.credential.authorizationUser);
    agents.push(one.ua);
    const oneContact = await registeredContact(callpane, '1001', one);
    callpane.running.context.sessions.logout(first.session);
    // Gone at once from the location service; the store commits it at the end of this event-loop turn.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(!storedContacts(callpane, '1001').includes(oneContact), 'the binding outlived the sign-out');
    const again = startAgent(callpane, '1001', first.credential.password, first.credential.authorizationUser);
    agents.push(again.ua);
    assert.match(await registration(again.ua), /^failed: /);
    // The pane's next refresh, with the credential it holds (JsSIP reports only its failure).
    const refused = registration(one.ua);
    one.ua.register();
    assert.match(await refused, /^failed: /);

    // Another session of the same extension outlives that logout; `callpane sessions revoke 1001`
    // (another process, the same database) ends it.
    const other = startAgent(callpane, '1001', second.credential.password, second.credential.authorizationUser);
    agents.push(other.ua);
    const otherContact = await registeredContact(callpane, '1001', other);
    callpane.running.context.repositories.sessions.removeForExtension('1001');
    // Another process's change is found by the periodic sweep.
    const deadline = Date.now() + SESSION_SWEEP_MS * 10;
    while (storedContacts(callpane, '1001').includes(otherContact)) {
      assert.ok(Date.now() < deadline, 'the binding outlived the revoked session');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(
      storedContacts(callpane, '1001').filter((uri) => ownSecret.some((b) => b.contactUri === uri)),
      ownSecret.map((b) => b.contactUri),
      'bindings made with the own secret stay',
    );
    const afterRevoke = startAgent(callpane, '1001', second.credential.password, second.credential.authorizationUser);
    agents.push(afterRevoke.ua);
    assert.match(await registration(afterRevoke.ua), /^failed: /);
    const revoked = registration(other.ua);
    other.ua.register();
    assert.match(await revoked, /^failed: /);
  });

  it('keeps registering after its credential expires once it is handed a renewed one (as the pane does)', async () => {
    const issuer = PaneCredentials.load(callpane.dataDir);
    const { session, credential: renewed } = signIn(callpane, '1001');
    // A credential of the same session that expires within two seconds.
    const shortLived = issuer.issue('1001', { id: session.id, expiresAt: Date.now() + 2000 });
    const { ua } = startAgent(callpane, '1001', shortLived.password, shortLived.authorizationUser);
    agents.push(ua);
    assert.equal(await registration(ua), 'registered');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, shortLived.expiresAt - Date.now()) + 100));
    const stale = registration(ua);
    ua.register();
    assert.match(await stale, /^failed: /, 'the expired credential no longer registers');
    ua.set('authorization_user', renewed.authorizationUser);
    ua.set('password', renewed.password);
    const fresh = registration(ua);
    ua.register();
    assert.equal(await fresh, 'registered');
  });

  it('loses its binding when the WebSocket connection closes (RFC 7118 §5)', async () => {
    const { ua, socket } = startAgent(callpane, '1002', callpane.secretOf('1002'));
    agents.push(ua);
    assert.equal(await registration(ua), 'registered');
    assert.equal(callpane.running.context.repositories.registrations.listForAor('1002', Date.now()).length, 1);
    socket.disconnect();
    const deadline = Date.now() + WAIT_MS;
    while (callpane.running.context.repositories.registrations.listForAor('1002', Date.now()).length > 0) {
      assert.ok(Date.now() < deadline, 'the binding outlived its connection');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
