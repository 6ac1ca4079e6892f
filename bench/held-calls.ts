/**
 * Calls that stay up, for the media load bench: a caller socket places calls through the proxy
 * (INVITE with an SDP offer naming the caller's RTP endpoint → 407 → INVITE with credentials →
 * 200 with the answer → ACK), the callee side (bench/call-load-callee.ts, registered first)
 * answers with an SDP naming the callee's RTP endpoint, and each endpoint is told to send where
 * the SDP it received says — through the relay, which rewrote both. `hangUp()` sends every
 * call's BYE along its route set (RFC 3261 §12.2.1.1).
 *
 * Nothing is retransmitted, as in the other load generators: on loopback a lost message means
 * overload and fails the call, loudly.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { answerChallenge, parseDigestChallenge } from '../src/sip/auth/index.ts';
import { CalleeAgent, type LoadUser } from './call-load-callee.ts';
import type { RtpStreams, RtpTarget } from './rtp-streams.ts';
import { findBranch, headerLines, headerValue, headerValues, splitList, uriOf } from './sip-text.ts';

interface Pending {
  resolve(text: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Dialog {
  callId: string;
  caller: string;
  fromTag: string;
  to: string;
  contact: string;
  routes: string[];
  cseq: number;
}

const TIMEOUT_MS = 5000;

/** The address and port of the first audio stream of an SDP body. */
export function mediaTargetOf(sdp: string): RtpTarget {
  const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
  const port = /^m=audio (\d+) /m.exec(sdp)?.[1];
  if (host === undefined || port === undefined) throw new Error(`an SDP without an IPv4 connection address or audio port: ${JSON.stringify(sdp.slice(0, 200))}`);
  return { host, port: Number(port) };
}

function sdpFor(port: number, version: number): string {
  return [
    'v=0',
    `o=- ${version} ${version} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

function bodyOf(text: string): string {
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

export class HeldCalls {
  readonly #target: { host: string; port: number };
  readonly #socket: Socket;
  readonly #calleeSocket: Socket;
  readonly #callee: CalleeAgent;
  readonly #streams: RtpStreams;
  readonly #port: number;
  readonly #run = randomBytes(4).toString('hex');
  readonly #branchPrefix = `z9hG4bK${randomBytes(6).toString('hex')}.h`;
  readonly #pending = new Map<string, Pending>();
  /** The callee's RTP endpoint of each call, by Call-ID, until its INVITE arrives. */
  readonly #calleeEndpoints = new Map<string, Awaited<ReturnType<RtpStreams['open']>>>();
  readonly #dialogs: Dialog[] = [];
  #nextId = 0;

  static async open(target: { host: string; port: number }, callees: readonly LoadUser[], streams: RtpStreams): Promise<HeldCalls> {
    const bind = async (): Promise<Socket> => {
      const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 22, sendBufferSize: 1 << 22 });
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    };
    const [socket, calleeSocket] = await Promise.all([bind(), bind()]);
    return new HeldCalls(target, callees, streams, socket, calleeSocket);
  }

  constructor(target: { host: string; port: number }, callees: readonly LoadUser[], streams: RtpStreams, socket: Socket, calleeSocket: Socket) {
    this.#target = target;
    this.#socket = socket;
    this.#calleeSocket = calleeSocket;
    this.#streams = streams;
    this.#port = socket.address().port;
    this.#callee = new CalleeAgent(calleeSocket, target, callees, (callId, offer) => {
      const endpoint = this.#calleeEndpoints.get(callId);
      if (endpoint === undefined) throw new Error(`an INVITE for a call we did not place: ${callId}`);
      this.#calleeEndpoints.delete(callId);
      endpoint.sendTo(mediaTargetOf(offer));
      return sdpFor(endpoint.port, 2);
    });
    socket.on('message', (message) => this.#receive(message.toString('latin1')));
  }

  get active(): number {
    return this.#dialogs.length;
  }

  async registerCallees(): Promise<void> {
    const result = await this.#callee.register({ concurrency: 20, expires: 3600, timeoutMs: TIMEOUT_MS });
    if (result.failures.length > 0) throw new Error(`callees failed to register: ${result.failures.slice(0, 3).join('; ')}`);
  }

  /** Places `count` more calls, `concurrency` set-ups at a time; each sends RTP once answered. */
  async add(count: number, caller: (index: number) => LoadUser, callee: (index: number) => string, concurrency = 10): Promise<void> {
    let next = this.#dialogs.length;
    const last = next + count;
    const worker = async (): Promise<void> => {
      while (next < last) {
        const index = next++;
        this.#dialogs.push(await this.#place(caller(index), callee(index)));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Ends every call with BYE, `concurrency` at a time; resolves with the BYEs not answered 200. */
  async hangUp(concurrency = 20): Promise<string[]> {
    const dialogs = this.#dialogs.splice(0);
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      for (let dialog = dialogs.shift(); dialog !== undefined; dialog = dialogs.shift()) {
        const cseq = ++dialog.cseq;
        const current = dialog;
        try {
          const answer = await this.#transaction((branch) => this.#inDialog(current, 'BYE', branch, cseq));
          if (!answer.startsWith('SIP/2.0 200')) failures.push(`BYE answered ${answer.slice(0, answer.indexOf('\r\n'))}`);
        } catch (error) {
          failures.push(`BYE: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return failures;
  }

  close(): void {
    this.#callee.close();
    this.#socket.close();
    this.#calleeSocket.close();
  }

  async #place(caller: LoadUser, callee: string): Promise<Dialog> {
    const id = (this.#nextId++).toString(36);
    const callId = `${this.#run}-${id}@media-bench.callpane`;
    const fromTag = `${this.#run}${id}`;
    const domain = `${this.#target.host}:${this.#target.port}`;
    const requestUri = `sip:${callee}@${domain}`;
    const [callerEndpoint, calleeEndpoint] = await Promise.all([this.#streams.open(), this.#streams.open()]);
    this.#calleeEndpoints.set(callId, calleeEndpoint);
    const offer = sdpFor(callerEndpoint.port, 1);
    const invite = (branch: string, cseq: number, authorization: string): string =>
      `INVITE ${requestUri} SIP/2.0\r\n${this.#via(branch)}Max-Forwards: 70\r\n` +
      `From: <sip:${caller.user}@${domain}>;tag=${fromTag}\r\nTo: <${requestUri}>\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} INVITE\r\n` +
      `Contact: <sip:${caller.user}@127.0.0.1:${this.#port}>\r\n${authorization}Content-Type: application/sdp\r\nContent-Length: ${offer.length}\r\n\r\n${offer}`;
    let cseq = 1;
    let authorization = '';
    for (;;) {
      let inviteBranch = '';
      const answer = await this.#transaction((branch) => {
        inviteBranch = branch;
        return invite(branch, cseq, authorization);
      });
      const status = Number(answer.slice(8, 11));
      const lines = headerLines(answer);
      const to = headerValue(lines, 'To') ?? '';
      if (status >= 300) {
        // §17.1.1.3: a non-2xx final is ACKed on the INVITE's branch.
        this.#send(
          `ACK ${requestUri} SIP/2.0\r\n${this.#via(inviteBranch)}Max-Forwards: 70\r\nFrom: <sip:${caller.user}@${domain}>;tag=${fromTag}\r\nTo: ${to}\r\n` +
            `Call-ID: ${callId}\r\nCSeq: ${cseq} ACK\r\nContent-Length: 0\r\n\r\n`,
        );
        const challenge = headerValue(lines, 'Proxy-Authenticate');
        if (status === 407 && challenge !== undefined && authorization === '') {
          authorization = `Proxy-Authorization: ${answerChallenge(parseDigestChallenge(challenge), { username: caller.user, password: caller.password, method: 'INVITE', uri: requestUri })}\r\n`;
          cseq++;
          continue;
        }
        throw new Error(`${caller.user} → ${callee}: INVITE answered ${answer.slice(0, answer.indexOf('\r\n'))}`);
      }
      const contact = headerValue(lines, 'Contact');
      if (contact === undefined) throw new Error(`${caller.user} → ${callee}: a 200 without Contact`);
      const dialog: Dialog = { callId, caller: caller.user, fromTag, to, contact: uriOf(contact), routes: headerValues(lines, 'Record-Route').flatMap(splitList).reverse(), cseq };
      this.#send(this.#inDialog(dialog, 'ACK', this.#branch(), cseq));
      const relay = mediaTargetOf(bodyOf(answer));
      if (relay.port === calleeEndpoint.port) throw new Error(`${caller.user} → ${callee}: the answer names the callee's own RTP port: the relay did not anchor the call`);
      callerEndpoint.sendTo(relay);
      return dialog;
    }
  }

  #inDialog(dialog: Dialog, method: string, branch: string, cseq: number): string {
    const domain = `${this.#target.host}:${this.#target.port}`;
    return (
      `${method} ${dialog.contact} SIP/2.0\r\n${this.#via(branch)}Max-Forwards: 70\r\n` +
      dialog.routes.map((route) => `Route: ${route}\r\n`).join('') +
      `From: <sip:${dialog.caller}@${domain}>;tag=${dialog.fromTag}\r\nTo: ${dialog.to}\r\nCall-ID: ${dialog.callId}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`
    );
  }

  /** Sends a request and resolves with its final response. */
  #transaction(request: (branch: string) => string): Promise<string> {
    const branch = this.#branch();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(branch);
        reject(new Error(`no final response within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.#pending.set(branch, { resolve, reject, timer });
      this.#send(request(branch));
    });
  }

  #branch(): string {
    return this.#branchPrefix + (this.#nextId++).toString(36);
  }

  #via(branch: string): string {
    return `Via: SIP/2.0/UDP 127.0.0.1:${this.#port};branch=${branch};rport\r\n`;
  }

  #send(text: string): void {
    this.#socket.send(text, this.#target.port, this.#target.host);
  }

  #receive(text: string): void {
    if (!text.startsWith('SIP/2.0 ') || Number(text.slice(8, 11)) < 200) return;
    const branch = findBranch(text, this.#branchPrefix);
    const pending = branch === undefined ? undefined : this.#pending.get(branch);
    if (branch === undefined || pending === undefined) return;
    this.#pending.delete(branch);
    clearTimeout(pending.timer);
    pending.resolve(text);
  }
}
