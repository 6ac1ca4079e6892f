/**
 * The navigated part of the page: the site map on the left and the page for the route (a list,
 * a form or the search page), plus notifications. The channel panel is not in here.
 */
import { entityLabel } from '../entity-labels.ts';
import { EntityList } from './entity-list.ts';
import { RecordForm } from './record-form.ts';
import { SearchPage } from './search-page.ts';
import type { UiContext } from './ui-context.ts';
import { h, useAppState, type View } from './view-kit.ts';

const SITE_MAP = [
  { group: 'Customers', entities: ['account', 'contact'] },
  { group: 'Sales', entities: ['lead'] },
  { group: 'Activities', entities: ['phonecall'] },
] as const;

export function AppView({ ui }: { ui: UiContext }): View {
  useAppState(ui.state);
  const { route } = ui.state;
  const current = route.page === 'search' ? undefined : route.etn;
  let page: View;
  if (route.page === 'entitylist') page = h(EntityList, { key: `list:${route.etn}`, ui, etn: route.etn, search: route.search });
  else if (route.page === 'entityrecord') page = h(RecordForm, { key: ui.state.urlOf(route), ui, etn: route.etn, id: route.id, extraqs: route.extraqs });
  else page = h(SearchPage, { key: 'search', ui, etn: route.etn, searchText: route.searchText, query: route.query });
  return h(
    'div',
    { class: 'app-inner' },
    h(
      'nav',
      { class: 'site-map', 'aria-label': 'Site map' },
      SITE_MAP.map(({ group, entities }) =>
        h(
          'div',
          { key: group, class: 'site-map-group' },
          h('h3', null, group),
          entities.map((etn) => {
            const list = { page: 'entitylist', etn, search: '' } as const;
            return h(
              'a',
              {
                key: etn,
                href: ui.state.urlOf(list),
                class: etn === current ? 'active' : '',
                onClick: (event: Event) => {
                  event.preventDefault();
                  ui.state.navigate(list);
                },
              },
              entityLabel(etn).displayCollectionName,
            );
          }),
        ),
      ),
    ),
    h('main', { class: 'content' }, page),
    h(
      'div',
      { class: 'toasts', role: 'status' },
      ui.state.toasts.map((toast) => h('div', { key: toast.id, class: 'toast' }, toast.text)),
    ),
  );
}
