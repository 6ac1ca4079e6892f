/**
 * The SIP message model (RFC 3261 §7). Plain data: a request or response with an ordered header
 * list and a byte body. Structured header values (URIs, name-addr, Via, CSeq) are parsed on demand
 * by the functions in this folder; the header list keeps every value as text so that unknown
 * headers survive verbatim and a proxy can forward what it does not understand.
 */

/** A URI parameter value; `null` for a flag parameter such as `;lr`. */
export type ParamValue = string | null;

/** sip: / sips: URI (RFC 3261 §19.1). User and password are kept %-decoded. */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** Host as written, IPv6 references keep their brackets: `[2001:db8::10]`. */
  host: string;
  port?: number;
  /** Names lower-cased, values %-decoded, in order. */
  params: Map<string, ParamValue>;
  /** URI headers (`?name=value&…`), names as written, values %-decoded, in order. */
  headers: Map<string, string>;
}

/** tel: URI (RFC 3966). */
export interface TelUri {
  scheme: 'tel';
  /** The number as written (`+1-201-555-0123`, `7042`). */
  number: string;
  params: Map<string, ParamValue>;
}

/** Any other absolute URI (RFC 3261 §25.1 absoluteURI): kept as text. */
export interface OtherUri {
  scheme: string;
  /** Everything after `scheme:`. */
  opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

/** name-addr or addr-spec with header parameters: From, To, Contact, Route, Record-Route… */
export interface NameAddr {
  /** Unquoted, unescaped display name; undefined when absent. */
  displayName?: string;
  uri: Uri;
  /** Header (not URI) parameters such as `tag` or `expires`; names lower-cased. */
  params: Map<string, ParamValue>;
}

/** One Via value (RFC 3261 §20.42). */
export interface Via {
  /** `SIP/2.0` is the only version we accept. */
  protocol: string;
  /** Upper-cased: UDP, TCP, TLS, WS, WSS, SCTP or an extension token. */
  transport: string;
  host: string;
  port?: number;
  /** branch, received, rport (null when empty), maddr, ttl…; names lower-cased. */
  params: Map<string, ParamValue>;
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface Header {
  /** Canonical long name for known headers (`Call-ID`, `Via`), as written for unknown ones. */
  name: string;
  value: string;
}

export interface SipRequest {
  type: 'request';
  method: string;
  uri: Uri;
  headers: Header[];
  body: Buffer;
}

export interface SipResponse {
  type: 'response';
  status: number;
  reason: string;
  headers: Header[];
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;
