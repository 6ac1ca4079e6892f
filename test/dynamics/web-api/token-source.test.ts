import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { WebApiErrorCode } from '../../../src/dynamics/dynamics-errors.ts';
import { loadCertificateCredential } from '../../../src/dynamics/web-api/certificate-credential.ts';
import { createClientCredentialsTokenSource, type TokenCredential } from '../../../src/dynamics/web-api/token-source.ts';
import { WebApiError } from '../../../src/dynamics/web-api/web-api-error.ts';
import { appCertificate, type AppCertificate } from '../app-certificate.ts';
import { APP, startSandboxOrg, type SandboxOrg } from './sandbox-org.ts';

let org: SandboxOrg;
let certificate: AppCertificate;
before(async () => {
  certificate = appCertificate();
  org = await startSandboxOrg({ certificate: certificate.cert, tokenLifetimeSeconds: 600 });
});
after(() => org.close());

function source(credential: TokenCredential = { kind: 'secret', clientSecret: APP.clientSecret }, now = Date.now, tokenUrl = org.tokenUrl) {
  return createClientCredentialsTokenSource({ tokenUrl, clientId: APP.clientId, credential, resource: org.origin, now, timeoutSeconds: 5 });
}

async function whoAmIStatus(token: string): Promise<number> {
  const response = await fetch(`${org.origin}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  await response.body?.cancel();
  return response.status;
}

describe('the client credentials token source', () => {
  test('gets a token the org accepts, for the scope {org}/.default, and keeps it', async () => {
    const tokens = source();
    const before = org.tokenRequests.length;
    const first = await tokens.token();
    assert.equal(await tokens.token(), first);
    assert.equal(org.tokenRequests.length - before, 1);
    assert.equal(await whoAmIStatus(first), 200);
  });

  test('asks once however many requests want a token at the same time', async () => {
    const tokens = source();
    const before = org.tokenRequests.length;
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.token()));
    assert.equal(new Set(all).size, 1);
    assert.equal(org.tokenRequests.length - before, 1);
  });

  test('renews the token once less than five minutes (or half its lifetime) is left, not before', async () => {
    let now = Date.UTC(2026, 11, 7, 8, 0, 0);
    const tokens = source(undefined, () => now);
    const before = org.tokenRequests.length;
    const first = await tokens.token();
    now += 299_000; // 600 s tokens: renewed from 300 s before expiry
    assert.equal(await tokens.token(), first);
    now += 1_000;
    const renewed = await tokens.token();
    assert.notEqual(renewed, first);
    assert.equal(org.tokenRequests.length - before, 2);
  });

  test('a token the org refused is dropped, and only that one', async () => {
    const tokens = source();
    const first = await tokens.token();
    tokens.invalidate('some-older-token');
    assert.equal(await tokens.token(), first);
    tokens.invalidate(first);
    assert.notEqual(await tokens.token(), first);
  });

  test("a wrong secret is refused for good, with Entra's error and never the secret in the message", async () => {
    const error = await source({ kind: 'secret', clientSecret: 'not-the-secret' })
      .token()
      .then(
        () => assert.fail('expected a refusal'),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof WebApiError);
    assert.equal(error.code, WebApiErrorCode.TOKEN_REFUSED);
    assert.equal(error.retryable, false);
    assert.equal(error.status, 401);
    assert.equal(error.dataverseCode, 'invalid_client');
    assert.match(error.message, /AADSTS7000215: Invalid client secret provided/);
    assert.doesNotMatch(error.message, /not-the-secret|Trace ID/);
  });

  test('a token endpoint that cannot be reached is worth trying again later', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await source(undefined, Date.now, `http://127.0.0.1:${closedPort}/tenant/oauth2/v2.0/token`)
      .token()
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof WebApiError);
    assert.equal(error.code, WebApiErrorCode.TOKEN_UNAVAILABLE);
    assert.equal(error.retryable, true);
    assert.equal(error.status, 0);
  });

  test('a token answered without expires_in (RFC 6749 §5.1 allows it) is still kept a while', async () => {
    let issued = 0;
    const endpoint = createHttpServer((_request, response) => {
      issued++;
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token_type: 'Bearer', access_token: `token-${issued}` }));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = endpoint.address() as { port: number };
      let now = Date.UTC(2026, 11, 7, 8, 0, 0);
      const tokens = source(undefined, () => now, `http://127.0.0.1:${port}/tenant/oauth2/v2.0/token`);
      assert.equal(await tokens.token(), 'token-1');
      now += 60_000;
      assert.equal(await tokens.token(), 'token-1');
      assert.equal(issued, 1);
    } finally {
      endpoint.close();
    }
  });

  test('a caller that gives up stops waiting, and the others still get the token', async () => {
    const tokens = source();
    const controller = new AbortController();
    const abandoned = tokens.token(controller.signal);
    const kept = tokens.token();
    controller.abort(new Error('shutting down'));
    await assert.rejects(abandoned, /shutting down/);
    assert.equal(await whoAmIStatus(await kept), 200);
  });
});

describe('a certificate as the credential', () => {
  test("signs an assertion Entra's rules accept: the org takes the token", async () => {
    const tokens = source({ kind: 'certificate', certificate: await loadCertificateCredential(certificate.cert, certificate.key) });
    assert.equal(await whoAmIStatus(await tokens.token()), 200);
  });

  test('names the certificate by its SHA-256 thumbprint, PS256, with the token URL as audience and a GUID jti', async () => {
    const credential = await loadCertificateCredential(certificate.cert, certificate.key);
    const header: Record<string, unknown> = { alg: 'PS256' };
    const payload: Record<string, unknown> = { aud: 'https://issuer.example', jti: 'x' };
    credential.completeAssertion(header, payload, org.tokenUrl);
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'typ', 'x5t#S256']);
    assert.equal(header.typ, 'JWT');
    assert.match(String(header['x5t#S256']), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(payload.aud, org.tokenUrl);
    assert.match(String(payload.jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(credential.privateKey.algorithm.name, 'RSA-PSS');
  });

  test('a certificate the app did not register is refused as Entra refuses it (AADSTS700027)', async () => {
    const other = appCertificate();
    const error = await source({ kind: 'certificate', certificate: await loadCertificateCredential(other.cert, other.key) })
      .token()
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof WebApiError);
    assert.equal(error.code, WebApiErrorCode.TOKEN_REFUSED);
    assert.match(error.message, /AADSTS700027: The certificate with identifier used to sign the client assertion is not registered/);
  });
});
