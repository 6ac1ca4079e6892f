/**
 * The numbers the server has read for this pane (POST /api/phone/normalize and /lookup), kept
 * for the page's life. Numbers are read on the server so the pane does not download the
 * numbering-plan data (pane-bundle.ts); the pane asks before it needs a number — when a call
 * rings, before it dials, logs or remembers, when history loads — and afterwards reads it here
 * synchronously, also through src/crm's own logic (phone-number-browser.ts stands in for
 * src/crm/phone-number.ts in the bundle and answers from this book).
 */
import type { PhoneFacts } from '../api/api-types.ts';

/** Numbers asked in one request at most (the server's MAX_NORMALIZE_NUMBERS). */
export const NORMALIZE_BATCH = 200;

const known = new Map<string, PhoneFacts>();
/** E.164 → international form, for `formatInternational`, which gets a read number rather than text. */
const international = new Map<string, string>();

function keyOf(raw: string, region: string | undefined): string {
  return `${region ?? ''}\n${raw}`;
}

export const phoneBook = {
  /** What the server said of `raw` read in `region`, if it was asked. */
  get(raw: string, region: string | undefined): PhoneFacts | undefined {
    return known.get(keyOf(raw, region));
  },

  has(raw: string, region: string | undefined): boolean {
    return known.has(keyOf(raw, region));
  },

  learn(facts: readonly PhoneFacts[], region: string | undefined): void {
    for (const fact of facts) {
      known.set(keyOf(fact.raw, region), fact);
      if (fact.phone.e164 !== undefined && fact.international !== undefined) international.set(fact.phone.e164, fact.international);
    }
  },

  /** `+1 415 555 0100` for an E.164 number the server has formatted. */
  international(e164: string): string | undefined {
    return international.get(e164);
  },

  /** The numbers of `raw` the book does not know yet, each once. */
  unknown(raw: readonly string[], region: string | undefined): string[] {
    return [...new Set(raw)].filter((number) => !known.has(keyOf(number, region)));
  },

  /** Forgets everything (tests). */
  clear(): void {
    known.clear();
    international.clear();
  },
};
