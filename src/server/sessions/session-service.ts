/**
 * Web-login sessions for the pane: log in with an extension number or e-mail and the extension's
 * password (or through an identity provider, sso-routes.ts), get a session that lasts
 * SESSION_LIFETIME_MS. A session has two kinds of secret: its refresh token, stored only as its
 * SHA-256 (which is also the session's id), that does nothing but mint access tokens; and
 * short-lived access tokens (access-tokens.ts) that every API request presents.
 *
 * An unknown login and a wrong password get the same answer after the same work (a password
 * check against a dummy hash), so the answer and its timing do not tell which extensions exist.
 * Addresses that fail too often are refused for a while without checking anything: each check
 * costs scrypt's 32 MiB and tens of milliseconds. So are accounts that fail too often from any
 * number of addresses (a distributed guess at one password); their lock ends by itself and
 * attempts during it do not prolong it (src/security/failure-lockout.ts), and it does not apply at an address
 * the account signed in from before (TRUSTED_ADDRESS_MS), so an attacker elsewhere cannot keep
 * the agent out; guesses from such an address still meet the per-address limit. Unknown logins
 * are counted and locked the same way, so a lock does not tell which accounts exist either.
 */
import type { SessionUser } from '../../contract/session.ts';
import { hashPassword, verifyPassword } from '../../security/password-hash.ts';
import { isExtensionNumber } from '../../crm/numbers/extension-number.ts';
import { hasPassword, type Extension, type ExtensionRepository } from '../../store/extension-repository.ts';
import type { SessionRepository } from '../../store/session-repository.ts';
import { AccessTokens, type AccessToken } from './access-tokens.ts';
import { clientKey } from '../../net/client-key.ts';
import { FailureLockout, type LockoutPolicy } from '../../security/failure-lockout.ts';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './session-token.ts';

/**
 * 12 hours: one working day, so an agent logs in once a shift. A constant until a configuration
 * key is agreed with the configuration's owner.
 */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** 10 failed logins from one address within 5 minutes: refused for 15 minutes. */
export const LOGIN_FAILURE_POLICY: LockoutPolicy = { limit: 10, windowMs: 5 * 60_000, banMs: 15 * 60_000 };

/**
 * An address an account signed in from is trusted for that account this long: the account's
 * lock does not apply there, so an attacker elsewhere cannot keep the agent out (OWASP's
 * "device cookie" idea, keyed by address because the pane's storage is partitioned per site).
 */
export const TRUSTED_ADDRESS_MS = 30 * 24 * 60 * 60_000;
/**
 * Addresses trusted per account; the account's oldest goes first. Per account, so nobody can push
 * another account's trust out (only a sign-in with its password adds to it), and memory is bounded
 * by the number of extensions.
 */
const MAX_TRUSTED_ADDRESSES_PER_ACCOUNT = 10;

/** 5 failed logins to one account within 15 minutes, from anywhere: its password sign-in is locked for 15 minutes. */
export const ACCOUNT_LOCKOUT_POLICY: LockoutPolicy = { limit: 5, windowMs: 15 * 60_000, banMs: 15 * 60_000 };

/** What the pane may know about the logged-in agent (never hashes or SIP secrets): the contract's. */
export type { SessionUser } from '../../contract/session.ts';

export interface Session {
  /** SHA-256 of the token: names the session in logs and to listeners without revealing it. */
  id: string;
  user: SessionUser;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Why a login failed; the API answers the first two alike, and the last two alike. */
export type LoginFailureReason = 'unknown-login' | 'wrong-password' | 'address-limited' | 'account-locked';

/** A new session: its refresh token (the long-lived secret) and a first access token. */
export interface SignedIn {
  refreshToken: string;
  access: AccessToken;
  session: Session;
}

export type LoginOutcome =
  | ({ ok: true } & SignedIn)
  | { ok: false; reason: 'unknown-login' | 'wrong-password' }
  /** `retryAfterMs`: until the address's or the account's lock ends. */
  | { ok: false; reason: 'address-limited' | 'account-locked'; retryAfterMs: number };

export interface SessionServiceOptions {
  sessions: SessionRepository;
  extensions: ExtensionRepository;
  now?: () => number;
  lifetimeMs?: number;
  /** Of access tokens (access-tokens.ts). */
  accessTokenLifetimeMs?: number;
  /** Per client address. */
  loginFailurePolicy?: LockoutPolicy;
  /** Per account, whatever the address. */
  accountLockoutPolicy?: LockoutPolicy;
}

export type SessionEndedListener = (sessionId: string) => void;

function userOf(extension: Extension): SessionUser {
  return { number: extension.number, displayName: extension.displayName, email: extension.email };
}

export class SessionService {
  readonly #sessions: SessionRepository;
  readonly #extensions: ExtensionRepository;
  readonly #now: () => number;
  readonly #lifetimeMs: number;
  readonly #addressFailures: FailureLockout;
  readonly #accountFailures: FailureLockout;
  readonly #accessTokens: AccessTokens;
  /** account → (address → until when it is trusted); in memory, so a restart forgets them. */
  readonly #trustedAddresses = new Map<string, Map<string, number>>();
  readonly #endedListeners = new Set<SessionEndedListener>();
  /** Made at once, so that the first unknown login does not take longer than the rest. */
  readonly #dummyHash: Promise<string>;

  constructor(options: SessionServiceOptions) {
    this.#sessions = options.sessions;
    this.#extensions = options.extensions;
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs ?? SESSION_LIFETIME_MS;
    this.#addressFailures = new FailureLockout(options.loginFailurePolicy ?? LOGIN_FAILURE_POLICY, this.#now);
    this.#accountFailures = new FailureLockout(options.accountLockoutPolicy ?? ACCOUNT_LOCKOUT_POLICY, this.#now);
    this.#accessTokens = new AccessTokens(this.#now, options.accessTokenLifetimeMs);
    this.#dummyHash = hashPassword(newSessionToken());
  }

  /** How long a new session lasts (the refresh cookie's Max-Age). */
  get lifetimeMs(): number {
    return this.#lifetimeMs;
  }

  /** `clientAddress` is the client's address, for the failure limit (counted by clientKey). */
  async login(login: string, password: string, clientAddress: string): Promise<LoginOutcome> {
    const address = clientKey(clientAddress);
    const addressLock = this.#addressFailures.lockedUntil(address);
    if (addressLock !== undefined) return this.#locked('address-limited', addressLock);
    const typed = login.trim();
    const extension = this.#find(typed);
    // One counter per extension, whichever of its logins was typed; unknown logins get theirs too.
    const account = extension ? `extension:${extension.number}` : `unknown:${typed.toLowerCase()}`;
    const accountLock = this.#accountFailures.lockedUntil(account);
    if (accountLock !== undefined && !this.#trusted(account, address)) return this.#locked('account-locked', accountLock);
    // Unknown login, or an extension without a password (single sign-on only): the same scrypt
    // work as a real check, against a hash nobody's password matches, so timing tells neither apart.
    const withPassword = extension !== undefined && hasPassword(extension);
    const matches = (await verifyPassword(password, withPassword ? extension.passwordHash : await this.#dummyHash)) && withPassword;
    if (!extension || !matches) {
      const addressLocked = this.#addressFailures.recordFailure(address);
      const accountLocked = this.#accountFailures.recordFailure(account);
      if (addressLocked !== undefined) return this.#locked('address-limited', addressLocked);
      if (accountLocked !== undefined && !this.#trusted(account, address)) return this.#locked('account-locked', accountLocked);
      return { ok: false, reason: extension ? 'wrong-password' : 'unknown-login' };
    }
    // Only the account's count is cleared: a success must not let one address, signing in to an
    // account of its own between guesses, reset its count for guessing at others.
    this.#accountFailures.recordSuccess(account);
    this.#trust(account, address);
    return { ok: true, ...this.startFor(extension) };
  }

  /**
   * A session for an extension whose identity was proven another way (an identity provider's
   * verified e-mail): the same kind of session as a password login, so authentication, logout
   * and revocation treat both alike.
   */
  startFor(extension: Extension): SignedIn {
    const now = this.#now();
    this.#sessions.removeExpired(now);
    const refreshToken = newSessionToken();
    const session: Session = { id: hashSessionToken(refreshToken), user: userOf(extension), expiresAt: now + this.#lifetimeMs };
    this.#sessions.create({ tokenHash: session.id, extension: extension.number, createdAt: now, expiresAt: session.expiresAt });
    return { refreshToken, access: this.accessFor(session), session };
  }

  /**
   * A new access token for a live session, found by its refresh token (sessionOfRefreshToken).
   * The refresh token is not rotated: the panes of several tabs share one (the cookie) and
   * refresh independently, and rotation would have them invalidate each other. The session's end
   * does not move, so a stolen refresh token is worth no more than the session it came from.
   */
  accessFor(session: Session): AccessToken {
    return this.#accessTokens.issue(session.id, session.expiresAt);
  }

  /** The live session an access token belongs to, or undefined when it is malformed, unknown, expired, or its session ended. */
  authenticate(accessToken: string): Session | undefined {
    if (!isWellFormedToken(accessToken)) return undefined;
    const sessionId = this.#accessTokens.sessionOf(accessToken);
    return sessionId === undefined ? undefined : this.#live(sessionId);
  }

  /** The live session of a refresh token (to refresh it, or to end it from the pane's cookie). */
  sessionOfRefreshToken(refreshToken: string): Session | undefined {
    return isWellFormedToken(refreshToken) ? this.#live(hashSessionToken(refreshToken)) : undefined;
  }

  /** True while the session exists and has not expired (the event channel re-checks its sockets with it). */
  isActive(sessionId: string): boolean {
    return this.#sessions.findValid(sessionId, this.#now()) !== undefined;
  }

  /** Ends the session; true when there was one. Listeners hear of it (the event channel closes its sockets). */
  logout(session: Session): boolean {
    const removed = this.#sessions.remove(session.id);
    this.#accessTokens.revokeSession(session.id);
    for (const listener of [...this.#endedListeners]) listener(session.id);
    return removed;
  }

  onSessionEnded(listener: SessionEndedListener): () => void {
    this.#endedListeners.add(listener);
    return () => {
      this.#endedListeners.delete(listener);
    };
  }

  /** Looked up on every use, so a session ended anywhere (the CLI is another process) ends here too. */
  #live(sessionId: string): Session | undefined {
    const stored = this.#sessions.findValid(sessionId, this.#now());
    if (!stored) return undefined;
    const extension = this.#extensions.get(stored.extension);
    return extension && { id: stored.tokenHash, user: userOf(extension), expiresAt: stored.expiresAt };
  }

  #trusted(account: string, address: string): boolean {
    const until = this.#trustedAddresses.get(account)?.get(address);
    return until !== undefined && until > this.#now();
  }

  #trust(account: string, address: string): void {
    const addresses = this.#trustedAddresses.get(account) ?? new Map<string, number>();
    // Re-inserted, so the map's order stays oldest first.
    addresses.delete(address);
    while (addresses.size >= MAX_TRUSTED_ADDRESSES_PER_ACCOUNT) addresses.delete(addresses.keys().next().value as string);
    addresses.set(address, this.#now() + TRUSTED_ADDRESS_MS);
    this.#trustedAddresses.set(account, addresses);
  }

  #locked(reason: 'address-limited' | 'account-locked', until: number): LoginOutcome {
    return { ok: false, reason, retryAfterMs: Math.max(0, until - this.#now()) };
  }

  #find(login: string): Extension | undefined {
    if (login.includes('@')) return this.#extensions.getByEmail(login);
    return isExtensionNumber(login) ? this.#extensions.get(login) : undefined;
  }
}
