/**
 * Read side of the sandbox Dataverse: RetrieveMultiple (GET on an entity set) and Retrieve (GET
 * by id) with $select, $filter, $orderby, $top, $count and $expand. Dataverse returns at most
 * 5000 rows per page and counts at most 5000 (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results,
 * …/query/count-rows); the sandbox's tables are smaller, so it never pages.
 */
import { querySyntaxError, recordNotFound } from './dataverse-error.ts';
import { entityByLogicalName, lookupValueProperty, type EntityDef } from './entity-schema.ts';
import type { ExpandItem } from './expand-option.ts';
import { columnSql } from './filter-sql.ts';
import { readQueryOptions, type QueryParams } from './query-options.ts';
import { formatRecord, primaryNameOf, type EntityRecord, type FormatOptions } from './record-format.ts';
import { lookupTypeColumn, type RecordStore, type Row } from './record-store.ts';
import { shownProperties } from './select-option.ts';

export const MAX_PAGE_SIZE = 5000;

export interface ReadOptions {
  /** Prefer: odata.include-annotations — add lookup annotations. */
  annotations?: boolean;
}

export interface QueryResult {
  entity: EntityDef;
  records: EntityRecord[];
  /** The $select given (undefined = all properties), for @odata.context. */
  select?: string[];
  expand: ExpandItem[];
  /** Present when $count=true. */
  count?: number;
}

export interface RetrieveResult {
  entity: EntityDef;
  record: EntityRecord;
  etag: string;
  select?: string[];
  expand: ExpandItem[];
}

const SINGLE_OPTIONS = new Set(['$select', '$expand']);

export class RecordReader {
  private readonly store: RecordStore;

  constructor(store: RecordStore) {
    this.store = store;
  }

  retrieveMultiple(entity: EntityDef, params: QueryParams, options: ReadOptions = {}): QueryResult {
    const query = readQueryOptions(entity, params);
    const limit = Math.min(query.top ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const rows = this.store.select(entity, { where: query.where, orderBy: query.orderBy, limit });
    const records = rows.map((row) => this.format(entity, row, query.select, query.expand, options));
    const result: QueryResult = { entity, records, select: query.select, expand: query.expand };
    if (query.count) result.count = Math.min(this.store.count(entity, query.where), MAX_PAGE_SIZE);
    return result;
  }

  retrieve(entity: EntityDef, id: string, params: QueryParams, options: ReadOptions = {}): RetrieveResult {
    const query = readQueryOptions(entity, params, SINGLE_OPTIONS);
    const row = this.store.find(entity, id);
    if (!row) throw recordNotFound(entity.logicalName, id);
    const record = this.format(entity, row, query.select, query.expand, options);
    return { entity, record, etag: record['@odata.etag'] as string, select: query.select, expand: query.expand };
  }

  /** The primary name of any record, or null. */
  nameOf(logicalName: string, id: string): string | null {
    const entity = entityByLogicalName(logicalName);
    return entity ? primaryNameOf(logicalName, this.store.find(entity, id)) : null;
  }

  private format(entity: EntityDef, row: Row, select: string[] | undefined, expand: ExpandItem[], options: ReadOptions): EntityRecord {
    const formatOptions: FormatOptions = { annotations: options.annotations === true, nameOf: (logical, id) => this.nameOf(logical, id) };
    const record = formatRecord(entity, row, shownProperties(entity, select), formatOptions);
    for (const item of expand) {
      const id = row[entity.primaryKey] as string;
      if (item.kind === 'single') {
        const targetId = row[lookupValueProperty(item.lookup)];
        const targetType = row[lookupTypeColumn(item.lookup)];
        const target = typeof targetId === 'string' && targetType === item.target.logicalName ? this.store.find(item.target, targetId) : undefined;
        record[item.navigation] = target ? formatRecord(item.target, target, shownProperties(item.target, item.select), formatOptions) : null;
      } else {
        const lookup = item.target.lookups.find((l) => l.name === item.lookup);
        if (!lookup) throw querySyntaxError(`Cannot expand '${item.navigation}'.`);
        const where = { sql: `${columnSql(lookupValueProperty(lookup))} = ?`, params: [id] };
        const related = this.store.select(item.target, { where, limit: MAX_PAGE_SIZE });
        record[item.navigation] = related.map((r) => formatRecord(item.target, r, shownProperties(item.target, item.select), formatOptions));
      }
    }
    return record;
  }
}
