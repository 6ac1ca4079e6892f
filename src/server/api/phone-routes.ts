/**
 * Phone numbers read on the server for the pane, so the browser does not download Google's
 * numbering-plan data (libphonenumber-js, about 29 KB gzipped: the pane's size aim is 100 KB,
 * issue 5). The server's reader (libphonenumberReader, src/crm/numbers/phone-number.ts) thus reads numbers
 * for server, sandbox and pane alike: the pane's reader is made of these answers
 * (src/widget/phone/server-number-reader.ts).
 *
 * - POST /api/phone/normalize `{ numbers, defaultRegion? }` → `{ numbers: PhoneFacts[] }`, in order:
 *   how each number reads (display form, E.164 for dialling and remembered choices).
 * - POST /api/phone/lookup `{ number, entities, defaultRegion? }` → `{ number: PhoneFacts, queries, index }`:
 *   the searchAndOpenRecords query per table (phone-search.ts), in the order given, and the
 *   server's phone index (src/dynamics/phone-index/): its state and, once it is ready, the records
 *   holding the number, so the pane searches through CIF only when no index can answer.
 * - POST /api/phone/rank `{ number, candidates, defaultRegion? }` → `{ matches }`: the candidates
 *   that really hold the number, best first (phone-match.ts); a candidate's `country` (its
 *   record's address country) places its numbers written without one.
 * Signed-in callers only (any extension: nothing here is stored or anyone's own).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { matchPhone } from '../../crm/phone-match.ts';
import type { CrmEntity } from '../../contract/crm-record.ts';
import type { PhoneFacts, PhoneIndexAnswer, PhoneLookupAnswer, PhoneNormalizeAnswer, PhoneRankAnswer } from '../../contract/phone.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { isCountryCode, libphonenumberReader } from '../../crm/numbers/phone-number.ts';
import { buildPhoneSearchQueries, MAX_SEARCH_ROWS, type RecordPhone } from '../../crm/phone-search.ts';
import { requireSession } from '../sessions/session-auth.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { CRM_ENTITIES, crmEntity, dataverseId } from './crm-record-ref.ts';
import { parseInput } from './parse-input.ts';

export type { PhoneFacts } from '../../contract/phone.ts';

export const MAX_PHONE_TEXT = 200;
export const MAX_NORMALIZE_NUMBERS = 200;
/** Every phone column of a full page from each table: 5000 rows × 18 columns. */
export const MAX_RANK_CANDIDATES = MAX_SEARCH_ROWS * 18;
/** Enough for MAX_RANK_CANDIDATES with long names. */
export const RANK_BODY_LIMIT = 16 * 1024 * 1024;

const phoneText = () => z.string().max(MAX_PHONE_TEXT);
const region = () => z.string().refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 code in capitals, such as US or DE').optional();

const NormalizeBody = z.strictObject({ numbers: z.array(phoneText()).min(1).max(MAX_NORMALIZE_NUMBERS), defaultRegion: region() });
const LookupBody = z.strictObject({ number: phoneText(), entities: z.array(crmEntity()).max(CRM_ENTITIES.length * 2), defaultRegion: region() });
const RankBody = z.strictObject({
  number: phoneText(),
  defaultRegion: region(),
  candidates: z
    .array(
      z.strictObject({
        entity: crmEntity(),
        id: dataverseId(),
        name: z.string().max(1000).optional(),
        field: z.string().min(1).max(100),
        number: z.string().max(1000),
        country: z.string().max(200).optional(),
      }),
    )
    .max(MAX_RANK_CANDIDATES),
});

/** The server's phone index as the lookup asks it (src/dynamics/phone-index/phone-index-service.ts). */
export interface PhoneIndexLookup {
  lookup(number: string, entities: readonly CrmEntity[], defaultRegion: string | undefined): PhoneIndexAnswer;
}

const NO_INDEX: PhoneIndexAnswer = { state: 'off', matches: [] };

/** How `numbers` reads `raw`: the answer the pane's reader is made of. */
export function phoneFacts(numbers: PhoneNumberReader, raw: string, defaultRegion?: string): PhoneFacts {
  const phone = numbers.read(raw, defaultRegion);
  const international = numbers.international(phone);
  return { raw, phone, ...(international === undefined ? {} : { international }) };
}

export function registerPhoneRoutes(app: FastifyInstance, sessions: SessionService, numbers: PhoneNumberReader = libphonenumberReader, index?: PhoneIndexLookup): void {
  app.post('/phone/normalize', async (request): Promise<PhoneNormalizeAnswer> => {
    requireSession(request, sessions);
    const body = parseInput(NormalizeBody, request.body, 'body');
    return { numbers: body.numbers.map((number) => phoneFacts(numbers, number, body.defaultRegion)) };
  });

  app.post('/phone/lookup', async (request): Promise<PhoneLookupAnswer> => {
    requireSession(request, sessions);
    const body = parseInput(LookupBody, request.body, 'body');
    return {
      number: phoneFacts(numbers, body.number, body.defaultRegion),
      queries: buildPhoneSearchQueries(numbers, body.number, { entities: body.entities, defaultRegion: body.defaultRegion }),
      index: index?.lookup(body.number, body.entities, body.defaultRegion) ?? NO_INDEX,
    };
  });

  app.post('/phone/rank', { bodyLimit: RANK_BODY_LIMIT }, async (request): Promise<PhoneRankAnswer> => {
    requireSession(request, sessions);
    const body = parseInput(RankBody, request.body, 'body');
    const candidates: RecordPhone[] = body.candidates;
    return { matches: matchPhone(numbers, body.number, candidates, { defaultRegion: body.defaultRegion }) };
  });
}
