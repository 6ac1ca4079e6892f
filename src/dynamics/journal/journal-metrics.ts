/**
 * What the journal worker reports to /metrics (src/server/metrics.ts implements it): the outbox's
 * depth and the age of its oldest pending row, read at each scrape, and one count per outcome.
 */

/**
 * What became of one attempt at a call's journal entry:
 * - created: the server wrote the Phone Call (no pane had) and completed it;
 * - completed: a pane had created it but not completed it; the server completed it;
 * - already_complete: it was there, completed (or canceled) already: nothing written;
 * - skipped: nothing to write — the agent's log settings leave the call out, or a pane reported it;
 * - parked: Dataverse refused it as invalid; it waits, with the reason, for `callpane journal retry`;
 * - retried: this attempt failed (throttled, Dataverse down, timed out); tried again later.
 */
export const JOURNAL_OUTCOMES = ['created', 'completed', 'already_complete', 'skipped', 'parked', 'retried'] as const;
export type JournalOutcome = (typeof JOURNAL_OUTCOMES)[number];

export interface JournalOutboxGauges {
  pending: number;
  parked: number;
  /** Seconds since the oldest pending row fell due; 0 when none is pending or it is not due yet. */
  oldestPendingAgeSeconds: number;
}

export interface JournalMetrics {
  journalAttempt(outcome: JournalOutcome): void;
  /** Read at each scrape. */
  observeJournalOutbox(read: () => JournalOutboxGauges): void;
}
