/**
 * The two rules for numbers dialled inside the PBX, in one place so that the extension store, the
 * configuration, sign-in, the call router and CRM matching cannot drift apart.
 *
 * - An **extension number** is what an extension can be called: 2 to 10 digits. The store
 *   refuses anything else, the configuration's `extension` values and the sign-in form check the
 *   same rule.
 * - A **short number** is a number written without a country that is never given one: one to
 *   `MAX_SHORT_DIGITS` digits, an internal extension (`1002`) or a service code (`112`). Number
 *   reading (phone-number.ts) never places it in a country, so it can never pass for an external
 *   number; the call router takes an unknown short number as meant for a colleague; a "/" inside a
 *   CRM phone field next to one does not split the field (phone-field.ts). Extension numbers of 7
 *   to 10 digits are allowed but read as national numbers: they are still found by their digits.
 */

/** What an extension number is: 2 to 10 digits. */
export const EXTENSION_NUMBER = /^\d{2,10}$/;

/** The longest number with no country written that still counts as an internal extension or short code. */
export const MAX_SHORT_DIGITS = 6;

export function isExtensionNumber(text: string): boolean {
  return EXTENSION_NUMBER.test(text);
}

/** Whether `digits` (the digits of a number written without a country, of any script) make a short number. */
export function isShortNumber(digits: string): boolean {
  const count = [...digits].length;
  return count >= 1 && count <= MAX_SHORT_DIGITS;
}
