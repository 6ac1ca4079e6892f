/**
 * A list view (Active Contacts, Active Accounts, …): a command bar with New, a search box that
 * filters the view (quick find, run by the sandbox Dataverse: begins-with on the table's find
 * columns, `*` as wildcard), and a grid whose first column opens the record and whose phone
 * columns raise click-to-act.
 */
import { entityLabel } from '../entity-labels.ts';
import { ENTITY_VIEWS, displayValue, entityView, type ListColumn } from './entity-views.ts';
import { pageEntity, type PageEntity } from './page-config.ts';
import { phoneLink } from './phone-field.ts';
import type { UiContext } from './ui-context.ts';
import { h, useLoad, type View } from './view-kit.ts';
import { recordCall, type ApiRecord } from './web-api.ts';

const PAGE_SIZE = 250;

/** A quick find over a view's columns; an empty text lists everything. */
export function quickFind(etn: string, text: string, top: number): Promise<{ records: ApiRecord[]; count?: number }> {
  const view = entityView(etn);
  const query = `?$select=${view.columns.map((c) => c.name).join(',')}&$orderby=${encodeURIComponent(view.orderBy)}&$top=${top}&$count=true`;
  return recordCall({ operation: 'quickFind', entity: etn, text, query }) as Promise<{ records: ApiRecord[]; count?: number }>;
}

export function EntityList({ ui, etn, search }: { ui: UiContext; etn: string; search: string }): View {
  const entity = pageEntity(ui.config, etn);
  const view = entityView(etn);
  const label = entityLabel(etn);
  const loaded = useLoad(() => quickFind(etn, search, PAGE_SIZE), [etn, search, ui.state.dataVersion]);
  const records = loaded.data?.records ?? [];
  const count = loaded.data?.count ?? records.length;

  const onSearch = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('q') as HTMLInputElement;
    ui.state.navigate({ page: 'entitylist', etn, search: input.value }, { replace: true });
  };

  return h(
    'section',
    { class: 'page list-page' },
    h(
      'div',
      { class: 'command-bar' },
      etn === 'phonecall' ? null : h('button', { type: 'button', class: 'command', onClick: () => ui.state.navigate({ page: 'entityrecord', etn, extraqs: {} }) }, '+ New'),
      h('button', { type: 'button', class: 'command', onClick: () => ui.state.dataChanged() }, '⟳ Refresh'),
    ),
    h(
      'div',
      { class: 'list-header' },
      h('h1', null, view.viewName),
      h(
        'form',
        { class: 'view-search', role: 'search', onSubmit: onSearch },
        h('input', { name: 'q', type: 'search', placeholder: `Search this view`, value: search, 'aria-label': `Search ${label.displayCollectionName}` }),
      ),
    ),
    loaded.error ? h('p', { class: 'error' }, loaded.error.message) : null,
    recordGrid(ui, entity, view.columns, records),
    h('p', { class: 'grid-footer' }, loaded.loading && !loaded.data ? 'Loading…' : `${records.length === 0 ? 0 : 1} - ${records.length} of ${count}`),
  );
}

/** A grid of records, one row each, as Dynamics' views and its search results show them. */
export function recordGrid(ui: UiContext, entity: PageEntity, columns: readonly ListColumn[], records: readonly ApiRecord[]): View {
  return h(
    'table',
    { class: 'grid' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((column) => h('th', { key: column.name }, column.label)),
      ),
    ),
    h(
      'tbody',
      null,
      records.map((record) =>
        h(
          'tr',
          { key: record[entity.primaryKey] as string },
          columns.map((column) => h('td', { key: column.name }, cell(ui, entity, column, record))),
        ),
      ),
    ),
  );
}

/** A link that opens a record's form inside the sandbox, without reloading the page. */
function recordLink(ui: UiContext, etn: string, id: string, text: string): View {
  const route = { page: 'entityrecord', etn, id, extraqs: {} } as const;
  return h(
    'a',
    {
      href: ui.state.urlOf(route),
      onClick: (event: Event) => {
        event.preventDefault();
        ui.state.navigate(route);
      },
    },
    text,
  );
}

function cell(ui: UiContext, entity: PageEntity, column: ListColumn, record: ApiRecord): View {
  const id = record[entity.primaryKey] as string;
  const text = displayValue(entity.logicalName, column.name, record);
  if (column.link) {
    return recordLink(ui, entity.logicalName, id, text || '(No name)');
  }
  if (entityLabel(entity.logicalName).phoneFields.includes(column.name)) {
    return phoneLink(ui, { value: text, name: column.name, entityLogicalName: entity.logicalName, entityId: id, recordTitle: String(record[entity.primaryName] ?? '') });
  }
  const lookupTarget = record[`${column.name}@Microsoft.Dynamics.CRM.lookuplogicalname`];
  if (typeof lookupTarget === 'string' && ui.config.entities[lookupTarget] && ENTITY_VIEWS[lookupTarget]) {
    return recordLink(ui, lookupTarget, record[column.name] as string, text);
  }
  return text;
}
