/**
 * Call load over UDP on loopback through a SIP proxy (Callpane's, or Kamailio as the baseline),
 * between two endpoints of our own: a caller socket for many caller users and a callee socket
 * (bench/call-load-callee.ts) for as many callees, which register first and answer at once.
 *
 * One call, caller i → callee i, no hold time:
 *
 *   INVITE → 407 (ACKed by us, the UAC, same branch: RFC 3261 §17.1.1.3) → INVITE with
 *   Proxy-Authorization (new CSeq, same Call-ID) → 180 → 200 → ACK → BYE → 200
 *
 * The ACK for the 200 and the BYE go through the route set, the 200's Record-Route reversed
 * (§12.1.2), as Route headers with the callee's Contact as Request-URI, sent to the proxy.
 * Setup latency runs from the first INVITE to the 200 and so includes the 407 round trip;
 * full-call latency runs to the BYE's 200.
 *
 * Like the REGISTER generator, requests are not retransmitted (no Timer A/E): a loss on loopback
 * means overload and is counted as a timeout, not hidden. Finals the proxy sends again (a 407
 * whose ACK came late) are ACKed again and counted.
 *
 * Pacing is closed-loop (a fixed number of calls in flight, each finished call starts the next)
 * or open-loop (a call every 1/rate s whatever happens to earlier ones; latency then counts from
 * the call's scheduled instant, so a generator that fell behind cannot hide queueing).
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { answerChallenge, parseDigestChallenge } from '../src/sip/auth/index.ts';
import { CalleeAgent, type LoadUser } from './call-load-callee.ts';
import { CallTally, type CallLoadResult } from './call-load-tally.ts';
import { findBranch, headerLines, headerValue, headerValues, splitList, uriOf } from './sip-text.ts';
import { itemAt } from '../test/support/item-at.ts';

export type { LoadUser } from './call-load-callee.ts';
export type { CallLoadResult, LatencySummary } from './call-load-tally.ts';

export interface CallLoadSetup {
  target: { host: string; port: number };
  /** callers[i] calls callees[i]: one call in flight per pair at most. */
  callers: readonly LoadUser[];
  callees: readonly LoadUser[];
  /** A request unanswered for this long counts as a timeout; 4000 ms when omitted. */
  requestTimeoutMs?: number;
}

export type CallPacing = { concurrency: number } | { ratePerSecond: number };

export interface CallRunOptions {
  pacing: CallPacing;
  /** Calls to start; at least one of `count` and `durationMs` is needed. */
  count?: number;
  /** Starts no call after this long; 60 s when only `count` is given. */
  durationMs?: number;
}

/** How a run starts calls and when it stops; `done` resolves it. */
interface RunControl {
  idle: number[];
  /** Closed loop: calls kept in flight; 0 for open loop. */
  concurrency: number;
  /** Open loop: the pacer still has calls to start. */
  pacing: boolean;
  pacer: NodeJS.Timeout | undefined;
  maxStarts: number;
  stopStartingAt: number;
  done: () => void;
}

interface Call {
  pair: number;
  caller: string;
  password: string;
  callee: string;
  callId: string;
  fromTag: string;
  requestUri: string;
  /** Origin of the latencies. */
  origin: number;
  /** Our branches still known, to ACK a retransmitted final again. */
  branches: string[];
}

type FlightKind = 'invite' | 'authenticated-invite' | 'bye';

interface Flight {
  call: Call;
  kind: FlightKind;
  cseq: number;
  sentAt: number;
}

const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
const SDP_OFFER = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
/** How long after the last call the callee's ACK accounting waits for stragglers. */
const SETTLE_MS = 100;

/** Binds both endpoints; `close()` when done. */
export async function openCallLoad(setup: CallLoadSetup): Promise<CallLoad> {
  if (setup.callers.length === 0 || setup.callers.length !== setup.callees.length) {
    throw new RangeError(`give as many callers as callees (at least one), got ${setup.callers.length} and ${setup.callees.length}`);
  }
  const [callerSocket, calleeSocket] = await Promise.all([bindSocket(), bindSocket()]);
  return new CallLoad(setup, callerSocket, new CalleeAgent(calleeSocket, setup.target, setup.callees), calleeSocket);
}

export class CallLoad {
  readonly #setup: CallLoadSetup;
  readonly #socket: Socket;
  readonly #calleeSocket: Socket;
  readonly #callee: CalleeAgent;
  readonly #port: number;
  readonly #domain: string;
  readonly #timeoutMs: number;
  readonly #run = randomBytes(4).toString('hex');
  readonly #branchPrefix = `z9hG4bK${randomBytes(6).toString('hex')}.c`;
  /** Requests waiting for their final response, in send order. */
  readonly #pending = new Map<string, Flight>();
  /** INVITE branches of calls still running → the ACK sent for their final. */
  readonly #acks = new Map<string, string>();
  #nextId = 0;
  #control: RunControl = { idle: [], concurrency: 0, pacing: false, pacer: undefined, maxStarts: 0, stopStartingAt: 0, done: () => undefined };
  #tally = new CallTally(0);

  constructor(setup: CallLoadSetup, socket: Socket, callee: CalleeAgent, calleeSocket: Socket) {
    this.#setup = setup;
    this.#socket = socket;
    this.#callee = callee;
    this.#calleeSocket = calleeSocket;
    this.#port = socket.address().port;
    this.#domain = `${setup.target.host}:${setup.target.port}`;
    this.#timeoutMs = setup.requestTimeoutMs ?? 4000;
    socket.on('message', (message) => this.#receive(message.toString('latin1')));
  }

  /** Registers every callee from the callee socket (with digest); 3600 s bindings. */
  registerCallees(concurrency = 50): Promise<{ registered: number; failures: string[] }> {
    return this.#callee.register({ concurrency, expires: 3600, timeoutMs: this.#timeoutMs });
  }

  run(options: CallRunOptions): Promise<CallLoadResult> {
    validate(options, this.#setup.callers.length);
    this.#callee.resetStats();
    const tally = new CallTally(performance.now());
    this.#tally = tally;
    return new Promise((resolve) => {
      const sweep = setInterval(() => this.#expire(), Math.max(10, Math.min(100, this.#timeoutMs / 4)));
      const { pacing } = options;
      const control: RunControl = {
        idle: this.#setup.callers.map((_, i) => i),
        concurrency: 'concurrency' in pacing ? pacing.concurrency : 0,
        pacing: 'ratePerSecond' in pacing,
        pacer: undefined,
        maxStarts: options.count ?? Number.POSITIVE_INFINITY,
        stopStartingAt: tally.startTime + (options.durationMs ?? 60_000),
        done: () => {
          control.done = () => undefined;
          clearInterval(sweep);
          clearTimeout(control.pacer);
          setTimeout(() => resolve(tally.result(this.#callee.stats())), SETTLE_MS);
        },
      };
      this.#control = control;
      if ('ratePerSecond' in pacing) this.#pace(1000 / pacing.ratePerSecond, 0);
      else for (let i = 0; i < pacing.concurrency; i++) this.#startCall(performance.now());
      this.#finishIfIdle();
    });
  }

  close(): void {
    this.#callee.close();
    this.#socket.close();
    this.#calleeSocket.close();
  }

  /** Open loop: starts call `index` at startTime + index·interval, then waits for the next instant. */
  #pace(intervalMs: number, index: number): void {
    const control = this.#control;
    const tally = this.#tally;
    let next = index;
    for (;;) {
      const scheduled = tally.startTime + next * intervalMs;
      const now = performance.now();
      if (next >= control.maxStarts || scheduled >= control.stopStartingAt) {
        control.pacing = false;
        this.#finishIfIdle();
        return;
      }
      if (scheduled > now) {
        control.pacer = setTimeout(() => this.#pace(intervalMs, next), scheduled - now);
        return;
      }
      tally.maxStartLagMs = Math.max(tally.maxStartLagMs, now - scheduled);
      if (!this.#startCall(scheduled)) {
        tally.skipped++;
        tally.fail('every caller/callee pair was still in a call at a scheduled start');
      }
      next++;
    }
  }

  /** Starts a call on an idle pair; false when none is idle or no more calls may start. */
  #startCall(origin: number): boolean {
    const control = this.#control;
    if (this.#tally.started >= control.maxStarts || performance.now() >= control.stopStartingAt) return false;
    const pair = control.idle.shift();
    if (pair === undefined) return false;
    this.#tally.started++;
    const caller = itemAt(this.#setup.callers, pair);
    const callee = itemAt(this.#setup.callees, pair).user;
    const id = (this.#nextId++).toString(36);
    const call: Call = {
      pair,
      caller: caller.user,
      password: caller.password,
      callee,
      callId: `${this.#run}-${id}@bench.callpane`,
      fromTag: `${this.#run}${id}`,
      requestUri: `sip:${callee}@${this.#domain}`,
      origin,
      branches: [],
    };
    this.#sendInvite(call, 'invite', 1, '');
    return true;
  }

  #sendInvite(call: Call, kind: FlightKind, cseq: number, authorization: string): void {
    const branch = this.#flight(call, kind, cseq);
    call.branches.push(branch);
    this.#send(
      `INVITE ${call.requestUri} SIP/2.0\r\n` +
        `${this.#via(branch)}` +
        'Max-Forwards: 70\r\n' +
        `From: <sip:${call.caller}@${this.#domain}>;tag=${call.fromTag}\r\n` +
        `To: <${call.requestUri}>\r\n` +
        `Call-ID: ${call.callId}\r\n` +
        `CSeq: ${cseq} INVITE\r\n` +
        `Contact: <sip:${call.caller}@127.0.0.1:${this.#port}>\r\n` +
        authorization +
        'Content-Type: application/sdp\r\n' +
        `Content-Length: ${SDP_OFFER.length}\r\n\r\n${SDP_OFFER}`,
    );
  }

  #flight(call: Call, kind: FlightKind, cseq: number): string {
    const branch = this.#branchPrefix + (this.#nextId++).toString(36);
    this.#pending.set(branch, { call, kind, cseq, sentAt: performance.now() });
    return branch;
  }

  #via(branch: string): string {
    return `Via: SIP/2.0/UDP 127.0.0.1:${this.#port};branch=${branch};rport\r\n`;
  }

  #send(text: string): void {
    this.#socket.send(text, this.#setup.target.port, this.#setup.target.host);
  }

  #receive(text: string): void {
    if (!text.startsWith('SIP/2.0 ')) return;
    const status = Number(text.slice(8, 11));
    const branch = findBranch(text, this.#branchPrefix);
    if (branch === undefined) return;
    const flight = this.#pending.get(branch);
    if (flight === undefined) {
      // A final we already ACKed came again: its ACK was lost or late (§17.1.1.2).
      const ack = this.#acks.get(branch);
      if (ack !== undefined && status >= 200) {
        this.#tally.retransmissionsSeen++;
        this.#send(ack);
      }
      return;
    }
    this.#tally.response(flight.kind === 'bye' ? 'BYE' : 'INVITE', status);
    if (status < 200) return;
    this.#pending.delete(branch);
    if (flight.kind === 'bye') this.#byeAnswered(flight.call, status, text);
    else this.#inviteAnswered(flight, branch, status, text);
  }

  #inviteAnswered(flight: Flight, branch: string, status: number, text: string): void {
    const { call } = flight;
    const lines = headerLines(text);
    const to = headerValue(lines, 'To') ?? '';
    if (status >= 300) {
      // §17.1.1.3: the client transaction ACKs a non-2xx final itself, on the INVITE's branch.
      const ack =
        `ACK ${call.requestUri} SIP/2.0\r\n${this.#via(branch)}Max-Forwards: 70\r\n` +
        `From: <sip:${call.caller}@${this.#domain}>;tag=${call.fromTag}\r\nTo: ${to}\r\n` +
        `Call-ID: ${call.callId}\r\nCSeq: ${flight.cseq} ACK\r\nContent-Length: 0\r\n\r\n`;
      this.#acks.set(branch, ack);
      this.#send(ack);
      const challenge = status === 401 ? 'WWW-Authenticate' : status === 407 ? 'Proxy-Authenticate' : undefined;
      const offered = challenge === undefined ? undefined : headerValue(lines, challenge);
      if (flight.kind === 'invite' && offered !== undefined) {
        const credentials = answerChallenge(parseDigestChallenge(offered), { username: call.caller, password: call.password, method: 'INVITE', uri: call.requestUri });
        this.#tally.challenges++;
        this.#sendInvite(call, 'authenticated-invite', flight.cseq + 1, `${status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${credentials}\r\n`);
        return;
      }
      this.#callFailed(call, `INVITE answered ${text.slice(0, text.indexOf('\r\n'))}`);
      return;
    }
    // §12.1.2: the route set is the Record-Route reversed; the remote target is the Contact.
    const routes = headerValues(lines, 'Record-Route').flatMap(splitList).reverse();
    const contact = headerValue(lines, 'Contact');
    if (routes.length === 0 || contact === undefined) {
      this.#callFailed(call, `200 without ${routes.length === 0 ? 'Record-Route' : 'Contact'}: the proxy would not stay on the dialog`);
      return;
    }
    this.#tally.setUp(performance.now() - call.origin);
    const inDialog = (method: string, requestBranch: string, cseq: number): string =>
      `${method} ${uriOf(contact)} SIP/2.0\r\n${this.#via(requestBranch)}Max-Forwards: 70\r\n` +
      routes.map((route) => `Route: ${route}\r\n`).join('') +
      `From: <sip:${call.caller}@${this.#domain}>;tag=${call.fromTag}\r\nTo: ${to}\r\n` +
      `Call-ID: ${call.callId}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`;
    // The 2xx ACK is a transaction of its own with a new branch (§13.2.2.4); a 200 that comes
    // again on the INVITE's branch gets the same ACK again.
    const ack = inDialog('ACK', this.#branchPrefix + (this.#nextId++).toString(36), flight.cseq);
    this.#acks.set(branch, ack);
    this.#send(ack);
    this.#send(inDialog('BYE', this.#flight(call, 'bye', flight.cseq + 1), flight.cseq + 1));
  }

  #byeAnswered(call: Call, status: number, text: string): void {
    if (status !== 200) {
      this.#callFailed(call, `BYE answered ${text.slice(0, text.indexOf('\r\n'))}`);
      return;
    }
    this.#tally.callCompleted(performance.now() - call.origin);
    this.#end(call);
  }

  #callFailed(call: Call, description: string): void {
    this.#tally.fail(`${call.caller} → ${call.callee}: ${description}`);
    this.#end(call);
  }

  #end(call: Call): void {
    for (const branch of call.branches) this.#acks.delete(branch);
    this.#tally.lastEnd = performance.now();
    this.#control.idle.push(call.pair);
    if (this.#control.concurrency > 0) this.#startCall(performance.now());
    this.#finishIfIdle();
  }

  #expire(): void {
    const now = performance.now();
    // Map iteration is in insertion (= send) order and the timeout is the same for all.
    for (const [branch, flight] of this.#pending) {
      if (now - flight.sentAt < this.#timeoutMs) break;
      this.#pending.delete(branch);
      this.#tally.timeouts++;
      this.#callFailed(flight.call, `no final response to ${flight.kind === 'bye' ? 'BYE' : 'INVITE'} within ${this.#timeoutMs} ms`);
    }
  }

  #finishIfIdle(): void {
    const control = this.#control;
    if (this.#pending.size > 0 || control.pacing) return;
    if (control.concurrency > 0 && this.#tally.started < control.maxStarts && performance.now() < control.stopStartingAt) return;
    control.done();
  }
}

function validate(options: CallRunOptions, pairs: number): void {
  if (options.count === undefined && options.durationMs === undefined) throw new Error('CallLoad.run: give count, durationMs or both');
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 1)) throw new RangeError(`count must be a positive integer, got ${options.count}`);
  if (options.durationMs !== undefined && !(options.durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${options.durationMs}`);
  const { pacing } = options;
  if ('concurrency' in pacing) {
    if (!(Number.isInteger(pacing.concurrency) && pacing.concurrency >= 1)) throw new RangeError(`concurrency must be a positive integer, got ${pacing.concurrency}`);
    if (pacing.concurrency > pairs) throw new RangeError(`concurrency ${pacing.concurrency} needs at least as many caller/callee pairs, got ${pairs}`);
  } else if (!(pacing.ratePerSecond > 0 && pacing.ratePerSecond <= 100_000)) {
    throw new RangeError(`ratePerSecond must be in (0, 100000], got ${pacing.ratePerSecond}`);
  }
}

async function bindSocket(): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}
