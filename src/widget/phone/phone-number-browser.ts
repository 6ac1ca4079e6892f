/**
 * src/crm/phone-number.ts as the pane's bundle has it (pane-bundle.ts swaps it in): the same
 * exports, answered from what the server read (phone-book.ts) instead of from libphonenumber-js,
 * so src/crm's pure logic the pane runs — the screen-pop decision, the Phone Call activity, the
 * search key — reads numbers exactly as the server does, without the numbering-plan data in the
 * browser. The pane asks the server about a number before src/crm needs it (crm-flow.ts,
 * call-controller.ts); a number it could not ask about (the server unreachable) reads as
 * not-a-number, so nothing is popped or written from a guess.
 * Under Node (the unit tests) the real module runs.
 */
import { CrmError, CrmErrorCode } from '../../crm/crm-error.ts';
import type * as Real from '../../crm/phone-number.ts';
import { phoneBook } from './phone-book.ts';

export type PhoneKind = Real.PhoneKind;
export type NormalizedPhone = Real.NormalizedPhone;

/** The server checks regions against the numbering data; the shell only ever gives it one it accepts. */
export const isCountryCode = ((code: string) => /^[A-Z]{2}$/.test(code)) as typeof Real.isCountryCode;

export const normalizePhone: typeof Real.normalizePhone = (raw, defaultRegion) =>
  phoneBook.get(raw, defaultRegion)?.phone ?? { kind: 'none', digits: raw.replace(/\D/g, '') };

export const toE164: typeof Real.toE164 = (raw, country) => phoneBook.get(raw, country)?.phone.e164;

/** Only phone matching reads national numbers in another country, and matching is the server's. */
export const e164InCountry: typeof Real.e164InCountry = () => undefined;

export const formatInternational: typeof Real.formatInternational = (phone) =>
  phone.kind === 'international' && phone.e164 !== undefined ? phoneBook.international(phone.e164) : undefined;

export const checkRegion: typeof Real.checkRegion = (region) => {
  if (region === undefined) return undefined;
  if (!isCountryCode(region)) throw new CrmError(CrmErrorCode.INVALID_REGION, `default region must be an ISO 3166-1 alpha-2 code in capitals, such as US or DE: ${JSON.stringify(region.slice(0, 20))}`);
  return region;
};
