/**
 * Flow tokens (RFC 5626 §5.2): the user part of the Record-Route URIs the proxy inserts names the
 * flow a leg of the dialog is reached on, so in-dialog requests find a WebSocket user agent (whose
 * Contact is an unreachable `.invalid` host, RFC 7118 §5) or a user agent behind NAT without any
 * per-dialog state here. Tokens are HMAC-signed: a forged Route cannot make Callpane send
 * anywhere no binding or trunk named.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type { TransportProtocol } from '../../sip/transport/index.ts';

/** Where one leg of a dialog is reached: a connection (flowId) or an address over a transport. */
export interface FlowTarget {
  transport: TransportProtocol;
  address: string;
  port: number;
  /** The connection a reliable leg came on; WebSocket legs can only be reached through it. */
  flowId?: string;
  /**
   * How much higher this leg's CSeq numbers run than the other side's: a request we had to
   * resend with credentials (to a trunk that challenged) took the next number on this leg only.
   */
  cseqOffset?: number;
}

const TRANSPORTS: readonly TransportProtocol[] = ['UDP', 'TCP', 'TLS', 'WS', 'WSS'];
const MAC_BYTES = 10;

export class FlowTokens {
  readonly #key: KeyObject;

  constructor(secret: Buffer = randomBytes(32)) {
    this.#key = createSecretKey(secret);
  }

  encode(target: FlowTarget): string {
    const payload = Buffer.from([target.transport, target.address, target.port, target.flowId ?? '', target.cseqOffset ?? ''].join('|'), 'utf8');
    return `${payload.toString('base64url')}.${this.#mac(payload).toString('base64url')}`;
  }

  /** The target a token names, or undefined when the token is not one of ours. */
  decode(token: string): FlowTarget | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = Buffer.from(token.slice(0, dot), 'base64url');
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    if (mac.length !== MAC_BYTES || !timingSafeEqual(mac, this.#mac(payload))) return undefined;
    const [transport, address, port, flowId, cseqOffset] = payload.toString('utf8').split('|');
    if (!TRANSPORTS.includes(transport as TransportProtocol) || isIP(address) === 0) return undefined;
    return {
      transport: transport as TransportProtocol,
      address,
      port: Number(port),
      flowId: flowId === '' ? undefined : flowId,
      cseqOffset: cseqOffset === undefined || cseqOffset === '' ? undefined : Number(cseqOffset),
    };
  }

  #mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.#key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
