/**
 * Phone numbers in E.164 (ITU-T E.164: `+` country code and national significant number), the
 * one form CRM lookups compare. libphonenumber-js carries Google's numbering-plan data, so a
 * national number (`030 1234567` in DE), an international-prefix one (`011 49 30 1234567` in
 * US) or one written with separators all come out the same. Pure: shared by server and widget.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Whether `code` is an ISO 3166-1 alpha-2 code, in capitals, that the numbering data knows. */
export function isCountryCode(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
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
