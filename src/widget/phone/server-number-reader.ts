/**
 * The pane's phone numbers, read by the server (POST /api/phone/normalize, /lookup) so the pane
 * does not download Google's numbering-plan data (about 25 KB of the pane's 100 KB aim,
 * measured with bench/pane-size.ts). Reading is asynchronous and says so: `readerFor` asks the
 * server about the numbers the pane is about to need and resolves to a `PhoneNumberReader` that
 * src/crm's logic (screen pop, Phone Call activity, search key) then uses synchronously, exactly
 * as the server uses libphonenumber-js. A number the server has not read (it was unreachable, or
 * nobody asked) reads as not-a-number, so nothing is popped or written from a guess.
 *
 * Answers are kept for the page's life by this object, which the pane's entry point makes once
 * and hands to the code that reads numbers.
 */
import type { NormalizedPhone, PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { hasRegionShape } from '../../crm/numbers/phone-number-reader.ts';
import type { PhoneFacts } from '../api/api-types.ts';

/** Numbers asked in one request at most (the server's MAX_NORMALIZE_NUMBERS). */
export const NORMALIZE_BATCH = 200;

/** How the server reads `numbers` in `defaultRegion`, in order; undefined when it could not be asked. */
export type AskServer = (numbers: readonly string[], defaultRegion: string | undefined) => Promise<readonly PhoneFacts[] | undefined>;

export class ServerNumberReader {
  readonly #ask: AskServer;
  readonly #known = new Map<string, PhoneFacts>();
  /** E.164 → international form: `international` gets a read number rather than its text. */
  readonly #international = new Map<string, string>();
  /** The synchronous view of every answer so far. */
  readonly #reader: PhoneNumberReader;

  constructor(ask: AskServer) {
    this.#ask = ask;
    this.#reader = {
      read: (raw, defaultRegion) => this.#known.get(keyOf(raw, defaultRegion))?.phone ?? notRead(raw),
      international: (phone) => (phone.kind === 'international' && phone.e164 !== undefined ? this.#international.get(phone.e164) : undefined),
      // Only phone matching reads national numbers in another country, and matching is the server's.
      inCountry: () => undefined,
      // The server refuses a region its numbering data does not know (400): numbers read in it stay unread.
      isRegion: hasRegionShape,
    };
  }

  /** Asks the server about those of `numbers` it has not read in `defaultRegion` yet; then a reader that knows them. */
  async readerFor(numbers: readonly string[], defaultRegion: string | undefined): Promise<PhoneNumberReader> {
    const unread = [...new Set(numbers)].filter((number) => !this.#known.has(keyOf(number, defaultRegion)));
    for (let start = 0; start < unread.length; start += NORMALIZE_BATCH) {
      const answers = await this.#ask(unread.slice(start, start + NORMALIZE_BATCH), defaultRegion);
      if (answers) this.learn(answers, defaultRegion);
    }
    return this.#reader;
  }

  /** Keeps answers the server gave to another request (POST /api/phone/lookup). */
  learn(answers: readonly PhoneFacts[], defaultRegion: string | undefined): void {
    for (const facts of answers) {
      this.#known.set(keyOf(facts.raw, defaultRegion), facts);
      if (facts.phone.e164 !== undefined && facts.international !== undefined) this.#international.set(facts.phone.e164, facts.international);
    }
  }

  /** What the server has read so far, without asking: for showing numbers, which show as given until read. */
  readSoFar(): PhoneNumberReader {
    return this.#reader;
  }
}

function keyOf(raw: string, defaultRegion: string | undefined): string {
  return `${defaultRegion ?? ''}\n${raw}`;
}

function notRead(raw: string): NormalizedPhone {
  return { kind: 'none', digits: raw.replace(/\D/g, '') };
}
