/**
 * What the phone index keeps of one Dataverse record: its id, primary name and every number its
 * phone columns hold, read the way the pane's match reads them (src/crm/phone-match.ts) — so an
 * indexed lookup finds exactly the records the wildcard search plus `matchPhone` would.
 *
 * Each phone column is free text (docs/dataverse.md §3) read by `readPhoneField`
 * (src/crm/phone-field.ts): labels dropped, several numbers per column, the extension set aside,
 * a number written without a country read in the record's own country (its `address1_country`,
 * src/crm/country-region.ts) and, when that country cannot place it, in the default region. The
 * country found is kept with the number: a US "207-123-4567" is indexed as +1 207 123 4567 and
 * can never be found for the UK's +44 20 7123 4567. Text that is no number is left out.
 */
import { CRM_ENTITIES, normalizeGuid, type CrmEntity } from '../../crm/crm-entities.ts';
import { regionOfCountry } from '../../crm/country-region.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { readPhoneField } from '../../crm/phone-field.ts';

/** One number of a record as the index keeps it. */
export interface IndexedNumber {
  /** The column it is stored in ("mobilephone"). */
  field: string;
  kind: 'international' | 'national' | 'short';
  /** The national significant number of an international number; every digit of any other. */
  digits: string;
  /** E.164, international numbers only. */
  e164?: string;
  extension?: string;
}

export interface IndexedRecord {
  /** Lower-case GUID. */
  id: string;
  name: string | undefined;
  numbers: IndexedNumber[];
}

/** The columns a sync asks for: the key, the primary name, the address country and every phone column (src/crm/crm-entities.ts). */
export function indexedColumns(entity: CrmEntity): string[] {
  const info = CRM_ENTITIES[entity];
  return [info.idField, info.nameField, info.countryField, ...info.phoneFields];
}

/** The record a Web API row describes, its numbers read in its country, else in `defaultRegion`; a row without its key throws (CrmError). */
export function indexedRecord(numbers: PhoneNumberReader, entity: CrmEntity, row: Readonly<Record<string, unknown>>, defaultRegion: string | undefined): IndexedRecord {
  const info = CRM_ENTITIES[entity];
  const id = normalizeGuid(String(row[info.idField] ?? ''), `${entity} ${info.idField}`);
  const name = row[info.nameField];
  const country = row[info.countryField];
  const region = (typeof country === 'string' ? regionOfCountry(country) : undefined) ?? defaultRegion;
  const found: IndexedNumber[] = [];
  for (const field of info.phoneFields) {
    const text = row[field];
    if (typeof text !== 'string' || text.trim() === '') continue;
    for (const phone of readPhoneField(numbers, text, region, defaultRegion)) {
      if (phone.kind === 'none') continue;
      const extension = phone.extension === undefined ? {} : { extension: phone.extension };
      if (phone.kind === 'international' && phone.e164 !== undefined && phone.nationalNumber !== undefined) {
        found.push({ field, kind: 'international', digits: phone.nationalNumber, e164: phone.e164, ...extension });
      } else if (phone.kind !== 'international') {
        found.push({ field, kind: phone.kind, digits: phone.digits, ...extension });
      }
    }
  }
  return { id, name: typeof name === 'string' && name !== '' ? name : undefined, numbers: found };
}
