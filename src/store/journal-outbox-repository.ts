/**
 * The journal outbox: one row per call with an outside party whose Phone Call activity the server
 * owes Dynamics (docs/dataverse.md §6, issue 14 §2). The row is written in the transaction that ends
 * the call (call-record-repository.ts), so a call can never end without it; the journal worker
 * (src/dynamics/journal/) drains it.
 *
 * A row is `pending` until the worker finishes it: `done` (with its outcome) or `parked` (refused
 * as invalid, with the reason, until `callpane journal retry`). Claiming is a lease, not a lock: a
 * claim moves `next_attempt_at` past the lease and sets `claimed_until`, in one write transaction,
 * so two claims never hand out the same row. A process killed while it holds rows leaves them
 * claimed; the next start releases them at once (`releaseClaims`), and a lease that simply runs
 * out makes them due again. A row may therefore be tried again after a crash — never lost — and
 * the writes are made so that trying again does nothing twice (the activity's deterministic id,
 * create-only; src/dynamics/journal/phonecall-writer.ts).
 */
import { activityIdForCall } from '../crm/activity-id.ts';
import { inTransaction, type Database } from './database.ts';

export type JournalState = 'pending' | 'parked' | 'done';

export interface JournalOutboxRow {
  callId: string;
  activityId: string;
  /** Epoch milliseconds: the call's end plus the grace period the panes have to write it first. */
  dueAt: number;
  state: JournalState;
  /** Claims so far (each claim is one attempt, even one cut short by a crash). */
  attempts: number;
  nextAttemptAt: number;
  /** Set while a worker holds the row. */
  claimedUntil: number | null;
  /** Why the last attempt failed (a parked row: why it was refused). */
  lastError: string | null;
  /** What the worker did, once done (src/dynamics/journal/journal-outcome.ts names them). */
  outcome: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What waits: read through the partial indexes, cheap enough for every metrics scrape. */
export interface JournalDepth {
  pending: number;
  parked: number;
  /** The due time of the oldest pending row; null when none is pending. */
  oldestPendingDueAt: number | null;
}

export interface JournalCounts extends JournalDepth {
  done: number;
}

export interface JournalOutboxRepository {
  /** Adds the call's row (pending, due at `dueAt`) unless it has one; true when added. */
  enqueue(callId: string, dueAt: number, now: number): boolean;
  /**
   * Takes up to `limit` pending rows due at `now`, oldest first, for `leaseMs`: each gets one more
   * attempt and is not handed out again before the lease ends.
   */
  claimDue(now: number, limit: number, leaseMs: number): JournalOutboxRow[];
  /** Makes every claimed pending row due now: at start-up, when no worker can hold one. */
  releaseClaims(now: number): number;
  /**
   * Done with `outcome`; the call record shows the activity as logged unless a pane already
   * reported it. False when the row was not pending (a retry or a second worker got there first).
   */
  complete(callId: string, outcome: string, now: number): boolean;
  /** Pending again at `nextAttemptAt`, with why this attempt failed. */
  reschedule(callId: string, nextAttemptAt: number, error: string, now: number): boolean;
  /** Parked with the reason, until retried. */
  park(callId: string, reason: string, now: number): boolean;
  /** Parked rows back to pending, due now: all of them, or those of `callIds`. Returns how many. */
  retry(now: number, callIds?: readonly string[]): number;
  get(callId: string): JournalOutboxRow | undefined;
  depth(): JournalDepth;
  /** depth() and the done rows, which takes a scan of the table. */
  counts(): JournalCounts;
  /** Parked rows, most recently parked first. */
  listParked(limit: number): JournalOutboxRow[];
  /** Pending rows, next due first. */
  listPending(limit: number): JournalOutboxRow[];
  /** When the next pending row is due (claimed ones at their lease's end); undefined when none. */
  nextAttemptAt(): number | undefined;
}

interface OutboxRow {
  call_id: string;
  activity_id: string;
  due_at: number;
  state: JournalState;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  last_error: string | null;
  outcome: string | null;
  created_at: number;
  updated_at: number;
}

/** Reasons are Dataverse's messages or ours; a column of them stays readable and bounded. */
const MAX_ERROR = 1000;

function fromRow(row: OutboxRow): JournalOutboxRow {
  return {
    callId: row.call_id,
    activityId: row.activity_id,
    dueAt: row.due_at,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    claimedUntil: row.claimed_until,
    lastError: row.last_error,
    outcome: row.outcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createJournalOutboxRepository(db: Database): JournalOutboxRepository {
  const insert = db.prepare(
    `INSERT INTO journal_outbox (call_id, activity_id, due_at, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (:callId, :activityId, :dueAt, 'pending', 0, :dueAt, :now, :now)
     ON CONFLICT (call_id) DO NOTHING`,
  );
  const selectDue = db.prepare(`SELECT * FROM journal_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, call_id LIMIT ?`);
  const claim = db.prepare(
    `UPDATE journal_outbox SET attempts = attempts + 1, next_attempt_at = :until, claimed_until = :until, updated_at = :now
     WHERE call_id = :callId AND state = 'pending'`,
  );
  const release = db.prepare(`UPDATE journal_outbox SET next_attempt_at = :now, claimed_until = NULL, updated_at = :now WHERE state = 'pending' AND claimed_until IS NOT NULL`);
  const markDone = db.prepare(
    `UPDATE journal_outbox SET state = 'done', outcome = :outcome, claimed_until = NULL, last_error = NULL, updated_at = :now
     WHERE call_id = :callId AND state = 'pending'`,
  );
  // What the pane would have reported: the history shows the call as logged, and a pane resuming
  // its unlogged calls (log-resume) leaves it alone. A pane's own report is never replaced.
  const markLogged = db.prepare(
    `UPDATE call_records SET crm_activity_id = :activityId, crm_log_state = 'logged'
     WHERE id = :callId AND (crm_log_state IS NULL OR crm_log_state = 'failed')`,
  );
  const markRescheduled = db.prepare(
    `UPDATE journal_outbox SET next_attempt_at = :next, claimed_until = NULL, last_error = :error, updated_at = :now
     WHERE call_id = :callId AND state = 'pending'`,
  );
  const markParked = db.prepare(
    `UPDATE journal_outbox SET state = 'parked', claimed_until = NULL, last_error = :error, updated_at = :now
     WHERE call_id = :callId AND state = 'pending'`,
  );
  const retryAll = db.prepare(`UPDATE journal_outbox SET state = 'pending', next_attempt_at = :now, updated_at = :now WHERE state = 'parked'`);
  const retryOne = db.prepare(`UPDATE journal_outbox SET state = 'pending', next_attempt_at = :now, updated_at = :now WHERE state = 'parked' AND call_id = :callId`);
  const selectOne = db.prepare('SELECT * FROM journal_outbox WHERE call_id = ?');
  const selectPending = db.prepare(`SELECT COUNT(*) AS count, MIN(due_at) AS oldest FROM journal_outbox WHERE state = 'pending'`);
  const selectParkedCount = db.prepare(`SELECT COUNT(*) AS count FROM journal_outbox WHERE state = 'parked'`);
  const selectDoneCount = db.prepare(`SELECT COUNT(*) AS count FROM journal_outbox WHERE state = 'done'`);
  const selectParked = db.prepare(`SELECT * FROM journal_outbox WHERE state = 'parked' ORDER BY updated_at DESC, call_id LIMIT ?`);
  const selectPendingRows = db.prepare(`SELECT * FROM journal_outbox WHERE state = 'pending' ORDER BY next_attempt_at, call_id LIMIT ?`);
  const selectNext = db.prepare(`SELECT MIN(next_attempt_at) AS next FROM journal_outbox WHERE state = 'pending'`);

  function depth(): JournalDepth {
    const pending = selectPending.get() as { count: number; oldest: number | null };
    const parked = selectParkedCount.get() as { count: number };
    return { pending: pending.count, parked: parked.count, oldestPendingDueAt: pending.oldest };
  }
  const write = <T>(work: () => T): T => (db.isTransaction ? work() : inTransaction(db, work));
  const clip = (text: string) => (text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text);

  return {
    enqueue(callId, dueAt, now) {
      return Number(insert.run({ callId, activityId: activityIdForCall(callId), dueAt, now }).changes) > 0;
    },
    claimDue(now, limit, leaseMs) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
      return write(() => {
        const rows = selectDue.all(now, limit) as unknown as OutboxRow[];
        const until = now + leaseMs;
        for (const row of rows) claim.run({ callId: row.call_id, until, now });
        return rows.map((row) => fromRow({ ...row, attempts: row.attempts + 1, next_attempt_at: until, claimed_until: until, updated_at: now }));
      });
    },
    releaseClaims(now) {
      return Number(release.run({ now }).changes);
    },
    complete(callId, outcome, now) {
      return write(() => {
        if (Number(markDone.run({ callId, outcome, now }).changes) === 0) return false;
        markLogged.run({ callId, activityId: activityIdForCall(callId) });
        return true;
      });
    },
    reschedule(callId, nextAttemptAt, error, now) {
      return Number(markRescheduled.run({ callId, next: nextAttemptAt, error: clip(error), now }).changes) > 0;
    },
    park(callId, reason, now) {
      return Number(markParked.run({ callId, error: clip(reason), now }).changes) > 0;
    },
    retry(now, callIds) {
      if (callIds === undefined) return Number(retryAll.run({ now }).changes);
      return write(() => callIds.reduce((count, callId) => count + Number(retryOne.run({ now, callId }).changes), 0));
    },
    get(callId) {
      const row = selectOne.get(callId) as OutboxRow | undefined;
      return row && fromRow(row);
    },
    depth,
    counts() {
      return { ...depth(), done: (selectDoneCount.get() as { count: number }).count };
    },
    listParked(limit) {
      return (selectParked.all(limit) as unknown as OutboxRow[]).map(fromRow);
    },
    listPending(limit) {
      return (selectPendingRows.all(limit) as unknown as OutboxRow[]).map(fromRow);
    },
    nextAttemptAt() {
      return (selectNext.get() as { next: number | null }).next ?? undefined;
    },
  };
}
