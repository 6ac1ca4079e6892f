/**
 * Start-up catch-up of the call journal: calls that ended while no pane could log them (a reload
 * during wrap-up, a closed tab, Dynamics not connected) are still without a log state in the
 * call history. Each is journaled now, with the same deterministic activity id, so a call the
 * interrupted pane did create is found (duplicate key) rather than created twice. Only recent
 * calls are caught up, so a first sign-in does not flood the CRM with a long past.
 */
import type { CallRecord, RecordRef } from '../api/api-types.ts';
import type { CrmFlow } from '../crm/crm-flow.ts';

export const RESUME_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ResumeOptions {
  records: readonly CallRecord[];
  /** The signed-in extension: only its side of each call is journaled. */
  extension: string;
  crm: Pick<CrmFlow, 'journal' | 'lookup' | 'remembered'>;
  now: number;
}

/** The calls that still need their log written (or retried), oldest first. */
export function unfinishedLogs(records: readonly CallRecord[], extension: string, now: number): CallRecord[] {
  return (
    records
      .filter((record) => record.endedAt !== null && now - record.endedAt <= RESUME_WINDOW_MS)
      .filter((record) => record.direction !== 'internal')
      .filter((record) => record.crm.logState === null || record.crm.logState === 'failed')
      // An inbound call answered by a colleague is theirs to log.
      .filter((record) => record.direction === 'outbound' || record.answeredBy === null || record.answeredBy === extension)
      .sort((a, b) => a.startedAt - b.startedAt)
  );
}

/** Journals every unfinished call; true when anything was written or reported. */
export async function resumeUnfinishedLogs(options: ResumeOptions): Promise<boolean> {
  const pending = unfinishedLogs(options.records, options.extension, options.now);
  let changed = false;
  for (const record of pending) {
    const direction = record.direction === 'outbound' ? 'outbound' : 'inbound';
    const number = direction === 'inbound' ? record.from.number : record.to.number;
    const outcome = await options.crm.journal({
      call: {
        callId: record.id,
        direction,
        number,
        extension: options.extension,
        startedAt: record.startedAt,
        answeredAt: record.answeredAt,
        endedAt: record.endedAt as number,
      },
      direction,
      record: await regarding(record, number, options.crm),
      notes: record.crm.notes ?? '',
    });
    if (outcome.state === 'waiting') break;
    changed = true;
  }
  return changed;
}

/** The record the call is about: the one reported before, the one remembered, or a single match. */
async function regarding(record: CallRecord, number: string, crm: ResumeOptions['crm']): Promise<RecordRef | undefined> {
  const { entity, recordId } = record.crm;
  if ((entity === 'contact' || entity === 'account' || entity === 'lead') && recordId) return { entity, id: recordId, name: '' };
  const remembered = await crm.remembered(number);
  if (remembered) return remembered;
  const matches = await crm.lookup(number);
  return matches?.length === 1 ? matches[0] : undefined;
}
