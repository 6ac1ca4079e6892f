/**
 * The caller's own call records: GET /api/calls (newest first, paged by cursor),
 * GET /api/calls/:id, PUT /api/calls/:id/notes, where the pane keeps the agent's notes as they
 * are typed (the activity may be written later, by this pane after a reload or by another), and
 * PUT /api/calls/:id/crm, where the pane reports the Phone Call activity it wrote (or did not). A call that is not the caller's answers exactly
 * like one that does not exist (404), so the API never tells whether another extension had a call.
 *
 * The activity id is derived from the call id, so every report for one call names the same
 * activity; a report naming another activity for a call already logged is refused (409), as it
 * would mean the call was journaled twice.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LOG_STATES, type CallPage, type CallRecord, type CrmLogReport } from '../../contract/call-record.ts';
import type { CallRecordRepository } from '../../store/call-record-repository.ts';
import { requireSession } from '../sessions/session-auth.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { ApiError, ApiErrorCode } from './api-errors.ts';
import { decodeCallCursor, encodeCallCursor } from './call-cursor.ts';
import { callRecordView } from './call-record-view.ts';
import { dataverseId, recordReference } from './crm-record-ref.ts';
import { parseInput } from './parse-input.ts';

export const DEFAULT_CALL_PAGE = 50;
export const MAX_CALL_PAGE = 200;
/** Dynamics' phonecall description holds 2000 characters (docs/dataverse.md §2). */
export const MAX_NOTES = 2000;

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_CALL_PAGE).default(DEFAULT_CALL_PAGE),
  before: z.string().min(1).max(400).optional(),
});

const CallParams = z.object({ id: z.string().min(1).max(100) });

const NotesBody = z.strictObject({ notes: z.string().max(MAX_NOTES) });

const CrmReport = z.strictObject({
  activityId: dataverseId(),
  logState: z.enum(LOG_STATES),
  matched: recordReference().optional(),
  notes: z.string().max(MAX_NOTES).optional(),
}) satisfies z.ZodType<CrmLogReport>;

export function registerCallRoutes(app: FastifyInstance, sessions: SessionService, calls: CallRecordRepository): void {
  app.get('/calls', async (request): Promise<CallPage> => {
    const { user } = requireSession(request, sessions);
    const query = parseInput(ListQuery, request.query, 'query');
    const before = query.before === undefined ? undefined : decodeCallCursor(query.before);
    if (query.before !== undefined && !before) throw new ApiError(ApiErrorCode.INVALID_REQUEST, 'query.before: not a cursor from this API');
    const page = calls.listForExtension(user.number, { limit: query.limit, before });
    return { calls: page.records.map(callRecordView), nextCursor: page.next ? encodeCallCursor(page.next) : null };
  });

  app.get('/calls/:id', async (request): Promise<CallRecord> => {
    const { user } = requireSession(request, sessions);
    const { id } = parseInput(CallParams, request.params, 'params');
    const record = calls.getForExtension(id, user.number);
    if (!record) throw new ApiError(ApiErrorCode.NOT_FOUND, `no call ${id}`);
    return callRecordView(record);
  });

  app.put('/calls/:id/notes', async (request): Promise<CallRecord> => {
    const { user } = requireSession(request, sessions);
    const { id } = parseInput(CallParams, request.params, 'params');
    const { notes } = parseInput(NotesBody, request.body, 'body');
    const updated = calls.saveNotes(id, user.number, notes);
    if (!updated) throw new ApiError(ApiErrorCode.NOT_FOUND, `no call ${id}`);
    return callRecordView(updated);
  });

  app.put('/calls/:id/crm', async (request): Promise<CallRecord> => {
    const { user } = requireSession(request, sessions);
    const { id } = parseInput(CallParams, request.params, 'params');
    const report = parseInput(CrmReport, request.body, 'body');
    return calls.transaction(() => {
      const current = calls.getForExtension(id, user.number);
      if (!current) throw new ApiError(ApiErrorCode.NOT_FOUND, `no call ${id}`);
      if (current.crm.logState === 'logged' && current.crm.activityId !== null && current.crm.activityId !== report.activityId) {
        throw new ApiError(ApiErrorCode.CONFLICT, `call ${id} is already logged as activity ${current.crm.activityId}`);
      }
      const { matched, ...rest } = report;
      const updated = calls.reportCrm(id, user.number, { ...rest, ...(matched ? { matched: { entity: matched.entity, recordId: matched.id, name: matched.name } } : {}) });
      if (!updated) throw new ApiError(ApiErrorCode.NOT_FOUND, `no call ${id}`);
      return callRecordView(updated);
    });
  });
}
