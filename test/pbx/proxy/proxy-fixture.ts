/**
 * The proxy on a real transaction layer over a recording transport, for the proxy's tests: what
 * it sends where (as a peer reads it off the wire), and what goes back to whom.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { FlowTokens } from '../../../src/pbx/proxy/flow-token.ts';
import { Proxy, type ProxyOptions } from '../../../src/pbx/proxy/proxy.ts';
import { getHeader, getHeaders, parseMessage, serializeMessage } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import { TransactionLayer, type ServerTransaction, type TransactionTransport } from '../../../src/sip/transaction/index.ts';
import { createFlow, type Flow, type RequestTarget } from '../../../src/sip/transport/index.ts';

export const CALLER_FLOW = createFlow('TCP', { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.1', port: 40000 });

class RecordingTransport implements TransactionTransport<Flow, RequestTarget> {
  readonly requests: Array<{ request: SipRequest; target: RequestTarget }> = [];
  readonly responses: SipResponse[] = [];
  sendRequest(request: SipRequest, target: RequestTarget): void {
    // Through the wire format, as a peer would see it.
    this.requests.push({ request: parseMessage(serializeMessage(request)) as SipRequest, target });
  }
  sendResponse(response: SipResponse): void {
    this.responses.push(parseMessage(serializeMessage(response)) as SipResponse);
  }
  isReliable(): boolean {
    return true;
  }
  /** Our Via names the transport the request goes on, as the real transport layer's does. */
  sentBy(target: RequestTarget): { transport: string; host: string; port: number } {
    return { transport: 'flow' in target ? target.flow.transport : target.transport, host: '127.0.0.1', port: 5060 };
  }
}

export function message<M extends SipRequest | SipResponse>(lines: string[]): M {
  return parseMessage(Buffer.from([...lines, 'Content-Length: 0', '', ''].join('\r\n'))) as M;
}

export function invite(cseq = 7, extra: string[] = []): SipRequest {
  return message([
    'INVITE sip:14155550123@pbx.test SIP/2.0',
    'Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-caller',
    'Max-Forwards: 70',
    'From: <sip:1001@pbx.test>;tag=caller',
    'To: <sip:14155550123@pbx.test>',
    'Call-ID: proxy-test',
    `CSeq: ${cseq} INVITE`,
    'Contact: <sip:1001@127.0.0.1:40000;transport=tcp>',
    ...extra,
  ]);
}

/** A response from the next hop to the request it got. */
export function answer(sent: SipRequest, status: number, extra: string[] = []): SipResponse {
  return message([
    `SIP/2.0 ${status} Reason`,
    ...getHeaders(sent, 'Via').map((via) => `Via: ${via}`),
    ...(status === 200 ? getHeaders(sent, 'Record-Route').map((rr) => `Record-Route: ${rr}`) : []),
    `From: ${getHeader(sent, 'From')}`,
    `To: ${getHeader(sent, 'To')}${status > 100 && !getHeader(sent, 'To')?.includes(';tag=') ? ';tag=carrier' : ''}`,
    `Call-ID: ${getHeader(sent, 'Call-ID')}`,
    `CSeq: ${getHeader(sent, 'CSeq')}`,
    ...(status === 200 && !extra.some((line) => line.startsWith('Contact:')) ? ['Contact: <sip:far@127.0.0.9:5060>'] : []),
    ...extra,
  ]);
}

const layers: Array<TransactionLayer<Flow, RequestTarget>> = [];
afterEach(() => {
  for (const layer of layers.splice(0)) layer.shutdown();
});

/** `options`: what the proxy gets besides its transaction layer, transport and tokens (a media step). */
export function fixture(options: Partial<ProxyOptions> = {}) {
  const transport = new RecordingTransport();
  let server: ServerTransaction<Flow> | undefined;
  const layer = new TransactionLayer<Flow, RequestTarget>({
    transport,
    user: {
      onRequest: (transaction) => {
        server = transaction;
      },
      onCancel: () => undefined,
      onAck: () => undefined,
      onStrayResponse: () => undefined,
    },
  });
  layers.push(layer);
  const proxy = new Proxy({ transactions: layer, transport: { localVia: () => ({ host: '127.0.0.1', port: 5060 }), flow: () => undefined }, tokens: new FlowTokens(), ...options });
  const receive = (request: SipRequest, flow: Flow = CALLER_FLOW): ServerTransaction<Flow> => {
    layer.handleRequest(request, flow);
    assert.ok(server);
    return server;
  };
  const respond = (response: SipResponse, flow: Flow = CALLER_FLOW) => layer.handleResponse(response, flow);
  return { transport, proxy, receive, respond };
}
