import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { fastify, type FastifyInstance } from 'fastify';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { JWT_BEARER_ASSERTION } from '../../../src/sandbox/dataverse/client-assertion.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/token-issuer.ts';
import { appCertificate, type AppCertificate } from '../../dynamics/app-certificate.ts';
import { fixtureDataverse } from './dataverse-fixture.ts';

const ORIGIN = 'http://localhost:80';
/** As a URL origin, the default port is not written. */
const TOKEN_URL = `http://localhost/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`;
const CLIENT_ID = '0a9c0000-0000-4000-8000-00000000ce57';

let app: FastifyInstance;
let dataverse: Dataverse;
let certificate: AppCertificate;
let other: AppCertificate;
let nowSeconds: number;

before(async () => {
  certificate = appCertificate();
  other = appCertificate();
  dataverse = fixtureDataverse();
  nowSeconds = Math.floor(dataverse.now().getTime() / 1000);
  app = fastify();
  registerDataverseRoutes(app, dataverse, { oauth: { clients: [{ clientId: CLIENT_ID, certificate: certificate.cert }] } });
  await app.ready();
});
after(async () => {
  await app.close();
  dataverse.close();
});

interface AssertionParts {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  signer?: AppCertificate;
  padding?: 'pss' | 'pkcs1';
}

/** An assertion as https://learn.microsoft.com/entra/identity-platform/certificate-credentials shows it, with `parts` changed. */
function assertion({ header = {}, claims = {}, signer = certificate, padding = 'pss' }: AssertionParts = {}): string {
  const raw = new X509Certificate(certificate.cert).raw;
  const fullHeader = { alg: padding === 'pss' ? 'PS256' : 'RS256', typ: 'JWT', 'x5t#S256': createHash('sha256').update(raw).digest('base64url'), ...header };
  const fullClaims = { aud: TOKEN_URL, iss: CLIENT_ID, sub: CLIENT_ID, jti: randomUUID(), nbf: nowSeconds, iat: nowSeconds, exp: nowSeconds + 600, ...claims };
  const input = `${Buffer.from(JSON.stringify(fullHeader)).toString('base64url')}.${Buffer.from(JSON.stringify(fullClaims)).toString('base64url')}`;
  const key = createPrivateKey(signer.key);
  const signature = sign('sha256', Buffer.from(input), padding === 'pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : key);
  return `${input}.${signature.toString('base64url')}`;
}

function tokenRequest(fields: Record<string, string>) {
  const form = { grant_type: 'client_credentials', client_id: CLIENT_ID, scope: `${ORIGIN}/.default`, client_assertion_type: JWT_BEARER_ASSERTION, ...fields };
  return app.inject({
    method: 'POST',
    url: `/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });
}

function refusal(response: { statusCode: number; json(): unknown }): [number, string, number] {
  const body = response.json() as { error: string; error_codes: number[] };
  return [response.statusCode, body.error, body.error_codes[0] ?? 0];
}

describe('the token endpoint with a certificate client assertion', () => {
  test('grants a token for an assertion signed PS256, or RS256, by the registered certificate, named by x5t#S256 or x5t', async () => {
    const sha1 = createHash('sha1').update(new X509Certificate(certificate.cert).raw).digest('base64url');
    for (const client_assertion of [assertion(), assertion({ padding: 'pkcs1' }), assertion({ header: { 'x5t#S256': undefined, x5t: sha1 } })]) {
      const response = await tokenRequest({ client_assertion });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().token_type, 'Bearer');
    }
  });

  test('refuses another certificate, a bad signature, a wrong issuer, audience or time, as Entra ID does', async () => {
    const signedByOther = assertion({ signer: other });
    const cases: [Record<string, string>, [number, string, number]][] = [
      [{ client_assertion: signedByOther }, [401, 'invalid_client', 700027]],
      [{ client_assertion: assertion({ header: { 'x5t#S256': 'AAAA' } }) }, [401, 'invalid_client', 700027]],
      [{ client_assertion: assertion({ claims: { iss: 'someone-else' } }) }, [401, 'invalid_client', 700021]],
      [{ client_assertion: assertion({ claims: { aud: `${ORIGIN}/oauth2/v2.0/token` } }) }, [401, 'invalid_client', 700023]],
      [{ client_assertion: assertion({ claims: { exp: nowSeconds - 301 } }) }, [401, 'invalid_client', 700024]],
      [{ client_assertion: assertion({ claims: { nbf: nowSeconds + 301 } }) }, [401, 'invalid_client', 700024]],
      [{ client_assertion: 'not.a.jwt' }, [401, 'invalid_client', 50027]],
      [{ client_assertion: assertion(), client_assertion_type: 'urn:other' }, [400, 'invalid_request', 70002]],
      [{ client_assertion: assertion(), client_secret: 'both' }, [400, 'invalid_request', 9002313]],
    ];
    for (const [fields, expected] of cases) assert.deepEqual(refusal(await tokenRequest(fields)), expected, JSON.stringify(fields).slice(0, 80));
  });

  test('an app registered with a certificate only has no secret to guess', async () => {
    const response = await tokenRequest({ client_secret: 'anything', client_assertion_type: '' });
    assert.deepEqual(refusal(response), [401, 'invalid_client', 7000215]);
  });
});
