/**
 * Paging as Dataverse does it over the Web API
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results):
 * - A page holds at most `Prefer: odata.maxpagesize=N` rows, echoed in
 *   `Preference-Applied: odata.maxpagesize=N`; without the preference, or with one over 5000
 *   (which Dataverse ignores), at most 5000.
 * - When more rows match, `@odata.nextLink` repeats the request's query with a `$skiptoken`
 *   (paging-cookie.ts) naming the page's last row; the next page starts after that row by the
 *   request's sort order and the primary key, so rows written between pages neither repeat nor
 *   shift the rest. The last page has no next link.
 * - `$top` limits the rows of an unpaged answer; with odata.maxpagesize, `$top` is ignored.
 * Plain functions: the record reader runs the queries.
 */
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';
import type { EntityDef } from './entity-schema.ts';
import { columnSql, FOLD_FUNCTION, type SqlCondition, type SqlValue } from './filter-sql.ts';
import type { CookieKey, PagingCookie } from './paging-cookie.ts';
import type { OrderItem, QueryParams } from './query-options.ts';
import type { Row } from './record-store.ts';
import { parseGuid } from './value-format.ts';

/** Dataverse's default and largest page. */
export const MAX_PAGE_SIZE = 5000;

export interface PageSize {
  size: number;
  /** The odata.maxpagesize preference was honoured (Preference-Applied names it). */
  applied: boolean;
}

/** The page size for an `odata.maxpagesize` preference: 1..5000 applies, anything else is ignored. */
export function pageSizeFor(preferred: number | undefined): PageSize {
  if (preferred !== undefined && Number.isInteger(preferred) && preferred >= 1 && preferred <= MAX_PAGE_SIZE) return { size: preferred, applied: true };
  return { size: MAX_PAGE_SIZE, applied: false };
}

/**
 * The sort keys of a paged query: its $orderby items, then the primary key, which makes the
 * order total (the store sorts by it last too).
 */
export function sortKeys(entity: EntityDef, order: readonly OrderItem[]): OrderItem[] {
  return [...order, { property: entity.primaryKey, expression: columnSql(entity.primaryKey), descending: false, type: 'guid' }];
}

/** The cookie keys for a page from `first` to `last`: each sort key's value in both rows. */
export function cookieKeys(entity: EntityDef, keys: readonly OrderItem[], first: Row, last: Row): CookieKey[] {
  return keys.map((key) => {
    const write = (value: SqlValue | undefined): string | null => {
      if (value === undefined || value === null) return null;
      // Dataverse writes the primary key in braces, upper case: last="{D5026A4D-…}".
      return key.property === entity.primaryKey ? `{${String(value).toUpperCase()}}` : String(value);
    };
    return { name: key.property, last: write(last[key.property]), first: write(first[key.property]) };
  });
}

/**
 * The rows after the cookie's last row in the order of `keys` (SQLite sorts nulls first
 * ascending, last descending). A cookie whose keys are not this query's sort keys — another
 * table's, another $orderby's, an edited one — is refused.
 */
export function rowsAfter(entity: EntityDef, keys: readonly OrderItem[], cookie: PagingCookie): SqlCondition {
  if (cookie.keys.length !== keys.length) throw invalidSkipToken();
  const values = keys.map((key, index) => {
    const cookieKey = cookie.keys[index];
    if (cookieKey?.name !== key.property) throw invalidSkipToken();
    return readKeyValue(entity, key, cookieKey.last);
  });
  const alternatives: string[] = [];
  const params: SqlValue[] = [];
  keys.forEach((key, index) => {
    const parts: string[] = [];
    const partParams: SqlValue[] = [];
    for (let j = 0; j < index; j += 1) {
      const earlier = keys[j];
      if (!earlier) continue;
      parts.push(`${earlier.expression} IS ${bound(earlier)}`);
      partParams.push(values[j] ?? null);
    }
    const value = values[index] ?? null;
    if (value === null) {
      if (key.descending) return; // nothing sorts after a null, descending
      parts.push(`${key.expression} IS NOT NULL`);
    } else if (key.descending) {
      parts.push(`(${key.expression} < ${bound(key)} OR ${key.expression} IS NULL)`);
      partParams.push(value);
    } else {
      parts.push(`${key.expression} > ${bound(key)}`);
      partParams.push(value);
    }
    alternatives.push(`(${parts.join(' AND ')})`);
    params.push(...partParams);
  });
  return alternatives.length === 0 ? { sql: '0', params: [] } : { sql: `(${alternatives.join(' OR ')})`, params };
}

/** Both conditions (either may be absent). */
export function bothConditions(a: SqlCondition | undefined, b: SqlCondition | undefined): SqlCondition | undefined {
  if (!a) return b;
  if (!b) return a;
  return { sql: `(${a.sql}) AND (${b.sql})`, params: [...a.params, ...b.params] };
}

/**
 * The query string of a next or delta link: the request's own query without the options named
 * in `drop`, then `name=encodedValue` — "don't change the @odata.nextLink URL value or append any
 * query options to it", so it must carry everything the first request asked for.
 */
export function continuationQuery(params: QueryParams, drop: readonly string[], name: string, encodedValue: string): string {
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined || drop.includes(key)) continue;
    for (const item of typeof raw === 'string' ? [raw] : raw) parts.push(`${encodeQueryPart(key)}=${encodeQueryPart(item)}`);
  }
  parts.push(`${name}=${encodedValue}`);
  return `?${parts.join('&')}`;
}

/** A $skiptoken in a URL as Dataverse writes it: percent-encoded, `=` and `/` left as they are. */
export function encodeSkipToken(token: string): string {
  return encodeURIComponent(token).replace(/%3D/g, '=').replace(/%2F/g, '/');
}

/**
 * A $skiptoken the sandbox did not write for this query. Dataverse's answer to an edited paging
 * cookie is not documented; the sandbox answers as for a malformed query option (0x80060888).
 */
export function invalidSkipToken(): DataverseError {
  return new DataverseError(400, DataverseErrorCode.QueryOrPayload, 'The $skiptoken value is not a paging cookie of this query. Use the @odata.nextLink as it was returned.');
}

function readKeyValue(entity: EntityDef, key: OrderItem, text: string | null): SqlValue {
  if (text === null) {
    if (key.property === entity.primaryKey) throw invalidSkipToken();
    return null;
  }
  if (key.property === entity.primaryKey) {
    const id = /^\{(.*)\}$/.exec(text)?.[1];
    const guid = id === undefined ? undefined : parseGuid(id);
    if (guid === undefined) throw invalidSkipToken();
    return guid;
  }
  if (key.type === 'int' || key.type === 'bool') {
    if (!/^-?\d{1,15}$/.test(text)) throw invalidSkipToken();
    return Number(text);
  }
  return text;
}

/** The placeholder for a key's value: strings are compared folded, as they are sorted. */
function bound(key: OrderItem): string {
  return key.type === 'string' ? `${FOLD_FUNCTION}(?)` : '?';
}

/** Percent-encoding that keeps what reads plainly in an OData query ($ , : @ /). */
function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(/%2C/g, ',').replace(/%24/g, '$').replace(/%3A/g, ':').replace(/%40/g, '@').replace(/%2F/g, '/');
}
