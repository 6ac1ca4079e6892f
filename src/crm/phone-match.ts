/**
 * Whether a caller's number is the number a CRM record stores, and how sure we are. Dynamics keeps
 * phone fields as free text (docs/dataverse.md §3), so the wildcard search (phone-search.ts) brings back
 * candidates that merely contain the right digits in order; this module decides which of them
 * really are the same number. The caller's number is read by the `PhoneNumberReader` given (phone-number-reader.ts)
 * in the organisation's default region; a stored field by `readPhoneField` (phone-field.ts):
 * labels and annotations dropped ("Mob: …", "… (mobile)", "手机：…"), each of several numbers in
 * one field a candidate ("030 1234567 / 0171 2345678"), extensions set aside ("x12", "转123"),
 * and read in the record's own country (its address country, country-region.ts) when it has one
 * and the number has that country's shape, else in the default region. A field matches when one of its numbers does; then, in rank order:
 *
 * 1. `same-e164` — both sides have a country and the same E.164 number.
 *      "+14155550100" = "(415) 555-0100" (region US) = "001 415 555 0100" = "+1 415-555-0100 x140"
 *      "+493012345"   = "0049 30 1234-5" = "+49 (0)30 1234-5" = "030 12345" (region DE)
 *      "+8613800138000" = "+86 138 0013 8000" = "138-0013-8000" (region CN)
 *      "+81312345678" = "０３－１２３４－５６７８" (region JP: full-width digits)
 * 2. `same-national-number` — one side has no country (no default region, or not a valid number
 *    of it); read in the other side's country it is the same number, i.e. the national
 *    significant numbers are equal once that country's trunk prefix is dropped.
 *      "+49301234567" = "030 1234567" (no region, or region US where it is not a valid number)
 *      "+14155550100" = "(415) 555-0100" (no region)
 * 3. `same-digits` — neither side has a country and the digits are the same.
 *      "(415) 555-0100" = "415.555.0100" (no region)
 * 4. `same-short-number` — both are short numbers (one to six digits with no country written:
 *    internal extensions, service codes) with the same digits.
 *      "1002" = "1002"
 * Ranks: 1 before 2 before 3 and 4 (equal).
 *
 * Never a match:
 * - a short number against a longer one, whatever its tail: an internal extension "1002" is not
 *   "+1 415 555 1002", and "0100" is not "(415) 555-0100" — nothing matches by suffix;
 * - numbers of different countries, even with equal national digits: "+33 3 01 23 45 67" is not
 *   "030 1234567" read in region DE (a valid German number keeps the region's country), and a
 *   US "207-123-4567" on a US record (or read in region US) is not the UK's "+44 20 7123 4567":
 *   a number shaped like its region's numbers keeps that region's country;
 * - anything that is not a number ("anonymous", "1-800-FLOWERS", "+1234").
 * Extensions never take part: "+44 20 7946 0958 ext. 12" = "+44 20 7946 0958;ext=13".
 */
import { regionOfCountry } from './country-region.ts';
import { readPhoneField } from './phone-field.ts';
import { checkRegion, type NormalizedPhone, type PhoneNumberReader } from './numbers/phone-number-reader.ts';

export type MatchReason = 'same-e164' | 'same-national-number' | 'same-digits' | 'same-short-number';
export type MismatchReason = 'incoming-not-a-number' | 'stored-not-a-number' | 'extension-vs-external' | 'different-number';

/** Lower is surer; matches are listed best first. */
export const MATCH_RANK: Readonly<Record<MatchReason, number>> = {
  'same-e164': 0,
  'same-national-number': 1,
  'same-digits': 2,
  'same-short-number': 2,
};

export interface MatchOptions {
  /** ISO 3166-1 alpha-2 region, in capitals, that numbers written without a country belong to; anything else throws CrmError INVALID_REGION. */
  defaultRegion?: string;
  /** The stored record's address country as written ("Germany", "DE", "中国"); when it names a region, the stored number is read there instead of in the default region. */
  storedCountry?: string;
}

export type PhoneComparison = ({ match: true; reason: MatchReason } & ComparedNumbers) | ({ match: false; reason: MismatchReason } & ComparedNumbers);

interface ComparedNumbers {
  incoming: NormalizedPhone;
  /** The stored number that decided: the one that matched, else the first. */
  stored: NormalizedPhone;
  /** Every number the stored field holds, when it holds more than one. */
  storedNumbers?: NormalizedPhone[];
  /** The region the stored number was read in: the record's country, else the default region. */
  storedRegion?: string;
}

/** Anything stored with a phone number: the number plus whatever identifies where it is stored. */
export interface PhoneCandidate {
  /** The phone field as stored: free text, possibly several numbers. */
  number: string;
  /** The record's address country as stored ("United States", "DE"), when it has one. */
  country?: string;
}

export interface PhoneMatch<T extends PhoneCandidate> {
  candidate: T;
  reason: MatchReason;
}

/** Compares the number a call presents with one stored number, saying why they do or do not match. */
export function comparePhones(numbers: PhoneNumberReader, incoming: string, stored: string, options: MatchOptions = {}): PhoneComparison {
  const region = checkRegion(numbers, options.defaultRegion);
  const caller = numbers.read(incoming, region);
  const storedRegion = regionOfCountry(options.storedCountry) ?? region;
  const storedNumbers = readPhoneField(numbers, stored, storedRegion, region);
  const best = bestOf(numbers, caller, storedNumbers);
  const compared: ComparedNumbers = {
    incoming: caller,
    stored: best.stored,
    ...(storedNumbers.length > 1 ? { storedNumbers } : {}),
    ...(storedRegion === undefined ? {} : { storedRegion }),
  };
  return isMatchReason(best.reason) ? { match: true, reason: best.reason, ...compared } : { match: false, reason: best.reason, ...compared };
}

/** The candidates that hold the incoming number, best first; equally good ones keep their order. */
export function matchPhone<T extends PhoneCandidate>(numbers: PhoneNumberReader, incoming: string, candidates: readonly T[], options: MatchOptions = {}): PhoneMatch<T>[] {
  const region = checkRegion(numbers, options.defaultRegion);
  const caller = numbers.read(incoming, region);
  const matches: PhoneMatch<T>[] = [];
  for (const candidate of candidates) {
    const { reason } = bestOf(numbers, caller, readPhoneField(numbers, candidate.number, regionOfCountry(candidate.country) ?? region, region));
    if (isMatchReason(reason)) matches.push({ candidate, reason });
  }
  // Array.prototype.sort is stable (ES2019), so candidates of equal rank keep the search order.
  return matches.sort((x, y) => MATCH_RANK[x.reason] - MATCH_RANK[y.reason]);
}

/** Mismatches said from the most telling: another number, then a short one against a long one. */
const MISMATCH_ORDER: readonly MismatchReason[] = ['incoming-not-a-number', 'different-number', 'extension-vs-external', 'stored-not-a-number'];

/** The best match among the numbers of one stored field, or the most telling mismatch. */
function bestOf(numbers: PhoneNumberReader, caller: NormalizedPhone, storedNumbers: readonly NormalizedPhone[]): { reason: MatchReason | MismatchReason; stored: NormalizedPhone } {
  let best: { reason: MatchReason | MismatchReason; stored: NormalizedPhone } | undefined;
  for (const stored of storedNumbers) {
    const reason = compareNormalized(numbers, caller, stored);
    if (best === undefined || rank(reason) < rank(best.reason)) best = { reason, stored };
  }
  return best ?? { reason: caller.kind === 'none' ? 'incoming-not-a-number' : 'stored-not-a-number', stored: { kind: 'none', digits: '' } };
}

function rank(reason: MatchReason | MismatchReason): number {
  return isMatchReason(reason) ? MATCH_RANK[reason] : 10 + MISMATCH_ORDER.indexOf(reason);
}

/** Whether two numbers already read are the same, and why (the rules above); the phone index (src/dynamics/phone-index/) decides with it too. */
export function compareNormalized(numbers: PhoneNumberReader, a: NormalizedPhone, b: NormalizedPhone): MatchReason | MismatchReason {
  if (a.kind === 'none') return 'incoming-not-a-number';
  if (b.kind === 'none') return 'stored-not-a-number';
  if (a.kind === 'short' || b.kind === 'short') {
    if (a.kind !== b.kind) return 'extension-vs-external';
    return a.digits === b.digits ? 'same-short-number' : 'different-number';
  }
  if (a.kind === 'international' && b.kind === 'international') return a.e164 === b.e164 ? 'same-e164' : 'different-number';
  if (a.kind === 'national' && b.kind === 'national') return a.digits === b.digits ? 'same-digits' : 'different-number';
  const [placed, unplaced] = a.kind === 'international' ? [a, b] : [b, a];
  const read = numbers.inCountry(unplaced.digits, placed.callingCode as string);
  return read !== undefined && read === placed.e164 ? 'same-national-number' : 'different-number';
}

export function isMatchReason(reason: MatchReason | MismatchReason): reason is MatchReason {
  return reason in MATCH_RANK;
}
