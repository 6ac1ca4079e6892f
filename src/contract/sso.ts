/** GET /api/sso/providers: the identity providers the pane offers, one sign-in button each. */

export const SSO_PROVIDER_KINDS = ['entra', 'google', 'oidc'] as const;
export type SsoProviderKind = (typeof SSO_PROVIDER_KINDS)[number];

export interface SsoButton {
  id: string;
  kind: SsoProviderKind;
  label: string;
}

/**
 * Why a sign-in through an identity provider ended without a session. The code travels to the
 * pane with the result page's message and into the audit line; the values do not change.
 */
export const SsoErrorCode = {
  /** `?provider=` names no configured provider. */
  UNKNOWN_PROVIDER: 'SSO_UNKNOWN_PROVIDER',
  /** /dyncrm/sso/start without the pane's handoff: not opened by the pane. */
  HANDOFF_INVALID: 'SSO_HANDOFF_INVALID',
  /** One address started more sign-ins than START_POLICY allows (sso-routes.ts). */
  TOO_MANY_STARTS: 'SSO_TOO_MANY_STARTS',
  /** The identity provider could not be reached or its discovery document is unusable. */
  PROVIDER_UNAVAILABLE: 'SSO_PROVIDER_UNAVAILABLE',
  /** The answer names no sign-in this browser started, or one that has expired or was used. */
  STATE_MISMATCH: 'SSO_STATE_MISMATCH',
  /** The identity provider answered with an error (the user cancelled, consent refused, …). */
  PROVIDER_ERROR: 'SSO_PROVIDER_ERROR',
  /** The code or the ID token failed a check: signature, issuer, audience, expiry, nonce, PKCE, replay. */
  TOKEN_REJECTED: 'SSO_TOKEN_REJECTED',
  /** A valid identity from a tenant (Entra) or hosted domain (Google) that may not sign in. */
  ORGANIZATION_NOT_ALLOWED: 'SSO_ORGANIZATION_NOT_ALLOWED',
  /** The ID token carries no (verified) e-mail address in the configured claim. */
  EMAIL_MISSING: 'SSO_EMAIL_MISSING',
  /** A valid identity whose e-mail address no extension has. */
  NO_EXTENSION: 'SSO_NO_EXTENSION',
} as const;
export type SsoErrorCode = (typeof SsoErrorCode)[keyof typeof SsoErrorCode];
