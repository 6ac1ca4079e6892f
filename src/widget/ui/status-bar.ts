/**
 * The top of the pane: product name, the phone's state, the signed-in agent and sign-out; below
 * it the banners (not connected to Dynamics 365, phone held by another tab, microphone problem,
 * the offer of desktop alerts for ringing calls)
 * and the notice of the last action.
 */
import type { MessageKey } from '../i18n/i18n.ts';
import { h, icon, iconButton, usePane, type View } from './view-kit.ts';

export function Header(): View {
  const { state, pane, t } = usePane();
  const session = state.session;
  return h(
    'header',
    { class: 'header' },
    h('span', { class: 'brand' }, icon('call', 18), h('span', null, t('appName'))),
    session ? h(RegistrationBadge, null) : null,
    session
      ? h(
          'span',
          { class: 'who', title: t('signedInAs', { name: session.extension.displayName, number: session.extension.number }) },
          icon('person', 16),
          h('span', { class: 'ext' }, session.extension.number),
        )
      : null,
    session ? iconButton({ name: 'signOut', label: t('signOut'), onClick: () => void pane.session.signOut(), class: 'sign-out' }) : null,
  );
}

function RegistrationBadge(): View {
  const { state, t } = usePane();
  let key: MessageKey;
  let tone: string;
  if (state.role === 'follower') {
    key = 'regOtherTab';
    tone = 'idle';
  } else if (state.registration === 'registered') {
    key = 'regRegistered';
    tone = 'ok';
  } else if (state.registration === 'failed') {
    key = 'regFailed';
    tone = 'bad';
  } else if (state.registration === 'connecting' || state.role === 'undecided') {
    key = 'regConnecting';
    tone = 'busy';
  } else {
    key = 'regUnregistered';
    tone = 'bad';
  }
  const text = t(key, { reason: state.registrationReason ?? '' });
  return h('span', { class: `badge badge-${tone}`, role: 'status', title: text }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'badge-text' }, text));
}

export function Banners(): View {
  const { state, pane, t } = usePane();
  const banners: View[] = [];
  if (state.cif === 'unavailable') {
    banners.push(h('div', { class: 'banner banner-warning', role: 'status', key: 'cif' }, h('strong', null, t('notConnected')), h('span', null, t('notConnectedDetail'))));
  }
  if (state.session && state.role === 'follower') {
    banners.push(
      h(
        'div',
        { class: 'banner banner-info', role: 'status', key: 'tab' },
        h('span', null, t('otherTab')),
        h('button', { type: 'button', class: 'btn btn-secondary', onClick: () => void pane.registration.takeOver() }, t('useThisTab')),
      ),
    );
  }
  // Offered once, to the tab that rings, where the browser lets the pane ask (not inside Dynamics: see phone/call-notifier.ts).
  if (state.session && state.role === 'holder' && state.alerts === 'default' && !state.alertsOffered) {
    banners.push(
      h(
        'div',
        { class: 'banner banner-info alerts-offer', role: 'status', key: 'alerts' },
        h('span', null, t('alertsPrompt')),
        h('button', { type: 'button', class: 'btn btn-secondary alerts-on', onClick: () => void pane.alerts.enable() }, t('alertsTurnOn')),
        h('button', { type: 'button', class: 'btn btn-subtle', onClick: () => pane.alerts.decline() }, t('alertsNotNow')),
      ),
    );
  }
  return banners.length > 0 ? h('div', { class: 'banners' }, banners) : null;
}

export function NoticeBar(): View {
  const { state, pane, t } = usePane();
  const notice = state.notice;
  if (!notice) return null;
  return h(
    'div',
    { class: `notice notice-${notice.kind}`, role: notice.kind === 'error' ? 'alert' : 'status' },
    h('span', null, t(notice.key, notice.values)),
    iconButton({ name: 'close', label: t('dismiss'), onClick: () => pane.navigation.dismissNotice() }),
  );
}
