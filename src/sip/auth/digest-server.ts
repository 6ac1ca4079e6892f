/**
 * The UAS / registrar / proxy side of SIP Digest authentication (RFC 3261 §22.2–§22.4, RFC 7616,
 * RFC 8760): issue challenges, verify credentials.
 *
 * Only qop=auth is offered and accepted. RFC 3261 §22.4 still lets a client answer in the
 * RFC 2069 style without qop, but such a response carries no cnonce or nonce-count, so it can be
 * replayed for the nonce's whole lifetime; accepting it would let an attacker downgrade any
 * client. Every challenge we send carries qop="auth", so a response without it is refused
 * ('missing-qop').
 */
import { timingSafeEqual } from 'node:crypto';
import { formatDigestChallenge, type DigestCredentials } from './digest-header.ts';
import { digestResponse, toDigestAlgorithm, type DigestAlgorithm } from './digest-hash.ts';
import { NonceManager } from './nonce-manager.ts';

export interface DigestAuthenticatorOptions {
  realm: string;
  /** Offered in this order, one challenge each; clients use the first they support (RFC 8760 §2.4). */
  algorithms?: DigestAlgorithm[];
  nonces?: NonceManager;
  /** Sent in every challenge when set. It carries no state for us: the nonce authenticates itself. */
  opaque?: string;
}

export interface DigestChallengeOptions {
  /** The last request's digest was right but its nonce had expired (RFC 7616 §3.3). */
  stale?: boolean;
  /** Challenge as a proxy: 407 with Proxy-Authenticate instead of 401 with WWW-Authenticate (RFC 3261 §22.3). */
  proxy?: boolean;
}

export interface DigestChallengeHeaders {
  header: 'WWW-Authenticate' | 'Proxy-Authenticate';
  /** One header line each, in order (RFC 3261 §7.3.1: never combined into one line). */
  values: string[];
}

export interface DigestRequest {
  method: string;
  /** The Request-URI as written on the request line. */
  uri: string;
  credentials: DigestCredentials;
}

/** What the user store knows about a user: the password or stored H(A1) values for this realm. */
export interface DigestSecret {
  password?: string;
  ha1?: { md5?: string; sha256?: string };
}

export type DigestSecretLookup = (username: string, realm: string) => DigestSecret | undefined;

export type VerifyFailureReason =
  | 'unknown-user'
  | 'bad-response'
  | 'stale-nonce'
  | 'invalid-nonce'
  | 'replay'
  | 'realm-mismatch'
  | 'uri-mismatch'
  | 'unsupported-algorithm'
  | 'missing-qop';

/**
 * 'stale-nonce' means the client knows the password: answer with `challenge({ stale: true })`.
 * Answer 'unknown-user' exactly like 'bad-response' on the wire so that usernames cannot be probed.
 */
export type VerifyResult = { ok: true; username: string } | { ok: false; reason: VerifyFailureReason };

const NC = /^[0-9A-Fa-f]{8}$/;

export class DigestAuthenticator {
  readonly realm: string;
  readonly algorithms: readonly DigestAlgorithm[];
  readonly nonces: NonceManager;
  readonly #opaque: string | undefined;

  constructor(options: DigestAuthenticatorOptions) {
    this.realm = options.realm;
    this.algorithms = [...(options.algorithms ?? ['SHA-256', 'MD5'])];
    this.nonces = options.nonces ?? new NonceManager();
    this.#opaque = options.opaque;
    if (this.algorithms.length === 0 || new Set(this.algorithms).size !== this.algorithms.length) {
      throw new RangeError('algorithms must list MD5 and/or SHA-256, each once');
    }
  }

  challenge(options: DigestChallengeOptions = {}): DigestChallengeHeaders {
    // One nonce for all the algorithms: it does not depend on the algorithm (RFC 7616 §3.7 example).
    const nonce = this.nonces.issue();
    return {
      header: options.proxy === true ? 'Proxy-Authenticate' : 'WWW-Authenticate',
      values: this.algorithms.map((algorithm) =>
        formatDigestChallenge({
          realm: this.realm,
          qop: ['auth'],
          algorithm,
          nonce,
          opaque: this.#opaque,
          stale: options.stale,
        }),
      ),
    };
  }

  verify(request: DigestRequest, lookup: DigestSecretLookup): VerifyResult {
    const { credentials } = request;
    const { qop, cnonce, nc } = credentials;
    if (qop?.toLowerCase() !== 'auth' || cnonce === undefined || nc === undefined || !NC.test(nc)) {
      return fail('missing-qop');
    }
    const algorithm = toDigestAlgorithm(credentials.algorithm);
    if (algorithm === undefined || !this.algorithms.includes(algorithm)) return fail('unsupported-algorithm');
    if (credentials.realm !== this.realm) return fail('realm-mismatch');
    // RFC 3261 §22.4: the digest-uri must be the Request-URI, otherwise the credentials may have
    // been lifted from another request.
    if (credentials.uri !== request.uri) return fail('uri-mismatch');
    if (this.nonces.validate(credentials.nonce) === 'invalid') return fail('invalid-nonce');

    const secret = lookup(credentials.username, credentials.realm);
    if (secret === undefined) return fail('unknown-user');
    const fields = {
      algorithm,
      username: credentials.username,
      realm: credentials.realm,
      method: request.method,
      uri: credentials.uri,
      nonce: credentials.nonce,
      nc,
      cnonce,
      qop: 'auth',
    } as const;
    const ha1 = algorithm === 'MD5' ? secret.ha1?.md5 : secret.ha1?.sha256;
    let expected: string;
    if (secret.password !== undefined) expected = digestResponse({ ...fields, password: secret.password });
    // A user stored only with the other algorithm's H(A1) cannot answer this one.
    else if (ha1 !== undefined) expected = digestResponse({ ...fields, ha1 });
    else return fail('unsupported-algorithm');
    if (!sameText(expected, credentials.response.toLowerCase())) return fail('bad-response');

    // Only now, with a correct digest, is the nonce-count recorded (and staleness reported,
    // RFC 7616 §3.3: stale=true tells the client its password was right).
    switch (this.nonces.check(credentials.nonce, Number.parseInt(nc, 16))) {
      case 'ok':
        return { ok: true, username: credentials.username };
      case 'stale':
        return fail('stale-nonce');
      case 'replay':
        return fail('replay');
      case 'invalid':
        return fail('invalid-nonce');
    }
  }
}

function fail(reason: VerifyFailureReason): VerifyResult {
  return { ok: false, reason };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // The length of a hex digest is no secret; timingSafeEqual needs equal lengths.
  return left.length === right.length && timingSafeEqual(left, right);
}
