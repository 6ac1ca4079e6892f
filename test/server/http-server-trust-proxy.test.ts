import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpServer, type HttpServer } from '../../src/server/http-server.ts';
import { createLogger } from '../../src/server/logger.ts';
import { createMetrics } from '../../src/server/metrics.ts';
import { trustedProxies } from '../../src/security/trusted-proxies.ts';
import { forwardedClient } from '../../src/sip/transport/forwarded-for.ts';

const logger = createLogger({ level: 'silent', pretty: false });
const servers: HttpServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

/** A server on 127.0.0.1 with a route answering the address it believes the client has. */
async function serverTrusting(trustProxy: false | readonly string[] | undefined): Promise<string> {
  const server = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics(), trustProxy });
  server.app.get('/whoami', async (request) => ({ ip: request.ip }));
  servers.push(server);
  return server.listen();
}

async function ipSeenBy(url: string, forwardedFor?: string): Promise<string> {
  const response = await fetch(`${url}/whoami`, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}, signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200);
  return ((await response.json()) as { ip: string }).ip;
}

describe('request.ip behind a reverse proxy', () => {
  test('is the X-Forwarded-For client when the direct peer is a trusted proxy', async () => {
    const url = await serverTrusting(['127.0.0.1']);
    assert.equal(await ipSeenBy(url, '203.0.113.7'), '203.0.113.7');
  });

  test('is the trusted proxy itself when it forwards nothing', async () => {
    const url = await serverTrusting(['127.0.0.0/8']);
    assert.equal(await ipSeenBy(url), '127.0.0.1');
  });

  test('ignores entries a client wrote before the one the trusted proxy appended', async () => {
    const url = await serverTrusting(['127.0.0.1']);
    assert.equal(await ipSeenBy(url, '198.51.100.1, 203.0.113.7'), '203.0.113.7');
  });

  test('skips every listed proxy of a chain and stops at the first address that is not one', async () => {
    const url = await serverTrusting(['127.0.0.1', '10.0.0.0/8']);
    assert.equal(await ipSeenBy(url, '198.51.100.1, 203.0.113.7, 10.1.2.3'), '203.0.113.7');
  });

  test('is the direct peer when the peer is not a listed proxy', async () => {
    const url = await serverTrusting(['192.0.2.1']);
    assert.equal(await ipSeenBy(url, '203.0.113.7'), '127.0.0.1');
  });

  test('is the direct peer when no proxy is trusted', async () => {
    for (const trustProxy of [undefined, false] as const) {
      const url = await serverTrusting(trustProxy);
      assert.equal(await ipSeenBy(url, '203.0.113.7'), '127.0.0.1');
    }
  });
});

describe('the web API and SIP over WebSocket behind a reverse proxy', () => {
  test('pick the same client for the same X-Forwarded-For and http.trustProxy', async () => {
    const list = ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'];
    const server = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics(), trustProxy: list });
    // The very request Fastify read request.ip from goes to what the WebSocket transport reads an upgrade with.
    const sipTrusts = trustedProxies(list);
    server.app.get('/both', async (request) => ({ web: request.ip, sip: forwardedClient(request.raw, sipTrusts) }));
    servers.push(server);
    const url = await server.listen();
    const headers = [
      undefined,
      '203.0.113.7',
      '198.51.100.1, 203.0.113.7',
      '198.51.100.1, 203.0.113.7, 10.1.2.3',
      '10.9.9.9, 10.1.2.3',
      '2001:db8::7, fd00::1',
      '203.0.113.7, unknown',
      '203.0.113.7:50123',
      ' 203.0.113.7 ,, 10.1.2.3 ',
      '',
    ];
    for (const forwardedFor of headers) {
      const response = await fetch(`${url}/both`, { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }, signal: AbortSignal.timeout(5000) });
      const { web, sip } = (await response.json()) as { web: string; sip: string };
      assert.equal(sip, web, `X-Forwarded-For: ${forwardedFor ?? '(none)'}`);
    }
  });
});

describe('HSTS behind a proxy that ends TLS', () => {
  async function hstsOf(options: { trustProxy?: readonly string[]; publicHttps?: boolean }, forwardedProto?: string): Promise<string | null> {
    const server = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics(), ...options });
    servers.push(server);
    const url = await server.listen();
    const response = await fetch(`${url}/healthz`, { headers: forwardedProto ? { 'x-forwarded-proto': forwardedProto } : {}, signal: AbortSignal.timeout(5000) });
    return response.headers.get('strict-transport-security');
  }

  test('is sent when a trusted proxy says the browser came over HTTPS', async () => {
    assert.equal(await hstsOf({ trustProxy: ['127.0.0.1'] }, 'https'), 'max-age=31536000');
  });

  test('is sent when the public URL is HTTPS, whatever reached this port', async () => {
    assert.equal(await hstsOf({ publicHttps: true }), 'max-age=31536000');
  });

  test('is not sent over plain HTTP, nor when an untrusted client claims HTTPS', async () => {
    assert.equal(await hstsOf({}), null);
    assert.equal(await hstsOf({}, 'https'), null);
    assert.equal(await hstsOf({ trustProxy: ['127.0.0.1'] }, 'http'), null);
  });
});
