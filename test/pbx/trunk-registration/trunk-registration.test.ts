import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDigestCredentials } from '../../../src/sip/auth/index.ts';
import { createResponse, getHeader } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import { TrunkRegistration, type RegistrationStatus } from '../../../src/pbx/trunk-registration/trunk-registration.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const CHALLENGE = 'Digest realm="carrier.example", nonce="n1", qop="auth", algorithm=MD5';
const CONTACT = 'sip:carrier-0123456789abcdef0123@127.0.0.1:5070';

type Answer = (request: SipRequest) => SipResponse;

/** A registrar played by the test: each REGISTER gets the next scripted answer. */
function harness(expires = 300) {
  const clock = new FakeClock();
  const sent: SipRequest[] = [];
  const script: Answer[] = [];
  const statuses: RegistrationStatus[] = [];
  const registration = new TrunkRegistration({
    trunk: 'carrier',
    dialog: { registrarUri: 'sip:carrier.example', addressOfRecord: 'sip:acct-4711@carrier.example', contact: CONTACT, callId: 'call-1', fromTag: 'tag-1' },
    credentials: { username: 'acct-4711', password: 'secret-1' },
    expires,
    clock,
    random: () => 0.999_999,
    send(request) {
      sent.push(request);
      const answer = script.shift();
      if (!answer) return Promise.reject(new Error('no answer scripted'));
      return Promise.resolve(answer(request));
    },
    onStatus: (status) => statuses.push(status),
  });
  return { clock, sent, script, statuses, registration };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const challenge: Answer = (request) => createResponse(request, 401, { headers: [{ name: 'WWW-Authenticate', value: CHALLENGE }] });
const ok =
  (contactExpires?: number): Answer =>
  (request) =>
    createResponse(request, 200, contactExpires === undefined ? {} : { headers: [{ name: 'Contact', value: `<${CONTACT}>;expires=${contactExpires}` }] });
const status =
  (code: number, headers: { name: string; value: string }[] = []): Answer =>
  (request) =>
    createResponse(request, code, { headers });

describe('registering a trunk to its carrier', () => {
  it('answers the digest challenge with the trunk credentials, in the same Call-ID with a higher CSeq', async () => {
    const { sent, script, registration } = harness();
    script.push(challenge, ok());
    registration.start();
    await settle();
    assert.equal(sent.length, 2);
    assert.equal(getHeader(sent[0]!, 'Authorization'), undefined);
    const credentials = parseDigestCredentials(getHeader(sent[1]!, 'Authorization') ?? '');
    assert.deepEqual([credentials.username, credentials.realm, credentials.uri], ['acct-4711', 'carrier.example', 'sip:carrier.example']);
    assert.deepEqual(
      sent.map((r) => [getHeader(r, 'Call-ID'), getHeader(r, 'CSeq'), getHeader(r, 'Expires'), getHeader(r, 'Contact')]),
      [
        ['call-1', '1 REGISTER', '300', `<${CONTACT}>`],
        ['call-1', '2 REGISTER', '300', `<${CONTACT}>`],
      ],
    );
    assert.equal(registration.status.state, 'registered');
  });

  it('answers with SHA-256 when the registrar offers it beside MD5 (RFC 8760)', async () => {
    const { sent, script, registration } = harness();
    script.push(
      (request) =>
        createResponse(request, 401, {
          headers: [
            { name: 'WWW-Authenticate', value: CHALLENGE },
            { name: 'WWW-Authenticate', value: CHALLENGE.replace('MD5', 'SHA-256') },
          ],
        }),
      ok(),
    );
    registration.start();
    await settle();
    assert.equal(parseDigestCredentials(getHeader(sent[1]!, 'Authorization') ?? '').algorithm, 'SHA-256');
  });

  it('renews a minute before the expiry the registrar granted our contact, never later than half-way', async () => {
    const { clock, sent, script, registration } = harness();
    script.push(ok(200));
    registration.start();
    await settle();
    assert.deepEqual([registration.status.expiresAt, registration.status.nextAttemptAt], [200_000, 140_000]);
    script.push(ok(90));
    clock.advance(139_999);
    await settle();
    assert.equal(sent.length, 1, 'nothing before the renewal is due');
    clock.advance(1);
    await settle();
    assert.equal(sent.length, 2);
    // 90 s granted: half-way (45 s) is later than a minute before expiry (30 s).
    assert.equal(registration.status.nextAttemptAt, 140_000 + 45_000);
  });

  it('renews at most every 30 s when the registrar grants only a second, instead of a REGISTER storm', async () => {
    const { clock, sent, script, registration } = harness();
    script.push(ok(1), ok(1), ok(1));
    registration.start();
    await settle();
    assert.deepEqual([registration.status.expiresAt, registration.status.nextAttemptAt], [1_000, 30_000]);
    clock.advance(29_999);
    await settle();
    assert.equal(sent.length, 1, 'no renewal within 30 s of the last');
    clock.advance(1);
    await settle();
    clock.advance(30_000);
    await settle();
    assert.equal(sent.length, 3, 'one REGISTER per 30 s');
    assert.equal(getHeader(sent[2]!, 'Expires'), '300', 'still asks for the configured expiry');
  });

  it('tries again after failures with a doubling wait up to five minutes, and starts over once registered', async () => {
    const { clock, sent, script, registration } = harness();
    const waits: number[] = [];
    script.push(status(503));
    registration.start();
    await settle();
    for (let attempt = 0; attempt < 7; attempt++) {
      const { nextAttemptAt } = registration.status;
      waits.push(Math.round(((nextAttemptAt ?? 0) - clock.now()) / 1000));
      script.push(attempt < 6 ? status(500) : ok());
      clock.advance((nextAttemptAt ?? 0) - clock.now());
      await settle();
    }
    assert.deepEqual(waits, [10, 20, 40, 80, 160, 300, 300]);
    assert.equal(sent.length, 8);
    assert.deepEqual([registration.status.state, registration.status.failures], ['registered', 0]);
  });

  it('waits at least as long as a Retry-After the carrier sent', async () => {
    const { clock, script, registration } = harness();
    script.push(status(503, [{ name: 'Retry-After', value: '120 (maintenance)' }]));
    registration.start();
    await settle();
    assert.deepEqual([registration.status.state, registration.status.reason, registration.status.nextAttemptAt! - clock.now()], ['failed', '503 Service Unavailable', 120_000]);
  });

  it('asks for the Min-Expires of a 423 Interval Too Brief, and keeps asking for it', async () => {
    const { clock, sent, script, registration } = harness(60);
    script.push(challenge, status(423, [{ name: 'Min-Expires', value: '600' }]), challenge, ok());
    registration.start();
    await settle();
    assert.deepEqual(
      sent.map((r) => getHeader(r, 'Expires')),
      ['60', '60', '600', '600'],
    );
    assert.deepEqual([registration.status.state, registration.status.expires, registration.status.expiresAt], ['registered', 600, 600_000]);
    script.push(ok());
    clock.advance(540_000);
    await settle();
    assert.equal(getHeader(sent[4]!, 'Expires'), '600');
  });

  it('fails with a reason naming the keys to check when the credentials are refused, instead of answering again', async () => {
    const { sent, script, registration } = harness();
    script.push(challenge, challenge);
    registration.start();
    await settle();
    assert.equal(sent.length, 2);
    assert.equal(registration.status.state, 'failed');
    assert.match(registration.status.reason ?? '', /^401 Unauthorized \(credentials refused: check outbound\.username and outbound\.password\)$/);
  });

  it('answers again when the registrar says the nonce was stale', async () => {
    const { sent, script, registration } = harness();
    const stale: Answer = (request) => createResponse(request, 401, { headers: [{ name: 'WWW-Authenticate', value: `${CHALLENGE}, stale=true` }] });
    script.push(challenge, stale, ok());
    registration.start();
    await settle();
    assert.deepEqual([sent.length, registration.status.state], [3, 'registered']);
  });

  it('removes its binding with Expires: 0 when stopped, and stops renewing', async () => {
    const { clock, sent, script, registration, statuses } = harness();
    script.push(ok(), challenge, ok());
    registration.start();
    await settle();
    await registration.stop();
    assert.deepEqual(
      sent.slice(1).map((r) => getHeader(r, 'Expires')),
      ['0', '0'],
    );
    assert.ok(getHeader(sent[2]!, 'Authorization'), 'the unREGISTER answers its challenge too');
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['registering', 'registered', 'unregistered'],
    );
    clock.advance(3_600_000);
    await settle();
    assert.equal(sent.length, 3);
    assert.equal(clock.pending, 0);
  });

  it('sends nothing when stopped without a binding at the carrier', async () => {
    const { sent, script, registration } = harness();
    script.push(status(403));
    registration.start();
    await settle();
    await registration.stop();
    assert.deepEqual([sent.length, registration.status.state], [1, 'unregistered']);
  });
});
