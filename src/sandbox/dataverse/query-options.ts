/**
 * Reads the OData system query options of a request ($select, $filter, $orderby, $top, $count,
 * $expand, and the $skiptoken and $deltatoken of next and delta links) against one entity,
 * rejecting what Dataverse rejects: unknown properties, malformed values, repeated options, and
 * options Dataverse does not support ($skip).
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/overview
 */
import { propertyNotFound, querySyntaxError } from './dataverse-error.ts';
import { queryableProperty, type ColumnType, type EntityDef } from './entity-schema.ts';
import { parseExpand, type ExpandItem } from './expand-option.ts';
import { columnSql, filterToSql, FOLD_FUNCTION, type SqlCondition } from './filter-sql.ts';
import { parseFilter } from './filter-parser.ts';
import { readSelect } from './select-option.ts';

/** Query string values as node's and fastify's parsers give them (repeats become arrays). */
export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface QueryOptions {
  /** Properties to return; undefined means all. The primary key is always returned. */
  select?: string[];
  where?: SqlCondition;
  orderBy?: string;
  /** The $orderby items, in order (paging.ts pages after the last row's values). */
  order: OrderItem[];
  top?: number;
  count: boolean;
  expand: ExpandItem[];
  /** The $skiptoken of a next link, as sent (paging-cookie.ts reads it). */
  skipToken?: string;
  /** The $deltatoken of a delta link, as sent (delta-token.ts reads it). */
  deltaToken?: string;
}

export interface OrderItem {
  property: string;
  /** The SQL the rows are sorted by (strings fold case). */
  expression: string;
  descending: boolean;
  type: ColumnType;
}

const SUPPORTED = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$expand', '$skiptoken', '$deltatoken']);
const ORDER_ITEM = /^([A-Za-z_]\w*)(?:\s+(asc|desc))?$/;

/** Turns "?$select=a,b&$filter=…" (leading "?" optional) into QueryParams, decoding as a server would. */
export function parseQueryString(query: string): QueryParams {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)) {
    const previous = params[key];
    params[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return params;
}

export function readQueryOptions(entity: EntityDef, params: QueryParams, allowed: ReadonlySet<string> = SUPPORTED): QueryOptions {
  for (const name of Object.keys(params)) {
    if (!name.startsWith('$')) continue;
    if (!SUPPORTED.has(name)) throw querySyntaxError(`The query parameter ${name} is not supported`);
    if (!allowed.has(name)) throw querySyntaxError(`The query parameter ${name} is not supported for this request`);
  }
  const select = single(params, '$select');
  const filter = single(params, '$filter');
  const orderby = single(params, '$orderby');
  const top = single(params, '$top');
  const count = single(params, '$count');
  const expand = single(params, '$expand');
  const order = orderby === undefined ? [] : readOrderBy(entity, orderby);
  return {
    select: select === undefined ? undefined : readSelect(entity, select),
    where: filter === undefined ? undefined : filterToSql(entity, parseFilter(filter)),
    orderBy: orderby === undefined ? undefined : order.map((item) => `${item.expression} ${item.descending ? 'DESC' : 'ASC'}`).join(', '),
    order,
    top: top === undefined ? undefined : readTop(top),
    count: count === undefined ? false : readCount(count),
    expand: expand === undefined ? [] : parseExpand(entity, expand),
    skipToken: single(params, '$skiptoken'),
    deltaToken: single(params, '$deltatoken'),
  };
}

function single(params: QueryParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw querySyntaxError(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
  return value;
}

function readOrderBy(entity: EntityDef, text: string): OrderItem[] {
  return text.split(',').map((raw) => {
    const match = ORDER_ITEM.exec(raw.trim());
    if (!match) throw querySyntaxError(`Syntax error at position ${text.indexOf(raw) + raw.length} in '${text}'.`);
    const [, name = '', direction] = match;
    const property = queryableProperty(entity, name);
    if (!property) throw propertyNotFound(entity.logicalName, name);
    const type = property.column?.type ?? 'guid';
    const expression = type === 'string' ? `${FOLD_FUNCTION}(${columnSql(name)})` : columnSql(name);
    return { property: name, expression, descending: direction === 'desc', type };
  });
}

function readTop(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw querySyntaxError(`Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`);
  }
  return Number(text);
}

function readCount(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw querySyntaxError(`'${text}' is not a valid count option.`);
}
