/**
 * A SIP user agent scripted message by message over UDP on a loopback address: a desk phone that
 * adds whatever headers a test wants (its model, Diversion, X- headers, a spoofed identity), or a
 * carrier. It registers and answers digest challenges like a phone (RFC 3261 §22.2), keeps every
 * message it receives as the bytes it read, and answers requests by copying what §8.2.6.2 says a
 * response copies. It never retransmits: tests wait only for what the PBX sends once.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { answerChallenge, parseDigestChallenge } from '../../src/sip/auth/index.ts';
import { getHeader, getHeaders, parseMessage } from '../../src/sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/types.ts';

/** A message received, with the exact text a peer read. */
export interface Received<M extends SipMessage = SipMessage> {
  message: M;
  text: string;
}

export class ScriptedUa {
  readonly host: string;
  readonly #socket: Socket;
  readonly #pbxPort: number;
  readonly #inbox: Received[] = [];
  #wake: (() => void) | undefined;

  private constructor(socket: Socket, host: string, pbxPort: number) {
    this.#socket = socket;
    this.host = host;
    this.#pbxPort = pbxPort;
    socket.on('message', (data) => {
      const text = data.toString('latin1');
      this.#inbox.push({ message: parseMessage(data), text });
      this.#wake?.();
    });
  }

  /** Binds an ephemeral UDP port on `host` (any 127.x.y.z on Linux loopback); sends to Callpane at 127.0.0.1:`pbxPort`. */
  static async open(host: string, pbxPort: number): Promise<ScriptedUa> {
    const socket = createSocket('udp4');
    socket.bind(0, host);
    await once(socket, 'listening');
    return new ScriptedUa(socket, host, pbxPort);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** `host:port` as a Via sent-by or Contact host. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  via(branch = `z9hG4bK${randomUUID().replaceAll('-', '')}`): string {
    return `Via: SIP/2.0/UDP ${this.address};branch=${branch};rport`;
  }

  send(lines: readonly string[], body = ''): void {
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    this.#socket.send(Buffer.from(text, 'latin1'), this.#pbxPort, '127.0.0.1');
  }

  /** The first message (received or still to come) that `matches`, taken out of the inbox. */
  async next<M extends SipMessage>(matches: (message: SipMessage) => message is M, what: string, timeoutMs = 4000): Promise<Received<M>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#inbox.findIndex((received) => matches(received.message));
      if (index >= 0) return this.#inbox.splice(index, 1)[0] as Received<M>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.address} received no ${what} within ${timeoutMs} ms; inbox: ${this.#inbox.map((r) => r.text.split('\r\n')[0]).join(' | ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  request(method: string): Promise<Received<SipRequest>> {
    return this.next((message): message is SipRequest => message.type === 'request' && message.method === method, `${method} request`);
  }

  /** A final (or the given) response to a request of `method`. */
  response(method: string, status?: number): Promise<Received<SipResponse>> {
    return this.next(
      (message): message is SipResponse =>
        message.type === 'response' && (getHeader(message, 'CSeq') ?? '').endsWith(` ${method}`) && (status === undefined ? message.status >= 200 : message.status === status),
      `${status ?? 'final'} response to ${method}`,
    );
  }

  /** Answers `request` (§8.2.6.2: Vias, From, To with our tag, Call-ID and CSeq copied). */
  respond(request: SipRequest, status: string, extra: readonly string[] = [], toTag = 'callee'): void {
    const to = getHeader(request, 'To') ?? '';
    this.send([
      `SIP/2.0 ${status}`,
      ...getHeaders(request, 'Via').map((via) => `Via: ${via}`),
      ...(status.startsWith('200') && request.method === 'INVITE' ? getHeaders(request, 'Record-Route').map((route) => `Record-Route: ${route}`) : []),
      `From: ${getHeader(request, 'From')}`,
      `To: ${to.includes(';tag=') ? to : `${to};tag=${toTag}`}`,
      `Call-ID: ${getHeader(request, 'Call-ID')}`,
      `CSeq: ${getHeader(request, 'CSeq')}`,
      ...extra,
    ]);
  }

  /**
   * Sends `build(cseq, authorization)` and, on a 401/407, ACKs a challenged INVITE (§17.1.1.3)
   * and sends it again with credentials and the next CSeq (§22.2). Resolves with the request that
   * was let through, as sent.
   */
  async sendAuthenticated(method: string, uri: string, user: string, password: string, build: (cseq: number, authorization: string[]) => string[]): Promise<string[]> {
    const first = build(1, []);
    this.send(first);
    const challenge = await this.next(
      (message): message is SipResponse => message.type === 'response' && (message.status === 401 || message.status === 407),
      `challenge to ${method}`,
    );
    const proxy = challenge.message.status === 407;
    if (method === 'INVITE') {
      const header = (name: string) => first.find((line) => line.startsWith(`${name}: `)) ?? '';
      this.send([`ACK ${uri} SIP/2.0`, header('Via'), 'Max-Forwards: 70', header('From'), `To: ${getHeader(challenge.message, 'To')}`, header('Call-ID'), 'CSeq: 1 ACK']);
    }
    const challenges = getHeaders(challenge.message, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate').map(parseDigestChallenge);
    const answer = answerChallenge(challenges, { username: user, password, method, uri });
    const second = build(2, [`${proxy ? 'Proxy-Authorization' : 'Authorization'}: ${answer}`]);
    this.send(second);
    return second;
  }

  /** REGISTERs `user` with its Contact at this socket and waits for the 200. */
  async register(user: string, password: string): Promise<void> {
    const callId = `reg-${randomUUID()}`;
    const uri = `sip:127.0.0.1:${this.#pbxPort}`;
    await this.sendAuthenticated('REGISTER', uri, user, password, (cseq, authorization) => [
      `REGISTER ${uri} SIP/2.0`,
      this.via(),
      'Max-Forwards: 70',
      `From: <sip:${user}@127.0.0.1>;tag=reg`,
      `To: <sip:${user}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${user}@${this.address};transport=udp>`,
      'Expires: 600',
      ...authorization,
    ]);
    const answer = await this.response('REGISTER');
    if (answer.message.status !== 200) throw new Error(`REGISTER ${user}: ${answer.text.split('\r\n')[0]}`);
  }

  close(): void {
    this.#socket.close();
  }
}
