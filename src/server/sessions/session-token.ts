/**
 * Session tokens: 32 random bytes as base64url (256 bits, beyond guessing), kept server-side
 * only as their SHA-256. A fast hash is right here, unlike for passwords: the token is random,
 * so there is no dictionary to try, and every API request looks one up.
 */
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** base64url without padding of 32 bytes is 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** False for anything that cannot be one of our tokens: no database lookup for garbage. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
