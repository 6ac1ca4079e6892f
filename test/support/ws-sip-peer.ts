/**
 * A bare SIP user agent over WebSocket (RFC 7118, subprotocol `sip`) for tests: it registers with
 * digest credentials and exchanges raw messages, the way the pane's JsSIP does but without WebRTC.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { answerChallenge, parseDigestChallenge } from '../../src/sip/auth/index.ts';
import { getHeader, getHeaders, parseMessage, serializeMessage } from '../../src/sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import { withDeadline } from './deadline.ts';

export class WsSipPeer {
  readonly #ws: WebSocket;
  readonly #inbox: SipMessage[] = [];
  #waiter: (() => void) | undefined;
  /** The Contact host this agent registers: unreachable by design, as a browser's is (RFC 7118 §5). */
  readonly contactHost = `${randomUUID().slice(0, 8)}.invalid`;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      this.#inbox.push(parseMessage(Buffer.from(data)));
      this.#waiter?.();
    });
  }

  /**
   * `headers` go with the upgrade request (a reverse proxy's X-Forwarded-For, say); `localAddress`
   * is the address it connects from (any 127.x.y.z on Linux loopback: a reverse proxy's, say).
   */
  static async connect(url: string, options: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<WsSipPeer> {
    const ws = new WebSocket(url, 'sip', { headers: options.headers, localAddress: options.localAddress });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsSipPeer(ws);
  }

  send(message: SipMessage | string): void {
    this.#ws.send(typeof message === 'string' ? message : serializeMessage(message).toString('utf8'));
  }

  /** The next message that matches, within `timeoutMs`. */
  async next(matches: (message: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    const find = () => {
      const index = this.#inbox.findIndex(matches);
      return index === -1 ? undefined : this.#inbox.splice(index, 1)[0];
    };
    const found = find();
    if (found) return found;
    return withDeadline(
      new Promise<SipMessage>((resolve) => {
        this.#waiter = () => {
          const message = find();
          if (message) resolve(message);
        };
      }),
      timeoutMs,
      () => new Error(`no matching SIP message within ${timeoutMs} ms; inbox: ${this.#inbox.map(describe).join(', ')}`),
    ).finally(() => {
      this.#waiter = undefined;
    });
  }

  nextRequest(method: string, timeoutMs?: number): Promise<SipRequest> {
    return this.next((message) => message.type === 'request' && message.method === method, timeoutMs) as Promise<SipRequest>;
  }

  /** REGISTER with a digest answer to the 401; resolves with the final response. */
  async register(user: string, password: string, domain: string): Promise<SipResponse> {
    const callId = randomUUID();
    const build = (cseq: number, authorization?: string): string =>
      [
        `REGISTER sip:${domain} SIP/2.0`,
        `Via: SIP/2.0/WSS ${this.contactHost};branch=z9hG4bK-${randomUUID()}`,
        'Max-Forwards: 70',
        `From: <sip:${user}@${domain}>;tag=${randomUUID().slice(0, 8)}`,
        `To: <sip:${user}@${domain}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${user}@${this.contactHost};transport=ws>;expires=600`,
        ...(authorization ? [`Authorization: ${authorization}`] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    this.send(build(1));
    const challenge = (await this.next((m) => m.type === 'response')) as SipResponse;
    if (challenge.status !== 401) return challenge;
    const authorization = answerChallenge(getHeaders(challenge, 'WWW-Authenticate').map(parseDigestChallenge), {
      username: user,
      password,
      method: 'REGISTER',
      uri: `sip:${domain}`,
    });
    this.send(build(2, authorization));
    return (await this.next((m) => m.type === 'response')) as SipResponse;
  }

  /** A response to `request` as a user agent server sends it (§8.2.6), Record-Route copied for dialogs (§12.1.1). */
  respond(request: SipRequest, status: number, options: { toTag?: string; body?: string; contactUser?: string } = {}): void {
    const lines = [
      `SIP/2.0 ${status} ${status === 200 ? 'OK' : status === 180 ? 'Ringing' : 'Response'}`,
      ...getHeaders(request, 'Via').map((via) => `Via: ${via}`),
      ...(status > 100 && request.method === 'INVITE' ? getHeaders(request, 'Record-Route').map((rr) => `Record-Route: ${rr}`) : []),
      `From: ${getHeader(request, 'From')}`,
      `To: ${getHeader(request, 'To')}${options.toTag && !/;tag=/.test(getHeader(request, 'To') ?? '') ? `;tag=${options.toTag}` : ''}`,
      `Call-ID: ${getHeader(request, 'Call-ID')}`,
      `CSeq: ${getHeader(request, 'CSeq')}`,
      ...(options.contactUser ? [`Contact: <sip:${options.contactUser}@${this.contactHost};transport=ws>`] : []),
      ...(options.body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(options.body ?? '')}`,
      '',
      options.body ?? '',
    ];
    this.send(lines.join('\r\n'));
  }

  close(): void {
    this.#ws.close();
  }
}

function describe(message: SipMessage): string {
  return message.type === 'request' ? message.method : String(message.status);
}
