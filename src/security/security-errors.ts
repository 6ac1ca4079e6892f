/**
 * Every code the security layer's own errors carry, in one place (the model is Fastify's
 * lib/errors.js). Callers branch on these, never on the message text.
 */

/** Why a pane credential could not be issued (PaneCredentialError, pane-credentials.ts). */
export const PaneCredentialErrorCode = {
  UNREADABLE_SECRET: 'PANE_CREDENTIAL_SECRET_UNREADABLE',
  INVALID_SESSION: 'PANE_CREDENTIAL_INVALID_SESSION',
} as const;
export type PaneCredentialErrorCode = (typeof PaneCredentialErrorCode)[keyof typeof PaneCredentialErrorCode];
