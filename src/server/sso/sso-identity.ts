/**
 * From a verified ID token's claims to the e-mail address that names the extension, after the
 * organisation checks the presets need: Entra's `tid` must be the configured tenant (the issuer
 * already names it; `tid` is checked as Microsoft advises), Google's `hd` the configured
 * Workspace domain (a consumer account has none).
 * https://learn.microsoft.com/en-us/entra/identity-platform/claims-validation
 * https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
 */
import type { SsoProvider } from '../../config/sso-providers.ts';
import { SsoErrorCode } from '../../contract/sso.ts';
import { SsoError } from './sso-errors.ts';

/** RFC 5321's 254 characters, one @, no spaces: enough to look up, never to trust. */
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

export function emailOf(provider: SsoProvider, claims: Readonly<Record<string, unknown>>): string {
  if (provider.kind === 'entra' && String(claims.tid ?? '').toLowerCase() !== provider.tenantId) {
    throw new SsoError(SsoErrorCode.ORGANIZATION_NOT_ALLOWED, `This account belongs to another Microsoft Entra tenant than the one allowed to sign in here.`);
  }
  if (provider.kind === 'google' && String(claims.hd ?? '').toLowerCase() !== provider.hostedDomain) {
    throw new SsoError(SsoErrorCode.ORGANIZATION_NOT_ALLOWED, `Only accounts of the Google Workspace domain ${provider.hostedDomain} may sign in here.`);
  }
  const email = claims[provider.emailClaim];
  if (typeof email !== 'string' || !EMAIL.test(email.trim())) {
    throw new SsoError(SsoErrorCode.EMAIL_MISSING, `The identity provider did not send an e-mail address (claim "${provider.emailClaim}").`);
  }
  // Google (and most issuers) say whether they checked the address; an unchecked one names nobody.
  // Entra sends no email_verified: there the tenant check above vouches for the address, and the
  // optional claim xms_edov, when configured, says whether the address's domain is verified
  // (false e.g. for a guest whose address nobody proved: the "nOAuth" misuse of email).
  // https://learn.microsoft.com/en-us/entra/identity-platform/optional-claims-reference
  const unverifiedAtEntra = provider.kind === 'entra' && provider.emailClaim === 'email' && claims.xms_edov === false;
  if (claims.email_verified === false || unverifiedAtEntra || (provider.kind === 'google' && claims.email_verified !== true)) {
    throw new SsoError(SsoErrorCode.EMAIL_MISSING, `The identity provider has not verified the e-mail address ${email.trim()}.`);
  }
  return email.trim();
}
