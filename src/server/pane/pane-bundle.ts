/**
 * The pane's browser code, built in memory by esbuild from src/widget/main.ts (an ES module,
 * minified, es2022) and src/widget/ui/pane.css, as the sandbox builds its own UI
 * (src/sandbox/ui-bundle.ts): no build step to run, no output that can go stale. Each asset is
 * named for a hash of its bytes (`pane.<hash>.js`), so a browser may keep it for good, and is
 * compressed once here with Brotli and gzip (content-coding.ts), never per request.
 *
 * What a browser receives of it is what the benchmark (bench/pane-size.ts) reports against the
 * aim of the pane issue (whole pane ≤ 100 KB). Google's numbering-plan data (libphonenumber-js,
 * about 25 KB with Brotli) stays on the server because the pane is handed a reader of the
 * server's answers (src/widget/phone/server-number-reader.ts), not because a module is swapped.
 * One module is swapped at build time (`paneReplacements`): the `debug` package JsSIP logs
 * through → a no-op: the pane turns JsSIP's logging off anyway (jssip-engine.ts), and `debug`
 * only ever printed when a developer opted in (~2 KB gzipped).
 */
import type { Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { precompress, type Precompressed } from '../content-coding.ts';

export interface PaneSources {
  /** The script's entry point. */
  entry: string;
  /** The style sheet. */
  css: string;
}

export interface PaneAsset {
  body: string;
  /** `pane.<hash>.js` / `pane.<hash>.css`: the name changes whenever the bytes do. */
  fileName: string;
  /** A strong entity tag of the uncoded bytes, quoted (RFC 9110 §8.8.3). */
  etag: string;
  /** The body in each content coding, made once. */
  encoded: Precompressed;
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
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

/** The text of a build's one output file (write: false keeps it in memory). */
function outputText(result: { outputFiles: ReadonlyArray<{ text: string }> }): string {
  const [file] = result.outputFiles;
  if (file === undefined) throw new Error('esbuild produced no output file');
  return file.text;
}

async function asset(body: string, extension: 'js' | 'css'): Promise<PaneAsset> {
  const bytes = Buffer.from(body, 'utf8');
  const digest = createHash('sha256').update(bytes).digest();
  // Best compression (gzip level 9, Brotli 11): made once, and what the size aim is measured by.
  const encoded = await precompress(bytes);
  return {
    body,
    // 64 bits of the hash: a new build never meets an old name by chance.
    fileName: `pane.${digest.toString('hex').slice(0, 16)}.${extension}`,
    etag: `"${digest.toString('base64url').slice(0, 32)}"`,
    encoded,
    bytes: bytes.length,
    gzipBytes: encoded.gzip.length,
    brotliBytes: encoded.br.length,
  };
}

/**
 * `debug` as JsSIP uses it: `require('debug')(name)` and `.default(name)` give a logger whose
 * `log` JsSIP sets; `enable`/`disable` switch it. CommonJS, as JsSIP requires it.
 */
const DEBUG_OFF = `function debug() { const log = () => {}; log.enabled = false; log.extend = debug; return log; }
debug.default = debug; debug.enable = () => {}; debug.disable = () => ''; debug.enabled = () => false;
module.exports = debug;`;

/** The esbuild plugin that makes the swap described at the top. */
export function paneReplacements(): Plugin {
  return {
    name: 'pane-replacements',
    setup(build) {
      build.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'pane-debug-off' }));
      build.onLoad({ filter: /.*/, namespace: 'pane-debug-off' }, () => ({ contents: DEBUG_OFF, loader: 'js' }));
    },
  };
}

async function build(sources: PaneSources): Promise<PaneBundle> {
  const started = performance.now();
  const esbuild = await import('esbuild');
  const common = { bundle: true, write: false, minify: true, charset: 'utf8', legalComments: 'none', logLevel: 'silent' } as const;
  const [js, css] = await Promise.all([
    esbuild.build({ ...common, entryPoints: [sources.entry], format: 'esm', target: 'es2022', platform: 'browser', plugins: [paneReplacements()] }),
    esbuild.build({ ...common, entryPoints: [sources.css], loader: { '.css': 'css' } }),
  ]);
  const [jsAsset, cssAsset] = await Promise.all([asset(outputText(js), 'js'), asset(outputText(css), 'css')]);
  return { js: jsAsset, css: cssAsset, buildMs: Math.round(performance.now() - started) };
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
