/**
 * The external party's number as the pane shows it and looks it up in the CRM. A trunk that says
 * which country it is in gets national and international-prefix spellings turned into E.164;
 * anything that cannot be placed is kept as presented, separators removed, `+` kept, because a
 * partial number is still worth showing and searching for.
 */
import { toE164 } from '../../crm/numbers/phone-number.ts';
import { cleanDialString } from '../../crm/numbers/dial-string.ts';

/**
 * E.164 when `raw` is a possible number for `country` (or carries its own `+` country code);
 * else the cleaned dial string; else (`anonymous`, letters) `raw` unchanged.
 */
export function presentedNumber(raw: string, country?: string): string {
  const cleaned = cleanDialString(raw);
  if (cleaned === undefined) return raw;
  // `*` and `#` are service codes, never part of an E.164 number.
  if (!/^\+?\d+$/.test(cleaned)) return cleaned;
  return toE164(cleaned, country) ?? cleaned;
}
