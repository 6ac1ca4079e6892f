/**
 * How code that needs phone numbers gets them read: it is handed a `PhoneNumberReader` rather
 * than importing one. The server hands it the reader backed by Google's numbering-plan data
 * (`libphonenumberReader`, phone-number.ts); the pane, whose download has no room for that data
 * (about 25 KB of its 100 KB aim), hands it a reader of the server's answers, which it can only
 * get by awaiting the server (src/widget/phone/server-number-reader.ts). src/crm's logic is the
 * same for both, and one test table runs against both readers.
 */
import { CrmError, CrmErrorCode } from '../crm-error.ts';

/**
 * - `international`: the country is known — written (`+`, or an international prefix: `00` in
 *   any region, or the default region's own such as `011` in the US), or taken from the region it
 *   is read in (the record's country or the default region) because it is a valid number there,
 *   or has the shape of that country's numbers (its plan's national number pattern) though its
 *   range is not allocated or newer than the data: a US `207-123-4567` is a US number, and so
 *   can never be the UK's `+44 20 7123 4567` (phone-match.ts).
 * - `national`: seven or more digits with no country: no region, or not shaped like a number
 *   of it (a German `030 1234567` stored in a US organisation: no US number starts with 0).
 * - `short`: a short number (extension-number.ts) with no country written: an internal
 *   extension (`1002`) or a service code (`112`). Never given a country, so it can never pass
 *   for an external number.
 * - `none`: not a number (empty, letters, an impossible `+` number).
 */
export type PhoneKind = 'international' | 'national' | 'short' | 'none';

export interface NormalizedPhone {
  kind: PhoneKind;
  /** E.164, `international` only. */
  e164?: string;
  /** Country calling code without `+` ("1", "49"), `international` only. */
  callingCode?: string;
  /** ISO 3166-1 region when the numbering data can tell ("US", "CA"), `international` only. */
  region?: string;
  /** How the country was learnt (`default-region`: the region the number was read in), `international` only. */
  countrySource?: 'written' | 'default-region';
  /** The national significant number ("4155550100" for +1 415 555 0100), `international` only. */
  nationalNumber?: string;
  /** Every digit of the number as written, without its extension. */
  digits: string;
  /** The extension split off (`x140` → "140"). */
  extension?: string;
}

export interface PhoneNumberReader {
  /** `raw` as a phone number; `defaultRegion` (ISO alpha-2) places numbers written without a country. */
  read(raw: string, defaultRegion?: string): NormalizedPhone;
  /** `+1 415 555 0100`: how a number is shown and stored when Callpane writes it; undefined unless `international`. */
  international(phone: NormalizedPhone): string | undefined;
  /** The national digits of a `national` number read in the country of `callingCode` ("49"), in E.164; undefined when not a possible number there. */
  inCountry(nationalDigits: string, callingCode: string): string | undefined;
  /** Whether `code` is a region numbers can be read in: an ISO 3166-1 alpha-2 code in capitals. */
  isRegion(code: string): boolean;
}

/** The shape of an ISO 3166-1 alpha-2 code as regions are written here: two capitals. */
export function hasRegionShape(code: string): boolean {
  return /^[A-Z]{2}$/.test(code);
}

/** `region` when `numbers` can read in it (or it is absent); a CrmError naming it otherwise. */
export function checkRegion(numbers: PhoneNumberReader, region: string | undefined): string | undefined {
  if (region === undefined) return undefined;
  if (!numbers.isRegion(region))
    throw new CrmError(CrmErrorCode.INVALID_REGION, `default region must be an ISO 3166-1 alpha-2 code in capitals, such as US or DE: ${JSON.stringify(region.slice(0, 20))}`);
  return region;
}
