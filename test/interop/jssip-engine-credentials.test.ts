/**
 * The pane's own phone engine (src/widget/phone/jssip-engine.ts, JsSIP underneath) against a
 * running Callpane, in Node (its global WebSocket stands in for the browser's): a registration
 * refused for an expired pane credential recovers as soon as the engine is handed a renewed one —
 * JsSIP by itself would not try again until its connection dropped.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PaneCredentials } from '../../src/security/pane-credentials.ts';
import { JsSipEngine } from '../../src/widget/phone/jssip-engine.ts';
import type { RegistrationState } from '../../src/widget/phone/phone-engine.ts';
import type { SipCredentials } from '../../src/widget/api/api-types.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { withDeadline } from '../support/deadline.ts';

const WAIT_MS = 8000;
let callpane: TestCallpane;
const engine = new JsSipEngine();

before(async () => {
  callpane = await startTestCallpane();
});
after(async () => {
  await engine.unregister();
  await callpane.remove();
});

function credentialsFor(credential: { authorizationUser: string; password: string; expiresAt: number; expiresInMs: number }): SipCredentials {
  const { sip } = callpane.config;
  return {
    wsUrl: `${callpane.httpUrl.replace(/^http/, 'ws')}${sip.wsPath}`,
    uri: `sip:1001@${sip.domain}`,
    authorizationUser: credential.authorizationUser,
    password: credential.password,
    expiresAt: new Date(credential.expiresAt).toISOString(),
    expiresInSeconds: Math.floor(credential.expiresInMs / 1000),
    displayName: 'Alice',
    registrarServer: `sip:${sip.domain}`,
    iceServers: [],
  };
}

function registration(wanted: RegistrationState): Promise<string | undefined> {
  return withDeadline(
    new Promise<string | undefined>((resolve) => {
      const off = engine.on((event) => {
        if (event.type === 'registration' && event.state === wanted) {
          off();
          resolve(event.reason);
        }
      });
    }),
    WAIT_MS,
    () => new Error(`the engine did not reach ${wanted} within ${WAIT_MS} ms`),
  );
}

test('a registration refused for an expired credential registers again once the engine gets a renewed one', async () => {
  const extension = callpane.running.context.repositories.extensions.get('1001');
  assert.ok(extension);
  const { session } = callpane.running.context.sessions.startFor(extension);
  const issuer = PaneCredentials.load(callpane.dataDir);
  const expired = issuer.issue('1001', { id: session.id, expiresAt: Date.now() - 1000 });
  const failed = registration('failed');
  engine.register(credentialsFor(expired));
  assert.equal(await failed, 'Authentication Error', 'the cause the pane reacts to');
  const registered = registration('registered');
  engine.renewCredentials(credentialsFor(issuer.issue('1001', session)));
  await registered;
  assert.equal(engine.registration, 'registered');
  assert.equal(callpane.running.context.repositories.registrations.listForAor('1001', Date.now()).length, 1);
});
