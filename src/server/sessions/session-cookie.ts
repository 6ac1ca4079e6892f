/**
 * The pane's session cookie: it holds the session's refresh token, and is read only by
 * /api/session/refresh and the logout (Path=/api/session, so no other request even carries it);
 * every other request presents an access token in memory. The pane is a cross-site iframe inside Dynamics 365, so its cookies
 * are third-party; when the browser blocks those, only a Partitioned cookie (CHIPS, keyed to the
 * top-level site) is still stored and sent (docs/cif-contract.md §7). CHIPS requires `Secure` and
 * `SameSite=None`; browsers treat http://localhost as secure, so the local demo works too.
 * https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Privacy_sandbox/Partitioned_cookies
 *
 * `SameSite=None` means the browser attaches the cookie to requests other sites make, so a
 * cookie alone never counts: the request must also carry `X-Callpane-Client: pane` (a custom
 * header, which no cross-site form or simple request can send without a CORS preflight, and we
 * answer none).
 */
import { PANE_CLIENT_HEADER as PANE_CLIENT_HEADER_NAME, PANE_CLIENT_VALUE } from '../../contract/pane-client.ts';

export const SESSION_COOKIE = 'callpane_session';

/** The header a cookie-authenticated request must carry (as Node keys request.headers: lower case), and its one value. */
export const PANE_CLIENT_HEADER = PANE_CLIENT_HEADER_NAME.toLowerCase();
export { PANE_CLIENT_VALUE };

/** A browser sends at most a few cookies of one name (partitioned and not); more is noise. */
const MAX_COOKIE_CANDIDATES = 4;

const ATTRIBUTES = 'Path=/api/session; HttpOnly; Secure; SameSite=None; Partitioned';

/** `Set-Cookie` for a new session's refresh token, lasting `maxAgeSeconds`. */
export function sessionCookie(refreshToken: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${refreshToken}; ${ATTRIBUTES}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

/**
 * `Set-Cookie` that removes the session cookie. A partitioned cookie is replaced only by one
 * with the same attributes (Partitioned included), so the removal repeats them.
 */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** True when the request says it comes from the pane's own script. */
export function isPaneClient(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && header.trim().toLowerCase() === PANE_CLIENT_VALUE;
}

/**
 * The values of every `callpane_session` cookie in a Cookie header (RFC 6265 §5.4 allows the
 * same name twice, e.g. a partitioned and an unpartitioned one), first ones first.
 */
export function sessionCookieTokens(header: string | undefined): string[] {
  if (header === undefined) return [];
  const tokens: string[] = [];
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(separator + 1).trim();
    if (value !== '') tokens.push(value);
    if (tokens.length === MAX_COOKIE_CANDIDATES) break;
  }
  return tokens;
}
