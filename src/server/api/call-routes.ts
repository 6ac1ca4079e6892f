/**
 * The caller's own call records: GET /api/calls (newest first, paged by cursor) and
 * GET /api/calls/:id. A call that is not the caller's answers exactly like one that does not
 * exist (404), so the API never tells whether another extension had a call.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CallRecordRepository } from '../../store/call-record-repository.ts';
import { requireSession } from '../sessions/bearer-auth.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { ApiError, ApiErrorCode } from './api-errors.ts';
import { decodeCallCursor, encodeCallCursor } from './call-cursor.ts';
import { parseInput } from './parse-input.ts';

export const DEFAULT_CALL_PAGE = 50;
export const MAX_CALL_PAGE = 200;

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_CALL_PAGE).default(DEFAULT_CALL_PAGE),
  before: z.string().min(1).max(400).optional(),
});

const CallParams = z.object({ id: z.string().min(1).max(100) });

export function registerCallRoutes(app: FastifyInstance, sessions: SessionService, calls: CallRecordRepository): void {
  app.get('/api/calls', async (request) => {
    const { user } = requireSession(request, sessions);
    const query = parseInput(ListQuery, request.query, 'query');
    const before = query.before === undefined ? undefined : decodeCallCursor(query.before);
    if (query.before !== undefined && !before) throw new ApiError(ApiErrorCode.INVALID_REQUEST, 'query.before: not a cursor from this API');
    const page = calls.listForExtension(user.number, { limit: query.limit, before });
    return { calls: page.records, nextCursor: page.next ? encodeCallCursor(page.next) : null };
  });

  app.get('/api/calls/:id', async (request) => {
    const { user } = requireSession(request, sessions);
    const { id } = parseInput(CallParams, request.params, 'params');
    const record = calls.getForExtension(id, user.number);
    if (!record) throw new ApiError(ApiErrorCode.NOT_FOUND, `no call ${id}`);
    return record;
  });
}
