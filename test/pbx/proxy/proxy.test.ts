/**
 * The proxy core on a real transaction layer over a recording transport: what it sends where,
 * and what the caller gets back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ForwardTarget } from '../../../src/pbx/proxy/proxy.ts';
import { cseqOf, getHeader, getHeaders, parseMessage, parseUri, topVia } from '../../../src/sip/message/index.ts';
import type { SipRequest } from '../../../src/sip/message/types.ts';
import { answer, CALLER_FLOW, fixture, invite } from './proxy-fixture.ts';
import { itemAt } from '../../support/item-at.ts';

const CARRIER: ForwardTarget = {
  uri: parseUri('sip:14155550123@127.0.0.9:5060'),
  leg: { transport: 'UDP', address: '127.0.0.9', port: 5060 },
  credentials: { username: 'acct', password: 'secret' },
  trunk: true,
};

describe('the proxy towards a trunk that challenges', () => {
  it('resends the INVITE with credentials and the next CSeq, and never shows the caller the challenge', () => {
    const { transport, proxy, receive, respond } = fixture();
    proxy.forward(receive(invite()), invite(), CALLER_FLOW, [CARRIER]);
    const first = itemAt(transport.requests, 0);
    assert.equal(cseqOf(first.request).seq, 7);
    respond(answer(first.request, 407, ['Proxy-Authenticate: Digest realm="carrier", nonce="abc", qop="auth"']));

    const retry = transport.requests.find((sent) => sent.request.method === 'INVITE' && sent !== first);
    assert.ok(retry, 'the INVITE went out again');
    assert.equal(cseqOf(retry.request).seq, 8);
    assert.match(getHeader(retry.request, 'Proxy-Authorization') ?? '', /^Digest username="acct", realm="carrier"/);
    assert.notEqual(topVia(retry.request).params.get('branch'), topVia(first.request).params.get('branch'));

    respond(answer(retry.request, 200));
    const upstream = transport.responses.filter((response) => response.status >= 200);
    assert.deepEqual(
      upstream.map((response) => [response.status, cseqOf(response).seq]),
      [[200, 7]],
      'the caller sees its own CSeq and no 407',
    );
  });

  it('shifts the CSeq of the caller in-dialog requests and ACK on that leg, and shifts the responses back', () => {
    const { transport, proxy, receive, respond } = fixture();
    proxy.forward(receive(invite()), invite(), CALLER_FLOW, [CARRIER]);
    respond(answer(itemAt(transport.requests, 0).request, 407, ['Proxy-Authenticate: Digest realm="carrier", nonce="abc", qop="auth"']));
    const retry = transport.requests.at(-1)!.request;
    respond(answer(retry, 200));
    const ok = transport.responses.find((response) => response.status === 200)!;
    // The caller's route set is the Record-Route of the 200, reversed.
    const routes = getHeaders(ok, 'Record-Route').reverse();

    const inDialog = (method: string, cseq: number): SipRequest =>
      parseMessage(
        Buffer.from(
          [
            `${method} sip:far@127.0.0.9:5060 SIP/2.0`,
            `Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-${method}-${cseq}`,
            'Max-Forwards: 70',
            ...routes.map((route) => `Route: ${route}`),
            'From: <sip:1001@pbx.test>;tag=caller',
            'To: <sip:14155550123@pbx.test>;tag=carrier',
            'Call-ID: proxy-test',
            `CSeq: ${cseq} ${method}`,
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        ),
      ) as SipRequest;

    assert.equal(proxy.forwardAck(inDialog('ACK', 7), CALLER_FLOW), true);
    const ack = transport.requests.at(-1)!;
    assert.deepEqual([ack.request.method, cseqOf(ack.request).seq], ['ACK', 8]);
    assert.deepEqual(ack.target, { transport: 'UDP', host: '127.0.0.9', port: 5060 });
    assert.equal(getHeader(ack.request, 'Route'), undefined, 'our Route entries are consumed');

    const bye = inDialog('BYE', 8);
    assert.equal(proxy.forwardInDialog(receive(bye), bye, CALLER_FLOW), true);
    const sentBye = transport.requests.at(-1)!.request;
    assert.deepEqual([sentBye.method, cseqOf(sentBye).seq], ['BYE', 9]);
    respond(answer(sentBye, 200));
    assert.equal(cseqOf(transport.responses.at(-1)!).seq, 8);
  });

  it('passes a second challenge up rather than looping', () => {
    const { transport, proxy, receive, respond } = fixture();
    proxy.forward(receive(invite()), invite(), CALLER_FLOW, [CARRIER]);
    const challenge = ['Proxy-Authenticate: Digest realm="carrier", nonce="abc", qop="auth"'];
    respond(answer(itemAt(transport.requests, 0).request, 407, challenge));
    respond(answer(transport.requests.at(-1)!.request, 407, challenge));
    const finals = transport.responses.filter((response) => response.status >= 200);
    assert.deepEqual(
      finals.map((response) => [response.status, cseqOf(response).seq]),
      [[407, 7]],
    );
  });
});

describe('the proxy when a 200 crosses the CANCEL', () => {
  it('ACKs and BYEs the 200 of a branch it gave up on before any provisional, and the caller gets only the 487', () => {
    const { transport, proxy, receive, respond } = fixture();
    const phone: ForwardTarget = { uri: parseUri('sip:1003@127.0.0.7:5060;transport=tcp'), leg: { transport: 'TCP', address: '127.0.0.7', port: 5060 } };
    const server = receive(invite());
    proxy.forward(server, invite(), CALLER_FLOW, [phone]);
    const sent = itemAt(transport.requests, 0);
    proxy.cancel(server);
    const ok = answer(sent.request, 200, ['Contact: <sip:1003@127.0.0.7:5060;transport=tcp>']);
    respond(ok);
    respond(ok);

    assert.deepEqual(
      transport.responses.filter((response) => response.status >= 200).map((response) => response.status),
      [487],
    );
    const toCallee = transport.requests.filter((entry) => entry.request.method === 'ACK' || entry.request.method === 'BYE');
    assert.deepEqual(
      toCallee.map((entry) => [entry.request.method, getHeader(entry.request, 'CSeq')]),
      [
        ['ACK', '7 ACK'],
        ['BYE', '8 BYE'],
        ['ACK', '7 ACK'],
      ],
      'each 200 ACKed, one BYE',
    );
    assert.equal(getHeader(itemAt(toCallee, 1).request, 'Reason'), 'SIP;cause=487;text="Request Terminated"');
    assert.deepEqual(itemAt(toCallee, 1).target, { transport: 'TCP', host: '127.0.0.7', port: 5060 });
  });
});
