/**
 * Calls a carrier sends to the contact Callpane registered to it: recognised as the trunk's
 * without a challenge, routed by the number in To, and nobody else gets in by guessing it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureLockout } from '../../../src/security/failure-lockout.ts';
import { CallRouter } from '../../../src/pbx/call-router.ts';
import { CallerIdentification } from '../../../src/pbx/caller-identification.ts';
import { DigestGuard } from '../../../src/pbx/digest-guard.ts';
import { LocationService } from '../../../src/pbx/location-service.ts';
import { Registrar } from '../../../src/pbx/registrar.ts';
import { RequestRoute, type ExtensionCall } from '../../../src/pbx/request-route.ts';
import type { Trunk } from '../../../src/pbx/routing/trunk.ts';
import { RegisteredContacts, registrationContactUser } from '../../../src/pbx/trunk-registration/contact-user.ts';
import { getHeader, parseMessage } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import { createFlow } from '../../../src/sip/transport/flow.ts';
import { MemoryBindingStore } from '../../support/memory-binding-store.ts';
import { fakeRelay } from '../fake-relay.ts';

const DOMAIN = 'pbx.test';
const carrier: Trunk = {
  name: 'carrier',
  host: 'sip.carrier.example',
  port: 5060,
  transport: 'udp',
  match: {},
  outbound: { username: 'acct-4711', password: 'carrier-secret' },
  register: { expires: 300 },
};
const listed: Trunk = { ...carrier, name: 'listed', match: { addresses: ['198.51.100.0/24'] }, outbound: { username: 'acct-9', password: 'other-secret' } };

function invite(uri: string, to: string, method = 'INVITE'): SipRequest {
  const lines = [
    `${method} ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK-carrier-1',
    'Max-Forwards: 69',
    'From: <sip:+4930999@carrier.example>;tag=c1',
    `To: <${to}>`,
    'Call-ID: carrier-call-1',
    `CSeq: 1 ${method}`,
    'Contact: <sip:203.0.113.7:5060>',
    'Content-Length: 0',
    '',
    '',
  ];
  const message = parseMessage(Buffer.from(lines.join('\r\n')));
  assert.equal(message.type, 'request');
  return message;
}

function fixture() {
  const location = new LocationService(new MemoryBindingStore());
  location.save({
    aor: '1001',
    contact: '<sip:1001@127.0.0.1:5070>',
    contactUri: 'sip:1001@127.0.0.1:5070',
    expiresAt: Date.now() + 600_000,
    callId: 'r',
    cseq: 1,
    transport: 'UDP',
    sourceAddress: '127.0.0.1',
    sourcePort: 5070,
  });
  const guard = new DigestGuard({ realm: DOMAIN, credentialOf: () => undefined, algorithms: ['MD5'], limiter: new FailureLockout({ limit: 5, windowMs: 60_000, banMs: 600_000 }) });
  const trunks = [carrier, listed];
  const calls: ExtensionCall[] = [];
  const relay = fakeRelay({ toExtension: (_request, _flow, _responder, call) => calls.push(call) });
  const route = new RequestRoute({
    localHosts: [DOMAIN, '192.0.2.10'],
    registrar: new Registrar({ minExpires: 60, maxExpires: 3600, defaultExpires: 600 }, location, { exists: () => false }),
    guard,
    identification: new CallerIdentification({ guard, trunks, registeredContacts: new RegisteredContacts(trunks), displayNameOf: () => undefined }),
    router: new CallRouter({
      isExtension: (number) => number === '1001',
      location,
      trunks,
      routes: { inbound: [{ did: '+493012345600', extension: '1001' }], outbound: [], callerIds: {} },
      activeCallsOn: () => 0,
    }),
    relay,
  });
  function handle(request: SipRequest, source = '203.0.113.7'): SipResponse[] {
    const responses: SipResponse[] = [];
    route.handle(request, createFlow('UDP', { address: '192.0.2.10', port: 5060 }, { address: source, port: 5060 }), { respond: (response) => responses.push(response) });
    return responses;
  }
  return { handle, calls };
}

describe('calls a carrier sends to the contact Callpane registered', () => {
  it('are the trunk caller without a challenge, routed by the DID in To', () => {
    const { handle, calls } = fixture();
    const responses = handle(invite(`sip:${registrationContactUser(carrier)}@192.0.2.10:5060`, 'sip:+493012345600@carrier.example'));
    assert.deepEqual(responses, []);
    assert.deepEqual(
      calls.map((call) => [call.caller.kind === 'trunk' && call.caller.trunk.name, call.callee]),
      [['carrier', '1001']],
    );
  });

  it('let in only the exact contact: one guessed from the trunk name is challenged like any stranger', () => {
    const { handle, calls } = fixture();
    assert.notEqual(registrationContactUser(carrier), `carrier-${'0'.repeat(20)}`);
    const guessed = handle(invite(`sip:carrier-${'0'.repeat(20)}@192.0.2.10:5060`, 'sip:+493012345600@carrier.example'));
    assert.deepEqual([guessed.map((r) => r.status), calls.length], [[407], 0]);
    assert.deepEqual(handle(invite(`sip:${registrationContactUser(carrier)}@192.0.2.10:5060`, 'sip:+493012345600@carrier.example')), []);
    assert.equal(calls.length, 1);
  });

  it('must also come from the trunk addresses when it lists some', () => {
    const { handle, calls } = fixture();
    const uri = `sip:${registrationContactUser(listed)}@192.0.2.10:5060`;
    const refused = handle(invite(uri, 'sip:+493012345600@carrier.example'));
    assert.deepEqual([refused.map((r) => `${r.status} ${r.reason}`), calls.length], [['403 Not From The Trunk Addresses'], 0]);
    assert.deepEqual(handle(invite(uri, 'sip:+493012345600@carrier.example'), '198.51.100.20'), []);
    assert.equal(calls.length, 1);
  });

  it('answer the registrar keep-alive OPTIONS itself (Asterisk qualify), as for the PBX', () => {
    const { handle, calls } = fixture();
    const contact = `sip:${registrationContactUser(carrier)}@192.0.2.10:5060`;
    const [response] = handle(invite(contact, contact, 'OPTIONS'));
    assert.deepEqual([response?.status, calls.length], [200, 0]);
    assert.match(getHeader(response!, 'Allow') ?? '', /INVITE/);
  });
});

describe('the registered contact user', () => {
  it('names the trunk, stays the same across restarts and changes with the password', () => {
    const user = registrationContactUser(carrier);
    assert.match(user, /^carrier-[0-9a-f]{20}$/);
    assert.equal(registrationContactUser({ ...carrier }), user);
    assert.notEqual(registrationContactUser({ ...carrier, outbound: { username: 'acct-4711', password: 'rotated' } }), user);
  });
});
