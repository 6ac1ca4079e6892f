/**
 * A seeded mutation fuzzer for SIP messages: from a corpus of real messages (the RFC 4475 torture
 * vectors and a few well-formed requests and responses) it makes broken ones the way a faulty
 * peer or an attacker does — bit flips, truncation, duplicated and huge headers, bad
 * Content-Length, bare CR and LF, random bytes, splices of two messages. The same seed gives the
 * same messages in the same order, so any message that hurts is found again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { RFC4475_DIR } from './rfc4475-vectors.ts';
import { itemAt } from './item-at.ts';

/** A small, fast, seedable PRNG (mulberry32): plenty for choosing mutations, not for secrets. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  pick<T>(items: readonly T[]): T {
    return itemAt(items, this.below(items.length));
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.below(256);
    return out;
  }
}

export const MUTATIONS = [
  'bit-flip',
  'truncate',
  'duplicate-header',
  'huge-header',
  'bad-content-length',
  'bare-cr-lf',
  'bare-cr-in-value',
  'random-bytes',
  'splice',
  'as-is',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface FuzzMessage {
  /** The mutations applied, in order (one to three: a broken length and a bare CR together, say). */
  mutations: Mutation[];
  data: Buffer;
}

/** Far above what Callpane accepts (64 KiB) and what a UDP datagram can carry. */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** Content-Length values a broken or hostile peer sends. */
const BAD_LENGTHS = ['abc', '-1', '-0', '99999999999', '4294967296', '1e3', ' ', '', '0x10', '12 34', '5, 6', '65537', '0\r'];
const HEADER_LINE = /\r?\n(?=[^\r\n])/;

export class SipMutator {
  readonly #random: SeededRandom;
  readonly #corpus: readonly Buffer[];

  constructor(seed: number, corpus: readonly Buffer[] = defaultCorpus()) {
    if (corpus.length === 0) throw new Error('SipMutator: empty corpus');
    this.#random = new SeededRandom(seed);
    this.#corpus = corpus;
  }

  next(): FuzzMessage {
    let data = this.#random.pick(this.#corpus);
    const mutations = Array.from({ length: 1 + this.#random.below(3) }, () => this.#random.pick(MUTATIONS));
    // Stacked mutations (a huge header duplicated 500 times) must not grow without bound.
    for (const mutation of mutations) data = this.#apply(mutation, data).subarray(0, MAX_MESSAGE_BYTES);
    return { mutations, data };
  }

  #apply(mutation: Mutation, base: Buffer): Buffer {
    const random = this.#random;
    switch (mutation) {
      case 'bit-flip': {
        const out = Buffer.from(base);
        const flips = 1 + random.below(8);
        for (let i = 0; i < flips; i++) {
          const at = random.below(out.length);
          out[at] = itemAt(out, at) ^ (1 << random.below(8));
        }
        return out;
      }
      case 'truncate':
        return base.subarray(0, random.below(base.length));
      case 'duplicate-header': {
        const lines = base.toString('latin1').split(HEADER_LINE);
        const index = 1 + random.below(Math.max(1, lines.length - 2));
        const copies = random.pick([2, 3, 50, 500]);
        lines.splice(index, 0, ...Array.from({ length: copies - 1 }, () => lines[index] ?? ''));
        return Buffer.from(lines.join('\r\n'), 'latin1');
      }
      case 'huge-header': {
        const size = random.pick([1024, 8192, 65000, 70000, 200_000]);
        const header = `${random.pick(['X-Big', 'Via', 'From', 'Contact', 'Authorization', 'Subject'])}: ${'a'.repeat(size)}\r\n`;
        return insertAfterStartLine(base, Buffer.from(header, 'latin1'));
      }
      case 'bad-content-length': {
        const text = base.toString('latin1').replace(/\r?\n(Content-Length|l)[ \t]*:[^\r\n]*/gi, '');
        // A stream needs Content-Length (RFC 3261 §18.3): leaving it out is a framing error too.
        if (random.below(4) === 0) return Buffer.from(text, 'latin1');
        const value = random.pick(BAD_LENGTHS);
        return insertAfterStartLine(Buffer.from(text, 'latin1'), Buffer.from(`Content-Length: ${value}\r\n`, 'latin1'));
      }
      case 'bare-cr-lf': {
        const out = [...base];
        const inserts = 1 + random.below(4);
        for (let i = 0; i < inserts; i++) out.splice(random.below(out.length + 1), 0, random.pick([0x0d, 0x0a, 0x00]));
        // Sometimes every CRLF becomes a bare LF or a bare CR as well.
        const text = Buffer.from(out).toString('latin1');
        const choice = random.below(4);
        const rewritten = choice === 0 ? text.replaceAll('\r\n', '\n') : choice === 1 ? text.replaceAll('\r\n', '\r') : text;
        return Buffer.from(rewritten, 'latin1');
      }
      case 'bare-cr-in-value': {
        // Inside a header value, where a response would copy it (From, To, Via, Call-ID, CSeq).
        const lines = base.toString('latin1').split('\r\n');
        const headers = lines.map((line, index) => ({ line, index })).filter(({ line, index }) => index > 0 && line.includes(':'));
        if (headers.length === 0) return base;
        const { line, index } = random.pick(headers);
        const at = line.indexOf(':') + 1 + random.below(Math.max(1, line.length - line.indexOf(':')));
        lines[index] = `${line.slice(0, at)}${random.pick(['\r', '\n', '\rX', '\0'])}${line.slice(at)}`;
        return Buffer.from(lines.join('\r\n'), 'latin1');
      }
      case 'random-bytes':
        return random.below(4) === 0
          ? Buffer.concat([Buffer.from('INVITE sip:1001@127.0.0.1 SIP/2.0\r\n'), random.bytes(random.below(2000))])
          : random.bytes(1 + random.below(1500));
      case 'splice': {
        const other = random.pick(this.#corpus);
        return Buffer.concat([base.subarray(0, random.below(base.length)), other.subarray(random.below(other.length))]);
      }
      case 'as-is':
        return base;
    }
  }
}

function insertAfterStartLine(message: Buffer, insert: Buffer): Buffer {
  const lineEnd = message.indexOf(0x0a);
  if (lineEnd < 0) return Buffer.concat([message, Buffer.from('\r\n'), insert]);
  return Buffer.concat([message.subarray(0, lineEnd + 1), insert, message.subarray(lineEnd + 1)]);
}

/** The RFC 4475 and RFC 5118 vectors, plus well-formed messages of the kinds a PBX meets most. */
export function defaultCorpus(): Buffer[] {
  const vectors = readdirSync(RFC4475_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dat'))
    .sort()
    .map((name) => readFileSync(new URL(name, RFC4475_DIR)));
  return [...vectors, ...WELL_FORMED.map((text) => Buffer.from(text))];
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n';
const WELL_FORMED = [
  'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfz1;rport\r\nMax-Forwards: 70\r\nFrom: <sip:fuzz@127.0.0.1>;tag=f1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: fz1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfz2;rport\r\nMax-Forwards: 70\r\nFrom: <sip:1001@127.0.0.1>;tag=f2\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: fz2@127.0.0.1\r\nCSeq: 2 REGISTER\r\nContact: <sip:1001@127.0.0.1:5999>;expires=60\r\nAuthorization: Digest username="1001", realm="127.0.0.1", nonce="abc", uri="sip:127.0.0.1", response="0123456789abcdef0123456789abcdef", algorithm=MD5\r\nContent-Length: 0\r\n\r\n',
  `INVITE sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfz3;rport\r\nMax-Forwards: 70\r\nFrom: "Fuzz" <sip:1001@127.0.0.1>;tag=f3\r\nTo: <sip:1002@127.0.0.1>\r\nCall-ID: fz3@127.0.0.1\r\nCSeq: 3 INVITE\r\nContact: <sip:1001@127.0.0.1:5999>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
  'BYE sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfz4;rport\r\nMax-Forwards: 70\r\nRoute: <sip:abc.def@127.0.0.1;lr>\r\nFrom: <sip:1001@127.0.0.1>;tag=f4\r\nTo: <sip:1002@127.0.0.1>;tag=t4\r\nCall-ID: fz4@127.0.0.1\r\nCSeq: 4 BYE\r\nContent-Length: 0\r\n\r\n',
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfz5\r\nFrom: <sip:1001@127.0.0.1>;tag=f5\r\nTo: <sip:1002@127.0.0.1>;tag=t5\r\nCall-ID: fz5@127.0.0.1\r\nCSeq: 5 INVITE\r\nContent-Length: 0\r\n\r\n',
];
