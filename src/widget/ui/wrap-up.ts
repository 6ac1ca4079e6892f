/** An ended call: what happened, its log in Dynamics 365, the notes (saved into the same activity), done. */
import type { MessageKey } from '../i18n/i18n.ts';
import type { CallView } from '../state/pane-state.ts';
import { Notes } from './active-call.ts';
import { callerTitle } from './call-area.ts';
import { RecordLine } from './record-line.ts';
import { clock, h, usePane, type View } from './view-kit.ts';

function outcomeKey(call: CallView): MessageKey {
  const phone = call.phone;
  if (phone.answeredAt !== undefined) return 'callEnded';
  if (phone.direction === 'inbound') return 'missedCall';
  if (/busy/i.test(phone.endCause ?? '')) return 'busy';
  if (/no answer|canceled|unavailable/i.test(phone.endCause ?? '')) return 'noAnswer';
  return phone.endCause && phone.endedBy !== 'local' ? 'callFailed' : 'noAnswer';
}

export function WrapUp({ call }: { call: CallView }): View {
  const { pane, state, t } = usePane();
  const phone = call.phone;
  const id = phone.id;
  const talk = phone.answeredAt !== undefined ? clock(((phone.endedAt ?? Date.now()) - phone.answeredAt) / 1000) : '';
  const log = call.log;
  let status: View = null;
  switch (log.state) {
    case 'waiting':
      status = h('span', { class: 'muted' }, state.cif === 'connected' ? t('logPending') : t('logWaiting'));
      break;
    case 'logging':
      status = h('span', { class: 'muted' }, t('logPending'));
      break;
    case 'logged':
      status = h('button', { type: 'button', class: 'link ok', onClick: () => void pane.calls.openActivity(log.activityId) }, `✓ ${t('logged')}`);
      break;
    case 'skipped':
      status = h('span', { class: 'muted' }, call.serverDirection === 'internal' ? t('logInternal') : t('logSkipped'));
      break;
    case 'failed':
      status = h(
        'span',
        { class: 'bad' },
        t('logFailed', { message: log.message }),
        ' ',
        h('button', { type: 'button', class: 'link', onClick: () => void pane.calls.retryLog(id) }, t('retry')),
      );
      break;
    case 'none':
      break;
  }
  const title = callerTitle(call, t('unknownCaller'), pane.calls);
  return h(
    'article',
    { class: 'card wrap-up', 'aria-labelledby': `ended-${id}` },
    h('div', { class: 'card-kicker' }, t(outcomeKey(call)), talk ? ` · ${talk}` : ''),
    h('div', { class: 'caller', id: `ended-${id}` }, title),
    h(RecordLine, { call }),
    h('div', { class: 'log-status', role: 'status' }, status),
    h(Notes, { call }),
    h(
      'div',
      { class: 'actions' },
      log.state === 'logged' ? h('button', { type: 'button', class: 'btn btn-secondary', onClick: () => void pane.calls.saveNotes(id) }, t('saveNotes')) : null,
      h('button', { type: 'button', class: 'btn btn-primary', onClick: () => pane.calls.dismiss(id) }, t('done')),
    ),
  );
}
