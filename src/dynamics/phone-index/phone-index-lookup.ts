/**
 * A caller's records from the phone index: the numbers the index may hold for the caller's
 * number, each then compared by the same rule the pane's match uses (`compareNormalized`,
 * src/crm/phone-match.ts), so the index finds what wildcard search plus `matchPhone` would.
 *
 * - A caller whose country is known (+1 415 555 0100): the rows whose digits end with its
 *   national significant number — the same number stored with its country, and numbers stored
 *   without one ("0 415 555 0100", "1 415 555 0100"), which match when read in the caller's
 *   country they are the caller's number. A national number of another country that shares the
 *   digits is stored with that country and so never matches.
 * - A caller without a country (no default region, or not a number of it): the rows whose digits
 *   are a tail of the caller's (an international number whose national number the caller dialled
 *   after a trunk or country prefix) or all of them.
 * - A short number: rows with the same digits (compared as short numbers only).
 */
import type { IndexedPhone } from '../../contract/phone.ts';
import { CRM_ENTITIES, type CrmEntity } from '../../crm/crm-entities.ts';
import { checkRegion, type NormalizedPhone, type PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { compareNormalized, isMatchReason, MATCH_RANK, type PhoneMatch } from '../../crm/phone-match.ts';
import type { PhoneIndexRow } from '../../store/phone-index-repository.ts';

/** The index's rows, as the repository finds them. */
export interface PhoneIndexRows {
  withDigits(digits: string): PhoneIndexRow[];
  endingWith(digits: string, limit: number): PhoneIndexRow[];
}

/** Rows read per lookup at most: a page, as a CIF search answers (docs/dataverse.md §4). */
export const MAX_INDEX_ROWS = 5000;
/** The shortest national significant number of any numbering plan (Niue, Saint Helena). */
const SHORTEST_NATIONAL_NUMBER = 4;

export interface IndexLookupOptions {
  /** The tables to answer from, in the order matches of equal rank are listed. */
  entities: readonly CrmEntity[];
  defaultRegion?: string;
}

/** The indexed numbers that are `incoming`, best first; none when `incoming` is not a number. */
export function findIndexedPhones(numbers: PhoneNumberReader, rows: PhoneIndexRows, incoming: string, options: IndexLookupOptions): PhoneMatch<IndexedPhone>[] {
  const caller = numbers.read(incoming, checkRegion(numbers, options.defaultRegion));
  const order = new Map(options.entities.map((entity, index) => [entity, index] as const));
  const matches: Array<PhoneMatch<IndexedPhone> & { order: number }> = [];
  for (const row of candidateRows(rows, caller)) {
    const position = order.get(row.entity);
    if (position === undefined) continue;
    const reason = compareNormalized(numbers, caller, storedPhone(row));
    if (isMatchReason(reason)) matches.push({ candidate: indexedPhone(row), reason, order: position * 100 + CRM_ENTITIES[row.entity].phoneFields.indexOf(row.field) });
  }
  matches.sort(
    (x, y) => MATCH_RANK[x.reason] - MATCH_RANK[y.reason] || x.order - y.order || compareText(x.candidate.name, y.candidate.name) || compareText(x.candidate.id, y.candidate.id),
  );
  return matches.map(({ candidate, reason }) => ({ candidate, reason }));
}

function candidateRows(rows: PhoneIndexRows, caller: NormalizedPhone): PhoneIndexRow[] {
  switch (caller.kind) {
    case 'international':
      return caller.nationalNumber === undefined ? [] : rows.endingWith(caller.nationalNumber, MAX_INDEX_ROWS);
    case 'national': {
      const found: PhoneIndexRow[] = [];
      for (let length = SHORTEST_NATIONAL_NUMBER; length <= caller.digits.length && found.length < MAX_INDEX_ROWS; length++) {
        found.push(...rows.withDigits(caller.digits.slice(caller.digits.length - length)));
      }
      return found;
    }
    case 'short':
      return rows.withDigits(caller.digits);
    case 'none':
      return [];
  }
}

/** The stored number as the reader would have read it: what `compareNormalized` looks at. */
function storedPhone(row: PhoneIndexRow): NormalizedPhone {
  if (row.kind !== 'international' || row.e164 === null) return { kind: row.kind, digits: row.digits };
  return { kind: 'international', e164: row.e164, callingCode: row.e164.slice(1, row.e164.length - row.digits.length), nationalNumber: row.digits, digits: row.digits };
}

function indexedPhone(row: PhoneIndexRow): IndexedPhone {
  return {
    entity: row.entity,
    id: row.recordId,
    ...(row.recordName === null ? {} : { name: row.recordName }),
    field: row.field,
    number: row.e164 ?? row.digits,
    ...(row.extension === null ? {} : { extension: row.extension }),
  };
}

function compareText(a: string | undefined, b: string | undefined): number {
  return (a ?? '').localeCompare(b ?? '');
}
