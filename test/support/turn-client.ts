/**
 * The smallest TURN client that answers "does this TURN server take this credential?": a STUN
 * Binding (to see the server is up) and a TURN Allocate over UDP with the long-term credential
 * mechanism — first unauthenticated, to learn the realm and nonce from the 401, then again with
 * USERNAME, REALM, NONCE and MESSAGE-INTEGRITY. Messages as RFC 8489 §5 and §14 lay them out;
 * Allocate and REQUESTED-TRANSPORT as RFC 8656 §7 and §18.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { withDeadline } from './deadline.ts';
import { itemAt } from './item-at.ts';

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const TYPE = { bindingRequest: 0x0001, bindingSuccess: 0x0101, allocateRequest: 0x0003, allocateSuccess: 0x0103, allocateError: 0x0113 } as const;
const ATTRIBUTE = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;
/** RFC 8656 §18.7: the protocol number of UDP. */
const UDP = 17;
const RETRANSMIT_MS = 250;

export interface StunMessage {
  type: number;
  transactionId: Buffer;
  attributes: Map<number, Buffer>;
}

export type AllocateOutcome = { ok: true; relayedAddress: string; relayedPort: number } | { ok: false; code: number; reason: string };

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.writeUInt16BE(type, 0);
  bytes.writeUInt16BE(length, 2);
  bytes.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(bytes, 8);
  return bytes;
}

/** A request; with `key`, MESSAGE-INTEGRITY last (RFC 8489 §14.5: HMAC-SHA1 over the message up to it, length counting it). */
export function encodeRequest(type: number, attributes: Buffer[], key?: Buffer): { bytes: Buffer; transactionId: Buffer } {
  const transactionId = randomBytes(12);
  const body = Buffer.concat(attributes);
  if (key === undefined) return { bytes: Buffer.concat([header(type, body.length, transactionId), body]), transactionId };
  const integrityLength = 4 + 20;
  const signed = Buffer.concat([header(type, body.length + integrityLength, transactionId), body]);
  const integrity = attribute(ATTRIBUTE.messageIntegrity, createHmac('sha1', key).update(signed).digest());
  return { bytes: Buffer.concat([signed, integrity]), transactionId };
}

export function decodeMessage(bytes: Buffer): StunMessage | undefined {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const attributes = new Map<number, Buffer>();
  const end = Math.min(bytes.length, HEADER_BYTES + bytes.readUInt16BE(2));
  for (let offset = HEADER_BYTES; offset + 4 <= end; ) {
    const type = bytes.readUInt16BE(offset);
    const length = bytes.readUInt16BE(offset + 2);
    if (!attributes.has(type)) attributes.set(type, bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return { type: bytes.readUInt16BE(0), transactionId: bytes.subarray(8, 20), attributes };
}

function errorOf(message: StunMessage): { code: number; reason: string } {
  const value = message.attributes.get(ATTRIBUTE.errorCode);
  if (value === undefined || value.length < 4) return { code: 0, reason: 'no ERROR-CODE' };
  return { code: (itemAt(value, 2) & 0x07) * 100 + itemAt(value, 3), reason: value.subarray(4).toString('utf8') };
}

function xorAddress(value: Buffer): { address: string; port: number } {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const address = [0, 1, 2, 3].map((index) => itemAt(value, 4 + index) ^ ((MAGIC_COOKIE >>> (24 - index * 8)) & 0xff)).join('.');
  return { address, port };
}

export class TurnClient {
  readonly #socket: Socket;
  readonly #host: string;
  readonly #port: number;

  private constructor(socket: Socket, host: string, port: number) {
    this.#socket = socket;
    this.#host = host;
    this.#port = port;
  }

  /** A UDP socket on 127.0.0.1 talking to the TURN server at host:port. */
  static async open(host: string, port: number): Promise<TurnClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new TurnClient(socket, host, port);
  }

  /** Whether the server answers a STUN Binding request within `ms`. */
  async binding(ms: number): Promise<boolean> {
    try {
      const answer = await this.#transact(encodeRequest(TYPE.bindingRequest, []), ms);
      return answer.type === TYPE.bindingSuccess;
    } catch {
      return false;
    }
  }

  /** A UDP relay allocation with this long-term credential: the relayed address, or the error the server answered. */
  async allocate(username: string, password: string, ms = 3000): Promise<AllocateOutcome> {
    const transport = attribute(ATTRIBUTE.requestedTransport, Buffer.from([UDP, 0, 0, 0]));
    const challenge = await this.#transact(encodeRequest(TYPE.allocateRequest, [transport]), ms);
    if (challenge.type !== TYPE.allocateError || errorOf(challenge).code !== 401)
      throw new Error(`the unauthenticated Allocate was answered ${challenge.type.toString(16)}, not a 401 challenge`);
    const realm = challenge.attributes.get(ATTRIBUTE.realm);
    const nonce = challenge.attributes.get(ATTRIBUTE.nonce);
    if (realm === undefined || nonce === undefined) throw new Error('the 401 challenge has no REALM or NONCE');
    // RFC 8489 §9.2.2: the long-term key is MD5(username ":" realm ":" password).
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${password}`)
      .digest();
    const attributes = [transport, attribute(ATTRIBUTE.username, Buffer.from(username)), attribute(ATTRIBUTE.realm, realm), attribute(ATTRIBUTE.nonce, nonce)];
    const answer = await this.#transact(encodeRequest(TYPE.allocateRequest, attributes, key), ms);
    if (answer.type === TYPE.allocateSuccess) {
      const relayed = answer.attributes.get(ATTRIBUTE.xorRelayedAddress);
      if (relayed === undefined) throw new Error('the Allocate success names no XOR-RELAYED-ADDRESS');
      const { address, port } = xorAddress(relayed);
      return { ok: true, relayedAddress: address, relayedPort: port };
    }
    return { ok: false, ...errorOf(answer) };
  }

  close(): void {
    this.#socket.close();
  }

  /** Sends the request (again every RETRANSMIT_MS, as over UDP one must) until its answer arrives or `ms` pass. */
  #transact(request: { bytes: Buffer; transactionId: Buffer }, ms: number): Promise<StunMessage> {
    let onMessage: (bytes: Buffer) => void = () => undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    const answered = new Promise<StunMessage>((resolve) => {
      onMessage = (bytes) => {
        const message = decodeMessage(bytes);
        if (message?.transactionId.equals(request.transactionId)) resolve(message);
      };
      this.#socket.on('message', onMessage);
      const send = () => this.#socket.send(request.bytes, this.#port, this.#host);
      send();
      timer = setInterval(send, RETRANSMIT_MS);
    });
    return withDeadline(answered, ms, () => new Error(`no STUN answer from ${this.#host}:${this.#port} within ${ms} ms`)).finally(() => {
      clearInterval(timer);
      this.#socket.off('message', onMessage);
    });
  }
}
