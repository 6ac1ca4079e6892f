/**
 * Call records (CDRs): one row per call, and the extensions it belongs to. The store knows
 * nothing of the PBX: the shapes here match the call events (src/pbx/calls/call-event.ts)
 * structurally, and the call recorder maps one to the other.
 *
 * Writes are idempotent so a repeated or late event changes nothing: `open` keeps the first
 * row, `answer` keeps the first answer time, `end` only ends a call that is still open.
 *
 * A user's history is ordered by start time, newest first, with the id breaking ties. The start
 * time never changes once a record exists, so a cursor (the last row's start time and id) pages
 * without gaps or repeats even while calls end between two pages; ordering by end time would
 * move a call to the top of the list when it ends, and calls in progress have none.
 */
import { inTransaction, type Database } from './database.ts';
import { createJournalOutboxRepository } from './journal-outbox-repository.ts';

/** A record's direction and disposition: the same words as its call's events (the CHECKs of migration 2). */
export type CallRecordDirection = 'inbound' | 'outbound' | 'internal';
export type CallRecordDisposition = 'answered' | 'missed' | 'busy' | 'failed' | 'canceled';

export interface CallRecordParty {
  number: string;
  name: string | null;
}

export interface CallRecordCrm {
  /** Logical name of the matched record's table, e.g. `contact`. */
  entity: string | null;
  recordId: string | null;
  /** The matched record's name as the pane reported it. */
  recordName: string | null;
  /** The Phone Call activity logged for this call. */
  activityId: string | null;
  logState: string | null;
  notes: string | null;
}

/** What the media relay measured of one direction of a call's audio (see src/pbx/calls/call-quality.ts). */
export interface CallRecordLegQuality {
  party: 'caller' | 'callee';
  packets: number;
  packetsLost: number | null;
  lossRatio: number | null;
  jitterMs: number | null;
  mos: number | null;
}

export interface CallRecordQuality {
  legs: CallRecordLegQuality[];
  poor: boolean;
}

export interface CallRecord {
  /** The call's UUID. */
  id: string;
  direction: CallRecordDirection;
  from: CallRecordParty;
  to: CallRecordParty;
  /** The trunk the call came in from or went out to; null for internal calls. */
  trunk: string | null;
  /** Epoch milliseconds. */
  startedAt: number;
  answeredAt: number | null;
  /** The extension that answered. */
  answeredBy: string | null;
  endedAt: number | null;
  /** Whole seconds from answer to end; 0 when never answered; null while in progress. */
  talkSeconds: number | null;
  disposition: CallRecordDisposition | null;
  endReason: string | null;
  crm: CallRecordCrm;
  /** The audio as the media relay measured it; null when it relayed none (or no relay ran). */
  quality: CallRecordQuality | null;
  /** The extensions the call belongs to, in numeric order. */
  extensions: string[];
}

/** What is known when a call starts: the rest of its record fills in as it is answered and ends. */
export type NewCallRecord = Pick<CallRecord, 'id' | 'direction' | 'from' | 'to' | 'trunk' | 'startedAt'> & { extensions: readonly string[] };

export interface CallRecordEnd {
  endedAt: number;
  disposition: CallRecordDisposition;
  talkSeconds: number;
  reason: string | null;
}

/** What the pane reports after writing (or not writing) the call's Phone Call activity. */
export interface CallRecordCrmReport {
  activityId: string;
  logState: string;
  /** The record the call was matched to; when absent the stored match stays as it is. */
  matched?: { entity: string; recordId: string; name: string };
  /** When absent the stored notes stay as they are. */
  notes?: string;
}

/** Where the next page starts: the last record of the previous one. */
export interface CallRecordCursor {
  startedAt: number;
  id: string;
}

export interface CallRecordPage {
  records: CallRecord[];
  /** Set when more records follow. */
  next: CallRecordCursor | null;
}

export interface CallRecordListOptions {
  limit: number;
  before?: CallRecordCursor;
}

/** The end reason `closeOpen` writes unless told otherwise. */
export const SERVER_RESTART_REASON = 'server restart';

export interface CallRecordRepository {
  /**
   * Creates the record when it does not exist yet, and makes each of `record.extensions` an
   * owner (those already owners stay; a later event naming a transfer target adds it). The
   * existing record's fields are never changed. True when the record was created.
   */
  open(record: NewCallRecord): boolean;
  /** Sets the answer time unless already answered or ended; true when it did. */
  answer(id: string, answeredAt: number, answeredBy: string | null): boolean;
  /** Ends a call still in progress; true when it did. With the journal on, an outside call's outbox row is written with it. */
  end(id: string, end: CallRecordEnd): boolean;
  get(id: string): CallRecord | undefined;
  /** The record when it belongs to `extension`; undefined when it does not exist or is not theirs. */
  getForExtension(id: string, extension: string): CallRecord | undefined;
  /** `extension`'s records, newest start first. */
  listForExtension(extension: string, options: CallRecordListOptions): CallRecordPage;
  /**
   * Applies the pane's report to a call of `extension`'s; the updated record, or undefined when
   * the call does not exist or is not theirs (and then nothing changes).
   */
  reportCrm(id: string, extension: string, report: CallRecordCrmReport): CallRecord | undefined;
  /**
   * Keeps the agent's notes on a call of `extension`'s before (or without) its activity being
   * written, so a pane that logs it later — after a reload, or inside Dynamics — finds them.
   */
  saveNotes(id: string, extension: string, notes: string): CallRecord | undefined;
  /** Keeps what the media relay measured of a call; true when the call exists. */
  saveQuality(id: string, quality: CallRecordQuality): boolean;
  /**
   * Runs `work` as one write transaction (joining one already open), so the writes of one call
   * event cost one commit.
   */
  transaction<T>(work: () => T): T;
  /**
   * Ends every record still open as failed at `now` (0 talk seconds: how long an answered call
   * went on while the server was down is unknown). Run at start-up, when no call can still be
   * in progress. Returns how many it closed.
   */
  closeOpen(now: number, reason?: string): number;
}

interface CallRecordRow {
  id: string;
  direction: CallRecordDirection;
  from_number: string;
  from_name: string | null;
  to_number: string;
  to_name: string | null;
  trunk: string | null;
  started_at: number;
  answered_at: number | null;
  answered_by: string | null;
  ended_at: number | null;
  talk_seconds: number | null;
  disposition: CallRecordDisposition | null;
  end_reason: string | null;
  crm_entity: string | null;
  crm_record_id: string | null;
  crm_record_name: string | null;
  crm_activity_id: string | null;
  crm_log_state: string | null;
  notes: string | null;
  /** JSON CallRecordQuality. */
  media_quality: string | null;
  /** JSON array of extension numbers. */
  owners: string;
}

const COLUMNS = [
  'id',
  'direction',
  'from_number',
  'from_name',
  'to_number',
  'to_name',
  'trunk',
  'started_at',
  'answered_at',
  'answered_by',
  'ended_at',
  'talk_seconds',
  'disposition',
  'end_reason',
  'crm_entity',
  'crm_record_id',
  'crm_record_name',
  'crm_activity_id',
  'crm_log_state',
  'notes',
  'media_quality',
];
// The owners come along as a JSON array, so a page costs one query.
const SELECT_COLUMNS = [...COLUMNS.map((column) => `r.${column}`), '(SELECT json_group_array(x.extension) FROM call_extensions x WHERE x.call_id = r.id) AS owners'].join(', ');

/** Extension numbers in numeric order, as the extension list shows them. */
function byNumber(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function fromRow(row: CallRecordRow): CallRecord {
  return {
    id: row.id,
    direction: row.direction,
    from: { number: row.from_number, name: row.from_name },
    to: { number: row.to_number, name: row.to_name },
    trunk: row.trunk,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    answeredBy: row.answered_by,
    endedAt: row.ended_at,
    talkSeconds: row.talk_seconds,
    disposition: row.disposition,
    endReason: row.end_reason,
    crm: {
      entity: row.crm_entity,
      recordId: row.crm_record_id,
      recordName: row.crm_record_name,
      activityId: row.crm_activity_id,
      logState: row.crm_log_state,
      notes: row.notes,
    },
    quality: row.media_quality === null ? null : (JSON.parse(row.media_quality) as CallRecordQuality),
    extensions: (JSON.parse(row.owners) as string[]).sort(byNumber),
  };
}

export interface CallRecordRepositoryOptions {
  /**
   * The journal outbox, on when a Dynamics org is configured: ending a call with an outside party
   * (inbound or outbound) writes its outbox row in the same transaction, due `graceSeconds` after
   * the end, so no call ends without it (journal-outbox-repository.ts).
   */
  journal?: { graceSeconds: number };
  /** The clock of the outbox rows' own timestamps (default Date.now). */
  now?: () => number;
}

export function createCallRecordRepository(db: Database, options: CallRecordRepositoryOptions = {}): CallRecordRepository {
  const outbox = options.journal && createJournalOutboxRepository(db);
  const graceMs = (options.journal?.graceSeconds ?? 0) * 1000;
  const now = options.now ?? Date.now;
  const insertRecord = db.prepare(
    `INSERT INTO call_records (id, direction, from_number, from_name, to_number, to_name, trunk, started_at)
     VALUES (:id, :direction, :fromNumber, :fromName, :toNumber, :toName, :trunk, :startedAt)
     ON CONFLICT (id) DO NOTHING`,
  );
  const insertOwner = db.prepare(
    `INSERT INTO call_extensions (call_id, extension, started_at)
     SELECT id, :extension, started_at FROM call_records WHERE id = :id
     ON CONFLICT (call_id, extension) DO NOTHING`,
  );
  const updateAnswer = db.prepare('UPDATE call_records SET answered_at = ?, answered_by = ? WHERE id = ? AND answered_at IS NULL AND ended_at IS NULL');
  const updateEnd = db.prepare(
    `UPDATE call_records SET ended_at = :endedAt, disposition = :disposition, talk_seconds = :talkSeconds, end_reason = :reason
     WHERE id = :id AND ended_at IS NULL`,
  );
  const closeAll = db.prepare("UPDATE call_records SET ended_at = ?, disposition = 'failed', talk_seconds = 0, end_reason = ? WHERE ended_at IS NULL");
  const updateEndReturning = db.prepare(
    `UPDATE call_records SET ended_at = :endedAt, disposition = :disposition, talk_seconds = :talkSeconds, end_reason = :reason
     WHERE id = :id AND ended_at IS NULL RETURNING direction`,
  );
  const selectOpenExternal = db.prepare("SELECT id FROM call_records WHERE ended_at IS NULL AND direction <> 'internal'");
  const selectOne = db.prepare(`SELECT ${SELECT_COLUMNS} FROM call_records r WHERE r.id = ?`);
  const selectOwned = db.prepare(`SELECT ${SELECT_COLUMNS} FROM call_records r JOIN call_extensions e ON e.call_id = r.id WHERE r.id = ? AND e.extension = ?`);
  // The row-value comparison walks call_extensions_history from the cursor on.
  const selectPage = db.prepare(
    `SELECT ${SELECT_COLUMNS} FROM call_extensions e JOIN call_records r ON r.id = e.call_id
     WHERE e.extension = :extension AND (e.started_at, e.call_id) < (:startedAt, :id)
     ORDER BY e.started_at DESC, e.call_id DESC LIMIT :limit`,
  );

  // A flag per optional part of the report: absent parts keep what is stored.
  const updateCrm = db.prepare(
    `UPDATE call_records SET
       crm_activity_id = :activityId,
       crm_log_state = :logState,
       crm_entity = CASE WHEN :hasMatch THEN :entity ELSE crm_entity END,
       crm_record_id = CASE WHEN :hasMatch THEN :recordId ELSE crm_record_id END,
       crm_record_name = CASE WHEN :hasMatch THEN :recordName ELSE crm_record_name END,
       notes = CASE WHEN :hasNotes THEN :notes ELSE notes END
     WHERE id = :id AND EXISTS (SELECT 1 FROM call_extensions x WHERE x.call_id = :id AND x.extension = :extension)`,
  );

  const updateNotes = db.prepare(
    `UPDATE call_records SET notes = :notes
     WHERE id = :id AND EXISTS (SELECT 1 FROM call_extensions x WHERE x.call_id = :id AND x.extension = :extension)`,
  );

  const updateQuality = db.prepare('UPDATE call_records SET media_quality = ? WHERE id = ?');

  function transaction<T>(work: () => T): T {
    return db.isTransaction ? work() : inTransaction(db, work);
  }

  return {
    transaction,
    open(record) {
      return transaction(() => {
        const created =
          Number(
            insertRecord.run({
              id: record.id,
              direction: record.direction,
              fromNumber: record.from.number,
              fromName: record.from.name,
              toNumber: record.to.number,
              toName: record.to.name,
              trunk: record.trunk,
              startedAt: record.startedAt,
            }).changes,
          ) > 0;
        for (const extension of new Set(record.extensions)) insertOwner.run({ id: record.id, extension });
        return created;
      });
    },
    answer(id, answeredAt, answeredBy) {
      return Number(updateAnswer.run(answeredAt, answeredBy, id).changes) > 0;
    },
    end(id, end) {
      const talkSeconds = Math.max(0, Math.floor(end.talkSeconds));
      const values = { id, endedAt: end.endedAt, disposition: end.disposition, talkSeconds, reason: end.reason };
      if (!outbox) return Number(updateEnd.run(values).changes) > 0;
      return transaction(() => {
        const ended = updateEndReturning.get(values) as { direction: CallRecordDirection } | undefined;
        if (ended === undefined) return false;
        if (ended.direction !== 'internal') outbox.enqueue(id, end.endedAt + graceMs, now());
        return true;
      });
    },
    get(id) {
      const row = selectOne.get(id) as CallRecordRow | undefined;
      return row && fromRow(row);
    },
    getForExtension(id, extension) {
      const row = selectOwned.get(id, extension) as CallRecordRow | undefined;
      return row && fromRow(row);
    },
    listForExtension(extension, { limit, before }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
      // No cursor: start above every real start time, so the id never decides.
      const from = before ?? { startedAt: Number.MAX_SAFE_INTEGER, id: '' };
      const rows = selectPage.all({ extension, startedAt: from.startedAt, id: from.id, limit: limit + 1 }) as unknown as CallRecordRow[];
      const more = rows.length > limit;
      const records = rows.slice(0, limit).map(fromRow);
      const last = records.at(-1);
      return { records, next: more && last ? { startedAt: last.startedAt, id: last.id } : null };
    },
    reportCrm(id, extension, report) {
      return transaction(() => {
        const { matched, notes } = report;
        const changed = updateCrm.run({
          id,
          extension,
          activityId: report.activityId,
          logState: report.logState,
          hasMatch: matched ? 1 : 0,
          entity: matched?.entity ?? null,
          recordId: matched?.recordId ?? null,
          recordName: matched?.name ?? null,
          hasNotes: notes === undefined ? 0 : 1,
          notes: notes ?? null,
        }).changes;
        if (Number(changed) === 0) return undefined;
        const row = selectOwned.get(id, extension) as CallRecordRow | undefined;
        return row && fromRow(row);
      });
    },
    saveNotes(id, extension, notes) {
      return transaction(() => {
        if (Number(updateNotes.run({ id, extension, notes }).changes) === 0) return undefined;
        const row = selectOwned.get(id, extension) as CallRecordRow | undefined;
        return row && fromRow(row);
      });
    },
    saveQuality(id, quality) {
      return Number(updateQuality.run(JSON.stringify(quality), id).changes) > 0;
    },
    closeOpen(at, reason = SERVER_RESTART_REASON) {
      if (!outbox) return Number(closeAll.run(at, reason).changes);
      // A call cut off by a crash still happened: it is journaled like any other.
      return transaction(() => {
        const cutOff = selectOpenExternal.all() as Array<{ id: string }>;
        const closed = Number(closeAll.run(at, reason).changes);
        for (const { id } of cutOff) outbox.enqueue(id, at + graceMs, now());
        return closed;
      });
    },
  };
}
