/**
 * Short-lived SIP credentials for the pane, so that an extension's own SIP secret never reaches a
 * browser. The scheme is the one TURN servers use for time-limited credentials (the "TURN REST
 * API" draft, draft-uberti-behave-turn-rest-00 §2.2, as in coturn's use-auth-secret): the
 * username names the extension and the moment it expires, the password is an HMAC of that
 * username under a secret only the server holds. Nothing is stored per credential; the registrar
 * recomputes the password from the username and refuses it once the moment is past.
 *
 * The server secret lives in `{dataDir}/pane-credential-secret.json` (0600), created at first
 * start, so credentials survive a restart; deleting the file revokes every one of them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PANE_CREDENTIAL_SECRET_FILE = 'pane-credential-secret.json';
/** As long as a web-login session at most; the route also caps it at the session's own end. */
export const PANE_CREDENTIAL_LIFETIME_MS = 12 * 60 * 60 * 1000;
const SECRET_BYTES = 32;
/** `{extension}.{expiry in Unix seconds}`; extension numbers are digits, so the dot is unambiguous. */
const USERNAME = /^(\d{1,32})\.(\d{10,12})$/;

export const PaneCredentialErrorCode = {
  UNREADABLE_SECRET: 'PANE_CREDENTIAL_SECRET_UNREADABLE',
} as const;

export class PaneCredentialError extends Error {
  readonly code = PaneCredentialErrorCode.UNREADABLE_SECRET;
}

export interface PaneCredential {
  /** The digest username (JsSIP's authorization_user). */
  authorizationUser: string;
  password: string;
  /** Epoch milliseconds, a whole second. */
  expiresAt: number;
}

export interface VerifiedPaneCredential {
  extension: string;
  password: string;
}

export class PaneCredentials {
  readonly #secret: Buffer;
  readonly #now: () => number;

  constructor(secret: Buffer, now: () => number = Date.now) {
    if (secret.length < SECRET_BYTES) throw new PaneCredentialError(`the pane credential secret must have at least ${SECRET_BYTES} bytes`);
    this.#secret = secret;
    this.#now = now;
  }

  /** Reads the server secret from the data directory, creating it on first start. */
  static load(dataDir: string, now?: () => number): PaneCredentials {
    return new PaneCredentials(readOrCreateSecret(join(dataDir, PANE_CREDENTIAL_SECRET_FILE)), now);
  }

  /** A credential for `extension` that expires at `notAfter` (epoch ms) or after the lifetime, whichever comes first. */
  issue(extension: string, notAfter = Infinity): PaneCredential {
    // Rounded down to a second: the credential never outlives `notAfter`.
    const expiresAtSeconds = Math.floor(Math.min(this.#now() + PANE_CREDENTIAL_LIFETIME_MS, notAfter) / 1000);
    const authorizationUser = `${extension}.${expiresAtSeconds}`;
    return { authorizationUser, password: this.#passwordOf(authorizationUser), expiresAt: expiresAtSeconds * 1000 };
  }

  /**
   * The extension and password a digest username stands for, or undefined when it is not a pane
   * credential or has expired: the guard then answers it like a wrong password.
   */
  verify(username: string): VerifiedPaneCredential | undefined {
    const match = USERNAME.exec(username);
    if (match === null) return undefined;
    if (Number(match[2]) * 1000 <= this.#now()) return undefined;
    return { extension: match[1], password: this.#passwordOf(username) };
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
    throw new PaneCredentialError(`${path} is not valid JSON (delete it to create a new secret)`);
  }
  if (typeof secret !== 'string') throw new PaneCredentialError(`${path} has no "secret" (delete it to create a new one)`);
  return Buffer.from(secret, 'base64url');
}
