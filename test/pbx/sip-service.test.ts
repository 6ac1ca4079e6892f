/**
 * The SIP service as one running piece: requests over UDP to a Callpane started in process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { answerChallenge, parseDigestChallenge } from '../../src/sip/auth/index.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { UdpSipPeer } from '../support/udp-sip-peer.ts';

function request(callpane: TestCallpane, peer: UdpSipPeer, method: string, branch: string, extra: string[] = []): string {
  const domain = `127.0.0.1:${callpane.sipPort}`;
  return [
    `${method} sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:1001@${domain}>;tag=svc`,
    `To: <sip:1001@${domain}>`,
    `Call-ID: ${branch}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:1001@127.0.0.1:${peer.port}>`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The next datagram about `callId`; others (retransmitted finals of earlier tests, never ACKed here) are skipped. */
async function answerTo(peer: UdpSipPeer, callId: string): Promise<string> {
  for (;;) {
    const message = await peer.next(2000);
    if (message === undefined) return '(no answer)';
    if (message.includes(`\r\nCall-ID: ${callId}\r\n`)) return message;
  }
}

/** Proxy-Authorization for extension 1001 answering the 407 in `challenge`. */
function answerAs1001(callpane: TestCallpane, challenge: string): string {
  const header = /^Proxy-Authenticate: (.*)$/m.exec(challenge)?.[1];
  assert.ok(header, `a 407 challenge, not ${challenge.split('\r\n')[0]}`);
  return answerChallenge([parseDigestChallenge(header)], {
    username: '1001',
    password: callpane.secretOf('1001'),
    method: 'INVITE',
    uri: `sip:127.0.0.1:${callpane.sipPort}`,
  });
}

describe('SIP service', () => {
  let callpane: TestCallpane;
  let peer: UdpSipPeer;

  before(async () => {
    callpane = await startTestCallpane();
    peer = await UdpSipPeer.open();
  });
  after(async () => {
    peer.close();
    await callpane.remove();
  });

  it('refuses an INVITE whose From claims another extension than the one that authenticated, and records nothing', async () => {
    const events: unknown[] = [];
    const unsubscribe = callpane.running.context.calls.subscribe((event) => events.push(event));
    const spoofed = (extra: string[]) =>
      request(callpane, peer, 'INVITE', `spoof-${extra.length}`, extra).replace(/^From: .*$/m, `From: <sip:1002@127.0.0.1:${callpane.sipPort}>;tag=spoof`);
    await peer.send(spoofed([]), callpane.sipPort);
    const credentials = answerAs1001(callpane, await answerTo(peer, 'spoof-0'));
    await peer.send(spoofed([`Proxy-Authorization: ${credentials}`]), callpane.sipPort);
    assert.match(await answerTo(peer, 'spoof-1'), /^SIP\/2\.0 403 /);
    unsubscribe();
    assert.deepEqual(events, []);
    assert.equal(callpane.running.context.repositories.calls.listForExtension('1002', { limit: 10 }).records.length, 0);
  });

  it('answers 500 when a stage fails (here the database is gone) and keeps serving', async () => {
    await peer.send(request(callpane, peer, 'OPTIONS', 'before'), callpane.sipPort);
    assert.match(await answerTo(peer, 'before'), /^SIP\/2\.0 200 /);

    await peer.send(request(callpane, peer, 'INVITE', 'challenge'), callpane.sipPort);
    const credentials = answerAs1001(callpane, await answerTo(peer, 'challenge'));

    callpane.running.context.db.close();
    // SIP credentials are served from memory and looked up again in the database within a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await peer.send(request(callpane, peer, 'INVITE', 'no-db', [`Proxy-Authorization: ${credentials}`]), callpane.sipPort);
    const failed = await answerTo(peer, 'no-db');
    assert.match(failed ?? '(no answer)', /^SIP\/2\.0 500 /);

    await peer.send(request(callpane, peer, 'OPTIONS', 'after'), callpane.sipPort);
    assert.match(await answerTo(peer, 'after'), /^SIP\/2\.0 200 /, 'still serving');
  });
});
