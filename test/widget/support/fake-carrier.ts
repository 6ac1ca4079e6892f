/**
 * A carrier for the pane preview: a bare SIP user agent on UDP at 127.0.0.2 (a trunk matched by
 * address, apart from the browsers on 127.0.0.1) that places one inbound call with a WebRTC-style
 * SDP offer, ACKs the answer through the proxy's Record-Route, and answers BYE; calls it receives
 * to ANSWERING_NUMBER are answered (with the same kind of SDP), others refused with 480. No media
 * flows: the preview looks at signalling and the pane.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

export const CARRIER_HOST = '127.0.0.2';
/** The one external number that answers. */
export const ANSWERING_NUMBER = '+12025550123';

const SDP = [
  'v=0',
  `o=- 1 1 IN IP4 ${CARRIER_HOST}`,
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  `a=fingerprint:sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
  'a=ice-ufrag:carr',
  'a=ice-pwd:carrierpasswordforicexx',
  'a=setup:actpass',
  'm=audio 9 UDP/TLS/RTP/SAVPF 0',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=rtcp-mux',
  'a=sendrecv',
  'a=rtpmap:0 PCMU/8000',
  `a=candidate:1 1 udp 2130706431 ${CARRIER_HOST} 40000 typ host`,
  '',
].join('\r\n');

interface Message {
  start: string;
  headers: Array<[string, string]>;
}

function parse(text: string): Message {
  const [head] = text.split('\r\n\r\n');
  const [start, ...lines] = head.split('\r\n');
  return { start, headers: lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]) };
}

const all = (message: Message, name: string) => message.headers.filter(([key]) => key === name).flatMap(([, value]) => value.split(/,(?![^<]*>)/).map((part) => part.trim()));
const one = (message: Message, name: string) => all(message, name)[0] ?? '';

export class FakeCarrier {
  readonly #socket: Socket;
  readonly #sipPort: number;
  #call: { callId: string; fromTag: string; from: string; to: string; invite?: Message } | undefined;

  private constructor(socket: Socket, sipPort: number) {
    this.#socket = socket;
    this.#sipPort = sipPort;
    socket.on('message', (data) => this.#receive(data.toString('latin1')));
  }

  static async open(sipPort: number): Promise<FakeCarrier> {
    const socket = createSocket('udp4');
    socket.bind(0, CARRIER_HOST);
    await once(socket, 'listening');
    return new FakeCarrier(socket, sipPort);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Calls `did` as `caller` (E.164). */
  call(caller: string, did: string, name = ''): void {
    const callId = `${randomUUID()}@${CARRIER_HOST}`;
    const fromTag = randomUUID().slice(0, 8);
    const from = `${name ? `"${name}" ` : ''}<sip:${caller}@${CARRIER_HOST}>;tag=${fromTag}`;
    const to = `<sip:${did}@127.0.0.1>`;
    this.#call = { callId, fromTag, from, to };
    this.#send(
      [`INVITE sip:${did}@127.0.0.1:${this.#sipPort} SIP/2.0`, this.#via(), 'Max-Forwards: 70', `From: ${from}`, `To: ${to}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:carrier@${CARRIER_HOST}:${this.port}>`, 'Content-Type: application/sdp'],
      SDP,
    );
  }

  close(): void {
    this.#socket.close();
  }

  #receive(text: string): void {
    const message = parse(text);
    if (message.start.startsWith('SIP/2.0 ')) {
      const status = Number(message.start.split(' ')[1]);
      if (status >= 200 && one(message, 'cseq').endsWith('INVITE')) this.#ack(message, status);
      return;
    }
    const method = message.start.split(' ')[0];
    if (method === 'ACK') return;
    const answering = method === 'INVITE' && message.start.includes(ANSWERING_NUMBER.slice(1));
    // BYE, CANCEL: fine. INVITE (a call out through the trunk): answered, or nobody here.
    const status = method !== 'INVITE' ? '200 OK' : answering ? '200 OK' : '480 Temporarily Unavailable';
    const to = one(message, 'to');
    const lines = [`SIP/2.0 ${status}`, ...all(message, 'via').map((via) => `Via: ${via}`)];
    if (answering) lines.push(...all(message, 'record-route').map((hop) => `Record-Route: ${hop}`));
    lines.push(`From: ${one(message, 'from')}`, `To: ${to.includes('tag=') ? to : `${to};tag=${randomUUID().slice(0, 8)}`}`, `Call-ID: ${one(message, 'call-id')}`, `CSeq: ${one(message, 'cseq')}`);
    if (!answering) return this.#send(lines);
    lines.push(`Contact: <sip:carrier@${CARRIER_HOST}:${this.port}>`, 'Content-Type: application/sdp');
    this.#send(lines, SDP.replace('a=setup:actpass', 'a=setup:active'));
  }

  #ack(response: Message, status: number): void {
    const call = this.#call;
    if (!call) return;
    const to = one(response, 'to');
    const route = all(response, 'record-route').reverse();
    const target = status < 300 ? (one(response, 'contact').match(/<([^>]+)>/)?.[1] ?? `sip:127.0.0.1:${this.#sipPort}`) : `sip:127.0.0.1:${this.#sipPort}`;
    const lines = [`ACK ${target} SIP/2.0`, this.#via(), 'Max-Forwards: 70', `From: ${call.from}`, `To: ${to}`, `Call-ID: ${call.callId}`, 'CSeq: 1 ACK'];
    if (status < 300) lines.push(...route.map((hop) => `Route: ${hop}`));
    this.#send(lines);
  }

  #via(): string {
    return `Via: SIP/2.0/UDP ${CARRIER_HOST}:${this.port};branch=z9hG4bK${randomUUID().replace(/-/g, '')};rport`;
  }

  #send(lines: string[], body = ''): void {
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    // Loose routing (RFC 3261 §16.12): the first Route hop is where the request goes; it is the proxy.
    this.#socket.send(Buffer.from(text, 'latin1'), this.#sipPort, '127.0.0.1');
  }
}
