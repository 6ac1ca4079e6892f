import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { isLoopbackAddress, isLoopbackHost } from '../../src/sandbox/customer-phone-routes.ts';
import { CUSTOMER_PHONE_PATHS } from '../../src/sandbox/customer-phone/customer-phone-page.ts';
import { CustomerPhoneErrorCode, type CustomerPhoneConfig, type CustomerPhoneSetup } from '../../src/sandbox/customer-phone/customer-phone-config.ts';
import { Dataverse } from '../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, type SandboxServer } from '../../src/sandbox/sandbox-server.ts';
import { createLogger } from '../../src/server/logger.ts';

const SETUP: CustomerPhoneSetup = { wsUrl: 'ws://localhost:9/sip', domain: 'callpane.test', username: 'demo-carrier', password: 'trunk-secret', did: '+14155550199' };

let dataverse: Dataverse;
let server: SandboxServer;
let origin: string;
/** What the sandbox's setup callback answers: the demo carrier, or none. */
let carrier: CustomerPhoneSetup | undefined = SETUP;

before(async () => {
  dataverse = new Dataverse({ path: ':memory:' });
  server = createSandboxServer({
    host: '127.0.0.1',
    port: 0,
    dataverse,
    logger: createLogger({ level: 'silent', pretty: false }),
    provider: (own) => ({ label: 'Callpane for Dynamics 365', landingUrl: `http://localhost:9/dyncrm?base=${own}`, clickToAct: true }),
    customerPhone: { did: SETUP.did, setup: () => carrier },
  });
  origin = await server.listen();
});
after(async () => {
  await server.close();
  dataverse.close();
});

const askSetup = (headers: Record<string, string> = { origin }) =>
  fetch(`${origin}${CUSTOMER_PHONE_PATHS.setup}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

/** A request with a Host header of our choosing (fetch does not let one set it). */
function postWithHost(host: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, path: CUSTOMER_PHONE_PATHS.setup, method: 'POST', headers: { host, origin: `http://${host}`, 'content-type': 'application/json' } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end('{}');
  });
}

describe('the customer phone page', () => {
  test('it lists the seed contacts’ business and mobile numbers and the company number, and may not be framed elsewhere', async () => {
    const response = await fetch(`${origin}${CUSTOMER_PHONE_PATHS.page}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-security-policy'), "frame-ancestors 'self'");
    const html = await response.text();
    assert.match(html, /Local Dynamics 365 sandbox/);
    const json = /<script type="application\/json" id="customer-phone-config">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(json, 'the page carries its configuration');
    const config = JSON.parse(json) as CustomerPhoneConfig;
    assert.equal(config.did, '+14155550199');
    assert.ok(
      config.contacts.some((c) => c.name === 'Alex Baker' && c.kind === 'Mobile' && c.number === '619-555-0129'),
      JSON.stringify(config.contacts.slice(0, 5)),
    );
    assert.ok(config.contacts.every((c) => c.number.trim() !== ''));
    assert.ok(!html.includes(SETUP.password), 'the page itself carries no credential');
  });

  test('its script is served, bundled with JsSIP', async () => {
    const response = await fetch(`${origin}${CUSTOMER_PHONE_PATHS.script}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(await response.text(), /JsSIP/);
  });

  test('the sandbox top bar links to it', async () => {
    const script = await (await fetch(`${origin}/_sandbox/app.js`)).text();
    assert.ok(script.includes(CUSTOMER_PHONE_PATHS.page));
  });
});

describe('the demo carrier setup endpoint', () => {
  test('the page on this machine gets the trunk credentials and the /sip URL, never cached', async () => {
    const response = await askSetup();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), SETUP);
  });

  test('a request without the sandbox as Origin, or from another site, is refused', async () => {
    const refused: Array<Record<string, string>> = [{}, { origin: 'http://evil.example' }, { origin, 'sec-fetch-site': 'cross-site' }];
    for (const headers of refused) {
      const response = await askSetup(headers);
      assert.equal(response.status, 403, JSON.stringify(headers));
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, CustomerPhoneErrorCode.NOT_SAME_ORIGIN);
    }
  });

  test('a name that is not this machine in Host (a rebound DNS name) is refused, localhost is served', async () => {
    const rebound = await postWithHost(`rebound.example:${new URL(origin).port}`);
    assert.equal(rebound.status, 403);
    assert.equal((JSON.parse(rebound.body) as { error: { code: string } }).error.code, CustomerPhoneErrorCode.NOT_LOOPBACK);
    assert.ok(!rebound.body.includes(SETUP.password));
    const local = await postWithHost(`localhost:${new URL(origin).port}`);
    assert.equal(local.status, 200);
  });

  test('without a demo carrier it answers 404 with a reason', async () => {
    carrier = undefined;
    try {
      const response = await askSetup();
      assert.equal(response.status, 404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, CustomerPhoneErrorCode.NO_DEMO_CARRIER);
      assert.match(body.error.message, /demo\.seedExtensions/);
    } finally {
      carrier = SETUP;
    }
  });
});

describe('loopback', () => {
  test('addresses: 127.0.0.0/8, ::1 and IPv4-mapped loopback only', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(address), address);
    for (const address of ['10.0.0.1', '::', '0.0.0.0', '::ffff:10.0.0.1', '128.0.0.1', '']) assert.ok(!isLoopbackAddress(address), address);
  });

  test('host names: localhost, its subdomains and loopback literals, bracketed or not', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '[::1]', '::1']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['localhost.example', 'example.com', '192.168.1.2', '[fe80::1]']) assert.ok(!isLoopbackHost(host), host);
  });
});
