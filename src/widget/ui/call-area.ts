/**
 * The calls above the tabs: an incoming call's card, the call in progress with its controls,
 * a consultation during an attended transfer, and the wrap-up of ended calls (notes, log state).
 */
import type { CallView } from '../state/pane-state.ts';
import { ActiveCall } from './active-call.ts';
import { RecordLine } from './record-line.ts';
import { WrapUp } from './wrap-up.ts';
import { h, iconButton, usePane, type View } from './view-kit.ts';

export function CallArea(): View {
  const { state } = usePane();
  const visible = state.calls.filter((call) => !call.dismissed);
  if (visible.length === 0) return null;
  const order = (call: CallView) => (call.phone.state === 'incoming' ? 0 : call.phone.state === 'ended' ? 2 : 1);
  const sorted = [...visible].sort((a, b) => order(a) - order(b));
  return h(
    'section',
    { class: 'calls', 'aria-label': 'Calls' },
    sorted.map((call) =>
      call.phone.state === 'incoming'
        ? h(IncomingCard, { key: call.phone.id, call })
        : call.phone.state === 'ended'
          ? h(WrapUp, { key: call.phone.id, call })
          : h(ActiveCall, { key: call.phone.id, call }),
    ),
  );
}

/** The caller as the pane knows them: the matched record's name, else the SIP display name, else the number. */
export function callerTitle(call: CallView, unknown: string, numbers: { display(raw: string): string }): string {
  const number = call.serverNumber || call.phone.remoteNumber;
  return call.record?.name || call.phone.remoteName || (number ? numbers.display(number) : unknown);
}

function IncomingCard({ call }: { call: CallView }): View {
  const { state, pane, t } = usePane();
  const number = pane.calls.display(call.serverNumber ?? call.phone.remoteNumber);
  const title = callerTitle(call, t('unknownCaller'), pane.calls);
  return h(
    'article',
    { class: 'card incoming', role: 'group', 'aria-labelledby': `caller-${call.phone.id}`, 'aria-describedby': `caller-number-${call.phone.id}` },
    // Announced once by screen readers when the card appears.
    h('div', { class: 'sr-only', role: 'alert' }, `${t('incomingCall')}: ${title}`),
    h('div', { class: 'card-kicker', 'aria-hidden': 'true' }, h('span', { class: 'pulse' }), t('incomingCall')),
    h('div', { class: 'caller', id: `caller-${call.phone.id}` }, title),
    h('div', { class: 'caller-number', id: `caller-number-${call.phone.id}` }, title === number ? '' : number),
    h(RecordLine, { call }),
    // Any click in the pane lets it ring (browsers' autoplay rules): say so while it cannot.
    state.ringerAudible ? null : h('p', { class: 'hint ringer-silent' }, t('ringerSilent')),
    h(
      'div',
      { class: 'actions' },
      iconButton({ name: 'hangup', label: t('decline'), kind: 'danger', showLabel: true, onClick: () => pane.calls.decline(call.phone.id) }),
      iconButton({ name: 'call', label: t('answer'), kind: 'success', showLabel: true, onClick: () => void pane.calls.answer(call.phone.id), class: 'answer' }),
    ),
  );
}
