/**
 * Reads the OData system query options of a request ($select, $filter, $orderby, $top, $count,
 * $expand) against one entity, rejecting what Dataverse rejects: unknown properties, malformed
 * values, repeated options, and options Dataverse does not support ($skip).
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/overview
 */
import { propertyNotFound, querySyntaxError } from './dataverse-error.ts';
import { queryableProperty, type EntityDef } from './entity-schema.ts';
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
  top?: number;
  count: boolean;
  expand: ExpandItem[];
}

const SUPPORTED = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$expand']);
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
  return {
    select: select === undefined ? undefined : readSelect(entity, select),
    where: filter === undefined ? undefined : filterToSql(entity, parseFilter(filter)),
    orderBy: orderby === undefined ? undefined : readOrderBy(entity, orderby),
    top: top === undefined ? undefined : readTop(top),
    count: count === undefined ? false : readCount(count),
    expand: expand === undefined ? [] : parseExpand(entity, expand),
  };
}

function single(params: QueryParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw querySyntaxError(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
  return value;
}

function readOrderBy(entity: EntityDef, text: string): string {
  return text
    .split(',')
    .map((raw) => {
      const [, name, direction] = ORDER_ITEM.exec(raw.trim()) ?? [];
      if (name === undefined) throw querySyntaxError(`Syntax error at position ${text.indexOf(raw) + raw.length} in '${text}'.`);
      const property = queryableProperty(entity, name);
      if (!property) throw propertyNotFound(entity.logicalName, name);
      const column = property.column?.type === 'string' ? `${FOLD_FUNCTION}(${columnSql(name)})` : columnSql(name);
      return `${column} ${direction === 'desc' ? 'DESC' : 'ASC'}`;
    })
    .join(', ');
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
