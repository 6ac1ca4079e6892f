/**
 * Short-lived SIP credentials for the pane, so that an extension's own SIP secret never reaches a
 * browser. The scheme is the one TURN servers use for time-limited credentials (the "TURN REST
 * API" draft, draft-uberti-behave-turn-rest-00 §2.2, as in coturn's use-auth-secret): the
 * username names the extension and the moment it expires, the password is an HMAC of that
 * username under a secret only the server holds. Nothing is stored per credential; the registrar
 * recomputes the password from the username and refuses it once the moment is past.
 *
 * The username also names the web session it was issued to, by the first characters of the
 * session's id (the SHA-256 of its secret token, which only identifies it): the registrar
 * refuses the credential as soon as that session has ended — logout, `callpane sessions
 * revoke`, expiry — not only when the credential's own moment is past. The HMAC covers the
 * whole username, so the session cannot be swapped for another.
 *
 * The server secret lives in `{dataDir}/pane-credential-secret.json` (0600), created at first
 * start, so credentials survive a restart; deleting the file revokes every one of them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../errors/coded-error.ts';
import { PaneCredentialErrorCode } from './security-errors.ts';

export const PANE_CREDENTIAL_SECRET_FILE = 'pane-credential-secret.json';
/**
 * 20 minutes, a little longer than an access token (15): whoever gets hold of one access token
 * gets SIP credentials for minutes, not for the rest of the session. The pane fetches new ones
 * before they expire and hands them to its running user agent (no re-registration needed).
 * issue() also caps a credential at its session's own end.
 */
export const PANE_CREDENTIAL_LIFETIME_MS = 20 * 60 * 1000;
const SECRET_BYTES = 32;
/**
 * Hex characters of the session id a credential names (as in USERNAME): 64 bits, so two live
 * sessions of one extension never share them, and the username stays short.
 */
const SESSION_TAG_LENGTH = 16;
const SESSION_ID = /^[0-9a-f]{64}$/;
/**
 * `{extension}.{expiry in Unix seconds}.{session tag}`; extension numbers are digits, so the dots
 * are unambiguous.
 */
const USERNAME = /^(\d{1,32})\.(\d{10,12})\.([0-9a-f]{16})$/;

export class PaneCredentialError extends CodedError<PaneCredentialErrorCode> {
  override readonly name = 'PaneCredentialError';
}

/** The web session a credential is issued to (a Session of session-service.ts). */
export interface PaneCredentialSession {
  /** SHA-256 hex: the session's id. */
  id: string;
  /** Epoch milliseconds: the credential expires no later. */
  expiresAt: number;
}

export interface PaneCredential {
  /** The digest username (JsSIP's authorization_user). */
  authorizationUser: string;
  password: string;
  /** Epoch milliseconds, a whole second. */
  expiresAt: number;
  /** From now until expiresAt: what a client counts with, whatever its own clock says. */
  expiresInMs: number;
}

/** What a pane credential's username claims; the HMAC password is what proves it (the digest). */
export interface PaneCredentialClaim {
  extension: string;
  /** The first characters of the id of the session it was issued to: it counts only while that session lives. */
  sessionTag: string;
  password: string;
  /** Its moment is past: a right digest with it is refused, but it is no guess (a pane that slept through its renewal). */
  expired: boolean;
}

export class PaneCredentials {
  readonly #secret: Buffer;
  readonly #now: () => number;

  constructor(secret: Buffer, now: () => number = Date.now) {
    if (secret.length < SECRET_BYTES)
      throw new PaneCredentialError(PaneCredentialErrorCode.UNREADABLE_SECRET, `the pane credential secret must have at least ${SECRET_BYTES} bytes`);
    this.#secret = secret;
    this.#now = now;
  }

  /** Reads the server secret from the data directory, creating it on first start. */
  static load(dataDir: string, now?: () => number): PaneCredentials {
    return new PaneCredentials(readOrCreateSecret(join(dataDir, PANE_CREDENTIAL_SECRET_FILE)), now);
  }

  /** A credential for `extension`, good while `session` lives, for the lifetime at most. */
  issue(extension: string, session: PaneCredentialSession): PaneCredential {
    if (!SESSION_ID.test(session.id)) throw new PaneCredentialError(PaneCredentialErrorCode.INVALID_SESSION, 'a session id is 64 lowercase hex characters');
    // Rounded down to a second: the credential never outlives its session.
    const expiresAtSeconds = Math.floor(Math.min(this.#now() + PANE_CREDENTIAL_LIFETIME_MS, session.expiresAt) / 1000);
    const authorizationUser = `${extension}.${expiresAtSeconds}.${session.id.slice(0, SESSION_TAG_LENGTH)}`;
    const expiresAt = expiresAtSeconds * 1000;
    return { authorizationUser, password: this.#passwordOf(authorizationUser), expiresAt, expiresInMs: Math.max(0, expiresAt - this.#now()) };
  }

  /**
   * The extension, session tag and password a digest username stands for, and whether it has
   * expired; undefined when it is not a pane credential. An expired one is still read, so that
   * the guard can tell a genuine credential that expired (refused, not counted as a guess) from
   * a forged one (its digest fails, counted). Whether its session still lives is the caller's
   * to check (the session store).
   */
  read(username: string): PaneCredentialClaim | undefined {
    const [, extension, expiresAt, sessionTag] = USERNAME.exec(username) ?? [];
    if (extension === undefined || expiresAt === undefined || sessionTag === undefined) return undefined;
    return { extension, sessionTag, password: this.#passwordOf(username), expired: Number(expiresAt) * 1000 <= this.#now() };
  }

  /** What read() answers for a credential that has not expired; undefined for any other username. */
  verify(username: string): Omit<PaneCredentialClaim, 'expired'> | undefined {
    const claim = this.read(username);
    return claim === undefined || claim.expired ? undefined : { extension: claim.extension, sessionTag: claim.sessionTag, password: claim.password };
  }

  #passwordOf(username: string): string {
    return createHmac('sha256', this.#secret).update(username).digest('base64url');
  }
}

function readOrCreateSecret(path: string): Buffer {
  try {
    writeFileSync(path, `${JSON.stringify({ secret: randomBytes(SECRET_BYTES).toString('base64url') })}\n`, { mode: 0o600, flag: 'wx' });
    // The umask may have narrowed the mode further, never widened it; make it exactly 0600.
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let secret: unknown;
  try {
    secret = (JSON.parse(readFileSync(path, 'utf8')) as { secret?: unknown }).secret;
  } catch {
    // The parser's message would quote the file, secret included: name the file only.
    throw new PaneCredentialError(PaneCredentialErrorCode.UNREADABLE_SECRET, `${path} is not valid JSON (delete it to create a new secret)`);
  }
  if (typeof secret !== 'string') throw new PaneCredentialError(PaneCredentialErrorCode.UNREADABLE_SECRET, `${path} has no "secret" (delete it to create a new one)`);
  return Buffer.from(secret, 'base64url');
}
