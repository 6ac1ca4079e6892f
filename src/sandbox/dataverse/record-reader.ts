/**
 * Read side of the sandbox Dataverse: RetrieveMultiple (GET on an entity set) and Retrieve (GET
 * by id) with $select, $filter, $orderby, $top, $count and $expand. Dataverse returns at most
 * 5000 rows per page, or `Prefer: odata.maxpagesize` rows, with a next link to the rest
 * (paging.ts), and counts at most 5000 (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results,
 * …/query/count-rows). `Prefer: odata.track-changes` and delta links go to change-tracking.ts.
 */
import { collectionCondition } from './collection-link.ts';
import { recordNotFound } from './dataverse-error.ts';
import { entityByLogicalName, lookupValueProperty, type EntityDef } from './entity-schema.ts';
import type { ChangeTracking } from './change-tracking.ts';
import type { ExpandItem } from './expand-option.ts';
import { formatSkipToken, parseSkipToken } from './paging-cookie.ts';
import { encodeDeltaToken } from './delta-token.ts';
import { bothConditions, continuationQuery, cookieKeys, encodeSkipToken, invalidSkipToken, MAX_PAGE_SIZE, pageSizeFor, rowsAfter, sortKeys } from './paging.ts';
import { readQueryOptions, type QueryParams } from './query-options.ts';
import { formatRecord, primaryNameOf, type EntityRecord, type FormatOptions } from './record-format.ts';
import { lookupTypeColumn, type RecordStore, type Row } from './record-store.ts';
import { shownProperties } from './select-option.ts';

export interface ReadOptions {
  /** Prefer: odata.include-annotations — add lookup annotations. */
  annotations?: boolean;
  /** Prefer: odata.maxpagesize — rows a page (1..5000; anything else is ignored). */
  maxPageSize?: number;
  /** Prefer: odata.track-changes — end the answer with a delta link. */
  trackChanges?: boolean;
}

export interface QueryResult {
  entity: EntityDef;
  records: EntityRecord[];
  /** The $select given (undefined = all properties), for @odata.context. */
  select?: string[];
  expand: ExpandItem[];
  /** Present when $count=true. */
  count?: number;
  /** When more rows remain: the next link's query string ("?…&$skiptoken=…"), to follow after the set name. */
  nextQuery?: string;
  /** On the last page of a change tracking answer: the delta link's query string ("?…&$deltatoken=…"). */
  deltaQuery?: string;
  /** An answer to a delta link: rows deleted since the token (`$deletedEntity` entries after the records). */
  deleted?: string[];
  /** An answer to a delta link (its @odata.context ends in `/$delta`). */
  delta?: boolean;
  /** The preferences honoured, for Preference-Applied (`odata.maxpagesize=2`, `odata.track-changes`). */
  preferenceApplied: string[];
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
  private readonly changes: ChangeTracking;

  constructor(store: RecordStore, changes: ChangeTracking) {
    this.store = store;
    this.changes = changes;
  }

  retrieveMultiple(entity: EntityDef, params: QueryParams, options: ReadOptions = {}): QueryResult {
    const query = readQueryOptions(entity, params);
    const cookie = query.skipToken === undefined ? undefined : parseSkipToken(query.skipToken);
    if (query.skipToken !== undefined && !cookie) throw invalidSkipToken();
    const paging = pageSizeFor(options.maxPageSize);
    const result: QueryResult = { entity, records: [], select: query.select, expand: query.expand, preferenceApplied: [] };
    if (paging.applied) result.preferenceApplied.push(`odata.maxpagesize=${paging.size}`);
    const format = (row: Row) => this.format(entity, row, query.select, query.expand, options);

    if (options.trackChanges || query.deltaToken !== undefined || cookie?.tracking) {
      const page = this.changes.read(entity, query, cookie, paging.size);
      if (options.trackChanges) result.preferenceApplied.unshift('odata.track-changes');
      result.records = page.rows.map(format);
      if (page.delta) Object.assign(result, { delta: true, deleted: page.deleted });
      if (page.count !== undefined) result.count = page.count;
      if (page.next) result.nextQuery = continuationQuery(params, ['$skiptoken'], '$skiptoken', encodeSkipToken(formatSkipToken(page.next)));
      if (page.deltaToken !== undefined) result.deltaQuery = continuationQuery(params, ['$skiptoken', '$deltatoken'], '$deltatoken', encodeDeltaToken(page.deltaToken));
      return result;
    }

    // $top limits an unpaged answer; with odata.maxpagesize it is ignored (page-results).
    const paged = paging.applied || query.top === undefined;
    const keys = sortKeys(entity, query.order);
    const where = bothConditions(query.where, cookie ? rowsAfter(entity, keys, cookie) : undefined);
    const limit = paged ? paging.size + 1 : Math.min(query.top ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const found = this.store.select(entity, { where, orderBy: query.orderBy, limit });
    const rows = paged ? found.slice(0, paging.size) : found;
    result.records = rows.map(format);
    const first = rows.at(0);
    const last = rows.at(-1);
    if (paged && found.length > rows.length && first && last) {
      const next = { pageNumber: (cookie?.pageNumber ?? 1) + 1, tracking: false, attributes: {}, keys: cookieKeys(entity, keys, first, last) };
      result.nextQuery = continuationQuery(params, ['$skiptoken'], '$skiptoken', encodeSkipToken(formatSkipToken(next)));
    }
    // The count is of every matching row, whatever the page (count-rows).
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
        const where = collectionCondition(item.target, item.link, id);
        const related = this.store.select(item.target, { where, limit: MAX_PAGE_SIZE });
        record[item.navigation] = related.map((r) => formatRecord(item.target, r, shownProperties(item.target, item.select), formatOptions));
      }
    }
    return record;
  }
}
