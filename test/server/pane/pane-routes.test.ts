import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createSiteOrigin } from '../../../src/server/api/site-origin.ts';
import { createHttpServer, type HttpServer } from '../../../src/server/http-server.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import { createAllowedCrmOrigins } from '../../../src/server/pane/allowed-crm-origins.ts';
import { DYNAMICS_ORIGIN_PATTERNS } from '../../../src/server/pane/crm-origin.ts';
import type { PaneSources } from '../../../src/server/pane/pane-bundle.ts';
import { REFUSAL_STYLE } from '../../../src/server/pane/pane-page.ts';
import { PANE_VERSION, registerPaneRoutes } from '../../../src/server/pane/pane-routes.ts';
import { itemAt } from '../../support/item-at.ts';

const FIXTURE: PaneSources = {
  entry: fileURLToPath(new URL('./fixture/main.ts', import.meta.url)),
  css: fileURLToPath(new URL('./fixture/pane.css', import.meta.url)),
};
const SANDBOX = 'http://127.0.0.1:8081';

let http: HttpServer;
let standIns: string[];

function setUp(options: { https?: boolean; publicUrl?: string; sources?: PaneSources } = {}): void {
  const logger = createLogger({ level: 'silent', pretty: false });
  http = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics() });
  registerPaneRoutes(http.app, {
    origins: createAllowedCrmOrigins(DYNAMICS_ORIGIN_PATTERNS, () => standIns),
    defaultRegion: 'DE',
    site: createSiteOrigin({ https: options.https ?? false, publicUrl: options.publicUrl }),
    logger,
    sources: options.sources ?? FIXTURE,
  });
}

beforeEach(() => {
  standIns = [SANDBOX];
});
afterEach(() => http.close());

function pane(base: string | undefined, host = 'localhost:8080') {
  const url = base === undefined ? '/dyncrm' : `/dyncrm?base=${encodeURIComponent(base)}`;
  return http.app.inject({ method: 'GET', url, headers: { host } });
}

/** The JSON of the pane-config element. */
function paneConfig(html: string): unknown {
  const match = /<script id="pane-config" type="application\/json">([^<]*)<\/script>/.exec(html);
  assert.ok(match, 'no pane-config element');
  return JSON.parse(itemAt(match, 1));
}

describe('the pane shell at /dyncrm', () => {
  beforeEach(() => setUp());

  test('an allowed base gets the shell with its configuration, style sheet and module script', async () => {
    const response = await pane('https://org1234.crm.dynamics.com');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(response.body, /<div id="app"><\/div>/);
    assert.match(response.body, /<link rel="stylesheet" href="\/dyncrm\/assets\/pane\.[0-9a-f]{16}\.css">/);
    assert.match(response.body, /<script type="module" src="\/dyncrm\/assets\/pane\.[0-9a-f]{16}\.js"><\/script>/);
    assert.deepEqual(paneConfig(response.body), { base: 'https://org1234.crm.dynamics.com', defaultRegion: 'DE', version: PANE_VERSION });
    assert.match(PANE_VERSION, /^\d+\.\d+\.\d+/);
  });

  test('the shell runs no inline script: every script element loads a file or holds JSON data', async () => {
    const { body } = await pane('https://org1234.crm.dynamics.com');
    const scripts = [...body.matchAll(/<script([^>]*)>/g)].map((match) => itemAt(match, 1));
    assert.equal(scripts.length, 2);
    for (const attributes of scripts) assert.ok(/ src="/.test(attributes) || / type="application\/json"/.test(attributes), attributes);
  });

  test('the headers limit scripts and framing to the org, connections to us, and send no referrer', async () => {
    const response = await pane('https://org1234.crm.dynamics.com');
    assert.equal(
      response.headers['content-security-policy'],
      "default-src 'self'; script-src 'self' https://org1234.crm.dynamics.com; connect-src 'self' ws://localhost:8080; frame-ancestors https://org1234.crm.dynamics.com; img-src 'self' data:; style-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'",
    );
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  test('base is used only as the canonical origin it names', async () => {
    const response = await pane('https://ORG1234.CRM4.Dynamics.com:443/');
    assert.equal(response.statusCode, 200);
    assert.equal((paneConfig(response.body) as { base: string }).base, 'https://org1234.crm4.dynamics.com');
    assert.match(response.headers['content-security-policy'] as string, /frame-ancestors https:\/\/org1234\.crm4\.dynamics\.com;/);
  });

  test('a malformed Host header never reaches the policy', async () => {
    for (const host of ['evil.example; script-src *', 'a b', 'x:99999']) {
      const response = await pane('https://org1234.crm.dynamics.com', host);
      assert.equal(response.statusCode, 200, host);
      assert.match(response.headers['content-security-policy'] as string, /connect-src 'self'; frame-ancestors/, host);
    }
  });

  test('the running sandbox is an allowed base while it runs, and only then', async () => {
    assert.equal((await pane(SANDBOX)).statusCode, 200);
    assert.match((await pane(SANDBOX)).headers['content-security-policy'] as string, /script-src 'self' http:\/\/127\.0\.0\.1:8081;/);
    standIns = [];
    assert.equal((await pane(SANDBOX)).statusCode, 400);
  });

  test('/dyncrm/login is not the shell (it is left for single sign-on)', async () => {
    const response = await http.app.inject({ method: 'GET', url: '/dyncrm/login?base=https://org1234.crm.dynamics.com' });
    assert.equal(response.statusCode, 404);
  });
});

describe('a Channel URL whose base is not allowed', () => {
  beforeEach(() => setUp());

  const HOSTILE: Array<[string | undefined, RegExp]> = [
    [undefined, /the base parameter is missing/],
    ['', /the base parameter is missing/],
    ['javascript:alert(document.cookie)', /base must be an https:\/\/ URL, not javascript:/],
    ['data:text/html,<script>alert(1)</script>', /base must be an https:\/\/ URL/],
    ['"><script>alert(1)</script>', /base is not an absolute URL/],
    ['https://org1234.crm.dynamics.com\'"><img src=x onerror=alert(1)>', /not an absolute URL|without a path/],
    ['https://user:secret@org1234.crm.dynamics.com', /must not carry a user name or password/],
    ['https://org1234.crm.dynamics.com@evil.example', /must not carry a user name or password/],
    ['https://org1234.crm.dynamics.com/main.aspx', /without a path, query or fragment/],
    ['https://org1234.crm.dynamics.com/?x=<b>', /without a path, query or fragment/],
    ['https://org1234.crm.dynamics.com#frag', /without a path, query or fragment/],
    ['https://evil.example', /https:\/\/evil\.example is not an allowed Dynamics 365 origin/],
    ['https://org1234.crm.dynamics.com.evil.example', /is not an allowed/],
    ['https://evil.example\\@org1234.crm.dynamics.com', /user name or password|without a path/],
    // Encoded tricks: a second layer of encoding stays encoded, a decoded slash becomes a path.
    ['https%3A%2F%2Forg1234.crm.dynamics.com', /not an absolute URL/],
    ['https://org1234.crm.dynamics.com%2F@evil.example', /user name or password|not an allowed/],
    ['https://org1234.crm.dynamics.com%2fevil', /not an absolute URL|not an allowed/],
    ['http://org1234.crm.dynamics.com', /http:\/\/org1234\.crm\.dynamics\.com is not an allowed/],
    ['x'.repeat(3000), /too long/],
    // A base is one concrete origin: a wildcard would go into frame-ancestors and let every org frame the pane.
    ['https://*.crm.dynamics.com', /base must be one concrete origin: the host \*\.crm\.dynamics\.com holds (&quot;|&#34;|")\*/],
    ['https://org*.crm.dynamics.com', /one concrete origin/],
    ['https://%2A.crm.dynamics.com', /one concrete origin/],
  ];

  for (const [base, problem] of HOSTILE) {
    test(`${JSON.stringify(base?.slice(0, 60))} gets a 400 page saying why and naming the allowed origins`, async () => {
      const response = await pane(base);
      assert.equal(response.statusCode, 400);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(response.body, problem);
      for (const pattern of [...DYNAMICS_ORIGIN_PATTERNS, SANDBOX]) assert.ok(response.body.includes(`<code>${pattern}</code>`), pattern);
      // Nothing loads and nothing runs: no script, no external resource, no echoed markup.
      assert.doesNotMatch(response.body, /<script|<img|<iframe|onerror|src=|href=/i);
      assert.match(response.body, /http:\/\/localhost:8080\/dyncrm\?base=/);
    });
  }

  test('the page is given the query exactly once: base twice is refused', async () => {
    const response = await http.app.inject({ method: 'GET', url: '/dyncrm?base=https://org1234.crm.dynamics.com&base=https://evil.example' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /base is given more than once/);
  });

  test('its policy runs nothing, allows its own style by hash, and lets only allowed orgs frame it', async () => {
    const response = await pane('https://evil.example');
    const policy = response.headers['content-security-policy'] as string;
    const hash = createHash('sha256').update(REFUSAL_STYLE).digest('base64');
    assert.ok(policy.startsWith(`default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors https://*.crm.dynamics.com https://*.crm2.dynamics.com `), policy);
    assert.ok(policy.endsWith(` ${SANDBOX}; base-uri 'none'; form-action 'none'`), policy);
    assert.ok(response.body.includes(`<style>${REFUSAL_STYLE}</style>`));
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });
});

/** The asset paths the shell names. */
async function assetPaths(): Promise<{ js: string; css: string }> {
  const { body } = await pane('https://org1234.crm.dynamics.com');
  const js = /<script type="module" src="([^"]+)">/.exec(body)?.[1];
  const css = /<link rel="stylesheet" href="([^"]+)">/.exec(body)?.[1];
  assert.ok(js && css, body);
  return { js, css };
}

function asset(url: string, headers: Record<string, string> = {}) {
  return http.app.inject({ method: 'GET', url, headers });
}

describe('the pane assets', () => {
  beforeEach(() => setUp());

  test('pane.<hash>.js is the minified module, sent Brotli-compressed to a browser that accepts br and gzip, cacheable for a year', async () => {
    const { js } = await assetPaths();
    const response = await asset(js, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(response.headers['content-encoding'], 'br');
    assert.equal(response.headers.vary, 'accept-encoding');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(Number(response.headers['content-length']), response.rawPayload.length);
    const script = brotliDecompressSync(response.rawPayload).toString();
    assert.match(script, /Hello from the /);
    assert.doesNotMatch(script, /A stand-in|\n {2}/);
  });

  test('the coding follows Accept-Encoding and its q-values, every one decoding to the same script', async () => {
    const { js } = await assetPaths();
    const plain = await asset(js);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'accept-encoding');
    const cases: Array<[string, string | undefined, (body: Buffer) => Buffer]> = [
      ['br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
      ['br;q=0.5, gzip', 'gzip', gunzipSync],
      ['gzip;q=0.8, br;q=0.9', 'br', brotliDecompressSync],
      ['br;q=0, gzip;q=0', undefined, (body) => body],
      ['identity', undefined, (body) => body],
    ];
    for (const [acceptEncoding, coding, decode] of cases) {
      const response = await asset(js, { 'accept-encoding': acceptEncoding });
      assert.equal(response.headers['content-encoding'], coding, acceptEncoding);
      assert.equal(response.headers.vary, 'accept-encoding', acceptEncoding);
      assert.deepEqual(decode(response.rawPayload), plain.rawPayload, acceptEncoding);
    }
  });

  test('each coding has its own ETag, which answers 304 for that coding', async () => {
    const { js } = await assetPaths();
    const tags = new Set<string>();
    for (const acceptEncoding of ['br', 'gzip', 'identity']) {
      const response = await asset(js, { 'accept-encoding': acceptEncoding });
      const etag = response.headers.etag as string;
      assert.match(etag, /^"[A-Za-z0-9_-]{32}(-br|-gzip)?"$/);
      tags.add(etag);
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const again = await asset(js, { 'accept-encoding': acceptEncoding, 'if-none-match': ifNoneMatch });
        assert.equal(again.statusCode, 304, `${acceptEncoding} ${ifNoneMatch}`);
        assert.equal(again.body, '');
        assert.equal(again.headers.etag, etag);
        assert.equal(again.headers.vary, 'accept-encoding');
      }
      assert.equal((await asset(js, { 'accept-encoding': acceptEncoding, 'if-none-match': '"stale"' })).statusCode, 200);
    }
    assert.equal(tags.size, 3);
  });

  test('pane.<hash>.css is the minified style sheet, compressed and cached the same way', async () => {
    const { js, css } = await assetPaths();
    const response = await asset(css, { 'accept-encoding': 'gzip' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(gunzipSync(response.rawPayload).toString(), /#app\{padding:12px\}/);
    assert.notEqual(css.replace(/\.css$/, ''), js.replace(/\.js$/, ''));
  });

  test("an old build's hash, a made-up one or the unhashed name is a 404 that is not cached", async () => {
    const { js, css } = await assetPaths();
    const stale = [
      js.replace(/\.[0-9a-f]{16}\.js$/, '.0000000000000000.js'),
      css.replace(/\.[0-9a-f]{16}\.css$/, '.0000000000000000.css'),
      '/dyncrm/assets/pane.js',
      '/dyncrm/assets/pane.css',
      js.replace(/\.js$/, '.css'),
      `${js}.map`,
    ];
    for (const url of stale) {
      const response = await asset(url, { 'accept-encoding': 'br, gzip' });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.headers['cache-control'], 'no-store', url);
      assert.equal(response.headers['content-encoding'], undefined, url);
      assert.match(response.body, /reload/, url);
    }
  });
});

describe('when the widget cannot be built', () => {
  test('the shell and the assets answer 503 without details, not a shell naming no script', async () => {
    setUp({ sources: { entry: fileURLToPath(new URL('./fixture/missing.ts', import.meta.url)), css: FIXTURE.css } });
    for (const url of ['/dyncrm?base=https%3A%2F%2Forg1234.crm.dynamics.com', '/dyncrm/assets/pane.0000000000000000.js']) {
      const response = await http.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 503, url);
      assert.equal(response.headers['cache-control'], 'no-store', url);
      assert.doesNotMatch(response.body, /missing\.ts|\/work\//, url);
    }
    assert.equal((await pane('https://evil.example')).statusCode, 400);
  });
});

describe('behind TLS', () => {
  test('the WebSocket origin in the policy is wss when this server speaks HTTPS', async () => {
    setUp({ https: true });
    const response = await pane('https://org1234.crm.dynamics.com', 'pbx.example.test');
    assert.match(response.headers['content-security-policy'] as string, /connect-src 'self' wss:\/\/pbx\.example\.test;/);
  });

  test('the WebSocket origin is wss when the public URL is https for the host the browser used', async () => {
    setUp({ publicUrl: 'https://pbx.example.test' });
    assert.match(
      (await pane('https://org1234.crm.dynamics.com', 'pbx.example.test')).headers['content-security-policy'] as string,
      /connect-src 'self' wss:\/\/pbx\.example\.test;/,
    );
    assert.match((await pane('https://org1234.crm.dynamics.com', '127.0.0.1:8080')).headers['content-security-policy'] as string, /connect-src 'self' ws:\/\/127\.0\.0\.1:8080;/);
  });
});
