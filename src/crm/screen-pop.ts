/**
 * What the pane does in the CRM when a call rings or is answered — the "screen pop" of
 * docs/settings.md §2, driven by the user's settings:
 * - Open the matched record when ringing / when answered / never, for inbound calls only or for
 *   inbound and outbound ones (internal calls never pop).
 * - One record: open it. Several: a chooser in the pane, where the record the user chose before
 *   for this number wins if it is still among the matches — or the CRM search page.
 * - None: nothing, a new contact or lead form prefilled with the number (openForm), or a contact
 *   or lead created automatically and named after the number (createRecord). A caller without a
 *   usable number (anonymous, an internal extension) gets nothing.
 * Numbers Callpane writes into Dynamics are in international format ("+1 415 555 0100"), which
 * people read easily and the wildcard search finds again.
 */
import type { CrmEntity, CrmRecordRef } from './crm-entities.ts';
import type { CrmSettings } from './crm-settings.ts';
import type { PhoneMatch } from './phone-match.ts';
import { checkRegion, type PhoneNumberReader } from './numbers/phone-number-reader.ts';
import { phoneSearchKey, quickFindText, type RecordPhone } from './phone-search.ts';

export type CallPhase = 'ringing' | 'answered';

export interface ScreenPopInput {
  direction: 'inbound' | 'outbound' | 'internal';
  phase: CallPhase;
  settings: Pick<CrmSettings, 'openRecord' | 'applyTo' | 'severalMatches' | 'unknownNumber'>;
  /** The matched records, best first (`matchedRecords`). */
  matches: readonly CrmRecordRef[];
  /** The record the user chose for this number before, if any. */
  remembered?: CrmRecordRef | null;
  /** The external party's number as the call presents it. */
  number: string;
  defaultRegion?: string;
}

export type ScreenPopDecision =
  | { kind: 'none'; reason: 'direction' | 'never' | 'other-phase' | 'unknown-number' | 'not-a-number' }
  | { kind: 'open'; record: CrmRecordRef }
  | { kind: 'choose'; records: CrmRecordRef[] }
  /** renderSearchPage(entity, searchText): `searchText` is a quick find for the digits. */
  | { kind: 'search-page'; entity: CrmEntity; searchText: string }
  /** openForm({ entityName: entity }, prefill). */
  | { kind: 'new-form'; entity: 'contact' | 'lead'; prefill: Record<string, string> }
  /** createRecord(entity, data). */
  | { kind: 'create'; entity: 'contact' | 'lead'; data: Record<string, string> };

/** `numbers` reads the caller's number (phone-number-reader.ts). */
export function decideScreenPop(numbers: PhoneNumberReader, input: ScreenPopInput): ScreenPopDecision {
  const { settings } = input;
  if (input.direction === 'internal' || (input.direction === 'outbound' && settings.applyTo === 'inbound')) return { kind: 'none', reason: 'direction' };
  if (settings.openRecord === 'never') return { kind: 'none', reason: 'never' };
  if (settings.openRecord !== input.phase) return { kind: 'none', reason: 'other-phase' };
  const records = uniqueRecords(input.matches);
  const [first, second] = records;
  if (first !== undefined && second === undefined) return { kind: 'open', record: first };
  if (first !== undefined) {
    if (settings.severalMatches === 'search-page') {
      const key = phoneSearchKey(numbers, input.number, input.defaultRegion);
      if (key) return { kind: 'search-page', entity: first.entity, searchText: quickFindText(key) };
    }
    const remembered = input.remembered && records.find((record) => sameRecord(record, input.remembered as CrmRecordRef));
    return remembered ? { kind: 'open', record: remembered } : { kind: 'choose', records };
  }
  return unknownCaller(numbers, input);
}

/** The records of ranked phone matches, best first, each once (a record can match on several columns). */
export function matchedRecords(matches: readonly PhoneMatch<RecordPhone>[]): CrmRecordRef[] {
  return uniqueRecords(matches.map(({ candidate }) => ({ entity: candidate.entity, id: candidate.id, ...(candidate.name === undefined ? {} : { name: candidate.name }) })));
}

export function sameRecord(a: CrmRecordRef, b: CrmRecordRef): boolean {
  return a.entity === b.entity && a.id.toLowerCase() === b.id.toLowerCase();
}

function uniqueRecords(records: readonly CrmRecordRef[]): CrmRecordRef[] {
  const unique: CrmRecordRef[] = [];
  for (const record of records) if (!unique.some((seen) => sameRecord(seen, record))) unique.push(record);
  return unique;
}

function unknownCaller(numbers: PhoneNumberReader, input: ScreenPopInput): ScreenPopDecision {
  const action = input.settings.unknownNumber;
  if (action === 'nothing') return { kind: 'none', reason: 'unknown-number' };
  const phone = numbers.read(input.number, checkRegion(numbers, input.defaultRegion));
  if (phone.kind !== 'international' && phone.kind !== 'national') return { kind: 'none', reason: 'not-a-number' };
  const number = numbers.international(phone) ?? input.number.trim();
  switch (action) {
    case 'new-contact-form':
      return { kind: 'new-form', entity: 'contact', prefill: { telephone1: number } };
    case 'new-lead-form':
      return { kind: 'new-form', entity: 'lead', prefill: { telephone1: number } };
    case 'create-contact':
      return { kind: 'create', entity: 'contact', data: { lastname: number, telephone1: number } };
    case 'create-lead':
      // A lead's topic (subject) and last name are required on its form; both carry the number.
      return { kind: 'create', entity: 'lead', data: { subject: number, lastname: number, telephone1: number } };
  }
}
