/**
 * What an agent's browser downloads for the pane: pane.js and pane.css as the server builds and
 * serves them (src/server/pane/pane-bundle.ts), gzipped at level 9. Aim (issue 5): the whole pane
 * ≤ 100 KB gzipped — counted here as 100,000 bytes, the stricter reading; JsSIP alone is about
 * 55 KB of it.
 */
import { loadPaneBundle, paneScriptGzipSize } from '../src/server/pane/pane-bundle.ts';

export const PANE_SIZE_AIM_BYTES = 100_000;

export interface PaneSizeResult {
  jsBytes: number;
  jsGzipBytes: number;
  cssBytes: number;
  cssGzipBytes: number;
  totalGzipBytes: number;
}

export async function measurePaneSize(): Promise<PaneSizeResult> {
  const bundle = await loadPaneBundle();
  const jsGzipBytes = await paneScriptGzipSize();
  return { jsBytes: bundle.js.bytes, jsGzipBytes, cssBytes: bundle.css.bytes, cssGzipBytes: bundle.css.gzipBytes, totalGzipBytes: jsGzipBytes + bundle.css.gzipBytes };
}

export function formatPaneSize(result: PaneSizeResult): string {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  return (
    `Pane shipped size, gzipped (level 9): pane.js ${kb(result.jsGzipBytes)} (${kb(result.jsBytes)} minified) + pane.css ${kb(result.cssGzipBytes)} (${kb(result.cssBytes)}) = ` +
    `${kb(result.totalGzipBytes)} (aim ≤ ${kb(PANE_SIZE_AIM_BYTES)}; 1 KB = 1,000 bytes)`
  );
}

if (import.meta.main) console.log(formatPaneSize(await measurePaneSize()));
