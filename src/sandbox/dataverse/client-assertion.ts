/**
 * The sandbox's check of a certificate client assertion, as Entra ID checks one
 * (https://learn.microsoft.com/entra/identity-platform/certificate-credentials; RFC 7523 §3):
 * `client_assertion_type` is urn:ietf:params:oauth:client-assertion-type:jwt-bearer; the JWT's
 * header names the registered certificate by `x5t#S256` (or the older SHA-1 `x5t`) and is signed
 * PS256 or RS256 by its key; `iss` and `sub` are the client id, `aud` the token URL the request
 * came to, `nbf`/`exp` hold now (five minutes' leeway for clocks), and a `jti` is present. Refusals are Entra's invalid_client (401) with its AADSTS codes.
 */
import { constants, createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { EntraError } from './entra-error.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CLOCK_LEEWAY_SECONDS = 300;

export interface RegisteredCertificate {
  publicKey: KeyObject;
  /** base64url SHA-256 and SHA-1 thumbprints of the certificate's DER. */
  x5tS256: string;
  x5t: string;
}

export function registerCertificate(pem: string): RegisteredCertificate {
  const certificate = new X509Certificate(pem);
  return {
    publicKey: certificate.publicKey,
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
  };
}

const invalid = (aadsts: number, message: string) => new EntraError('invalid_client', aadsts, message);

export interface AssertionCheck {
  assertionType: string | undefined;
  assertion: string;
  clientId: string;
  certificate: RegisteredCertificate | undefined;
  /** The token URL the request came to: what `aud` must say. */
  audience: string;
  nowSeconds: number;
}

export function checkClientAssertion(check: AssertionCheck): void {
  if (check.assertionType !== JWT_BEARER_ASSERTION) {
    throw new EntraError('invalid_request', 70002, `The client_assertion_type must be '${JWT_BEARER_ASSERTION}'.`);
  }
  const parts = check.assertion.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) {
    throw invalid(50027, 'JWT token is invalid or malformed.');
  }
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  const { certificate } = check;
  const named = header['x5t#S256'] ?? header.x5t;
  const matches = certificate !== undefined && (header['x5t#S256'] === certificate.x5tS256 || header.x5t === certificate.x5t);
  if (!matches) {
    throw invalid(
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(named)}']`,
    );
  }
  const padding = header.alg === 'PS256' ? constants.RSA_PKCS1_PSS_PADDING : header.alg === 'RS256' ? constants.RSA_PKCS1_PADDING : undefined;
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  if (padding === undefined || !verify('sha256', signed, { key: certificate.publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)) {
    throw invalid(700027, 'Client assertion failed signature validation.');
  }
  if (claims.iss !== check.clientId || claims.sub !== check.clientId) {
    throw invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
  }
  if (typeof claims.aud !== 'string' || claims.aud.toLowerCase() !== check.audience.toLowerCase()) {
    throw invalid(
      700023,
      `Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.`,
    );
  }
  const { exp, nbf } = claims;
  if (typeof exp !== 'number' || exp + CLOCK_LEEWAY_SECONDS <= check.nowSeconds || (typeof nbf === 'number' && nbf - CLOCK_LEEWAY_SECONDS > check.nowSeconds)) {
    throw invalid(700024, 'Client assertion is not within its valid time range.');
  }
  if (typeof claims.jti !== 'string' || claims.jti === '') throw invalid(50027, 'JWT token is invalid or malformed.');
}

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below as Entra reports it.
  }
  throw invalid(50027, 'JWT token is invalid or malformed.');
}
