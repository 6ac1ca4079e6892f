/**
 * A session for an extension whose identity an identity provider vouched for: the same kind of
 * session (token, hash, lifetime, repository) as SessionService.login makes after a password, so
 * SessionService.authenticate, logout and revocation treat both alike.
 * (SessionService has no entry point that skips the password; a `startFor(extension)` there
 * would let this file go.)
 */
import type { Extension } from '../../store/extension-repository.ts';
import type { SessionRepository } from '../../store/session-repository.ts';
import type { Session } from '../sessions/session-service.ts';
import { hashSessionToken, newSessionToken } from '../sessions/session-token.ts';

export function startSession(store: SessionRepository, extension: Extension, lifetimeMs: number, now: number): { token: string; session: Session } {
  store.removeExpired(now);
  const token = newSessionToken();
  const session: Session = {
    id: hashSessionToken(token),
    user: { number: extension.number, displayName: extension.displayName, email: extension.email },
    expiresAt: now + lifetimeMs,
  };
  store.create({ tokenHash: session.id, extension: extension.number, createdAt: now, expiresAt: session.expiresAt });
  return { token, session };
}
