/**
 * The pane's browser code, built in memory by esbuild from src/widget/main.ts (an ES module,
 * minified, es2022) and src/widget/ui/pane.css, as the sandbox builds its own UI
 * (src/sandbox/ui-bundle.ts): no build step to run, no output that can go stale. Each asset
 * carries a strong ETag (a hash of its bytes) so a reloaded pane revalidates instead of
 * downloading again.
 *
 * The gzipped size of pane.js is what the benchmark reports against the aim of the pane issue
 * (whole pane ≤ 100 KB gzipped): `paneScriptGzipSize()`.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface PaneSources {
  /** The script's entry point. */
  entry: string;
  /** The style sheet. */
  css: string;
}

export interface PaneAsset {
  body: string;
  /** A strong entity tag, quoted (RFC 9110 §8.8.3). */
  etag: string;
  bytes: number;
  gzipBytes: number;
}

export interface PaneBundle {
  js: PaneAsset;
  css: PaneAsset;
  buildMs: number;
}

/** The real widget; tests that do not need it point at a fixture instead. */
export const PANE_SOURCES: PaneSources = {
  entry: fileURLToPath(new URL('../../widget/main.ts', import.meta.url)),
  css: fileURLToPath(new URL('../../widget/ui/pane.css', import.meta.url)),
};

function asset(body: string): PaneAsset {
  const bytes = Buffer.from(body, 'utf8');
  return {
    body,
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`,
    bytes: bytes.length,
    // Level 9: the figure compared against the size aim should be the best a server can send.
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
  };
}

async function build(sources: PaneSources): Promise<PaneBundle> {
  const started = performance.now();
  const esbuild = await import('esbuild');
  const common = { bundle: true, write: false, minify: true, charset: 'utf8', legalComments: 'none', logLevel: 'silent' } as const;
  const [js, css] = await Promise.all([
    esbuild.build({ ...common, entryPoints: [sources.entry], format: 'esm', target: 'es2022', platform: 'browser' }),
    esbuild.build({ ...common, entryPoints: [sources.css], loader: { '.css': 'css' } }),
  ]);
  return { js: asset(js.outputFiles[0].text), css: asset(css.outputFiles[0].text), buildMs: Math.round(performance.now() - started) };
}

/** One build per set of sources per process; a failed build is tried again on the next call. */
const builds = new Map<string, Promise<PaneBundle>>();

export function loadPaneBundle(sources: PaneSources = PANE_SOURCES): Promise<PaneBundle> {
  const key = `${sources.entry}\n${sources.css}`;
  let building = builds.get(key);
  if (!building) {
    building = build(sources);
    builds.set(key, building);
    building.catch(() => builds.delete(key));
  }
  return building;
}

/** The gzipped size of pane.js in bytes (what the browser downloads), building it if needed. */
export async function paneScriptGzipSize(sources: PaneSources = PANE_SOURCES): Promise<number> {
  return (await loadPaneBundle(sources)).js.gzipBytes;
}
