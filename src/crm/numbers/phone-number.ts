/**
 * Phone numbers in E.164 (ITU-T E.164: `+` country code and national significant number), the
 * one form CRM lookups compare. libphonenumber-js carries Google's numbering-plan data, so a
 * national number (`030 1234567` in DE), an international-prefix one (`011 49 30 1234567` in
 * US) or one written with separators all come out the same. Pure. The server's `PhoneNumberReader`;
 * the pane does not download it (numbers/phone-number-reader.ts).
 *
 * `normalizePhone` reads the free text Dynamics stores (docs/dataverse.md §3) and what a trunk presents:
 * full-width and other-script digits become ASCII, labels around the number ("Mob:", "Tel.",
 * "cell", "手机：", "(mobile)": words of letters before or after it, or in brackets without
 * digits) are dropped, a trailing extension (`x140`, `ext. 12`, `;ext=12` per RFC 3966, `#12`,
 * `转123`, `分机123`) is split off, and the rest is classified — see `PhoneKind` (numbers/phone-number-reader.ts). Anything with
 * letters or other symbols left inside ("anonymous", "1-800-FLOWERS", "call me") is not a number.
 * A field holding several numbers is split by phone-field.ts before it comes here.
 */
import { getCountryCallingCode, isSupportedCountry, Metadata, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';
import { isShortNumber } from './extension-number.ts';
import { hasRegionShape, type NormalizedPhone, type PhoneNumberReader } from './phone-number-reader.ts';

/** Whether `code` is an ISO 3166-1 alpha-2 code, in capitals, that the numbering data knows. */
export function isCountryCode(code: string): code is CountryCode {
  return hasRegionShape(code) && isSupportedCountry(code);
}

/**
 * `raw` in E.164, or undefined when it is not a possible number: too short or long for its
 * country's plan, a national number without a `country` to place it, or not a number at all.
 * "Possible" (length) rather than "valid" (allocated ranges): a number that is merely newer than
 * the numbering data must still reach the CRM in its canonical form.
 */
export function toE164(raw: string, country?: string): string | undefined {
  const defaultCountry = country !== undefined && isCountryCode(country) ? country : undefined;
  const parsed = parsePhoneNumberFromString(raw, { defaultCountry, extract: false });
  return parsed?.isPossible() ? parsed.number : undefined;
}

export type { NormalizedPhone, PhoneKind } from './phone-number-reader.ts';

const EXTENSION = /(?:;\s*ext=|[\s,]*(?:extension|extn|ext|x|#|转|分机|内线)[\s.:]*)(\d{1,10})\s*$/iu;
const NUMBER_TEXT = /^\+?[\d\s\-‐‑‒–—―−./()[\]]*$/u;
const OTHER_DIGIT = /\p{Nd}/gu;
/** A word of letters ("Mob.", "Büro", "手机"), as a label is written. */
const WORD = String.raw`[\p{L}\p{M}][\p{L}\p{M}.'’]*`;
/** "(mobile)", "[Zentrale]": an annotation in brackets, with no digit in it. */
const ANNOTATION = /\s*[([][^()[\]\d]*\p{L}[^()[\]\d]*[)\]]\s*/gu;
/** Label words before the number, each ended by a space, ":" or "." ("Tel. ", "Mob:", "cell "), or Han characters right against it ("手机13800138000"). */
const LEADING_LABEL = new RegExp(String.raw`^(?:(?:${WORD})(?:\s*[:.]\s*|\s+)|\p{Script=Han}+(?=[\d+(]))+`, 'u');
/** Label words after the number, after a space ("415-555-0100 cell"). */
const TRAILING_LABEL = new RegExp(String.raw`(?:\s+${WORD})+\s*[:.]?$`, 'u');
/** The plans' national number patterns: a number shaped like a country's numbers belongs to it. */
const PLANS = new Metadata();
const SHAPES = new Map<CountryCode, RegExp | null>();

/** Reads `raw` as a phone number; `defaultRegion` (ISO alpha-2) places numbers written without a country. */
export function normalizePhone(raw: string, defaultRegion?: string): NormalizedPhone {
  const text = withoutLabels(asciiDigits(raw.normalize('NFKC')).trim().replace(/^tel:/i, ''));
  const extensionMatch = EXTENSION.exec(text);
  const main = (extensionMatch ? text.slice(0, extensionMatch.index) : text).trim();
  const extension = extensionMatch?.[1];
  const digits = main.replace(/\D/g, '');
  const none: NormalizedPhone = { kind: 'none', digits, ...(extension === undefined ? {} : { extension }) };
  if (!NUMBER_TEXT.test(main) || digits === '') return none;
  const withExtension = (phone: NormalizedPhone): NormalizedPhone => (extension === undefined ? phone : { ...phone, extension });

  if (main.startsWith('+')) {
    const parsed = possible(main, {});
    return withExtension(parsed ? international(parsed, 'written', digits) : none);
  }
  if (isShortNumber(digits)) return withExtension({ kind: 'short', digits });
  const region = defaultRegion !== undefined && isCountryCode(defaultRegion) ? defaultRegion : undefined;
  if (region) {
    const parsed = possible(main, { defaultCountry: region });
    // A calling code other than the region's own means the region's international prefix was dialled.
    if (parsed && parsed.countryCallingCode !== getCountryCallingCode(region)) return withExtension(international(parsed, 'written', digits));
    if (parsed && (parsed.isValid() || shapedLike(parsed.nationalNumber, region))) return withExtension(international(parsed, 'default-region', digits));
  }
  // 00 is the international prefix ITU-T recommends (E.164 Annex A) and most of the world uses.
  if (/^00[1-9]/.test(digits)) {
    const parsed = possible(`+${digits.slice(2)}`, {});
    if (parsed) return withExtension(international(parsed, 'written', digits));
  }
  return withExtension({ kind: 'national', digits });
}

/**
 * The national digits of a `national` number read in the country of `callingCode` ("49"), in
 * E.164; undefined when they are not a possible number there.
 */
export function e164InCountry(nationalDigits: string, callingCode: string): string | undefined {
  return possible(nationalDigits, { defaultCallingCode: callingCode })?.number;
}

/** `+1 415 555 0100`: how a number is shown and stored when Callpane writes it. */
export function formatInternational(phone: NormalizedPhone): string | undefined {
  if (phone.kind !== 'international' || phone.e164 === undefined) return undefined;
  return parsePhoneNumberFromString(phone.e164)?.formatInternational();
}

/** `text` without the labels and bracketed annotations people write around a number. */
function withoutLabels(text: string): string {
  const bare = text.replace(ANNOTATION, ' ').trim();
  return bare.replace(LEADING_LABEL, '').replace(TRAILING_LABEL, '').trim();
}

/** Whether `nationalNumber` fits `region`'s national number pattern (ITU-T E.164 plan as libphonenumber-js carries it). */
function shapedLike(nationalNumber: string, region: CountryCode): boolean {
  let shape = SHAPES.get(region);
  if (shape === undefined) {
    PLANS.selectNumberingPlan(region);
    const pattern = (PLANS.numberingPlan as { nationalNumberPattern?: () => string } | undefined)?.nationalNumberPattern?.();
    shape = pattern === undefined ? null : new RegExp(`^(?:${pattern})$`);
    SHAPES.set(region, shape);
  }
  return shape?.test(nationalNumber) ?? false;
}

function possible(text: string, options: { defaultCountry?: CountryCode; defaultCallingCode?: string }): PhoneNumber | undefined {
  const parsed = parsePhoneNumberFromString(text, { ...options, extract: false });
  return parsed?.isPossible() ? parsed : undefined;
}

function international(parsed: PhoneNumber, countrySource: 'written' | 'default-region', digits: string): NormalizedPhone {
  return {
    kind: 'international',
    e164: parsed.number,
    callingCode: parsed.countryCallingCode,
    ...(parsed.country === undefined ? {} : { region: parsed.country }),
    countrySource,
    nationalNumber: parsed.nationalNumber,
    digits,
  };
}

/**
 * Decimal digits of any script as ASCII (NFKC already folded full-width and mathematical
 * digits). Unicode keeps each script's digits as a run of ten from zero, so a digit's value is its
 * distance from the start of its run.
 */
function asciiDigits(text: string): string {
  return text.replace(OTHER_DIGIT, (digit) => {
    if (digit >= '0' && digit <= '9') return digit;
    const code = digit.codePointAt(0) as number;
    let zero = code;
    while (zero > code - 9 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero -= 1;
    return String(code - zero);
  });
}

/** The reader the server hands to code that needs numbers read (phone-number-reader.ts). */
export const libphonenumberReader: PhoneNumberReader = {
  read: normalizePhone,
  international: formatInternational,
  inCountry: e164InCountry,
  isRegion: isCountryCode,
};
