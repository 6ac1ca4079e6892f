/**
 * Flow tokens (RFC 5626 §5.2): the user part of the Record-Route URIs the proxy inserts names the
 * flow a leg of the dialog is reached on, so in-dialog requests find a WebSocket user agent (whose
 * Contact is an unreachable `.invalid` host, RFC 7118 §5) or a user agent behind NAT without any
 * per-dialog state here. The same sealing carries a phone's Contact in the Contact a trunk sees,
 * and hides a Call-ID from a trunk (topology hiding, see topology-hiding.ts).
 *
 * Tokens are sealed with AES-256-GCM under a per-process key: a forged or altered token does not
 * open, so a forged Route cannot make Callpane send anywhere no binding or trunk named, and a
 * carrier that reads the Record-Route entry facing the phone learns nothing of the phone's address
 * or flow. Tokens are base64url, which is all unreserved characters of a SIP user part and of a
 * Call-ID word (RFC 3261 §25.1).
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
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
  /** The leg is a trunk: whatever goes to it is topology-hidden. */
  trunk?: TrunkLeg;
}

/** What a trunk leg knows of the dialog that differs from the other side's view. */
export interface TrunkLeg {
  /**
   * Present when we called the trunk: the From and To it was sent (without tags), restored in the
   * in-dialog requests that go to it, whose Call-ID is hidden as the INVITE's was.
   */
  called?: { from: string; to: string };
}

const TRANSPORTS: readonly TransportProtocol[] = ['UDP', 'TCP', 'TLS', 'WS', 'WSS'];
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A token's kind, first in its sealed text: a Route entry's flow and a Contact are not interchangeable. */
const ROUTE = 'r';
const CONTACT = 'c';
const CALL_ID = 'i';
/** Never in a URI, a name-addr or an address as we format them. */
const SEPARATOR = '\0';

export class FlowTokens {
  readonly #key: KeyObject;
  /** For the deterministic nonces of hidden Call-IDs only. */
  readonly #nonceKey: KeyObject;

  constructor(secret: Buffer = randomBytes(32)) {
    this.#key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'callpane flow token', 32)));
    this.#nonceKey = createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'callpane call-id nonce', 32)));
  }

  encode(target: FlowTarget): string {
    const called = target.trunk?.called;
    const trunk = target.trunk === undefined ? '' : called === undefined ? 't' : 'T';
    const fields = [ROUTE, target.transport, target.address, target.port, target.flowId ?? '', target.cseqOffset ?? '', trunk, called?.from ?? '', called?.to ?? ''];
    return this.#seal(fields.join(SEPARATOR), randomBytes(IV_BYTES));
  }

  /** The target a token names, or undefined when the token is not one of ours. */
  decode(token: string): FlowTarget | undefined {
    const fields = this.#open(token)?.split(SEPARATOR);
    if (fields === undefined || fields.length !== 9 || fields[0] !== ROUTE) return undefined;
    // Nine fields (checked above), so no default below is ever taken.
    const [, transport = '', address = '', port = '', flowId = '', cseqOffset = '', trunk = '', from = '', to = ''] = fields;
    if (!TRANSPORTS.includes(transport as TransportProtocol) || isIP(address) === 0) return undefined;
    const target: FlowTarget = {
      transport: transport as TransportProtocol,
      address,
      port: Number(port),
      flowId: flowId === '' ? undefined : flowId,
      cseqOffset: cseqOffset === '' ? undefined : Number(cseqOffset),
    };
    if (trunk !== '') target.trunk = trunk === 'T' ? { called: { from, to } } : {};
    return target;
  }

  /** A token standing for a phone's Contact URI in the Contact a trunk is shown. */
  encodeContact(contactUri: string): string {
    return this.#seal(`${CONTACT}${SEPARATOR}${contactUri}`, randomBytes(IV_BYTES));
  }

  /** The Contact URI a token of encodeContact stands for; undefined for anything else. */
  decodeContact(token: string): string | undefined {
    const text = this.#open(token);
    return text?.startsWith(`${CONTACT}${SEPARATOR}`) ? text.slice(CONTACT.length + SEPARATOR.length) : undefined;
  }

  /**
   * A Call-ID as a trunk is shown it: the same value every time for one Call-ID (the trunk's
   * dialog is keyed by it), so the nonce is derived from the Call-ID itself (a synthetic IV, as
   * in RFC 5297); equal Call-IDs give equal tokens, which reveals nothing a Call-ID did not.
   */
  hideCallId(callId: string): string {
    const text = `${CALL_ID}${SEPARATOR}${callId}`;
    return this.#seal(text, createHmac('sha256', this.#nonceKey).update(text).digest().subarray(0, IV_BYTES));
  }

  /** The Call-ID hideCallId hid; undefined when `value` is not one of ours (a trunk's own Call-ID). */
  revealCallId(value: string): string | undefined {
    const text = this.#open(value);
    return text?.startsWith(`${CALL_ID}${SEPARATOR}`) ? text.slice(CALL_ID.length + SEPARATOR.length) : undefined;
  }

  #seal(text: string, iv: Buffer): string {
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    const sealed = Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return sealed.toString('base64url');
  }

  #open(token: string): string | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const sealed = Buffer.from(token, 'base64url');
    if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
