/**
 * The CRM side of a call on its card: "looking up…", the matched record (opens it), the chooser
 * when several records hold the number, or the count of matches.
 */
import type { CallView } from '../state/pane-state.ts';
import { entityLabel, h, icon, usePane, type View } from './view-kit.ts';

export function RecordLine({ call }: { call: CallView }): View {
  const { pane, state, t } = usePane();
  if (state.cif !== 'connected') return null;
  if (call.choosing) return h(RecordChooser, { call });
  if (call.record) {
    const record = call.record;
    return h(
      'button',
      { type: 'button', class: 'record-link', onClick: () => void pane.calls.openRecord(record), title: t('openRecord') },
      h('span', { class: 'entity' }, entityLabel(t, record.entity)),
      h('span', { class: 'name' }, record.name || t('openRecord')),
      icon('open', 14),
    );
  }
  if (call.lookup.state === 'searching') return h('div', { class: 'record-line muted', role: 'status' }, t('searching'));
  if (call.lookup.records.length > 1) {
    return h('button', { type: 'button', class: 'record-link', onClick: () => pane.calls.showChooser(call.phone.id) }, t('matches', { count: call.lookup.records.length }));
  }
  return null;
}

function RecordChooser({ call }: { call: CallView }): View {
  const { pane, t } = usePane();
  return h(
    'div',
    { class: 'chooser', role: 'group', 'aria-labelledby': `choose-${call.phone.id}` },
    h('div', { class: 'chooser-title', id: `choose-${call.phone.id}` }, t('chooseRecord')),
    h(
      'ul',
      { class: 'chooser-list' },
      call.lookup.records.map((record) =>
        h(
          'li',
          { key: `${record.entity}:${record.id}` },
          h(
            'button',
            { type: 'button', class: 'chooser-item', onClick: () => void pane.calls.choose(call.phone.id, record) },
            h('span', { class: 'entity' }, entityLabel(t, record.entity)),
            h('span', { class: 'name' }, record.name || record.id),
          ),
        ),
      ),
    ),
    h('p', { class: 'hint' }, t('chooseHint')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-secondary', onClick: () => void pane.calls.openSearchPage(call.phone.id) }, t('openSearchPage')),
      h('button', { type: 'button', class: 'btn btn-subtle', onClick: () => pane.calls.closeChooser(call.phone.id) }, t('cancel')),
    ),
  );
}
