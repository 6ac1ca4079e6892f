/**
 * Cuts a TCP/TLS byte stream into SIP messages. On a stream the end of a message is known only
 * from Content-Length, which is therefore mandatory (RFC 3261 §18.3); a message whose length
 * cannot be trusted leaves the stream unframeable, so every framing error is final.
 */
import { EventEmitter } from 'node:events';
import { CodedError } from '../../errors/coded-error.ts';
import { SipTransportErrorCode } from '../sip-errors.ts';

export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

export class FramingError extends CodedError<typeof SipTransportErrorCode.UNFRAMEABLE> {
  override readonly name = 'FramingError';
  /** The status to answer with if the bytes still allow a response: 400, or 513 Message Too Large. */
  readonly status: 400 | 513;
  /** The bytes of the message that failed, from its start-line on (at most maxSize). */
  readonly data: Buffer;

  constructor(status: 400 | 513, message: string, data: Buffer) {
    super(SipTransportErrorCode.UNFRAMEABLE, message);
    this.status = status;
    this.data = data;
  }
}

export interface StreamFramerEvents {
  /** A double-CRLF keep-alive ping: answer it with a single CRLF pong (RFC 5626 §4.4.1). */
  ping: [];
}

const CR = 0x0d;
const LF = 0x0a;
const PING = Buffer.from('\r\n\r\n');

export class StreamFramer extends EventEmitter<StreamFramerEvents> {
  readonly maxSize: number;
  /** Bytes received and not yet framed live in #buffer[#start, #end). */
  #buffer = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** Offset (from #start) where the search for the end of the header section resumes. */
  #scanFrom = 0;
  /** Length of the message being framed once its header section is complete, else -1. */
  #messageLength = -1;
  #failure: FramingError | undefined;

  constructor(options: { maxSize?: number } = {}) {
    super();
    this.maxSize = options.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /**
   * Takes the next chunk of the stream and returns the messages it completes, in order. The
   * iteration throws a FramingError where the stream stops being frameable; messages before that
   * point are still yielded. Feeding a failed framer throws.
   */
  feed(chunk: Buffer): Generator<Buffer, void, undefined> {
    if (this.#failure) throw new Error(`StreamFramer: feed after framing error (${this.#failure.message})`);
    this.#append(chunk);
    return this.#frames();
  }

  /** Bytes buffered towards the next message. */
  get pending(): number {
    return this.#end - this.#start;
  }

  *#frames(): Generator<Buffer, void, undefined> {
    while (this.#failure === undefined) {
      if (this.#messageLength < 0) {
        if (this.#scanFrom === 0 && !this.#skipKeepAlives()) return;
        if (!this.#findHeaderEnd()) return;
      }
      if (this.pending < this.#messageLength) return;
      const message = Buffer.from(this.#buffer.subarray(this.#start, this.#start + this.#messageLength));
      this.#start += this.#messageLength;
      this.#messageLength = -1;
      this.#scanFrom = 0;
      yield message;
    }
  }

  /**
   * Consumes CR/LF before a start-line (RFC 3261 §7.5 says to ignore them), reporting each
   * double CRLF as a ping. Returns false when what is buffered may still become a ping.
   */
  #skipKeepAlives(): boolean {
    while (this.pending > 0) {
      const first = this.#buffer[this.#start];
      if (first !== CR && first !== LF) return true;
      const live = this.#buffer.subarray(this.#start, this.#end);
      if (live.length >= PING.length && live.subarray(0, PING.length).equals(PING)) {
        this.#start += PING.length;
        this.emit('ping');
      } else if (live.length < PING.length && PING.subarray(0, live.length).equals(live)) {
        return false;
      } else {
        this.#start += 1;
      }
    }
    return false;
  }

  /** Looks for the empty line that ends the header section; on finding it, fixes the message length. */
  #findHeaderEnd(): boolean {
    const live = this.#buffer.subarray(this.#start, this.#end);
    const headerEnd = headerSectionEnd(live, this.#scanFrom);
    if (headerEnd < 0) {
      if (live.length > this.maxSize) this.#fail(513, 'header section exceeds the maximum message size', live);
      this.#scanFrom = Math.max(1, live.length - 3);
      return false;
    }
    const headerSection = live.subarray(0, headerEnd);
    if (headerEnd > this.maxSize) this.#fail(513, 'header section exceeds the maximum message size', headerSection);
    let contentLength: number | undefined;
    try {
      contentLength = readContentLength(headerSection);
    } catch (err) {
      this.#fail(400, (err as Error).message, headerSection);
    }
    if (contentLength === undefined) this.#fail(400, 'Content-Length is required on a stream transport', headerSection);
    if (headerEnd + contentLength > this.maxSize) this.#fail(513, 'message exceeds the maximum message size', headerSection);
    this.#messageLength = headerEnd + contentLength;
    return true;
  }

  #fail(status: 400 | 513, reason: string, data: Buffer): never {
    this.#failure = new FramingError(status, reason, Buffer.from(data.subarray(0, this.maxSize)));
    throw this.#failure;
  }

  /** Appends with capacity doubling, so a message trickling in byte by byte costs linear time. */
  #append(chunk: Buffer): void {
    const live = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buffer.length) {
      let capacity = Math.max(this.#buffer.length, 4096);
      while (capacity < live + chunk.length) capacity *= 2;
      if (capacity > this.#buffer.length) {
        const grown = Buffer.allocUnsafe(capacity);
        this.#buffer.copy(grown, 0, this.#start, this.#end);
        this.#buffer = grown;
      } else {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = live;
    }
    chunk.copy(this.#buffer, this.#end);
    this.#end += chunk.length;
  }
}

/**
 * Index just past the empty line ending the header section (CRLF CRLF, or bare LF LF which
 * lenient peers send), searching from `from`; -1 when not there yet.
 */
export function headerSectionEnd(bytes: Buffer, from = 0): number {
  for (let i = Math.max(from, 1); i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    if (bytes[i - 1] === LF) return i + 1;
    if (bytes[i - 1] === CR && i >= 2 && bytes[i - 2] === LF) return i + 1;
  }
  return -1;
}

/**
 * The body length a header section declares: Content-Length or its compact form `l`
 * (RFC 3261 §7.3.3, §20.14); undefined when absent. Throws when a value is not a non-negative
 * integer or values disagree.
 */
export function readContentLength(headerSection: Buffer): number | undefined {
  const lines = headerSection.toString('latin1').split(/\r?\n/);
  const values: string[] = [];
  // Line 0 is the start-line; folded continuation lines belong to the header above them.
  let current: string | undefined;
  const collect = (line: string | undefined): void => {
    if (line === undefined) return;
    const [, name, value] = /^([^:\s]+)[ \t]*:(.*)$/s.exec(line) ?? [];
    if (name !== undefined && value !== undefined && /^(content-length|l)$/i.test(name)) values.push(...value.split(','));
  };
  for (const line of lines.slice(1)) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current !== undefined) current += ` ${line.trim()}`;
      continue;
    }
    collect(current);
    current = line;
  }
  collect(current);
  if (values.length === 0) return undefined;
  const lengths = new Set<number>();
  for (const raw of values) {
    const value = raw.trim();
    if (!/^\d{1,10}$/.test(value)) throw new Error(`Content-Length is not a valid length: ${JSON.stringify(value.slice(0, 40))}`);
    lengths.add(Number(value));
  }
  if (lengths.size > 1) throw new Error('conflicting Content-Length values');
  return [...lengths][0];
}
