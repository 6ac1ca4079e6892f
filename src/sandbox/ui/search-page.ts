/**
 * The search page: categorized search over contacts, accounts and leads (or the one table
 * renderSearchPage names) by quick find, or — when searchAndOpenRecords found several records —
 * exactly the records its query finds.
 */
import { entityLabel } from '../entity-labels.ts';
import { quickFind, recordGrid } from './entity-list.ts';
import { ENTITY_VIEWS, entityView, listColumn } from './entity-views.ts';
import { pageEntity, type PageEntity } from './page-config.ts';
import type { UiContext } from './ui-context.ts';
import { h, useLoad, type View } from './view-kit.ts';
import { retrieveMultiple, type ApiRecord } from './web-api.ts';

const SEARCHED = ['contact', 'account', 'lead'] as const;
const PER_TABLE = 50;

interface Group {
  entity: PageEntity;
  records: ApiRecord[];
  /** Columns to show: the view's, or the ones the query selected. */
  columns: string[];
  /** The column that opens the record. */
  linkColumn: string;
}

export function SearchPage({ ui, etn, searchText, query }: { ui: UiContext; etn?: string; searchText: string; query?: string }): View {
  const loaded = useLoad(() => (query && etn ? queryGroup(ui, etn, query) : searchGroups(ui, etn, searchText)), [etn, searchText, query, ui.state.dataVersion]);
  const groups = loaded.data ?? [];
  const total = groups.reduce((sum, group) => sum + group.records.length, 0);
  const onSearch = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('q') as HTMLInputElement;
    ui.state.navigate({ page: 'search', etn, searchText: input.value });
  };
  return h(
    'section',
    { class: 'page search-page' },
    h(
      'div',
      { class: 'list-header' },
      h('h1', null, 'Search results'),
      query ? null : h('form', { class: 'view-search', role: 'search', onSubmit: onSearch }, h('input', { name: 'q', type: 'search', value: searchText, 'aria-label': 'Search' })),
    ),
    h(
      'p',
      { class: 'search-summary' },
      loaded.loading && !loaded.data ? 'Searching…' : query ? `${total} records match the channel's search` : `${total} result${total === 1 ? '' : 's'} for “${searchText}”`,
    ),
    loaded.error ? h('p', { class: 'error' }, loaded.error.message) : null,
    groups.map((group) =>
      h(
        'section',
        { key: group.entity.logicalName, class: 'search-group' },
        h('h2', null, `${entityLabel(group.entity.logicalName).displayCollectionName} (${group.records.length})`),
        recordGrid(
          ui,
          group.entity,
          group.columns.map((name) => listColumn(group.entity.logicalName, name, name === group.linkColumn)),
          group.records,
        ),
      ),
    ),
  );
}

async function searchGroups(ui: UiContext, etn: string | undefined, searchText: string): Promise<Group[]> {
  if (!searchText.trim()) return [];
  const tables = etn && ENTITY_VIEWS[etn] ? [etn] : [...SEARCHED];
  return Promise.all(
    tables.map(async (name) => {
      const entity = pageEntity(ui.config, name);
      const { records } = await quickFind(name, searchText, PER_TABLE);
      return { entity, records, columns: entityView(name).columns.map((c) => c.name), linkColumn: entity.primaryName };
    }),
  );
}

async function queryGroup(ui: UiContext, etn: string, query: string): Promise<Group[]> {
  const entity = pageEntity(ui.config, etn);
  const { records } = await retrieveMultiple(entity.setName, query.startsWith('?') ? query : `?${query}`);
  // The query chose the columns; without the primary name the id opens the record.
  const linkColumn = records[0] && entity.primaryName in records[0] ? entity.primaryName : entity.primaryKey;
  const selected = Object.keys(records[0] ?? {}).filter((key) => !key.includes('@') && key !== entity.primaryKey && key !== entity.primaryName);
  return [{ entity, records, columns: [linkColumn, ...selected], linkColumn }];
}
