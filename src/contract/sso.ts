/** GET /api/sso/providers: the identity providers the pane offers, one sign-in button each. */

export const SSO_PROVIDER_KINDS = ['entra', 'google', 'oidc'] as const;
export type SsoProviderKind = (typeof SSO_PROVIDER_KINDS)[number];

export interface SsoButton {
  id: string;
  kind: SsoProviderKind;
  label: string;
}
