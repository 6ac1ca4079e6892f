import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { Trunk } from '../../../src/pbx/routing/trunk.ts';
import { registrationContactUser } from '../../../src/pbx/trunk-registration/contact-user.ts';
import type { RegistrationStatus } from '../../../src/pbx/trunk-registration/trunk-registration.ts';
import { TrunkRegistrations } from '../../../src/pbx/trunk-registration/trunk-registrations.ts';
import { createResponse, formatUri, getHeader } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import type { ClientTransactionUser } from '../../../src/sip/transaction/index.ts';
import type { Flow, RequestTarget } from '../../../src/sip/transport/index.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const carrier: Trunk = {
  name: 'carrier',
  host: 'sip.carrier.example',
  port: 5080,
  transport: 'tcp',
  match: {},
  outbound: { username: 'auth-4711', password: 'carrier-secret', fromDomain: 'carrier.example' },
  register: { expires: 300, user: '+4930123456' },
};

function harness(answer: (request: SipRequest) => SipResponse | undefined, resolveHost = async (_host: string) => '203.0.113.5', trunk: Trunk = carrier) {
  const clock = new FakeClock();
  const sent: { request: SipRequest; target: RequestTarget }[] = [];
  const logs: { msg: string; state?: string; reason?: string; retryInSeconds?: number; trunk?: string }[] = [];
  const stored: RegistrationStatus[][] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const transactions = {
    createClientTransaction(request: SipRequest, target: RequestTarget, user: ClientTransactionUser<Flow, RequestTarget>) {
      sent.push({ request, target });
      const response = answer(request);
      if (response) queueMicrotask(() => user.onResponse(response, undefined as never));
      return undefined as never;
    },
  };
  const registrations = new TrunkRegistrations({
    trunks: [trunk, { ...trunk, name: 'no-register', register: undefined }],
    transactions,
    localVia: (protocol) => ({ host: '198.51.100.10', port: protocol === 'TCP' ? 5060 : 5090 }),
    log,
    clock,
    resolveHost,
    onChange: (statuses) => stored.push(statuses),
  });
  return { clock, sent, logs, stored, registrations };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the registrations of the configured trunks', () => {
  it('register each trunk with a register block to its host, as its account, with a contact naming it', async () => {
    const { sent, registrations } = harness((request) => createResponse(request, 200));
    registrations.start();
    await settle();
    assert.equal(sent.length, 1, 'only the trunk with register');
    const [{ request, target }] = sent as [{ request: SipRequest; target: RequestTarget }];
    assert.deepEqual(target, { transport: 'TCP', host: '203.0.113.5', port: 5080 });
    assert.equal(formatUri(request.uri), 'sip:sip.carrier.example:5080;transport=tcp');
    assert.equal(getHeader(request, 'To'), '<sip:+4930123456@carrier.example>');
    assert.match(getHeader(request, 'From') ?? '', /^<sip:\+4930123456@carrier\.example>;tag=[0-9a-f]{16}$/);
    assert.equal(getHeader(request, 'Contact'), `<sip:${registrationContactUser(carrier)}@198.51.100.10:5060;transport=tcp>`);
    assert.deepEqual(
      registrations.statuses.map((status) => [status.trunk, status.state]),
      [['carrier', 'registered']],
    );
  });

  it('escape an account name that is not a plain URI user (RFC 3261 §25.1) in To and From', async () => {
    const office = { ...carrier, register: { expires: 300, user: 'office pbx@acme' } };
    const { sent, registrations } = harness((request) => createResponse(request, 200), undefined, office);
    registrations.start();
    await settle();
    assert.equal(getHeader(sent[0]!.request, 'To'), '<sip:office%20pbx%40acme@carrier.example>');
  });

  it('log changes of state only, never a renewal, and store every change for the CLI', async () => {
    let failing = false;
    const { clock, logs, stored, registrations } = harness((request) => createResponse(request, failing ? 503 : 200));
    registrations.start();
    await settle();
    clock.advance(240_000);
    await settle();
    failing = true;
    clock.advance(240_000);
    await settle();
    assert.deepEqual(
      logs.map((line) => [line.msg, line.state, line.reason, line.retryInSeconds]),
      [
        ['trunk registering', 'registering', undefined, undefined],
        ['trunk registered to its carrier', 'registered', undefined, undefined],
        ['trunk registration failed: calls from the carrier may not reach Callpane', 'failed', '503 Service Unavailable', logs[2]?.retryInSeconds],
      ],
    );
    assert.ok((logs[2]?.retryInSeconds ?? 0) >= 5 && (logs[2]?.retryInSeconds ?? 0) <= 10);
    assert.deepEqual(
      stored.map((statuses) => statuses[0]?.state),
      ['registering', 'registered', 'registered', 'failed'],
    );
  });

  it('report a host that does not resolve as the reason, naming the host', async () => {
    const { registrations } = harness(
      (request) => createResponse(request, 200),
      async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    );
    registrations.start();
    await settle();
    assert.deepEqual([registrations.statuses[0]?.state, registrations.statuses[0]?.reason], ['failed', 'not sent: host sip.carrier.example does not resolve (ENOTFOUND)']);
  });

  it('remove the bindings on stop, and do not wait longer than told for a carrier that does not answer', async () => {
    const { sent, registrations } = harness((request) => (getHeader(request, 'Expires') === '0' ? undefined : createResponse(request, 200)));
    registrations.start();
    await settle();
    const started = Date.now();
    await registrations.stop(50);
    assert.ok(Date.now() - started < 1000);
    assert.equal(getHeader(sent[1]!.request, 'Expires'), '0');
  });
});
