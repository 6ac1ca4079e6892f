/**
 * A certificate as the app's credential: the client assertion Entra ID takes instead of a secret
 * (RFC 7523 §2.2, `private_key_jwt`), in the form
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials describes:
 * header `alg: PS256`, `typ: JWT` and `x5t#S256` (the base64url SHA-256 thumbprint of the
 * certificate's DER, which tells Entra which of the app's registered certificates to verify
 * with); claims `aud` = the token URL, `iss` = `sub` = the client id, `jti` a GUID, `nbf`, `iat`
 * and a short `exp`. openid-client signs it; `completeAssertion` adds what Entra wants beyond
 * what openid-client puts in (its `aud` is the issuer, its `jti` not a GUID).
 */
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';

export interface CertificateCredential {
  /** The RSA key, for RSA-PSS with SHA-256 (PS256). */
  privateKey: CryptoKey;
  /** base64url(SHA-256(DER of the certificate)). */
  thumbprintSha256: string;
  /** Sets the header and claims openid-client's assertion lacks; `tokenUrl` is the audience. */
  completeAssertion(header: Record<string, unknown>, payload: Record<string, unknown>, tokenUrl: string): void;
}

/** From the PEM texts of the certificate and its private key (checked to match when the configuration loaded). */
export async function loadCertificateCredential(certPem: string, keyPem: string): Promise<CertificateCredential> {
  const certificate = new X509Certificate(certPem);
  const thumbprintSha256 = createHash('sha256').update(certificate.raw).digest('base64url');
  const pkcs8 = createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' });
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  return {
    privateKey,
    thumbprintSha256,
    completeAssertion(header, payload, tokenUrl) {
      header.typ = 'JWT';
      header['x5t#S256'] = thumbprintSha256;
      payload.aud = tokenUrl;
      payload.jti = randomUUID();
    },
  };
}
