/**
 * The Digest response computation of RFC 7616 §3.4.1 (with RFC 8760 bringing SHA-256 to SIP),
 * limited to what Callpane speaks: algorithms MD5 and SHA-256 (not the -sess variants) and
 * qop=auth, where A2 = method ":" digest-uri and the digest-uri is the Request-URI
 * (RFC 3261 §22.4).
 */
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

const nodeHashName: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/**
 * The algorithm a Digest `algorithm` parameter names, or undefined when it is one we do not
 * implement. Tokens compare case-insensitively, and an absent parameter means MD5
 * (RFC 7616 §3.3, RFC 3261 §22.4).
 */
export function toDigestAlgorithm(token: string | undefined): DigestAlgorithm | undefined {
  const upper = (token ?? 'MD5').toUpperCase();
  return upper === 'MD5' || upper === 'SHA-256' ? upper : undefined;
}

/** H(data): lower-case hex of the algorithm's hash over the UTF-8 bytes (RFC 7616 §3.4.1). */
function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(nodeHashName[algorithm]).update(data, 'utf8').digest('hex');
}

/** H(A1) with A1 = username ":" realm ":" password (RFC 7616 §3.4.2). */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

interface DigestResponseFields {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  method: string;
  /** The digest-uri exactly as it appears in the `uri` parameter. */
  uri: string;
  nonce: string;
  /** The nonce-count exactly as sent: 8 hex digits (RFC 7616 §3.4). */
  nc: string;
  cnonce: string;
  qop: 'auth';
}

/** Either the plain password or a stored H(A1) for the same algorithm, username and realm. */
export type DigestResponseInput = DigestResponseFields & ({ password: string; ha1?: undefined } | { ha1: string; password?: undefined });

/**
 * response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)), KD(s, d) = H(s ":" d)
 * (RFC 7616 §3.4.1), as lower-case hex.
 */
export function digestResponse(input: DigestResponseInput): string {
  const { algorithm } = input;
  const ha1 = input.password !== undefined ? computeHa1(algorithm, input.username, input.realm, input.password) : input.ha1.toLowerCase();
  const ha2 = digestHash(algorithm, `${input.method}:${input.uri}`);
  return digestHash(algorithm, `${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
}
