/** The session answers of /api/session and /api/sso: what the pane may know of the signed-in agent. */

/** The signed-in agent (never hashes or SIP secrets). */
export interface SessionUser {
  number: string;
  displayName: string;
  email: string | null;
}

/** GET /api/session: the session as the pane sees it; times in epoch milliseconds. */
export interface SessionView {
  expiresAt: number;
  extension: SessionUser;
}

/** A sign-in or a refresh as answered: the access token, when it expires (epoch ms), and the session. */
export type AccessAnswer = SessionView & { token: string; tokenExpiresAt: number };
