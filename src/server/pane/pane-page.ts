/**
 * The two HTML pages of /dyncrm: the pane's shell (no inline script: the configuration travels
 * as JSON data in a non-executed script element, the code comes from /dyncrm/assets/pane.<hash>.js),
 * and the page a Channel URL with an unusable `base` gets instead, which says why and which
 * origins are allowed. Everything either page shows that came from a request is escaped.
 */
import { createHash } from 'node:crypto';
import { PANE_CONFIG_ELEMENT_ID, type PaneConfig } from '../../contract/pane-config.ts';
import { escapeHtml, scriptJson } from '../../security/html-escape.ts';

/** Where the pane's script and style sheet are served, each under its content-hashed file name. */
export const PANE_ASSETS_PATH = '/dyncrm/assets';
/** What the shell hands the widget: the contract's (docs/cif-contract.md §10). */
export { PANE_CONFIG_ELEMENT_ID, type PaneConfig } from '../../contract/pane-config.ts';

/** The file names of the current build's assets (pane-bundle.ts). */
export interface PaneAssetNames {
  js: string;
  css: string;
}

export function renderPaneShell(config: PaneConfig, assets: PaneAssetNames): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Callpane</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${PANE_ASSETS_PATH}/${escapeHtml(assets.css)}">
<script id="${PANE_CONFIG_ELEMENT_ID}" type="application/json">${scriptJson(config)}</script>
<script type="module" src="${PANE_ASSETS_PATH}/${escapeHtml(assets.js)}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;
}

/** The refusal page's only style, allowed by its hash: the page loads nothing else. */
export const REFUSAL_STYLE =
  'body{font:14px/1.5 "Segoe UI",system-ui,sans-serif;color:#242424;margin:0;padding:16px;max-width:40em}h1{font-size:18px;margin:0 0 8px}code{background:#f5f5f5;padding:1px 4px;border-radius:3px;word-break:break-all}li{margin:2px 0}';
export const REFUSAL_STYLE_HASH = `sha256-${createHash('sha256').update(REFUSAL_STYLE).digest('base64')}`;

export interface RefusalDetails {
  /** Why `base` was refused (it may quote the request: escaped here). */
  problem: string;
  /** The allowed origin patterns. */
  patterns: readonly string[];
  /** This server's origin as the browser reached it, for the example Channel URL. */
  ownOrigin: string | undefined;
}

export function renderBaseRefusal({ problem, patterns, ownOrigin }: RefusalDetails): string {
  const channelUrl = `${ownOrigin ?? 'https://{your Callpane host}'}/dyncrm?base={your Dynamics 365 org URL}`;
  const items = patterns.map((pattern) => `<li><code>${escapeHtml(pattern)}</code></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Callpane: Channel URL not allowed</title>
<style>${REFUSAL_STYLE}</style>
</head>
<body>
<main>
<h1>Callpane cannot load for this Channel URL</h1>
<p role="alert">${escapeHtml(problem)}.</p>
<p>The Channel URL is <code>${escapeHtml(channelUrl)}</code>, where the org URL is your organization's origin only, such as <code>https://org1234.crm.dynamics.com</code>. It must match one of these allowed origins:</p>
<ul>
${items}
</ul>
<p>An administrator can allow other origins with the configuration key <code>crm.allowedOrigins</code>.</p>
</main>
</body>
</html>
`;
}
