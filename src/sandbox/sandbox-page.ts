/**
 * The one HTML page of the sandbox (main.aspx, like the Unified Interface): a single-page shell
 * whose channel panel lives outside the navigated content, so moving between records never
 * reloads the channel (only a full page reload does, docs/cif-contract.md §1). The banner is in the
 * HTML itself, so it shows even before, or without, the script.
 */
import { scriptJson } from '../security/html-escape.ts';
import { PAGE_CONFIG_ELEMENT_ID, type PageConfig } from './ui/page-config.ts';

export const SANDBOX_BANNER = 'Local Dynamics 365 sandbox';

export const ASSET_PATHS = { app: '/_sandbox/app.js', css: '/_sandbox/app.css' } as const;

export function renderSandboxPage(config: PageConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${config.org.appName} - Dynamics 365 (local sandbox)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PATHS.css}">
</head>
<body>
<div class="sandbox-banner" role="note"><strong>${SANDBOX_BANNER}</strong> — a stand-in for Microsoft Dynamics 365 that runs on this machine, for trying and testing Callpane. Not Microsoft software.</div>
<header id="topbar" class="topbar"></header>
<div class="workspace">
<div id="app" class="app"></div>
<aside id="channel-panel" class="channel-panel" aria-label="Channel panel"></aside>
</div>
<script type="application/json" id="${PAGE_CONFIG_ELEMENT_ID}">${scriptJson(config)}</script>
<script type="module" src="${ASSET_PATHS.app}"></script>
</body>
</html>
`;
}
