/**
 * Bearer tokens on API requests (RFC 6750 §2.1): `Authorization: Bearer <token>`.
 */

/** The auth-scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +(\S+) *$/i;

export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}
