/**
 * A CRM phone field as the numbers it holds. Dynamics keeps phone columns as free text (single
 * line of text columns with the Phone format,
 * https://learn.microsoft.com/power-apps/maker/data-platform/types-of-fields), and people put
 * several numbers in one: "030 1234567 / 0171 2345678",
 * "+1 415 555 0100; +1 415 555 0101", "138 0013 8000 或 010-6552 9988". Each is a candidate of
 * its own, read by the `PhoneNumberReader` given (labels and extensions included) in the region given — the
 * record's own country — and, when that region cannot place it (not shaped like its numbers: a
 * "011 91 80 4882 6641" dialled from the US on an Indian record), in the fallback region.
 *
 * Separators: ";" (not RFC 3966's ";ext="), ",", "/", " or ", "或", a line break. A "/" also
 * sits inside one number ("030/1234567": area code / subscriber number, as German numbers were
 * long written), so it splits only where each side has more digits than a short number
 * (extension-number.ts); and a piece that starts with an extension (", ext. 12") belongs to the
 * number before it.
 */
import { isShortNumber } from './numbers/extension-number.ts';
import type { NormalizedPhone, PhoneNumberReader } from './numbers/phone-number-reader.ts';

const SEPARATOR = /(\s*(?:;(?!\s*ext=)|,|\/|\s(?:or|或)\s|或|\r?\n)\s*)/iu;
const STARTS_WITH_EXTENSION = /^(?:extension|extn|ext|x|#|转|分机|内线)[\s.:]*\p{Nd}/iu;
const DIGIT = /\p{Nd}/gu;

/** The texts of the numbers in `field`, in order; one text when it holds one number. */
export function phoneFieldTexts(field: string): string[] {
  const parts = field.split(SEPARATOR);
  const texts: string[] = [];
  let current = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const separator = parts[i] ?? '';
    const next = parts[i + 1] ?? '';
    if (belongsTogether(current, separator, next)) current += separator + next;
    else {
      texts.push(current);
      current = next;
    }
  }
  texts.push(current);
  return texts.map((text) => text.trim()).filter((text) => text !== '');
}

/** Every number `field` holds, read in `region`, else in `fallbackRegion`; a field with no number gives one `none` reading. */
export function readPhoneField(numbers: PhoneNumberReader, field: string, region?: string, fallbackRegion?: string): NormalizedPhone[] {
  const texts = phoneFieldTexts(field);
  return (texts.length === 0 ? [field] : texts).map((text) => {
    const phone = numbers.read(text, region);
    return phone.kind === 'national' && fallbackRegion !== undefined && fallbackRegion !== region ? numbers.read(text, fallbackRegion) : phone;
  });
}

function belongsTogether(before: string, separator: string, after: string): boolean {
  if (STARTS_WITH_EXTENSION.test(after.trim())) return true;
  return separator.trim() === '/' && (isShortNumber(digitsOf(before)) || isShortNumber(digitsOf(after)));
}

function digitsOf(text: string): string {
  return text.match(DIGIT)?.join('') ?? '';
}
