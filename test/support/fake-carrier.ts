/**
 * A carrier for the pane's browser journeys, benchmark and preview: a bare SIP user agent on UDP
 * at 127.0.0.2 (a trunk matched by address, apart from the browsers on 127.0.0.1). It places
 * inbound calls with a WebRTC-style SDP offer, cancels them (the caller gives up), ACKs every
 * final answer (RFC 3261 §17.1.1.3: a non-2xx ACK reuses the INVITE's branch so the proxy's
 * transaction stops retransmitting; a 2xx ACK follows the Record-Route set), and answers BYE and
 * CANCEL. Calls it receives through the trunk are kept in `received`; those to ANSWERING_NUMBER
 * are answered (with the same kind of SDP), others refused with 480. No media flows: journeys
 * with a carrier look at signalling and the pane.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { itemAt } from './item-at.ts';

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

/** An inbound call the carrier placed. */
export interface PlacedCall {
  callId: string;
  /** When the INVITE left, as `performance.timeOrigin + performance.now()` (epoch ms, sub-ms). */
  sentAt: number;
  /** The INVITE's final status (200, 480, 487…). */
  final: Promise<number>;
}

/** A call the PBX sent out through the trunk. */
export interface ReceivedCall {
  /** The Request-URI's user part, e.g. +12025550123. */
  user: string;
  from: string;
  callId: string;
}

interface Outgoing {
  callId: string;
  from: string;
  to: string;
  branch: string;
  did: string;
  settle: (status: number) => void;
  settled: boolean;
}

function parse(text: string): Message {
  const head = itemAt(text.split('\r\n\r\n'), 0);
  const [start = '', ...lines] = head.split('\r\n');
  return { start, headers: lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]) };
}

const all = (message: Message, name: string) => message.headers.filter(([key]) => key === name).flatMap(([, value]) => value.split(/,(?![^<]*>)/).map((part) => part.trim()));
const one = (message: Message, name: string) => all(message, name)[0] ?? '';
const tag = () => randomUUID().slice(0, 8);

export class FakeCarrier {
  readonly #socket: Socket;
  readonly #sipPort: number;
  readonly #placed = new Map<string, Outgoing>();
  readonly #receivedWaiters = new Set<(call: ReceivedCall) => void>();
  /** Calls the PBX routed out to this carrier, oldest first. */
  readonly received: ReceivedCall[] = [];

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

  /** Calls `did` as `caller` (E.164), optionally with a display name. */
  call(caller: string, did: string, name = ''): PlacedCall {
    const callId = `${randomUUID()}@${CARRIER_HOST}`;
    const from = `${name ? `"${name}" ` : ''}<sip:${caller}@${CARRIER_HOST}>;tag=${tag()}`;
    const to = `<sip:${did}@127.0.0.1>`;
    const branch = `z9hG4bK${randomUUID().replace(/-/g, '')}`;
    let settle: (status: number) => void = () => {};
    const final = new Promise<number>((resolve) => (settle = resolve));
    const call: Outgoing = { callId, from, to, branch, did, settled: false, settle: () => {} };
    call.settle = (status) => {
      call.settled = true;
      settle(status);
    };
    this.#placed.set(callId, call);
    const sentAt = performance.timeOrigin + performance.now();
    this.#send(
      [
        `INVITE sip:${did}@127.0.0.1:${this.#sipPort} SIP/2.0`,
        this.#via(branch),
        'Max-Forwards: 70',
        `From: ${from}`,
        `To: ${to}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:carrier@${CARRIER_HOST}:${this.port}>`,
        'Content-Type: application/sdp',
      ],
      SDP,
    );
    return { callId, sentAt, final };
  }

  /** The caller gives up before an answer (RFC 3261 §9.1: same branch, Call-ID, From, To and CSeq number as the INVITE). */
  cancel(callId: string): void {
    const call = this.#placed.get(callId);
    if (!call || call.settled) return;
    this.#send([
      `CANCEL sip:${call.did}@127.0.0.1:${this.#sipPort} SIP/2.0`,
      this.#via(call.branch),
      'Max-Forwards: 70',
      `From: ${call.from}`,
      `To: ${call.to}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 CANCEL',
    ]);
  }

  /** The next call the PBX sends out through the trunk (or one received already and not yet taken). */
  nextReceived(timeoutMs: number): Promise<ReceivedCall> {
    const waiting = this.received.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#receivedWaiters.delete(take);
        reject(new Error(`the carrier received no call within ${timeoutMs} ms (${waiting} before)`));
      }, timeoutMs);
      const take = (call: ReceivedCall) => {
        clearTimeout(timer);
        this.#receivedWaiters.delete(take);
        resolve(call);
      };
      this.#receivedWaiters.add(take);
    });
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
    const user = message.start.split(' ')[1]?.match(/^sips?:([^@;>]+)@/)?.[1] ?? '';
    // Trunks may send the number with or without its +.
    const answering = method === 'INVITE' && user.replace(/^\+/, '') === ANSWERING_NUMBER.slice(1);
    if (method === 'INVITE' && !this.received.some((call) => call.callId === one(message, 'call-id'))) {
      const received = { user, from: one(message, 'from'), callId: one(message, 'call-id') };
      this.received.push(received);
      for (const waiter of [...this.#receivedWaiters]) waiter(received);
    }
    // BYE, CANCEL: fine. INVITE (a call out through the trunk): answered, or nobody here.
    const status = method !== 'INVITE' ? '200 OK' : answering ? '200 OK' : '480 Temporarily Unavailable';
    const to = one(message, 'to');
    const lines = [`SIP/2.0 ${status}`, ...all(message, 'via').map((via) => `Via: ${via}`)];
    if (answering) lines.push(...all(message, 'record-route').map((hop) => `Record-Route: ${hop}`));
    lines.push(`From: ${one(message, 'from')}`, `To: ${to.includes('tag=') ? to : `${to};tag=${tag()}`}`, `Call-ID: ${one(message, 'call-id')}`, `CSeq: ${one(message, 'cseq')}`);
    if (!answering) {
      this.#send(lines);
      return;
    }
    lines.push(`Contact: <sip:carrier@${CARRIER_HOST}:${this.port}>`, 'Content-Type: application/sdp');
    this.#send(lines, SDP.replace('a=setup:actpass', 'a=setup:active'));
  }

  #ack(response: Message, status: number): void {
    const call = this.#placed.get(one(response, 'call-id'));
    if (!call) return;
    const to = one(response, 'to');
    const success = status < 300;
    const target = success ? (one(response, 'contact').match(/<([^>]+)>/)?.[1] ?? `sip:127.0.0.1:${this.#sipPort}`) : `sip:${call.did}@127.0.0.1:${this.#sipPort}`;
    const lines = [
      `ACK ${target} SIP/2.0`,
      this.#via(success ? `z9hG4bK${randomUUID().replace(/-/g, '')}` : call.branch),
      'Max-Forwards: 70',
      `From: ${call.from}`,
      `To: ${to}`,
      `Call-ID: ${call.callId}`,
      'CSeq: 1 ACK',
    ];
    if (success)
      lines.push(
        ...all(response, 'record-route')
          .reverse()
          .map((hop) => `Route: ${hop}`),
      );
    this.#send(lines);
    if (!call.settled) call.settle(status);
  }

  #via(branch: string): string {
    return `Via: SIP/2.0/UDP ${CARRIER_HOST}:${this.port};branch=${branch};rport`;
  }

  #send(lines: string[], body = ''): void {
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    // Loose routing (RFC 3261 §16.12): the first Route hop is where the request goes; it is the proxy.
    this.#socket.send(Buffer.from(text, 'latin1'), this.#sipPort, '127.0.0.1');
  }
}
