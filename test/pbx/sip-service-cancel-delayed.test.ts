/**
 * A CANCEL of an INVITE whose challenge is held back (a failed guess at an extension under
 * attack, delayed-answers.ts): the INVITE is answered 487 at once (RFC 3261 §9.2), and the
 * held-back 407 never follows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { answerChallenge, parseDigestChallenge } from '../../src/sip/auth/index.ts';
import { EXTENSION_ATTACK_POLICY } from '../../src/pbx/extension-attack-watch.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { UdpSipPeer } from '../support/udp-sip-peer.ts';

describe('SIP service: CANCEL of an INVITE whose challenge is delayed', () => {
  let callpane: TestCallpane;
  let peer: UdpSipPeer;

  before(async () => {
    // The per-address ban must not stop the guesses first: the per-extension watch is under test.
    callpane = await startTestCallpane({ env: { CALLPANE_SECURITY_AUTH_FAILURES_LIMIT: '1000' } });
    peer = await UdpSipPeer.open();
  });
  after(async () => {
    peer.close();
    await callpane.remove();
  });

  function invite(callId: string, method: 'INVITE' | 'CANCEL' = 'INVITE', extra: string[] = []): string {
    const domain = `127.0.0.1:${callpane.sipPort}`;
    return [
      `${method} sip:1002@${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-${callId};rport`,
      'Max-Forwards: 70',
      `From: <sip:1001@${domain}>;tag=guess`,
      `To: <sip:1002@${domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:1001@127.0.0.1:${peer.port}>`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  /** Final answers about `callId` to `method` within `timeoutMs`, at most `count` (others are skipped). */
  async function finalsTo(callId: string, method: string, timeoutMs: number, count = Infinity): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const finals: string[] = [];
    while (finals.length < count && Date.now() < deadline) {
      const message = await peer.next(Math.max(1, deadline - Date.now()));
      if (message === undefined) break;
      const about = message.includes(`\r\nCall-ID: ${callId}\r\n`) && new RegExp(`^CSeq: 1 ${method}\\r$`, 'm').test(message);
      if (about && !/^SIP\/2\.0 1\d\d /.test(message)) finals.push(message);
    }
    return finals;
  }

  async function answerTo(callId: string, method: string, timeoutMs = 2000): Promise<string> {
    return (await finalsTo(callId, method, timeoutMs, 1))[0] ?? '(no answer)';
  }

  /** An INVITE with a wrong password for 1001, answering a fresh challenge; resolves once it is sent. */
  async function guess(callId: string): Promise<void> {
    await peer.send(invite(`${callId}-c`), callpane.sipPort);
    const challenge = await answerTo(`${callId}-c`, 'INVITE');
    const header = /^Proxy-Authenticate: (.*)\r$/m.exec(challenge)?.[1];
    assert.ok(header, `a 407 challenge, not ${challenge.split('\r\n')[0]}`);
    const credentials = answerChallenge([parseDigestChallenge(header)], { username: '1001', password: 'wrong', method: 'INVITE', uri: `sip:1002@127.0.0.1:${callpane.sipPort}` });
    await peer.send(invite(callId, 'INVITE', [`Proxy-Authorization: ${credentials}`]), callpane.sipPort);
  }

  it('answers the INVITE 487 at once and never sends the held-back 407', async () => {
    for (let attempt = 0; attempt < EXTENSION_ATTACK_POLICY.threshold; attempt++) {
      await guess(`warmup-${attempt}`);
      assert.match(await answerTo(`warmup-${attempt}`, 'INVITE', 20_000), /^SIP\/2\.0 407 /);
    }
    await guess('held');
    assert.equal(await answerTo('held', 'INVITE', 200), '(no answer)', 'the 407 to a guess at an extension under attack is held back');

    await peer.send(invite('held', 'CANCEL'), callpane.sipPort);
    assert.match(await answerTo('held', 'CANCEL'), /^SIP\/2\.0 200 /);
    const final = await answerTo('held', 'INVITE', 500);
    assert.match(final, /^SIP\/2\.0 487 /, 'the cancelled INVITE is answered 487 at once');
    assert.match(final, /^To: .*;tag=[^;\r]+/m, 'the 487 carries a To tag');

    // Without an ACK the 487 is retransmitted (§17.2.1); no 407 may come among them.
    const later = await finalsTo('held', 'INVITE', EXTENSION_ATTACK_POLICY.firstDelayMs * 2 + 500);
    assert.deepEqual(
      later.filter((message) => !/^SIP\/2\.0 487 /.test(message)),
      [],
      'the held-back challenge is dropped',
    );
  });
});
