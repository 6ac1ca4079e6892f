/**
 * The PBX request route, stage by stage (sanity → in-dialog → local domain → OPTIONS → auth →
 * registrar → location → relay), with the real registrar, location service and digest guard, and
 * requests as they come out of the parser.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLockout } from '../../src/security/failure-lockout.ts';
import { DelayedAnswers } from '../../src/pbx/delayed-answers.ts';
import { DigestGuard, type GuardOutcome } from '../../src/pbx/digest-guard.ts';
import { ExtensionAttackWatch } from '../../src/pbx/extension-attack-watch.ts';
import { LocationService } from '../../src/pbx/location-service.ts';
import { Registrar } from '../../src/pbx/registrar.ts';
import { CallRouter } from '../../src/pbx/call-router.ts';
import { CallerIdentification } from '../../src/pbx/caller-identification.ts';
import { ALLOWED_METHODS, RequestRoute, type Answered, type ExtensionCall, type Relay, type Responder, type RouteEvents } from '../../src/pbx/request-route.ts';
import type { ServerTransaction } from '../../src/sip/transaction/index.ts';
import { answerChallenge, parseDigestChallenge } from '../../src/sip/auth/index.ts';
import { callIdOf, formatUri, getHeader, getHeaders, parseMessage, splitTopLevelCommas, tagOf, toOf } from '../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import { createFlow, type Flow } from '../../src/sip/transport/flow.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';
import { fakeRelay } from './fake-relay.ts';
import { itemAt } from '../support/item-at.ts';

const DOMAIN = 'pbx.test';
const SECRETS: Record<string, string> = { '1001': 'secret-1001', '1002': 'secret-1002', '1003': 'secret-1003' };

/** The SIP secret of a test extension; none for any other name (`constructor` included). */
function secretOf(user: string): string | undefined {
  return Object.hasOwn(SECRETS, user) ? SECRETS[user] : undefined;
}
const PHONE = { address: '127.0.0.1', port: 5070 };
/** A pane's short-lived credential for 1001, issued to the web session tagged 0123456789abcdef. */
const PANE_USER = '1001.1736942400.0123456789abcdef';
const PANE_PASSWORD = 'pane-password';

/** Collects what the route answers. */
class RecordingResponder implements Responder {
  readonly responses: SipResponse[] = [];
  respond(response: SipResponse): void {
    this.responses.push(response);
  }
  get only(): SipResponse {
    assert.equal(this.responses.length, 1, `one response, got ${this.responses.map((r) => r.status).join(', ')}`);
    return itemAt(this.responses, 0);
  }
}

interface RequestOptions {
  method?: string;
  uri?: string;
  to?: string;
  from?: string;
  callId?: string;
  cseq?: number;
  maxForwards?: number | null;
  /** The Contact header value; none when null. */
  contact?: string | null;
  /** Extra header lines, written as they are. */
  headers?: string[];
}

let branches = 0;

function request(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? 'OPTIONS';
  const lines = [
    `${method} ${options.uri ?? `sip:${DOMAIN}`} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-route-${++branches};rport`,
    ...(options.maxForwards === null ? [] : [`Max-Forwards: ${options.maxForwards ?? 70}`]),
    `From: ${options.from ?? `<sip:1001@${DOMAIN}>;tag=from-1`}`,
    `To: ${options.to ?? `<sip:1001@${DOMAIN}>`}`,
    `Call-ID: ${options.callId ?? `route-${branches}`}`,
    `CSeq: ${options.cseq ?? 1} ${method}`,
    ...(options.contact === null ? [] : [`Contact: ${options.contact ?? '<sip:1001@127.0.0.1:5070>'}`]),
    ...(options.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  const message = parseMessage(Buffer.from(lines.join('\r\n')));
  assert.equal(message.type, 'request');
  return message;
}

function udpFlow(remote = PHONE): Flow {
  return createFlow('UDP', { address: '127.0.0.1', port: 5060 }, remote);
}

interface FixtureOptions {
  relay?: Relay<Responder>;
  localHosts?: string[];
  localPorts?: number[];
  attacks?: ExtensionAttackWatch;
  delayed?: DelayedAnswers;
}

function fixture(options: FixtureOptions = {}) {
  const { localPorts } = options;
  const location = new LocationService(new MemoryBindingStore());
  const extensions = { exists: (number: string) => Object.hasOwn(SECRETS, number) };
  const registrar = new Registrar({ minExpires: 60, maxExpires: 3600, defaultExpires: 600 }, location, extensions);
  const guard = new DigestGuard({
    realm: DOMAIN,
    credentialOf: (user) => {
      if (user === PANE_USER) return { password: PANE_PASSWORD, user: '1001', sessionTag: '0123456789abcdef' };
      const password = secretOf(user);
      return password === undefined ? undefined : { password, user };
    },
    algorithms: ['MD5'],
    limiter: new FailureLockout({ limit: 5, windowMs: 60_000, banMs: 600_000 }),
    attacks: options.attacks,
  });
  const registered: Array<Parameters<NonNullable<RouteEvents['registered']>>[0]> = [];
  const authenticated: Array<{ outcome: GuardOutcome; request: SipRequest; flow: Flow }> = [];
  const route = new RequestRoute({
    localHosts: options.localHosts ?? [DOMAIN, '127.0.0.1'],
    isLocalPort: localPorts === undefined ? undefined : (port) => localPorts.includes(port),
    registrar,
    guard,
    identification: new CallerIdentification({
      guard,
      trunks: [],
      displayNameOf: () => undefined,
      authenticated: (outcome, req, flow) => authenticated.push({ outcome, request: req, flow }),
    }),
    router: new CallRouter({ isExtension: extensions.exists, location, trunks: [], routes: { inbound: [], outbound: [], callerIds: {} }, activeCallsOn: () => 0 }),
    relay: options.relay,
    delayed: options.delayed,
    events: {
      registered: (outcome) => registered.push(outcome),
      authenticated: (outcome, req, flow) => authenticated.push({ outcome, request: req, flow }),
    },
  });
  /** Runs one request through the route and returns everything it answered. */
  const handle = (req: SipRequest, flow: Flow = udpFlow()): RecordingResponder => {
    const responder = new RecordingResponder();
    route.handle(req, flow, responder);
    return responder;
  };
  /** Sends `build()` unauthenticated, answers the challenge as `user` would, sends it again. */
  const authenticatedRequest = (build: (credentials: string[]) => SipRequest, user = '1001', password = secretOf(user) ?? ''): SipRequest => {
    const challenge = handle(build([])).only;
    const proxy = challenge.status === 407;
    const values = getHeaders(challenge, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
    assert.ok(values.length > 0, `a ${challenge.status} carries a challenge`);
    const unanswered = build([]);
    const credentials = answerChallenge(values.map(parseDigestChallenge), {
      username: user,
      password,
      method: unanswered.method,
      uri: formatUri(unanswered.uri),
    });
    return build([`${proxy ? 'Proxy-Authorization' : 'Authorization'}: ${credentials}`]);
  };
  const registerAs = (user: string, contactPort = 5070): SipResponse => {
    const req = authenticatedRequest(
      (headers) =>
        request({
          method: 'REGISTER',
          to: `<sip:${user}@${DOMAIN}>`,
          from: `<sip:${user}@${DOMAIN}>;tag=reg-${user}`,
          callId: `reg-${user}-${contactPort}`,
          contact: `<sip:${user}@127.0.0.1:${contactPort}>`,
          headers,
        }),
      user,
    );
    return handle(req, udpFlow({ address: '127.0.0.1', port: contactPort })).only;
  };
  return { route, location, handle, authenticatedRequest, registerAs, registered, authenticated };
}

function inviteTo(callee: string, headers: string[] = [], extra: RequestOptions = {}): SipRequest {
  return request({ method: 'INVITE', uri: `sip:${callee}@${DOMAIN}`, to: `<sip:${callee}@${DOMAIN}>`, headers, ...extra });
}

function toTagOf(response: SipResponse): string | undefined {
  return tagOf(toOf(response));
}

function allowed(response: SipResponse): string[] {
  return getHeaders(response, 'Allow')
    .flatMap((value) => splitTopLevelCommas(value))
    .map((method) => method.trim());
}

describe('the sanity stage (RFC 3261 §8.2.2, §16.3)', () => {
  test('answers a tel: Request-URI with 416 Unsupported URI Scheme', () => {
    const { handle } = fixture();
    const response = handle(request({ method: 'INVITE', uri: 'tel:+1-201-555-0123' })).only;
    assert.equal(response.status, 416);
    assert.ok(toTagOf(response));
  });

  test('answers 420 listing every unknown Require and Proxy-Require option tag once in Unsupported', () => {
    const { handle } = fixture();
    const response = handle(inviteTo('1002', ['Require: nothingKnown, 100rel', 'Proxy-Require: nothingKnown', 'Proxy-Require: foo'])).only;
    assert.equal(response.status, 420);
    const unsupported = getHeaders(response, 'Unsupported')
      .flatMap((value) => splitTopLevelCommas(value))
      .map((tag) => tag.trim());
    assert.deepEqual(unsupported.sort(), ['100rel', 'foo', 'nothingknown']);
  });

  test('does not refuse a CANCEL for its Require (RFC 3261 §9.2: a CANCEL is never rejected for extensions)', () => {
    const { handle } = fixture();
    const response = handle(request({ method: 'CANCEL', uri: `sip:1002@${DOMAIN}`, headers: ['Require: nothingKnown', 'Proxy-Require: foo'] })).only;
    assert.equal(response.status, 481);
  });

  test('refuses an INVITE with Max-Forwards 0 with 483 Too Many Hops', () => {
    const { handle } = fixture();
    assert.equal(handle(inviteTo('1002', [], { maxForwards: 0 })).only.status, 483);
  });

  test('still answers an OPTIONS and a REGISTER to the server with Max-Forwards 0', () => {
    const { handle } = fixture();
    assert.equal(handle(request({ method: 'OPTIONS', maxForwards: 0 })).only.status, 200);
    assert.equal(handle(request({ method: 'REGISTER', maxForwards: 0 })).only.status, 401);
  });

  test('treats a request without Max-Forwards (RFC 2543 peers) as forwardable', () => {
    const { handle } = fixture();
    assert.equal(handle(inviteTo('1002', [], { maxForwards: null })).only.status, 407);
  });
});

describe('the in-dialog stage', () => {
  test('answers a request whose To carries a tag with 481, since no dialog lives here', () => {
    const { handle } = fixture();
    const response = handle(inviteTo('1002', [], { to: `<sip:1002@${DOMAIN}>;tag=remote-1` })).only;
    assert.equal(response.status, 481);
    assert.equal(toTagOf(response), 'remote-1', 'the existing To tag is kept, not replaced');
  });
});

describe('the local domain stage', () => {
  test('refuses a request for a foreign domain with 403 instead of relaying it', () => {
    const { handle, authenticated } = fixture();
    for (const method of ['INVITE', 'OPTIONS', 'REGISTER', 'MESSAGE', 'FOO']) {
      const response = handle(request({ method, uri: 'sip:alice@example.com', to: '<sip:alice@example.com>' })).only;
      assert.equal(response.status, 403, method);
      assert.equal(response.reason, 'Relaying Forbidden');
    }
    assert.equal(authenticated.length, 0, 'no challenge is offered for another domain');
  });

  test('matches the local hosts case-insensitively', () => {
    const { handle } = fixture({ localHosts: ['PBX.Test', '127.0.0.1'] });
    assert.equal(handle(request({ uri: 'sip:pbx.TEST' })).only.status, 200);
    assert.equal(handle(request({ uri: 'sip:127.0.0.1:5060' })).only.status, 200);
    assert.equal(handle(request({ uri: 'sip:pbx.test.example.com' })).only.status, 403);
  });
});

describe('OPTIONS to the server (RFC 3261 §11.2)', () => {
  test('answers 200 with Allow, Accept and a To tag, without a challenge', () => {
    const { handle, authenticated } = fixture();
    const response = handle(request({ method: 'OPTIONS', to: `<sip:${DOMAIN}>` })).only;
    assert.equal(response.status, 200);
    assert.deepEqual(allowed(response), ALLOWED_METHODS);
    assert.ok(allowed(response).includes('INVITE'));
    assert.equal(getHeader(response, 'Accept'), 'application/sdp');
    assert.ok(toTagOf(response));
    assert.equal(authenticated.length, 0);
  });

  test('treats an OPTIONS for an extension like any request for a user: it needs credentials', () => {
    const { handle } = fixture();
    assert.equal(handle(request({ method: 'OPTIONS', uri: `sip:1002@${DOMAIN}` })).only.status, 407);
  });
});

describe('requests that only exist inside a dialog or a transaction', () => {
  test('answers a CANCEL that matched no INVITE with 481 (RFC 3261 §9.2)', () => {
    const { handle } = fixture();
    assert.equal(handle(request({ method: 'CANCEL', uri: `sip:1002@${DOMAIN}` })).only.status, 481);
  });

  for (const method of ['BYE', 'INFO', 'PRACK', 'UPDATE', 'NOTIFY']) {
    test(`answers an out-of-dialog ${method} with 481 without asking for credentials`, () => {
      const { handle, authenticated } = fixture();
      assert.equal(handle(request({ method, uri: `sip:1002@${DOMAIN}` })).only.status, 481);
      assert.equal(authenticated.length, 0);
    });
  }
});

describe('unknown methods (RFC 3261 §8.2.1)', () => {
  test('answers 501 with the Allow list', () => {
    const { handle } = fixture();
    const response = handle(request({ method: 'FOO', uri: `sip:1002@${DOMAIN}` })).only;
    assert.equal(response.status, 501);
    assert.deepEqual(allowed(response), ALLOWED_METHODS);
    assert.ok(toTagOf(response));
  });
});

describe('REGISTER', () => {
  test('without credentials gets a 401 digest challenge and no binding', () => {
    const { handle, location, authenticated, registered } = fixture();
    const response = handle(request({ method: 'REGISTER' })).only;
    assert.equal(response.status, 401);
    assert.equal(getHeaders(response, 'WWW-Authenticate').length, 1);
    assert.deepEqual(location.lookup('1001'), []);
    assert.equal(authenticated.length, 1);
    const { outcome } = itemAt(authenticated, 0);
    assert.deepEqual(outcome.ok ? 'ok' : outcome.reason, 'challenge');
    assert.equal(registered.length, 0);
  });

  test('with the right digest gets 200 and a binding, and reports both events', () => {
    const { registerAs, location, authenticated, registered } = fixture();
    const response = registerAs('1001', 5071);
    assert.equal(response.status, 200);
    assert.ok(toTagOf(response));
    assert.deepEqual(
      location.lookup('1001').map((b) => b.contactUri),
      ['sip:1001@127.0.0.1:5071'],
    );
    const last = authenticated.at(-1)!;
    assert.deepEqual(last.outcome, { ok: true, user: '1001' });
    assert.equal(last.request.method, 'REGISTER');
    assert.equal(registered.length, 1);
    assert.equal(itemAt(registered, 0).aor, '1001');
    assert.equal(itemAt(registered, 0).status, 200);
    assert.equal(itemAt(registered, 0).flow.remote.port, 5071);
  });

  test('with a pane credential gets a binding that names the web session the credential was issued to', () => {
    const { handle, authenticatedRequest, location } = fixture();
    const req = authenticatedRequest(
      (headers) => request({ method: 'REGISTER', to: `<sip:1001@${DOMAIN}>`, from: `<sip:1001@${DOMAIN}>;tag=pane`, contact: '<sip:1001@127.0.0.1:5073>', headers }),
      PANE_USER,
      PANE_PASSWORD,
    );
    assert.equal(handle(req, udpFlow({ address: '127.0.0.1', port: 5073 })).only.status, 200);
    assert.deepEqual(
      location.lookup('1001').map((b) => [b.contactUri, b.sessionTag]),
      [['sip:1001@127.0.0.1:5073', '0123456789abcdef']],
    );
  });

  test('with a wrong password gets a new challenge, reported as failed, and no binding', () => {
    const { handle, authenticatedRequest, location, authenticated, registered } = fixture();
    const req = authenticatedRequest((headers) => request({ method: 'REGISTER', headers }), '1001', 'not-the-secret');
    assert.equal(handle(req).only.status, 401);
    assert.equal(authenticated.at(-1)!.outcome.ok ? 'ok' : (authenticated.at(-1)!.outcome as { reason: string }).reason, 'failed');
    assert.deepEqual(location.lookup('1001'), []);
    assert.equal(registered.length, 0);
  });

  test('for another extension than the one authenticated is refused by the registrar and reported', () => {
    const { handle, authenticatedRequest, registered } = fixture();
    const req = authenticatedRequest((headers) => request({ method: 'REGISTER', to: `<sip:1002@${DOMAIN}>`, from: `<sip:1002@${DOMAIN}>;tag=x`, headers }), '1001');
    assert.equal(handle(req).only.status, 403);
    assert.deepEqual(
      registered.map((r) => [r.aor, r.status]),
      [['1002', 403]],
    );
  });
});

describe('guessing spread over many addresses against one extension', () => {
  function slowedFixture() {
    const clock = new FakeClock();
    const attacks = new ExtensionAttackWatch({ threshold: 3, windowMs: 600_000, firstDelayMs: 1_000, maxDelayMs: 4_000, maxTrackedUnknown: 10 }, {}, () => clock.now());
    const delayed = new DelayedAnswers({ maxPending: 100, maxPendingPerAccount: 100, clock });
    return { clock, delayed, ...fixture({ attacks, delayed }) };
  }
  const wrongRegister = (f: ReturnType<typeof slowedFixture>, i: number) => {
    const req = f.authenticatedRequest((headers) => request({ method: 'REGISTER', callId: `guess-${i}`, headers }), '1001', `guess-${i}`);
    return f.handle(req, udpFlow({ address: `198.51.100.${i}`, port: 5060 }));
  };

  test('answers each failed guess at once below the threshold, then sends its challenge once, after the delay', () => {
    const f = slowedFixture();
    for (let i = 1; i <= 2; i++) assert.equal(wrongRegister(f, i).only.status, 401);
    const slowed = wrongRegister(f, 3);
    assert.deepEqual(slowed.responses, []);
    assert.equal(f.delayed.pending, 1);
    f.clock.advance(999);
    assert.deepEqual(slowed.responses, []);
    f.clock.advance(1);
    assert.equal(slowed.only.status, 401);
    assert.equal(getHeaders(slowed.only, 'WWW-Authenticate').length, 1);
    assert.ok(toTagOf(slowed.only), 'the delayed answer carries its To tag too');
    f.clock.advance(60_000);
    assert.equal(slowed.responses.length, 1);
    assert.equal(f.delayed.pending, 0);
  });

  test('still registers the agent with the right password at once, from any address', () => {
    const f = slowedFixture();
    for (let i = 1; i <= 5; i++) wrongRegister(f, i);
    assert.equal(f.delayed.pending, 3);
    assert.equal(f.registerAs('1001', 5090).status, 200);
    assert.deepEqual(
      f.location.lookup('1001').map((b) => b.contactUri),
      ['sip:1001@127.0.0.1:5090'],
    );
  });

  test('holds back the 407 to a guessing INVITE alike', () => {
    const f = slowedFixture();
    for (let i = 1; i <= 3; i++) wrongRegister(f, i);
    f.clock.advance(1_000);
    const invite = f.authenticatedRequest((headers) => inviteTo('1002', headers), '1001', 'guess-invite');
    const answer = f.handle(invite, udpFlow({ address: '198.51.100.77', port: 5060 }));
    assert.deepEqual(answer.responses, []);
    f.clock.advance(1_000);
    assert.equal(answer.only.status, 407);
  });
});

describe('out-of-dialog requests for a user', () => {
  test('lose a first Route naming this PBX (RFC 3261 §16.4: a phone outbound proxy, preloaded), and only that one', () => {
    const routed: string[][] = [];
    const relay = fakeRelay({ toExtension: (req) => routed.push(getHeaders(req, 'Route')) });
    const { handle, authenticatedRequest, registerAs } = fixture({ relay, localPorts: [5060, 5061] });
    assert.equal(registerAs('1002', 5072).status, 200);
    const cases: Array<[string[], string[]]> = [
      [[`Route: <sip:${DOMAIN};lr>, <sip:10.1.2.3:5060;lr>`], ['<sip:10.1.2.3:5060;lr>']],
      [['Route: <sip:127.0.0.1:5060;lr>', 'Route: <sip:10.1.2.3;lr>'], ['<sip:10.1.2.3;lr>']],
      [['Route: <sip:127.0.0.1:5061;transport=tls;lr>'], []],
      [['Route: <sip:127.0.0.1:5080;lr>'], ['<sip:127.0.0.1:5080;lr>']],
      [[`Route: <sip:10.1.2.3;lr>, <sip:${DOMAIN};lr>`], ['<sip:10.1.2.3;lr>', `<sip:${DOMAIN};lr>`]],
    ];
    for (const [routes] of cases) handle(authenticatedRequest((headers) => inviteTo('1002', [...routes, ...headers])));
    assert.deepEqual(
      routed,
      cases.map(([, left]) => left),
    );
  });

  test('without credentials get a 407 proxy challenge', () => {
    const { handle } = fixture();
    const response = handle(inviteTo('1002')).only;
    assert.equal(response.status, 407);
    assert.equal(getHeaders(response, 'Proxy-Authenticate').length, 1);
    assert.equal(getHeaders(response, 'WWW-Authenticate').length, 0);
  });

  test('authenticated, to an extension that does not exist get 404', () => {
    const { handle, authenticatedRequest } = fixture();
    assert.equal(handle(authenticatedRequest((headers) => inviteTo('4711', headers))).only.status, 404);
  });

  test('authenticated, to the server itself (no user part) get 404', () => {
    const { handle, authenticatedRequest } = fixture();
    assert.equal(handle(authenticatedRequest((headers) => request({ method: 'INVITE', headers }))).only.status, 404);
  });

  test('authenticated, to an extension without a binding get 480', () => {
    const { handle, authenticatedRequest } = fixture();
    assert.equal(handle(authenticatedRequest((headers) => inviteTo('1002', headers))).only.status, 480);
  });

  test('authenticated, to a registered extension with no relay configured get 501', () => {
    const { handle, authenticatedRequest, registerAs } = fixture();
    assert.equal(registerAs('1002', 5072).status, 200);
    const response = handle(authenticatedRequest((headers) => inviteTo('1002', headers))).only;
    assert.equal(response.status, 501);
    assert.ok(toTagOf(response));
  });

  test('authenticated, to a registered extension are handed to the relay with the caller and the bindings', () => {
    const calls: Array<{ request: SipRequest; flow: Flow; responder: Responder; call: ExtensionCall }> = [];
    const relay = fakeRelay({ toExtension: (req, flow, responder, call) => calls.push({ request: req, flow, responder, call }) });
    const { handle, authenticatedRequest, registerAs } = fixture({ relay });
    assert.equal(registerAs('1002', 5072).status, 200);
    const invite = authenticatedRequest((headers) => inviteTo('1002', headers, { from: `<sip:1003@${DOMAIN}>;tag=from-3` }), '1003');
    const flow = udpFlow({ address: '127.0.0.1', port: 5073 });
    const responder = handle(invite, flow);
    assert.equal(responder.responses.length, 0, 'the route itself answers nothing');
    assert.equal(calls.length, 1);
    assert.equal(itemAt(calls, 0).request, invite);
    assert.equal(itemAt(calls, 0).flow, flow);
    assert.deepEqual(itemAt(calls, 0).call.caller, { kind: 'extension', number: '1003', displayName: undefined });
    assert.equal(itemAt(calls, 0).call.callee, '1002');
    assert.deepEqual(
      itemAt(calls, 0).call.bindings.map((b) => b.sourcePort),
      [5072],
    );

    // The relay answers through the transaction itself: forwarded responses keep the callee's tag.
    const ringing = parseMessage(
      Buffer.from(
        [
          'SIP/2.0 180 Ringing',
          'Via: SIP/2.0/UDP 127.0.0.1:5073;branch=z9hG4bK-x',
          `From: <sip:1003@${DOMAIN}>;tag=from-3`,
          `To: <sip:1002@${DOMAIN}>;tag=callee`,
          `Call-ID: ${callIdOf(invite)}`,
          'CSeq: 1 INVITE',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      ),
    );
    assert.equal(ringing.type, 'response');
    itemAt(calls, 0).responder.respond(ringing);
    assert.deepEqual(
      responder.responses.map((r) => toTagOf(r)),
      ['callee'],
    );
  });

  test('authenticated, with a From naming another extension get 403 and reach no relay', () => {
    const calls: SipRequest[] = [];
    const relay = fakeRelay({ toExtension: (req) => calls.push(req) });
    const { handle, authenticatedRequest, registerAs } = fixture({ relay });
    assert.equal(registerAs('1002', 5072).status, 200);
    const spoofed = authenticatedRequest((headers) => inviteTo('1002', headers, { from: `<sip:1002@${DOMAIN}>;tag=spoof` }), '1003');
    assert.equal(handle(spoofed).only.status, 403);
    assert.deepEqual(calls, []);
  });

  test('inside a dialog go to the relay first, and get 481 when it knows no such dialog', () => {
    const seen: SipRequest[] = [];
    let known = true;
    const relay = fakeRelay({
      inDialog: (req) => {
        seen.push(req);
        return known;
      },
    });
    const { handle } = fixture({ relay });
    const bye = request({ method: 'BYE', uri: 'sip:1002@127.0.0.1:5072', to: `<sip:1002@${DOMAIN}>;tag=callee` });
    assert.equal(handle(bye).responses.length, 0);
    known = false;
    assert.equal(handle(request({ method: 'BYE', to: `<sip:1002@${DOMAIN}>;tag=callee` })).only.status, 481);
    assert.equal(seen.length, 2);
  });

  test('with Max-Forwards 0 are never handed to the relay, even an OPTIONS (RFC 3261 §16.3 item 2)', () => {
    const calls: SipRequest[] = [];
    const { handle, authenticatedRequest, registerAs } = fixture({ relay: fakeRelay({ toExtension: (req) => calls.push(req) }) });
    assert.equal(registerAs('1002', 5072).status, 200);
    // The challenge is fetched with Max-Forwards 70; the digest does not cover Max-Forwards.
    const options = authenticatedRequest((headers) => request({ method: 'OPTIONS', uri: `sip:1002@${DOMAIN}`, maxForwards: headers.length > 0 ? 0 : 70, headers }));
    assert.equal(handle(options).only.status, 483);
    assert.deepEqual(calls, []);
  });
});

describe('the To tag of final responses (RFC 3261 §8.2.6.2)', () => {
  test('every final response the route sends carries a To tag', () => {
    const { handle } = fixture();
    const requests = [
      request({ method: 'INVITE', uri: 'tel:+12015550123' }),
      inviteTo('1002', ['Require: foo']),
      inviteTo('1002', [], { maxForwards: 0 }),
      request({ uri: 'sip:alice@example.com' }),
      request(),
      request({ method: 'CANCEL' }),
      request({ method: 'BYE' }),
      request({ method: 'FOO' }),
      request({ method: 'REGISTER' }),
      inviteTo('1002'),
    ];
    for (const req of requests) {
      const response = handle(req).only;
      assert.ok((toTagOf(response) ?? '').length >= 8, `${req.method} → ${response.status} has a To tag`);
    }
  });

  test('different requests get different tags', () => {
    const { handle } = fixture();
    const tags = [handle(request()).only, handle(request()).only].map(toTagOf);
    assert.ok(tags[0] && tags[1]);
    assert.notEqual(tags[0], tags[1]);
  });
});

describe('the route as the transaction user', () => {
  /** A server transaction as far as the route uses one: its flow, its request, what it answered. */
  function transaction(req: SipRequest): ServerTransaction<Flow> & RecordingResponder {
    const responder = new RecordingResponder();
    return Object.assign(responder, { flow: udpFlow(), request: req, finalResponse: undefined }) as unknown as ServerTransaction<Flow> & RecordingResponder;
  }
  function userOf(relay: Relay<Responder>, failures: unknown[] = []) {
    const { route, registerAs, authenticatedRequest } = fixture({ relay });
    const user = (route as unknown as RequestRoute<ServerTransaction<Flow>>).asTransactionUser({ failed: (err) => failures.push(err), strayResponse: () => undefined });
    return { user, registerAs, authenticatedRequest };
  }

  test('answers 500 through its transaction when a stage throws, and reports it', () => {
    const failures: unknown[] = [];
    const { user, registerAs, authenticatedRequest } = userOf(
      fakeRelay({
        toExtension: () => {
          throw new Error('a bug in the relay');
        },
      }),
      failures,
    );
    assert.equal(registerAs('1002', 5072).status, 200);
    const invite = authenticatedRequest((headers) => inviteTo('1002', headers));
    const tx = transaction(invite);
    user.onRequest(tx, invite);
    assert.equal(tx.only.status, 500);
    assert.deepEqual(
      failures.map((err) => (err as Error).message),
      ['a bug in the relay'],
    );
  });

  test('hands a CANCEL of a relayed INVITE and the ACK of a 2xx to the relay, and answers the CANCEL 200', () => {
    const cancelled: unknown[] = [];
    const acked: SipRequest[] = [];
    const relay = { ...fakeRelay(), cancel: (invite: Responder) => cancelled.push(invite), ack: (ack: SipRequest) => acked.push(ack) };
    const { user } = userOf(relay);
    const invite = transaction(inviteTo('1002'));
    const cancel = request({ method: 'CANCEL', uri: `sip:1002@${DOMAIN}`, to: `<sip:1002@${DOMAIN}>` });
    const cancelTx = transaction(cancel);
    user.onCancel(invite as never, cancel, cancelTx as never);
    assert.equal(cancelTx.only.status, 200);
    assert.deepEqual(cancelled, [invite]);
    const ack = request({ method: 'ACK', to: `<sip:1002@${DOMAIN}>;tag=callee` });
    user.onAck(ack, udpFlow());
    assert.deepEqual(acked, [ack]);
  });
});

/**
 * The compiler refuses a route path that answers nothing: `tsc` in `npm test` fails if this
 * function, one path of which falls off its end, ever type-checks.
 */
// @ts-expect-error TS2366: a path that answers nothing does not end with Answered
export function pathsMustAnswer(answered: Answered, relayed: boolean): Answered {
  if (relayed) return answered;
}
