/**
 * The CRM lookup of a caller: one OData query per table for CIF's `searchAndOpenRecords(entity,
 * query, searchOnly)` (docs/cif-contract.md §2), in the order the user's settings give, over every phone
 * column of the table (docs/dataverse.md §3).
 *
 * Dynamics stores phone numbers as free text, so the query uses T-SQL wildcards inside
 * `contains` (https://learn.microsoft.com/power-apps/developer/data-platform/wildcard-characters):
 * the number's significant digits with `%` around and between them, which finds the digits in
 * order whatever the punctuation, prefix or extension around them:
 *
 *   +1 415 555 0100 → contains(telephone1,'%4%1%5%5%5%5%0%1%0%0%') finds "(415) 555-0100",
 *   "+1 (415) 555-0100 x140", "001 415 555 0100", "1-415-555-0100".
 *
 * Each digit is written as a set with its full-width form, `[4４]` (`%[4４]%[1１]%…%`), so
 * numbers typed with a Japanese or Chinese input method ("０３－１２３４－５６７８") are found
 * too: SQL Server collations without `_WS` ignore width, but whether every Dataverse collation
 * does is unsure (and the sandbox's LIKE does not), so the set works either way.
 *
 * Significant digits are the national significant number when the country is known (so the
 * country code and trunk prefix, written or not, do not matter), else the digits without leading
 * zeros (a trunk prefix "0"). A short number (an internal extension) is looked up by equality
 * only. The pattern is built from digits alone, so nothing typed or presented can reach the
 * OData text; it is quoted per OData all the same. `%` is always followed by `[` or `'`, never a
 * valid percent-escape, so a URL decoder leaves the pattern as it is.
 *
 * The same pattern finds numbers with labels, annotations and extensions around them ("Mob: 0171
 * 2345678", "手机：138 0013 8000", "… x12") and one number among several in a field, since the
 * digits are matched in order wherever they sit. Each row brings its address country, so
 * `matchPhone` reads the record's numbers in the record's own country.
 *
 * The wildcard search over-finds (any record with those digits in order, with anything in
 * between); `matchPhone` (phone-match.ts) then keeps the records that really hold the number, via
 * `candidatesFromSearchResult`. Leading wildcards cannot use an index (docs/dataverse.md §5): on very
 * large tables a normalized phone column would be the cure, not a different pattern.
 */
import { CRM_ENTITIES, isCrmEntity, normalizeGuid, type CrmEntity } from './crm-entities.ts';
import { CrmError, CrmErrorCode } from './crm-error.ts';
import type { PhoneCandidate } from './phone-match.ts';
import { checkRegion, type PhoneNumberReader } from './numbers/phone-number-reader.ts';

/** searchAndOpenRecords returns at most 5000 rows (docs/cif-contract.md §2), the platform's page size. */
export const MAX_SEARCH_ROWS = 5000;

export interface PhoneSearchOptions {
  /** The tables to search, in the user's order; repeats are searched once. */
  entities: readonly CrmEntity[];
  /** ISO 3166-1 alpha-2 region, in capitals, of numbers presented without a country. */
  defaultRegion?: string;
  /** Rows per table, 1…5000; default 5000 so a true match is not cut off behind wildcard over-finds. */
  top?: number;
}

export interface PhoneSearchQuery {
  entity: CrmEntity;
  /** The id column, the primary name column, the address country column and every phone column. */
  select: readonly string[];
  /** The `$filter` value, for callers that build their own Web API URL (and URL-encode it). */
  filter: string;
  top: number;
  /** `?$select=…&$filter=…&$top=…` as searchAndOpenRecords takes it. */
  query: string;
}

/** How a number is searched: digits in order anywhere, or a short number by equality. */
export type PhoneSearchKey = { kind: 'digits'; digits: string } | { kind: 'exact'; digits: string };

/** A phone column of a record the search found: a candidate for `matchPhone`. */
export interface RecordPhone extends PhoneCandidate {
  entity: CrmEntity;
  /** Lower-case GUID. */
  id: string;
  /** The record's primary name, when the row carries one. */
  name?: string;
  /** The column the number is stored in ("mobilephone"). */
  field: string;
}

/** What to search for `incoming`; undefined when it is not a number (nothing to look up). */
export function phoneSearchKey(numbers: PhoneNumberReader, incoming: string, defaultRegion?: string): PhoneSearchKey | undefined {
  const phone = numbers.read(incoming, checkRegion(numbers, defaultRegion));
  switch (phone.kind) {
    case 'international':
      return { kind: 'digits', digits: phone.nationalNumber as string };
    case 'national': {
      const digits = phone.digits.replace(/^0+/, '');
      return digits === '' ? undefined : { kind: 'digits', digits };
    }
    case 'short':
      return { kind: 'exact', digits: phone.digits };
    case 'none':
      return undefined;
  }
}

/** One query per table in `options.entities`; none when `incoming` is not a number. */
export function buildPhoneSearchQueries(numbers: PhoneNumberReader, incoming: string, options: PhoneSearchOptions): PhoneSearchQuery[] {
  const top = options.top ?? MAX_SEARCH_ROWS;
  if (!Number.isInteger(top) || top < 1 || top > MAX_SEARCH_ROWS)
    throw new CrmError(CrmErrorCode.INVALID_SEARCH_TOP, `phone search: top must be an integer from 1 to ${MAX_SEARCH_ROWS}, not ${top}`);
  for (const entity of options.entities) {
    if (!isCrmEntity(entity)) throw new CrmError(CrmErrorCode.UNKNOWN_ENTITY, `phone search: unknown table ${JSON.stringify(entity)} (contact, account or lead)`);
  }
  const key = phoneSearchKey(numbers, incoming, options.defaultRegion);
  if (key === undefined) return [];
  return [...new Set(options.entities)].map((entity) => {
    const info = CRM_ENTITIES[entity];
    const select = [info.idField, info.nameField, info.countryField, ...info.phoneFields];
    const filter = info.phoneFields.map((field) => condition(field, key)).join(' or ');
    return { entity, select, filter, top, query: `?$select=${select.join(',')}&$filter=${filter}&$top=${top}` };
  });
}

/** `*4*1*5*5*5*5*0*1*0*0`: the digits for a quick find (renderSearchPage), where `*` is the wildcard. */
export function quickFindText(key: PhoneSearchKey): string {
  return key.kind === 'exact' ? key.digits : `*${[...key.digits].join('*')}`;
}

/**
 * The phone columns of the rows searchAndOpenRecords returned for `query`, as candidates for
 * `matchPhone`, in row order then column order. `result` is CIF's JSON string (or its parsed
 * value): an array of rows or an object keyed by index (docs/cif-contract.md §2 — treated alike).
 */
export function candidatesFromSearchResult(query: PhoneSearchQuery, result: unknown): RecordPhone[] {
  const rows = searchRows(result);
  const info = CRM_ENTITIES[query.entity];
  const candidates: RecordPhone[] = [];
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw badResult(`a ${query.entity} row is not an object`);
    const record = row as Record<string, unknown>;
    const rawId = record[info.idField];
    if (typeof rawId !== 'string') throw badResult(`a ${query.entity} row has no ${info.idField}`);
    const id = normalizeGuid(rawId, `${query.entity} ${info.idField}`);
    const name = record[info.nameField];
    const country = record[info.countryField];
    for (const field of info.phoneFields) {
      const number = record[field];
      if (typeof number === 'string' && number.trim() !== '') {
        candidates.push({
          entity: query.entity,
          id,
          ...(typeof name === 'string' ? { name } : {}),
          field,
          number,
          ...(typeof country === 'string' && country.trim() !== '' ? { country } : {}),
        });
      }
    }
  }
  return candidates;
}

function condition(field: string, key: PhoneSearchKey): string {
  if (key.kind === 'exact') return `${field} eq ${odataString(key.digits)}`;
  return `contains(${field},${odataString(`%${[...key.digits].map(eitherWidth).join('%')}%`)})`;
}

/** `[4４]`: a T-SQL LIKE set of the digit and its full-width form (U+FF10…U+FF19). */
function eitherWidth(digit: string): string {
  return `[${digit}${String.fromCharCode(0xff10 + Number(digit))}]`;
}

/** An OData string literal: single quotes, a quote inside doubled (OData ABNF `SQUOTE-in-string`). */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function searchRows(result: unknown): unknown[] {
  let value = result;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw badResult('not JSON');
    }
  }
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) throw badResult('neither an array nor an object keyed by index');
  const entries = Object.entries(value);
  if (entries.some(([key]) => !/^\d+$/.test(key))) throw badResult('an object whose keys are not row indexes');
  return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, row]) => row);
}

function badResult(why: string): CrmError {
  return new CrmError(CrmErrorCode.INVALID_SEARCH_RESULT, `searchAndOpenRecords result: ${why}`);
}
