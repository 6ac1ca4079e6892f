/**
 * The pane's root: starting, signed out (sign-in form) or signed in (status, calls, tabs).
 */
import type { Pane } from '../state/pane.ts';
import type { Tab } from '../state/pane-state.ts';
import { CallArea } from './call-area.ts';
import { DialPad } from './dial-pad.ts';
import { HistoryPage } from './history-page.ts';
import { SettingsPage } from './settings-page.ts';
import { SignIn } from './sign-in.ts';
import { Banners, Header, NoticeBar } from './status-bar.ts';
import { h, PaneContext, usePane, usePaneState, type View } from './view-kit.ts';

const TABS: Array<{ tab: Tab; key: 'tabPhone' | 'tabHistory' | 'tabSettings' }> = [
  { tab: 'phone', key: 'tabPhone' },
  { tab: 'history', key: 'tabHistory' },
  { tab: 'settings', key: 'tabSettings' },
];

export function App({ pane }: { pane: Pane }): View {
  const context = usePaneState(pane);
  const { state, t } = context;
  let body: View;
  if (state.boot === 'starting') body = h('div', { class: 'center muted', role: 'status' }, t('loading'));
  else if (state.boot === 'signed-out') body = h(SignIn, null);
  else body = h(SignedIn, null);
  return h(PaneContext.Provider, { value: context }, h('div', { class: 'pane', lang: state.language }, h(Header, null), h(Banners, null), h(NoticeBar, null), body));
}

function SignedIn(): View {
  return h('div', { class: 'signed-in' }, h(CallArea, null), h(Tabs, null));
}

function Tabs(): View {
  const { state, pane, t } = usePane();
  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.findIndex((item) => item.tab === state.tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]?.tab;
    if (next === undefined) return;
    pane.navigation.select(next);
    (document.getElementById(`tab-${next}`) as HTMLElement | null)?.focus();
  };
  const panel = state.tab === 'phone' ? h(DialPad, null) : state.tab === 'history' ? h(HistoryPage, null) : h(SettingsPage, null);
  return h(
    'div',
    { class: 'tabs' },
    h(
      'div',
      { class: 'tablist', role: 'tablist', 'aria-label': t('appName'), onKeyDown },
      TABS.map(({ tab, key }) =>
        h(
          'button',
          {
            key: tab,
            id: `tab-${tab}`,
            type: 'button',
            role: 'tab',
            class: `tab${state.tab === tab ? ' selected' : ''}`,
            'aria-selected': String(state.tab === tab),
            'aria-controls': `panel-${tab}`,
            tabIndex: state.tab === tab ? 0 : -1,
            onClick: () => pane.navigation.select(tab),
          },
          t(key),
        ),
      ),
    ),
    h('div', { class: 'tabpanel', id: `panel-${state.tab}`, role: 'tabpanel', 'aria-labelledby': `tab-${state.tab}` }, panel),
  );
}
