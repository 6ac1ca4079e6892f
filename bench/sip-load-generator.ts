/**
 * REGISTER load over UDP on loopback, to measure a registrar (Callpane's, or Kamailio as the
 * baseline): how many registrations complete per second and how long one takes.
 *
 * One registration = REGISTER answered 200, including the 401/407 round trip when the
 * registrar challenges (the answer is computed with Callpane's own digest client,
 * src/sip/auth). Each user has one registration in flight at a time, its own Call-ID and an
 * increasing CSeq (RFC 3261 §10.2: the registrar orders a Call-ID's REGISTERs by CSeq); every
 * request has a unique branch, by which one socket tells the responses apart, so a single core
 * sends and receives tens of thousands of messages per second. Requests are not retransmitted:
 * a loss on loopback means overload and is counted as a timeout, not hidden.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { answerChallenge, parseDigestChallenge } from '../src/sip/auth/index.ts';
import { findBranch, percentile } from './sip-text.ts';

export interface RegisterLoadUser {
  user: string;
  password: string;
}

export interface RegisterLoadOptions {
  target: { host: string; port: number };
  users: readonly RegisterLoadUser[];
  /** Registrations to run; at least one of `count` and `durationMs` is needed. */
  count?: number;
  /** Starts no registration after this long; 60 s when only `count` is given. */
  durationMs?: number;
  /** Registrations in flight at once; at most one per user. */
  concurrency: number;
  /** Answer 401/407 Digest challenges (else a challenge is an error). */
  digest: boolean;
  /** Host part of the AORs; the target's host:port when omitted. */
  domain?: string;
  /** Expires of each binding in seconds; 300 when omitted. */
  expires?: number;
  /** A request unanswered for this long counts as a timeout; 4000 ms when omitted. */
  requestTimeoutMs?: number;
  /** Local address of the socket; 127.0.0.1 when omitted. */
  localHost?: string;
}

export interface RegisterLoadResult {
  /** Registrations answered 200. */
  completed: number;
  /** Registrations that failed: other final statuses, timeouts, challenges not answerable. */
  errors: number;
  timeouts: number;
  /** 401/407 responses answered with credentials. */
  challenges: number;
  /** Time from the first REGISTER to the last registration's end. */
  elapsedMs: number;
  /** Completed registrations per second, each including its challenge round trip. */
  transactionsPerSecond: number;
  /** Every REGISTER answered with a final response (200s and challenges) per second. */
  roundTripsPerSecond: number;
  /** Latency of a completed registration, first REGISTER sent to 200 received. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Final responses by status code. */
  statuses: Record<string, number>;
  /** The first few failures, described. */
  firstErrors: string[];
}

interface UserState {
  user: string;
  password: string;
  aor: string;
  callId: string;
  fromTag: string;
  cseq: number;
}

interface Flight {
  state: UserState;
  /** When the registration's first REGISTER left. */
  startedAt: number;
  /** When this request left. */
  sentAt: number;
  challenged: boolean;
}

const MAX_ERRORS_KEPT = 5;
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export async function runRegisterLoad(options: RegisterLoadOptions): Promise<RegisterLoadResult> {
  validate(options);
  const socket = await bindSocket(options.localHost ?? '127.0.0.1');
  try {
    return await new RegisterLoad(options, socket).run();
  } finally {
    socket.close();
  }
}

class RegisterLoad {
  readonly #options: RegisterLoadOptions;
  readonly #socket: Socket;
  readonly #localPort: number;
  readonly #requestUri: string;
  readonly #branchPrefix = `z9hG4bK${randomBytes(6).toString('hex')}.`;
  readonly #idle: UserState[];
  readonly #flights = new Map<string, Flight>();
  readonly #latencies: number[] = [];
  readonly #statuses: Record<string, number> = {};
  readonly #firstErrors: string[] = [];
  readonly #timeoutMs: number;
  readonly #maxStarts: number;
  #nextBranch = 0;
  #started = 0;
  #completed = 0;
  #errors = 0;
  #timeouts = 0;
  #challenges = 0;
  #roundTrips = 0;
  #startTime = 0;
  #stopStartingAt = 0;
  #lastEnd = 0;
  #done: () => void = () => undefined;

  constructor(options: RegisterLoadOptions, socket: Socket) {
    this.#options = options;
    this.#socket = socket;
    this.#localPort = socket.address().port;
    const hostPort = `${options.target.host}:${options.target.port}`;
    const domain = options.domain ?? hostPort;
    this.#requestUri = `sip:${domain}`;
    this.#timeoutMs = options.requestTimeoutMs ?? 4000;
    this.#maxStarts = options.count ?? Number.POSITIVE_INFINITY;
    const run = randomBytes(4).toString('hex');
    this.#idle = options.users.map((u, i) => ({
      user: u.user,
      password: u.password,
      aor: `sip:${u.user}@${domain}`,
      callId: `${run}-${i}@bench.callpane`,
      fromTag: `${run}${i.toString(36)}`,
      cseq: 0,
    }));
  }

  run(): Promise<RegisterLoadResult> {
    return new Promise((resolve) => {
      this.#socket.on('message', (message) => this.#receive(message));
      const sweep = setInterval(() => this.#expire(), Math.max(10, Math.min(100, this.#timeoutMs / 4)));
      this.#done = () => {
        clearInterval(sweep);
        resolve(this.#result());
      };
      this.#startTime = performance.now();
      this.#lastEnd = this.#startTime;
      this.#stopStartingAt = this.#startTime + (this.#options.durationMs ?? 60_000);
      for (let i = 0; i < this.#options.concurrency; i++) this.#startNext();
      this.#finishIfIdle();
    });
  }

  #startNext(): void {
    if (this.#started >= this.#maxStarts || performance.now() >= this.#stopStartingAt) return;
    const state = this.#idle.shift();
    if (state === undefined) return;
    this.#started++;
    const now = performance.now();
    this.#send({ state, startedAt: now, sentAt: now, challenged: false }, undefined);
  }

  #send(flight: Flight, authorization: { header: string; value: string } | undefined): void {
    const branch = this.#branchPrefix + (this.#nextBranch++).toString(36);
    const state = flight.state;
    state.cseq++;
    const request =
      `REGISTER ${this.#requestUri} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${this.#localPort};branch=${branch};rport\r\n` +
      'Max-Forwards: 70\r\n' +
      `From: <${state.aor}>;tag=${state.fromTag}\r\n` +
      `To: <${state.aor}>\r\n` +
      `Call-ID: ${state.callId}\r\n` +
      `CSeq: ${state.cseq} REGISTER\r\n` +
      `Contact: <sip:${state.user}@127.0.0.1:${this.#localPort}>\r\n` +
      `Expires: ${this.#options.expires ?? 300}\r\n` +
      (authorization === undefined ? '' : `${authorization.header}: ${authorization.value}\r\n`) +
      'User-Agent: callpane-bench\r\n' +
      'Content-Length: 0\r\n\r\n';
    flight.sentAt = performance.now();
    this.#flights.set(branch, flight);
    this.#socket.send(request, this.#options.target.port, this.#options.target.host);
  }

  #receive(message: Buffer): void {
    const text = message.toString('latin1');
    if (!text.startsWith('SIP/2.0 ')) return;
    const status = Number(text.slice(8, 11));
    if (status < 200) return;
    const branch = findBranch(text, this.#branchPrefix);
    const flight = branch === undefined ? undefined : this.#flights.get(branch);
    // A late answer to a request already counted as timed out, or a stray retransmission.
    if (branch === undefined || flight === undefined) return;
    this.#flights.delete(branch);
    this.#roundTrips++;
    this.#statuses[status] = (this.#statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      this.#completed++;
      this.#latencies.push(performance.now() - flight.startedAt);
      this.#end(flight.state);
      return;
    }
    if ((status === 401 || status === 407) && this.#options.digest && !flight.challenged) {
      const answered = this.#answer(text, status, flight);
      if (answered) return;
    } else {
      this.#fail(`${flight.state.aor}: ${text.slice(0, text.indexOf('\r\n'))}`);
    }
    this.#end(flight.state);
  }

  /** Sends the REGISTER again with credentials; false (failure recorded) when it cannot. */
  #answer(text: string, status: number, flight: Flight): boolean {
    const name = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const challengeValue = findHeader(text, name);
    if (challengeValue === undefined) {
      this.#fail(`${flight.state.aor}: ${status} without ${name}`);
      return false;
    }
    let value: string;
    try {
      value = answerChallenge(parseDigestChallenge(challengeValue), {
        username: flight.state.user,
        password: flight.state.password,
        method: 'REGISTER',
        uri: this.#requestUri,
      });
    } catch (error) {
      this.#fail(`${flight.state.aor}: cannot answer "${challengeValue}": ${(error as Error).message}`);
      return false;
    }
    this.#challenges++;
    flight.challenged = true;
    this.#send(flight, { header: status === 401 ? 'Authorization' : 'Proxy-Authorization', value });
    return true;
  }

  #fail(description: string): void {
    this.#errors++;
    if (this.#firstErrors.length < MAX_ERRORS_KEPT) this.#firstErrors.push(description);
  }

  #end(state: UserState): void {
    this.#lastEnd = performance.now();
    this.#idle.push(state);
    this.#startNext();
    this.#finishIfIdle();
  }

  #expire(): void {
    const now = performance.now();
    // Map iteration is in insertion (= send) order and the timeout is the same for all.
    for (const [branch, flight] of this.#flights) {
      if (now - flight.sentAt < this.#timeoutMs) break;
      this.#flights.delete(branch);
      this.#timeouts++;
      this.#fail(`${flight.state.aor}: no response within ${this.#timeoutMs} ms`);
      this.#idle.push(flight.state);
      this.#lastEnd = now;
    }
    for (let i = this.#flights.size; i < this.#options.concurrency; i++) this.#startNext();
    this.#finishIfIdle();
  }

  #finishIfIdle(): void {
    if (this.#flights.size > 0) return;
    if (this.#started < this.#maxStarts && performance.now() < this.#stopStartingAt) return;
    this.#done();
    this.#done = () => undefined;
  }

  #result(): RegisterLoadResult {
    const elapsedMs = Math.max(this.#lastEnd - this.#startTime, 1e-3);
    const sorted = Float64Array.from(this.#latencies).sort();
    return {
      completed: this.#completed,
      errors: this.#errors,
      timeouts: this.#timeouts,
      challenges: this.#challenges,
      elapsedMs,
      transactionsPerSecond: (this.#completed * 1000) / elapsedMs,
      roundTripsPerSecond: (this.#roundTrips * 1000) / elapsedMs,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.at(-1) ?? Number.NaN,
      statuses: { ...this.#statuses },
      firstErrors: [...this.#firstErrors],
    };
  }
}

function validate(options: RegisterLoadOptions): void {
  if (options.count === undefined && options.durationMs === undefined) throw new Error('runRegisterLoad: give count, durationMs or both');
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 1)) throw new RangeError(`count must be a positive integer, got ${options.count}`);
  if (options.durationMs !== undefined && !(options.durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${options.durationMs}`);
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  if (options.concurrency > options.users.length) {
    throw new RangeError(`concurrency ${options.concurrency} needs at least as many users (one registration in flight per user), got ${options.users.length}`);
  }
}

async function bindSocket(host: string): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

/** The first value of header `name` (case-insensitive, no compact form exists for it). */
function findHeader(text: string, name: string): string | undefined {
  const [, value] = new RegExp(`\r\n${name}[ \t]*:([^\r\n]*)`, 'i').exec(text) ?? [];
  return value?.trim();
}
