/**
 * Start of the sandbox page: reads the page configuration, installs the CIF host's message
 * listener, then builds the channel panel (so the host listens before the channel can load its
 * library), and draws the top bar and the navigated views.
 */
import { render } from 'preact';
import { CifHost } from '../cif/cif-host.ts';
import { AppState } from './app-state.ts';
import { AppView } from './app-view.ts';
import { ChannelPanel } from './channel-panel.ts';
import { createHostBackend } from './host-backend.ts';
import { PAGE_CONFIG_ELEMENT_ID, type PageConfig } from './page-config.ts';
import { TopBar } from './top-bar.ts';
import type { UiContext } from './ui-context.ts';
import { h } from './view-kit.ts';

function mount(): void {
  const config = JSON.parse(document.getElementById(PAGE_CONFIG_ELEMENT_ID)?.textContent ?? '{}') as PageConfig;
  const state = new AppState({ appId: config.org.appId, clickToAct: config.provider.clickToAct, search: location.search });
  history.replaceState(null, '', state.urlOf(state.route));

  let panel: ChannelPanel | undefined;
  const host = new CifHost({
    trustedOrigins: config.provider.trustedOrigins,
    execute: createHostBackend({ config, state, panel: () => panel as ChannelPanel }),
    panel: () => panel?.frame?.contentWindow,
    onRefused: (origin, reason) =>
      console.warn(`CIF host: refused a message from ${origin} (${reason}); trusted: ${config.provider.trustedOrigins.join(', ')}`),
  });
  window.addEventListener('message', (event) => void host.handleMessage(event));
  window.addEventListener('popstate', () => state.followHistory());
  state.onNavigate((url) => host.emit('onpagenavigate', { value: url }));

  panel = new ChannelPanel({
    container: document.getElementById('channel-panel') as HTMLElement,
    label: config.provider.label,
    landingUrl: config.provider.landingUrl,
    landingUrlProblem: config.provider.landingUrlProblem,
    state,
    onModeChanged: (mode) => host.emit('onmodechanged', { value: mode }),
    onSizeChanged: (width) => host.emit('onsizechanged', { value: width }),
  });

  const ui: UiContext = {
    config,
    state,
    raiseClickToAct(source) {
      if (!state.clickToAct) {
        state.toast('Click-to-act is off for the channel provider.');
        return;
      }
      // The payload Dynamics sends (docs/cif-contract.md §3), keys in its order.
      const payload = {
        value: source.value,
        name: source.name,
        format: 'Phone',
        entityLogicalName: source.entityLogicalName,
        entityId: source.entityId,
        recordTitle: source.recordTitle,
      };
      if (!host.emit('onclicktoact', payload)) state.toast('The channel has not loaded the CIF library yet.');
    },
  };
  render(h(TopBar, { ui }), document.getElementById('topbar') as HTMLElement);
  render(h(AppView, { ui }), document.getElementById('app') as HTMLElement);
}

mount();
