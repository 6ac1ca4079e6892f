/**
 * Bencode (BitTorrent BEP 3 §"bencoding"), the encoding of rtpengine's ng control protocol:
 * byte strings, integers, lists and dictionaries.
 *
 * Our own small implementation rather than the npm `bencode` package, because:
 * - the ng protocol uses only these four types and the whole codec is ~150 lines, less than the
 *   code needed to adapt a generic package's types (it decodes to Uint8Array and plain objects
 *   typed `any`) to the typed `NgValue` the client and relay read;
 * - it must be strict on input that arrives over the network: every malformed message (leading
 *   zeros, `-0`, integers beyond 2^53, lengths past the end, duplicate keys, trailing bytes, deep
 *   nesting) is rejected with an error that names the offset, never half-decoded;
 * - one dependency fewer on the media path, where a supply-chain change would reach every call.
 *
 * Decoding is lenient in exactly one place: dictionary keys need not be sorted, because
 * rtpengine writes its replies' keys in insertion order (`result` first), not the sorted order
 * BEP 3 asks of encoders. Encoding always sorts keys by their raw bytes, as BEP 3 says.
 */
import { CodedError } from '../../errors/coded-error.ts';
import { NgErrorCode } from '../media-errors.ts';

/** A decoded bencode value. Byte strings decode to Buffers: bencode has no text type. */
export type NgValue = Buffer | number | NgValue[] | NgDictionary;

export interface NgDictionary {
  [key: string]: NgValue;
}

/**
 * What `encode` accepts: strings may also be JS strings (written as UTF-8), and a dictionary
 * entry whose value is `undefined` is left out (optional ng parameters).
 */
export type NgInput = Buffer | string | number | readonly NgInput[] | NgInputDictionary;

export interface NgInputDictionary {
  readonly [key: string]: NgInput | undefined;
}

export class BencodeError extends CodedError<typeof NgErrorCode.BENCODE_INVALID> {
  override readonly name = 'BencodeError';

  constructor(message: string) {
    super(NgErrorCode.BENCODE_INVALID, message);
  }
}

/** Deeper nesting than any ng message has; bounds the decoder's recursion on hostile input. */
const MAX_DEPTH = 32;

const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_COLON = 0x3a;
const CHAR_D = 0x64;
const CHAR_E = 0x65;
const CHAR_I = 0x69;
const CHAR_L = 0x6c;

export function encode(value: NgInput): Buffer {
  const chunks: Buffer[] = [];
  write(value, chunks, 0);
  return Buffer.concat(chunks);
}

function write(value: NgInput, chunks: Buffer[], depth: number): void {
  if (depth > MAX_DEPTH) throw new BencodeError(`bencode: nesting deeper than ${MAX_DEPTH}`);
  if (typeof value === 'string') {
    writeBytes(Buffer.from(value, 'utf8'), chunks);
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError(`bencode: cannot encode ${value}: only safe integers are allowed`);
    chunks.push(Buffer.from(`i${value}e`, 'ascii'));
  } else if (Buffer.isBuffer(value)) {
    writeBytes(value, chunks);
  } else if (Array.isArray(value)) {
    chunks.push(Buffer.from('l'));
    for (const item of value as readonly NgInput[]) write(item, chunks, depth + 1);
    chunks.push(Buffer.from('e'));
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as NgInputDictionary)
      .filter((entry): entry is [string, NgInput] => entry[1] !== undefined)
      .map(([key, item]) => [Buffer.from(key, 'utf8'), item] as const)
      .sort(([a], [b]) => Buffer.compare(a, b));
    chunks.push(Buffer.from('d'));
    for (const [key, item] of entries) {
      writeBytes(key, chunks);
      write(item, chunks, depth + 1);
    }
    chunks.push(Buffer.from('e'));
  } else {
    throw new BencodeError(`bencode: cannot encode a value of type ${value === null ? 'null' : typeof value}`);
  }
}

function writeBytes(bytes: Buffer, chunks: Buffer[]): void {
  chunks.push(Buffer.from(`${bytes.length}:`, 'ascii'), bytes);
}

/** Decodes exactly one value that fills `input`; throws BencodeError naming the offset otherwise. */
export function decode(input: Buffer): NgValue {
  const reader = { input, offset: 0 };
  const value = read(reader, 0);
  if (reader.offset !== input.length) fail(reader, `${input.length - reader.offset} trailing byte(s) after the value`);
  return value;
}

interface Reader {
  input: Buffer;
  offset: number;
}

function fail(reader: Reader, problem: string): never {
  throw new BencodeError(`bencode: malformed input at byte ${reader.offset}: ${problem}`);
}

function read(reader: Reader, depth: number): NgValue {
  if (depth > MAX_DEPTH) fail(reader, `nesting deeper than ${MAX_DEPTH}`);
  const byte = reader.input[reader.offset];
  if (byte === undefined) fail(reader, 'unexpected end of input');
  if (byte === CHAR_I) return readInteger(reader);
  if (byte >= CHAR_0 && byte <= CHAR_9) return readBytes(reader);
  if (byte === CHAR_L) {
    reader.offset++;
    const list: NgValue[] = [];
    while (reader.input[reader.offset] !== CHAR_E) list.push(read(reader, depth + 1));
    reader.offset++;
    return list;
  }
  if (byte === CHAR_D) {
    reader.offset++;
    // A null prototype: a key such as "__proto__" is data, never the object's prototype.
    const dictionary = Object.create(null) as NgDictionary;
    while (reader.input[reader.offset] !== CHAR_E) {
      const keyOffset = reader.offset;
      const first = reader.input[keyOffset];
      if (first === undefined) fail(reader, 'unterminated dictionary');
      if (first < CHAR_0 || first > CHAR_9) fail(reader, 'dictionary key is not a byte string');
      const key = readBytes(reader).toString('utf8');
      if (Object.hasOwn(dictionary, key)) {
        reader.offset = keyOffset;
        fail(reader, `duplicate dictionary key "${key}"`);
      }
      dictionary[key] = read(reader, depth + 1);
    }
    reader.offset++;
    return dictionary;
  }
  fail(reader, `unexpected byte 0x${byte.toString(16).padStart(2, '0')}`);
}

function readInteger(reader: Reader): number {
  const end = reader.input.indexOf(CHAR_E, reader.offset + 1);
  if (end < 0) fail(reader, 'unterminated integer');
  const text = reader.input.toString('latin1', reader.offset + 1, end);
  // BEP 3: no leading zeros, no "-0", at least one digit.
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) fail(reader, `invalid integer "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) fail(reader, `integer ${text} is beyond ±2^53`);
  reader.offset = end + 1;
  return value;
}

function readBytes(reader: Reader): Buffer {
  const colon = reader.input.indexOf(CHAR_COLON, reader.offset);
  if (colon < 0) fail(reader, 'byte string without ":" after its length');
  const text = reader.input.toString('latin1', reader.offset, colon);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) fail(reader, `invalid byte string length "${text}"`);
  const length = Number(text);
  const start = colon + 1;
  if (!Number.isSafeInteger(length) || start + length > reader.input.length) {
    fail(reader, `byte string of ${text} byte(s) runs past the end of input (${reader.input.length - start} left)`);
  }
  reader.offset = start + length;
  return reader.input.subarray(start, start + length);
}
