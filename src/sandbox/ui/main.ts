/**
 * Start of the sandbox page: reads the page configuration, installs the CIF host's message
 * listener, then builds the channel panel (so the host listens before the channel can load its
 * library), and draws the top bar and the navigated views. With no channel provider for the
 * user there is no panel and no host, as in Dynamics.
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
  const { provider } = config;
  const state = new AppState({ appId: config.org.appId, clickToAct: provider?.clickToAct ?? false, search: location.search });
  history.replaceState(null, '', state.urlOf(state.route));
  window.addEventListener('popstate', () => state.followHistory());

  let host: CifHost | undefined;
  if (provider) {
    let panel: ChannelPanel | undefined;
    const cif = new CifHost({
      trustedOrigins: provider.trustedOrigins,
      execute: createHostBackend({ config, state, panel: () => panel as ChannelPanel }),
      panel: () => panel?.frame?.contentWindow,
      onRefused: (origin, reason) => console.warn(`CIF host: refused a message from ${origin} (${reason}); trusted: ${provider.trustedOrigins.join(', ')}`),
    });
    window.addEventListener('message', (event) => void cif.handleMessage(event));
    state.onNavigate((url) => cif.emit('onpagenavigate', { value: url }));
    panel = new ChannelPanel({
      container: document.getElementById('channel-panel') as HTMLElement,
      label: provider.label,
      landingUrl: provider.landingUrl,
      landingUrlProblem: provider.landingUrlProblem,
      frameSandbox: provider.frameSandbox,
      state,
      onModeChanged: (mode) => cif.emit('onmodechanged', { value: mode }),
      onSizeChanged: (width) => cif.emit('onsizechanged', { value: width }),
    });
    host = cif;
  } else {
    document.getElementById('channel-panel')?.remove();
  }

  const ui: UiContext = {
    config,
    state,
    raiseClickToAct(source) {
      if (!host) {
        state.toast('No channel provider is set up for your security roles.');
        return;
      }
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
