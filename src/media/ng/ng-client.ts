/**
 * A client of rtpengine's ng control protocol over UDP: each message is a cookie, one space and
 * a bencoded dictionary; the reply carries the same cookie. UDP loses datagrams, so a request
 * is sent again with the SAME cookie when no reply came in time: rtpengine keeps the replies it
 * sent by cookie and answers a retransmission from that cache, so a retransmitted `offer` does
 * not allocate a second set of ports (rtpengine's https://github.com/sipwise/rtpengine/blob/master/docs/ng_control_protocol.md, "The message cookie
 * is used to match requests to responses and to detect retransmissions").
 *
 * The socket is connected to the engine, so when nothing listens there the kernel's ICMP "port
 * unreachable" fails pending requests at once (ECONNREFUSED) instead of after every timeout.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { CodedError } from '../../errors/coded-error.ts';
import { NgErrorCode } from '../media-errors.ts';
import { decode, encode, type NgDictionary, type NgInputDictionary, type NgValue } from './bencode.ts';

export interface NgLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface NgClientOptions {
  host: string;
  port: number;
  /** How long to wait for a reply before sending the request again; 500 ms when omitted. */
  timeoutMs?: number;
  /** How many times a request is sent again before it fails with NgTimeoutError; 2 when omitted. */
  retries?: number;
  /** Requests awaiting a reply at once; more fail with NgUnavailableError. 1024 when omitted. */
  maxPending?: number;
  logger?: NgLogger;
}

/** rtpengine answered `result: error` (or `load limit`): `reason` is its `error-reason`/`message`. */
export class NgError extends CodedError<typeof NgErrorCode.REFUSED> {
  override readonly name = 'NgError';
  readonly command: string;
  readonly result: string;
  readonly reason: string;

  constructor(command: string, result: string, reason: string) {
    super(NgErrorCode.REFUSED, `rtpengine refused ng "${command}": ${reason}`);
    this.command = command;
    this.result = result;
    this.reason = reason;
  }
}

/** No reply after the first send and every retransmission. */
export class NgTimeoutError extends CodedError<typeof NgErrorCode.TIMEOUT> {
  override readonly name = 'NgTimeoutError';
  readonly command: string;
  readonly attempts: number;

  constructor(command: string, endpoint: string, attempts: number, waitedMs: number) {
    super(NgErrorCode.TIMEOUT, `rtpengine at ${endpoint} did not answer ng "${command}" (${attempts} attempt(s) over ${waitedMs} ms)`);
    this.command = command;
    this.attempts = attempts;
  }
}

/** The request could not be carried: client closed, nothing listening, too many pending, bad reply. */
export class NgUnavailableError extends CodedError<typeof NgErrorCode.UNAVAILABLE> {
  override readonly name = 'NgUnavailableError';
  readonly command: string;

  constructor(command: string, message: string) {
    super(NgErrorCode.UNAVAILABLE, message);
    this.command = command;
  }
}

/** A UDP datagram's largest payload over IPv4 (65535 − 8 UDP − 20 IP header bytes). */
const MAX_DATAGRAM = 65_507;
const SPACE = 0x20;

interface Pending {
  command: string;
  message: Buffer;
  attempts: number;
  startedAt: number;
  timer: NodeJS.Timeout;
  resolve(reply: NgDictionary): void;
  reject(error: Error): void;
}

export class NgClient {
  readonly endpoint: string;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #maxPending: number;
  readonly #logger: NgLogger | undefined;
  readonly #socket: Socket;
  readonly #connected: Promise<void>;
  readonly #pending = new Map<string, Pending>();
  #closed: Promise<void> | undefined;

  constructor(options: NgClientOptions) {
    const { host, port } = options;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`ng port must be 1..65535, got ${port}`);
    this.#timeoutMs = checkCount('timeoutMs', options.timeoutMs ?? 500, 1);
    this.#retries = checkCount('retries', options.retries ?? 2, 0);
    this.#maxPending = checkCount('maxPending', options.maxPending ?? 1024, 1);
    this.#logger = options.logger;
    this.endpoint = isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
    this.#socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.#socket.on('message', (datagram) => this.#onMessage(datagram));
    this.#socket.on('error', (error) => this.#onSocketError(error));
    // The socket alone never keeps the process alive; a pending request's timer does.
    this.#socket.unref();
    this.#connected = new Promise<void>((resolve, reject) => {
      this.#socket.connect(port, host, (error?: Error) => (error ? reject(error) : resolve()));
    });
    // A failed connect (unresolvable host) is reported by the request that awaits it.
    this.#connected.catch(() => undefined);
  }

  /** Sends `command` with `params`; resolves with the reply dictionary when its result is not an error. */
  request(command: string, params: NgInputDictionary = {}): Promise<NgDictionary> {
    if (this.#closed) return Promise.reject(new NgUnavailableError(command, `ng client for ${this.endpoint} is closed`));
    if (this.#pending.size >= this.#maxPending) {
      return Promise.reject(new NgUnavailableError(command, `ng client for ${this.endpoint}: ${this.#pending.size} requests already await a reply (maxPending)`));
    }
    let cookie = newCookie();
    while (this.#pending.has(cookie)) cookie = newCookie();
    let message: Buffer;
    try {
      message = Buffer.concat([Buffer.from(`${cookie} `, 'latin1'), encode({ ...params, command })]);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (message.length > MAX_DATAGRAM) {
      return Promise.reject(new RangeError(`ng "${command}" of ${message.length} bytes does not fit one UDP datagram (${MAX_DATAGRAM})`));
    }
    return new Promise<NgDictionary>((resolve, reject) => {
      const pending: Pending = {
        command,
        message,
        attempts: 0,
        startedAt: Date.now(),
        timer: setTimeout(() => this.#onTimeout(cookie), this.#timeoutMs),
        resolve,
        reject,
      };
      // Registered before the socket is connected, so maxPending counts it from the start.
      this.#pending.set(cookie, pending);
      this.#connected.then(
        () => this.#send(cookie, pending),
        (error: Error) => {
          if (this.#pending.get(cookie) !== pending) return;
          this.#settle(cookie, pending);
          reject(new NgUnavailableError(command, `ng client cannot reach ${this.endpoint}: ${error.message}`));
        },
      );
    });
  }

  /** Resolves when the engine answers `ping` with `pong`. */
  async ping(): Promise<void> {
    const reply = await this.request('ping');
    const result = text(reply.result);
    if (result !== 'pong') throw new NgUnavailableError('ping', `rtpengine at ${this.endpoint} answered ping with "${result}", not "pong"`);
  }

  /** Requests awaiting a reply now. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Fails every pending request with NgUnavailableError and closes the socket. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#failAll((command) => new NgUnavailableError(command, `ng client for ${this.endpoint} closed before the reply`));
      this.#socket.close(() => resolve());
    });
    return this.#closed;
  }

  #send(cookie: string, pending: Pending): void {
    if (this.#pending.get(cookie) !== pending) return;
    pending.attempts++;
    this.#socket.send(pending.message, (error) => {
      if (error && this.#pending.get(cookie) === pending) {
        this.#settle(cookie, pending);
        pending.reject(new NgUnavailableError(pending.command, `ng "${pending.command}" to ${this.endpoint} not sent: ${error.message}`));
      }
    });
  }

  #onTimeout(cookie: string): void {
    const pending = this.#pending.get(cookie);
    if (!pending) return;
    if (pending.attempts <= this.#retries) {
      this.#logger?.debug({ endpoint: this.endpoint, command: pending.command, cookie, attempt: pending.attempts + 1 }, 'ng request retransmitted');
      pending.timer = setTimeout(() => this.#onTimeout(cookie), this.#timeoutMs);
      void this.#connected.then(
        () => this.#send(cookie, pending),
        () => undefined,
      );
      return;
    }
    this.#settle(cookie, pending);
    pending.reject(new NgTimeoutError(pending.command, this.endpoint, pending.attempts, Date.now() - pending.startedAt));
  }

  #onMessage(datagram: Buffer): void {
    const space = datagram.indexOf(SPACE);
    const cookie = space < 0 ? undefined : datagram.toString('latin1', 0, space);
    const pending = cookie === undefined ? undefined : this.#pending.get(cookie);
    if (cookie === undefined || !pending) {
      // A late reply to a retransmitted request lands here too: that one was answered already.
      this.#logger?.debug({ endpoint: this.endpoint, cookie }, 'ng reply matches no pending request; dropped');
      return;
    }
    this.#settle(cookie, pending);
    let reply: NgValue;
    try {
      reply = decode(datagram.subarray(space + 1));
    } catch (error) {
      this.#logger?.warn({ endpoint: this.endpoint, command: pending.command, err: error }, 'ng reply is not valid bencode');
      pending.reject(new NgUnavailableError(pending.command, `rtpengine at ${this.endpoint} sent a malformed reply to "${pending.command}": ${(error as Error).message}`));
      return;
    }
    if (!isDictionary(reply) || reply.result === undefined) {
      pending.reject(new NgUnavailableError(pending.command, `rtpengine at ${this.endpoint} replied to "${pending.command}" without a result`));
      return;
    }
    const result = text(reply.result);
    if (result === 'error' || result === 'load limit') {
      const reason = text(reply['error-reason'] ?? reply.message) || result;
      pending.reject(new NgError(pending.command, result, reason));
      return;
    }
    pending.resolve(reply);
  }

  #onSocketError(error: NodeJS.ErrnoException): void {
    // On a connected UDP socket ECONNREFUSED reports the engine's ICMP "port unreachable".
    this.#logger?.warn({ endpoint: this.endpoint, code: error.code, pending: this.#pending.size }, 'ng socket error');
    const why = error.code === 'ECONNREFUSED' ? 'nothing listens there (port unreachable)' : error.message;
    this.#failAll((command) => new NgUnavailableError(command, `rtpengine at ${this.endpoint} is unreachable: ${why}`));
  }

  #failAll(makeError: (command: string) => Error): void {
    for (const [cookie, pending] of [...this.#pending]) {
      this.#settle(cookie, pending);
      pending.reject(makeError(pending.command));
    }
  }

  #settle(cookie: string, pending: Pending): void {
    clearTimeout(pending.timer);
    this.#pending.delete(cookie);
  }
}

/** A reply dictionary's string value as text, '' when it is absent or not a string. */
export function text(value: NgValue | undefined): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : '';
}

export function isDictionary(value: NgValue | undefined): value is NgDictionary {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value);
}

/** 96 random bits, URL-safe base64: never a space, unique among pending requests. */
function newCookie(): string {
  return randomBytes(12).toString('base64url');
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`ng client ${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}
