/** The agent's recent calls (GET /api/calls): direction, number, record, duration, log state, poor audio, call back, links. */
import type { CallRecord } from '../api/api-types.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { PoorAudioMarker } from './audio-quality.ts';
import { clock, entityLabel, h, icon, iconButton, usePane, type View } from './view-kit.ts';

const DIRECTION: Record<CallRecord['direction'], MessageKey> = { inbound: 'dirInbound', outbound: 'dirOutbound', internal: 'dirInternal' };
const DISPOSITION: Record<NonNullable<CallRecord['disposition']>, MessageKey> = {
  answered: 'dispAnswered',
  missed: 'dispMissed',
  busy: 'dispBusy',
  failed: 'dispFailed',
  canceled: 'dispCanceled',
};
const LOG_STATE: Record<string, MessageKey> = { logged: 'logStateLogged', failed: 'logStateFailed', skipped: 'logStateSkipped' };

export function HistoryPage(): View {
  const { state, pane, t } = usePane();
  const history = state.history;
  let list: View;
  if (history.error) list = h('p', { class: 'notice notice-error', role: 'alert' }, t('historyError', { message: history.error }));
  else if (history.records.length === 0) list = h('p', { class: 'muted center' }, history.loading ? t('loading') : t('historyEmpty'));
  else
    list = h(
      'ul',
      { class: 'history' },
      history.records.map((record) => h(HistoryItem, { key: record.id, record })),
    );
  return h(
    'div',
    { class: 'history-page', 'aria-busy': String(history.loading) },
    h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'btn btn-subtle', onClick: () => void pane.history.load() }, t('refresh'))),
    list,
    history.next ? h('button', { type: 'button', class: 'btn btn-secondary wide', onClick: () => void pane.history.load(true), disabled: history.loading }, t('loadMore')) : null,
  );
}

function HistoryItem({ record }: { record: CallRecord }): View {
  const { state, pane, t, locale } = usePane();
  const mine = state.session?.extension.number;
  const outgoing = record.from.number === mine || record.direction === 'outbound';
  const other = outgoing ? record.to : record.from;
  const missed = record.disposition === 'missed';
  const when = new Date(record.startedAt).toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const crm = record.crm;
  const hasRecord = (crm.entity === 'contact' || crm.entity === 'account' || crm.entity === 'lead') && crm.recordId;
  const connected = state.cif === 'connected';
  return h(
    'li',
    { class: `history-item${missed ? ' missed' : ''}` },
    h(
      'div',
      { class: 'history-main' },
      h('div', { class: 'history-who' }, other.name || pane.calls.display(other.number)),
      h(
        'div',
        { class: 'history-meta' },
        h('span', null, t(DIRECTION[record.direction])),
        ' · ',
        h('span', null, record.disposition ? t(DISPOSITION[record.disposition]) : t('inProgress')),
        record.talkSeconds ? ` · ${clock(record.talkSeconds)}` : '',
        ' · ',
        h('time', { dateTime: new Date(record.startedAt).toISOString() }, when),
      ),
      h(
        'div',
        { class: 'history-meta' },
        [
          other.name ? pane.calls.display(other.number) : null,
          record.direction === 'internal'
            ? null
            : h('span', { class: crm.logState === 'failed' ? 'bad' : '' }, t(crm.logState ? (LOG_STATE[crm.logState] ?? 'logStateNone') : 'logStateNone')),
          record.quality?.poor ? h(PoorAudioMarker, { quality: record.quality, t, locale }) : null,
        ]
          .filter((part) => part !== null)
          .flatMap((part, index) => (index === 0 ? [part] : [' · ', part])),
      ),
      connected && (hasRecord || crm.activityId)
        ? h(
            'div',
            { class: 'history-links' },
            hasRecord
              ? h(
                  'button',
                  { type: 'button', class: 'link', onClick: () => void pane.calls.openRecord({ entity: crm.entity as 'contact', id: crm.recordId as string, name: '' }) },
                  entityLabel(t, crm.entity as string),
                  icon('open', 12),
                )
              : null,
            crm.activityId && crm.logState === 'logged'
              ? h('button', { type: 'button', class: 'link', onClick: () => void pane.calls.openActivity(crm.activityId as string) }, t('openActivity'), icon('open', 12))
              : null,
          )
        : null,
    ),
    other.number ? iconButton({ name: 'call', label: `${t('callBack')} ${other.number}`, kind: 'subtle', onClick: () => void pane.calls.dial(other.number) }) : null,
  );
}
