/**
 * What an agent's browser downloads for the pane: pane.js and pane.css fetched over HTTP from a
 * running Callpane on loopback, the way the browser finds them (the shell names their hashed
 * URLs), counting the body bytes as they arrive on the wire, uncoded (no Accept-Encoding), with
 * `Accept-Encoding: gzip` and with `Accept-Encoding: br, gzip` as every current browser sends.
 * Aim (issue 5): the whole pane ≤ 100 KB as a browser receives it — counted here as 100,000
 * bytes, the stricter reading; JsSIP alone is about 55 KB of it gzipped.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCallpane } from '../src/app.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/server/logger.ts';

export const PANE_SIZE_AIM_BYTES = 100_000;

/** Body bytes on the wire of one asset, per Accept-Encoding sent. */
export interface WireSizes {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface PaneSizeResult {
  js: WireSizes;
  css: WireSizes;
}

/** GET `url` with `acceptEncoding`; the body's length as received (not decoded) and its coding. */
function wireBytes(url: string, acceptEncoding: string | undefined): Promise<{ bytes: number; coding: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`GET ${url} answered ${response.statusCode}`));
        else resolve({ bytes, coding: response.headers['content-encoding'] ?? 'identity' });
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function sizesOf(url: string): Promise<WireSizes> {
  const expect = async (acceptEncoding: string | undefined, coding: string): Promise<number> => {
    const got = await wireBytes(url, acceptEncoding);
    if (got.coding !== coding) throw new Error(`GET ${url} with Accept-Encoding ${acceptEncoding ?? '(none)'} came as ${got.coding}, not ${coding}`);
    return got.bytes;
  };
  return { raw: await expect(undefined, 'identity'), gzip: await expect('gzip', 'gzip'), brotli: await expect('br, gzip', 'br') };
}

export async function measurePaneSize(): Promise<PaneSizeResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callpane-pane-size-'));
  const config = loadConfig({
    env: { CALLPANE_DATA_DIR: dataDir, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_HTTP_PORT: '0', CALLPANE_DEMO_SEED_EXTENSIONS: 'false' },
    cwd: dataDir,
    interfaces: {},
  });
  const running = await startCallpane({ config, logger: createLogger({ level: 'silent', pretty: false }) });
  try {
    const shell = await fetch(`${running.httpUrl}/dyncrm?base=${encodeURIComponent('https://org.crm.dynamics.com')}`);
    const html = await shell.text();
    const js = /<script type="module" src="([^"]+)">/.exec(html)?.[1];
    const css = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
    if (shell.status !== 200 || !js || !css) throw new Error(`the pane shell answered ${shell.status} without its asset URLs`);
    return { js: await sizesOf(`${running.httpUrl}${js}`), css: await sizesOf(`${running.httpUrl}${css}`) };
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatPaneSize(result: PaneSizeResult): string {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  const sizes = (s: WireSizes) => `${kb(s.raw)} raw, ${kb(s.gzip)} gzip, ${kb(s.brotli)} brotli`;
  const received = result.js.brotli + result.css.brotli;
  return (
    `Pane over HTTP, body bytes as received: pane.js ${sizes(result.js)}; pane.css ${sizes(result.css)}; ` +
    `a browser (Accept-Encoding: br, gzip) receives ${kb(received)} (aim ≤ ${kb(PANE_SIZE_AIM_BYTES)}; 1 KB = 1,000 bytes)`
  );
}

if (import.meta.main) console.log(formatPaneSize(await measurePaneSize()));
