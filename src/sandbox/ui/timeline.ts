/**
 * The timeline of a contact, account or lead form: the Phone Call activities regarding the
 * record, newest first, reloaded when CIF writes data; "+ Phone Call" opens a new phone call
 * form already regarding the record.
 */
import { displayValue } from './entity-views.ts';
import type { UiContext } from './ui-context.ts';
import { formatDateTime, h, phoneIcon, useLoad, type View } from './view-kit.ts';
import { retrieveMultiple } from './web-api.ts';

const SELECT = 'subject,phonenumber,directioncode,statecode,statuscode,actualstart,actualdurationminutes,description,createdon';

export function Timeline({ ui, etn, id, title }: { ui: UiContext; etn: string; id: string; title: string }): View {
  const loaded = useLoad(
    () => retrieveMultiple('phonecalls', `?$select=${SELECT}&$filter=${encodeURIComponent(`_regardingobjectid_value eq ${id}`)}&$orderby=createdon desc&$top=50`),
    [id, ui.state.dataVersion],
  );
  const calls = loaded.data?.records ?? [];
  const newCall = () => ui.state.navigate({ page: 'entityrecord', etn: 'phonecall', extraqs: { regardingobjectid: id, regardingobjectidname: title, regardingobjectidtype: etn } });

  return h(
    'section',
    { class: 'timeline', 'aria-label': 'Timeline' },
    h('div', { class: 'timeline-header' }, h('h2', null, 'Timeline'), h('button', { type: 'button', class: 'command', onClick: newCall }, '+ Phone Call')),
    loaded.error ? h('p', { class: 'error' }, loaded.error.message) : null,
    calls.length === 0 && !loaded.loading ? h('p', { class: 'timeline-empty' }, 'Nothing to show yet: phone calls regarding this record appear here.') : null,
    h(
      'ol',
      { class: 'timeline-items' },
      calls.map((call) => {
        const route = { page: 'entityrecord', etn: 'phonecall', id: call.activityid as string, extraqs: {} } as const;
        const meta = [
          displayValue('phonecall', 'directioncode', call),
          `${displayValue('phonecall', 'statecode', call)} (${displayValue('phonecall', 'statuscode', call)})`,
          displayValue('phonecall', 'phonenumber', call),
          call.actualdurationminutes === null ? '' : displayValue('phonecall', 'actualdurationminutes', call),
        ].filter(Boolean);
        return h(
          'li',
          { key: route.id, class: 'timeline-item' },
          h('span', { class: `timeline-icon ${call.directioncode ? 'outgoing' : 'incoming'}` }, phoneIcon()),
          h(
            'div',
            { class: 'timeline-body' },
            h('div', { class: 'timeline-kind' }, 'Phone Call', h('time', null, formatDateTime(call.actualstart ?? call.createdon))),
            h(
              'a',
              {
                href: ui.state.urlOf(route),
                onClick: (event: Event) => {
                  event.preventDefault();
                  ui.state.navigate(route);
                },
              },
              String(call.subject ?? ''),
            ),
            h('div', { class: 'timeline-meta' }, meta.join(' · ')),
            call.description ? h('p', { class: 'timeline-description' }, String(call.description)) : null,
          ),
        );
      }),
    ),
  );
}
