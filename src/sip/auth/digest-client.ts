/**
 * The UAC side of SIP Digest authentication (RFC 3261 §22.2, §22.3; RFC 7616 §3.4; RFC 8760):
 * answer a 401/407 challenge with an Authorization/Proxy-Authorization header value.
 *
 * Like the server, the client speaks qop=auth only and refuses challenges without it (see
 * digest-server.ts): a response without cnonce and nonce-count is replayable.
 */
import { randomBytes } from 'node:crypto';
import { DigestError } from './digest-error.ts';
import { DigestErrorCode } from '../sip-errors.ts';
import { formatDigestCredentials, type DigestChallenge } from './digest-header.ts';
import { digestResponse, toDigestAlgorithm, type DigestAlgorithm } from './digest-hash.ts';

export interface DigestUserCredentials {
  username: string;
  password: string;
}

export interface DigestRequestLine {
  method: string;
  /** The Request-URI as it will be written on the request line (RFC 3261 §22.4). */
  uri: string;
  /** Client nonce; random when omitted. */
  cnonce?: string;
}

export interface DigestAnswerOptions extends DigestUserCredentials, DigestRequestLine {
  /** Nonce-count, 1 when omitted (RFC 7616 §3.4). */
  nc?: number;
}

/** Stronger first: we take SHA-256 whenever it is offered, whatever the header order. */
const PREFERENCE: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];
const MAX_NC = 0xffffffff;

/**
 * Picks the challenge to answer among those of one response (each WWW-Authenticate or
 * Proxy-Authenticate line is one challenge): SHA-256 if offered, else MD5, and only with
 * qop=auth. Challenges naming other algorithms are ignored (RFC 8760 §2.4).
 */
export function selectChallenge(challenges: DigestChallenge | readonly DigestChallenge[]): {
  challenge: DigestChallenge;
  algorithm: DigestAlgorithm;
} {
  const list: readonly DigestChallenge[] = Array.isArray(challenges) ? challenges : [challenges];
  for (const wanted of PREFERENCE) {
    const challenge = list.find((c) => toDigestAlgorithm(c.algorithm) === wanted && c.qop?.includes('auth') === true);
    if (challenge !== undefined) return { challenge, algorithm: wanted };
  }
  throw new DigestError(DigestErrorCode.NO_USABLE_CHALLENGE, 'no Digest challenge offers MD5 or SHA-256 with qop=auth');
}

/** The Authorization (or Proxy-Authorization) header value answering the challenge(s). */
export function answerChallenge(challenges: DigestChallenge | readonly DigestChallenge[], options: DigestAnswerOptions): string {
  const { challenge, algorithm } = selectChallenge(challenges);
  const count = options.nc ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NC) {
    throw new DigestError(DigestErrorCode.INVALID_PARAM, `nonce-count must be 1 to ${MAX_NC}, got ${count}`);
  }
  const nc = count.toString(16).padStart(8, '0');
  const cnonce = options.cnonce ?? randomBytes(16).toString('base64url');
  const response = digestResponse({
    algorithm,
    username: options.username,
    realm: challenge.realm,
    password: options.password,
    method: options.method,
    uri: options.uri,
    nonce: challenge.nonce,
    nc,
    cnonce,
    qop: 'auth',
  });
  return formatDigestCredentials({
    username: options.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: options.uri,
    response,
    algorithm,
    cnonce,
    opaque: challenge.opaque,
    qop: 'auth',
    nc,
  });
}

/**
 * One user's answers over time: reusing a nonce (preemptively or after a new challenge with the
 * same nonce) raises its nonce-count, as the server's replay check requires (RFC 7616 §3.4).
 * Only the most recent nonces are remembered; a server moves on to new nonces anyway.
 */
export class DigestClientSession {
  static readonly maxNonces = 16;
  readonly #credentials: DigestUserCredentials;
  readonly #counts = new Map<string, number>();

  constructor(credentials: DigestUserCredentials) {
    this.#credentials = { ...credentials };
  }

  answer(challenges: DigestChallenge | readonly DigestChallenge[], request: DigestRequestLine): string {
    const { challenge } = selectChallenge(challenges);
    const key = `${challenge.realm}\n${challenge.nonce}`;
    const nc = (this.#counts.get(key) ?? 0) + 1;
    const header = answerChallenge(challenge, { ...this.#credentials, ...request, nc });
    // Re-insert so that the map's order is least recently used first.
    this.#counts.delete(key);
    this.#counts.set(key, nc);
    if (this.#counts.size > DigestClientSession.maxNonces) {
      this.#counts.delete(this.#counts.keys().next().value as string);
    }
    return header;
  }
}
