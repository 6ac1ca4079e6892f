/**
 * The pane's entry (served as /dyncrm/assets/pane.<hash>.js): reads the shell's JSON configuration
 * (data only — the page's CSP allows no inline script), composes the pane's controllers with the
 * browser they run in, renders and starts.
 */
import { render } from 'preact';
import { PANE_CONFIG_ELEMENT_ID, type PaneConfig as WirePaneConfig } from '../contract/pane-config.ts';
import { hasRegionShape } from '../crm/numbers/phone-number-reader.ts';
import type { PaneConfig } from './api/api-types.ts';
import { browserPaneEnvironment } from './state/pane-environment.ts';
import { createPane } from './state/pane.ts';
import { App } from './ui/app.ts';
import { h } from './ui/view-kit.ts';

function readConfig(): PaneConfig {
  const text = document.getElementById(PANE_CONFIG_ELEMENT_ID)?.textContent ?? '{}';
  const parsed = JSON.parse(text) as Partial<WirePaneConfig>;
  // A region not written as two capitals would make every number lookup throw: use none.
  const region = typeof parsed.defaultRegion === 'string' && hasRegionShape(parsed.defaultRegion) ? parsed.defaultRegion : undefined;
  return { base: parsed.base ?? '', defaultRegion: region, version: parsed.version ?? '' };
}

const pane = createPane(readConfig(), browserPaneEnvironment());
render(h(App, { pane }), document.getElementById('app') as HTMLElement);
pane.start();
