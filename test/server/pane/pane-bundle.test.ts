import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createLogger } from '../../../src/server/logger.ts';
import { createHttpServer } from '../../../src/server/http-server.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import { createSiteOrigin } from '../../../src/server/api/site-origin.ts';
import { createAllowedCrmOrigins } from '../../../src/server/pane/allowed-crm-origins.ts';
import { loadPaneBundle, PANE_SOURCES, type PaneSources } from '../../../src/server/pane/pane-bundle.ts';
import { registerPaneRoutes } from '../../../src/server/pane/pane-routes.ts';
import { delay } from '../../support/deadline.ts';

const FIXTURE: PaneSources = {
  entry: fileURLToPath(new URL('./fixture/main.ts', import.meta.url)),
  css: fileURLToPath(new URL('./fixture/pane.css', import.meta.url)),
};

test('production builds the real widget: src/widget/main.ts and src/widget/ui/pane.css', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  assert.equal(PANE_SOURCES.entry, join(root, 'src/widget/main.ts'));
  assert.equal(PANE_SOURCES.css, join(root, 'src/widget/ui/pane.css'));
});

test('the bundle is one minified ES module and one style sheet, with sizes as sent and gzipped', async () => {
  const bundle = await loadPaneBundle(FIXTURE);
  assert.match(bundle.js.body, /Hello from the /);
  assert.doesNotMatch(bundle.js.body, /\bimport\b/);
  assert.equal(bundle.js.bytes, Buffer.byteLength(bundle.js.body));
  assert.equal(bundle.js.gzipBytes, gzipSync(Buffer.from(bundle.js.body), { level: 9 }).length);
  assert.equal(bundle.css.body.trim(), 'body{margin:0;font-family:Segoe UI,system-ui,sans-serif}#app{padding:12px}');
  assert.ok(bundle.buildMs >= 0);
});

test('each asset is named for a hash of its bytes and compressed once with Brotli and gzip', async () => {
  const bundle = await loadPaneBundle(FIXTURE);
  for (const [asset, extension] of [
    [bundle.js, 'js'],
    [bundle.css, 'css'],
  ] as const) {
    const hash = createHash('sha256').update(asset.body).digest('hex').slice(0, 16);
    assert.equal(asset.fileName, `pane.${hash}.${extension}`);
    assert.equal(asset.encoded.identity.toString(), asset.body);
    assert.equal(brotliDecompressSync(asset.encoded.br).toString(), asset.body);
    assert.equal(gunzipSync(asset.encoded.gzip).toString(), asset.body);
    assert.equal(asset.brotliBytes, asset.encoded.br.length);
    assert.equal(asset.gzipBytes, asset.encoded.gzip.length);
  }
});

test('the bundle is built once per process and a failed build is tried again', async () => {
  assert.equal(await loadPaneBundle(FIXTURE), await loadPaneBundle(FIXTURE));
  const dir = mkdtempSync(join(tmpdir(), 'callpane-pane-'));
  try {
    const sources = { entry: join(dir, 'main.ts'), css: FIXTURE.css };
    await assert.rejects(loadPaneBundle(sources));
    writeFileSync(sources.entry, 'export const ready: boolean = true;\n');
    assert.match((await loadPaneBundle(sources)).js.body, /ready/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('starting the pane routes logs the gzipped and Brotli sizes of pane.js at debug level', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
  const http = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics() });
  try {
    registerPaneRoutes(http.app, {
      origins: createAllowedCrmOrigins(['https://*.crm.dynamics.com']),
      defaultRegion: 'US',
      site: createSiteOrigin({ https: false, publicUrl: undefined }),
      logger,
      sources: FIXTURE,
    });
    for (let i = 0; i < 100 && !lines.some((line) => line.includes('pane bundle built')); i++) await delay(20);
    const line = JSON.parse(lines.find((text) => text.includes('pane bundle built')) ?? '{}');
    assert.equal(line.level, 20);
    assert.equal(line.component, 'pane');
    const bundle = await loadPaneBundle(FIXTURE);
    assert.equal(line.paneJsGzipBytes, bundle.js.gzipBytes);
    assert.equal(line.paneJsBrotliBytes, bundle.js.brotliBytes);
    assert.equal(typeof line.paneCssGzipBytes, 'number');
  } finally {
    await http.close();
  }
});
