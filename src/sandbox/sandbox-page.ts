/**
 * The one HTML page of the sandbox (main.aspx, like the Unified Interface): a single-page shell
 * whose channel panel lives outside the navigated content, so moving between records never
 * reloads the channel (only a full page reload does, docs/cif-contract.md §1). The banner is in the
 * HTML itself, so it shows even before, or without, the script.
 */
import { escapeHtml, scriptJson } from '../security/html-escape.ts';
import { PAGE_CONFIG_ELEMENT_ID, type PageConfig } from './ui/page-config.ts';

export const SANDBOX_BANNER = 'Local Dynamics 365 sandbox';

export const ASSET_PATHS = { app: '/_sandbox/app.js', css: '/_sandbox/app.css' } as const;

/** What differs between the sandbox's HTML pages; the rest of the document is theirs in common. */
export interface SandboxDocument {
  title: string;
  bodyClass?: string;
  /** Plain text after the banner's name, saying what the page stands in for. */
  bannerNote: string;
  /** The empty elements the script fills. */
  body: string;
  configElementId: string;
  config: unknown;
  script: string;
}

/** A page of the sandbox: the banner in the HTML itself, the configuration as inert JSON, one module script. */
export function renderSandboxDocument(page: SandboxDocument): string {
  const bodyClass = page.bodyClass === undefined ? '' : ` class="${escapeHtml(page.bodyClass)}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} - Dynamics 365 (local sandbox)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PATHS.css}">
</head>
<body${bodyClass}>
<div class="sandbox-banner" role="note"><strong>${SANDBOX_BANNER}</strong> — ${escapeHtml(page.bannerNote)}</div>
${page.body}
<script type="application/json" id="${page.configElementId}">${scriptJson(page.config)}</script>
<script type="module" src="${page.script}"></script>
</body>
</html>
`;
}

export function renderSandboxPage(config: PageConfig): string {
  return renderSandboxDocument({
    title: config.org.appName,
    bannerNote: 'a stand-in for Microsoft Dynamics 365 that runs on this machine, for trying and testing Callpane. Not Microsoft software.',
    body: `<header id="topbar" class="topbar"></header>
<div class="workspace">
<div id="app" class="app"></div>
<aside id="channel-panel" class="channel-panel" aria-label="Channel panel"></aside>
</div>`,
    configElementId: PAGE_CONFIG_ELEMENT_ID,
    config,
    script: ASSET_PATHS.app,
  });
}
