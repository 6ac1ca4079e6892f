import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { claimUpgradePath, createHttpServer, localUrl, type HttpServer } from '../../src/server/http-server.ts';
import { createLogger } from '../../src/server/logger.ts';
import { createMetrics } from '../../src/server/metrics.ts';
import { itemAt } from '../support/item-at.ts';

const logger = createLogger({ level: 'silent', pretty: false });
let server: HttpServer;
let url: string;
let clock = 1_000_000;

before(async () => {
  server = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics(), startedAt: clock, now: () => clock });
  url = await server.listen();
});
after(() => server.close());

test('listening on port 0 reports the port really bound', () => {
  const port = server.address()?.port;
  assert.ok(port && port > 0);
  assert.equal(url, `http://127.0.0.1:${port}`);
});

test('/healthz answers ok with the uptime in seconds', async () => {
  clock += 42_500;
  const response = await fetch(`${url}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok', uptimeSeconds: 42 });
});

test('/metrics serves the Prometheus text format with the SIP metrics and process metrics', async () => {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  for (const name of [
    'callpane_sip_messages_in_total',
    'callpane_sip_messages_out_total',
    'callpane_sip_registrations',
    'callpane_sip_register_total',
    'callpane_sip_transactions',
    'callpane_sip_transactions_created_total',
    'callpane_sip_auth_failures_total',
    'callpane_sip_bans_total',
    'callpane_sip_parse_errors_total',
    'process_cpu_user_seconds_total',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
});

test('unknown paths answer 404', async () => {
  assert.equal((await fetch(`${url}/nope`)).status, 404);
});

test('every answer over plain HTTP, 404s included, carries Referrer-Policy and nosniff but no HSTS', async () => {
  for (const path of ['/healthz', '/metrics', '/nowhere']) {
    const response = await server.app.inject({ method: 'GET', url: path });
    assert.equal(response.headers['referrer-policy'], 'no-referrer', path);
    assert.equal(response.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(response.headers['strict-transport-security'], undefined, `${path}: HSTS only over HTTPS (RFC 6797 §7.2)`);
  }
});

test('the underlying Node server is exposed for WebSocket upgrades', () => {
  assert.equal(server.server.listening, true);
  assert.equal(typeof server.server.on, 'function');
});

test('a port already in use is reported with the key to change', async () => {
  const clash = createHttpServer({ host: '127.0.0.1', port: server.address()!.port, logger, metrics: createMetrics() });
  await assert.rejects(clash.listen(), /cannot listen for HTTP on 127\.0\.0\.1:\d+: the address is already in use \(set http\.port \/ CALLPANE_HTTP_PORT\)/);
  await clash.close();
});

test('wildcard binds are shown as localhost, IPv6 in brackets', () => {
  assert.equal(localUrl('0.0.0.0', 8080, false), 'http://localhost:8080');
  assert.equal(localUrl('::1', 8443, true), 'https://[::1]:8443');
});

test('with a certificate and key the server speaks HTTPS', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch {
    assert.fail('openssl is needed to make a test certificate');
  }
  const tls = { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  const secure = createHttpServer({ host: '127.0.0.1', port: 0, tls, logger, metrics: createMetrics() });
  const secureUrl = await secure.listen();
  t.after(() => secure.close());
  assert.match(secureUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(secure.https, true);
  const { body, headers } = await new Promise<{ body: string; headers: IncomingMessage['headers'] }>((resolve, reject) => {
    request(`${secureUrl}/healthz`, { ca: tls.cert, checkServerIdentity: () => undefined }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ body: text, headers: response.headers }));
    })
      .on('error', reject)
      .end();
  });
  assert.equal(JSON.parse(body).status, 'ok');
  assert.equal(headers['strict-transport-security'], 'max-age=31536000', 'HSTS over HTTPS');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  const missing = await secure.app.inject({ method: 'GET', url: '/nowhere' });
  assert.equal(missing.headers['strict-transport-security'], 'max-age=31536000', 'a 404 over HTTPS carries HSTS too');
});

test('an upgrade to a path nobody claimed is answered 404 at once; a claimed path is left to its handler', async () => {
  const claimed: string[] = [];
  claimUpgradePath(server.server, '/sip');
  server.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    if (request.url !== '/sip') return;
    claimed.push(request.url);
    socket.end('HTTP/1.1 400 Handled\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  const answer = async (path: string): Promise<string> => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve, reject) => {
      socket.on('close', resolve);
      setTimeout(() => reject(new Error(`no answer to the upgrade of ${path}`)), 2000);
    });
    return itemAt(text.split('\r\n'), 0);
  };
  assert.equal(await answer('/nobody-here'), 'HTTP/1.1 404 Not Found');
  assert.equal(await answer('/sip'), 'HTTP/1.1 400 Handled');
  assert.deepEqual(claimed, ['/sip']);
});
