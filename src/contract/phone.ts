/**
 * The answers of POST /api/phone/normalize, /lookup and /rank: how the server reads numbers for
 * the pane (the numbering-plan data stays on the server). The number, query and match shapes are
 * src/crm's, which pane and server both run; named here type-only, so nothing of crm is bundled
 * through the contract.
 */
import type { NormalizedPhone } from '../crm/numbers/phone-number-reader.ts';
import type { PhoneMatch } from '../crm/phone-match.ts';
import type { PhoneSearchQuery, RecordPhone } from '../crm/phone-search.ts';

/** How a number reads: what the pane shows, dials, remembers and searches for it. */
export interface PhoneFacts {
  /** The number as sent. */
  raw: string;
  phone: NormalizedPhone;
  /** `+1 415 555 0100`, international numbers only. */
  international?: string;
}

/** POST /api/phone/normalize. */
export interface PhoneNormalizeAnswer {
  numbers: PhoneFacts[];
}

/** POST /api/phone/lookup: the number as read, the search query per table in the order asked, and the server's phone index. */
export interface PhoneLookupAnswer {
  number: PhoneFacts;
  queries: PhoneSearchQuery[];
  index: PhoneIndexAnswer;
}

/**
 * The server's phone index: `off` when none runs (no Dynamics connection, switched off, or asked
 * in another default region than the one it read the records in), `syncing` until every table
 * was read once, `ready` with the records that hold the number. Only a `ready` index has matches;
 * otherwise the pane searches through CIF with the queries.
 */
export interface PhoneIndexAnswer {
  state: 'off' | 'syncing' | 'ready';
  /** Best first, as /api/phone/rank ranks: the tables in the order asked within one rank. */
  matches: PhoneMatch<IndexedPhone>[];
}

/** A number the index holds: `number` is its E.164 form, or its digits when it has no country. */
export interface IndexedPhone extends RecordPhone {
  extension?: string;
}

/** POST /api/phone/rank: the candidates that really hold the number, best first. */
export interface PhoneRankAnswer {
  matches: PhoneMatch<RecordPhone>[];
}
