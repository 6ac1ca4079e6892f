/**
 * `callpane journal status|list|retry`: what the server still owes Dynamics (the journal outbox,
 * src/store/journal-outbox-repository.ts) and the parked entries Dataverse refused, read from the
 * database so it works whether or not the server runs. A running server picks up what `retry`
 * made pending within a second (its worker looks for due entries that often).
 */
import { parseArgs } from 'node:util';
import type { Database } from '../store/database.ts';
import { createJournalOutboxRepository, type JournalOutboxRow } from '../store/journal-outbox-repository.ts';

type Subcommand = 'status' | 'list' | 'retry';

const SYNOPSIS: Record<Subcommand, string> = { status: 'status', list: 'list [--failed]', retry: 'retry [<call id>...]' };

/** The help of one subcommand: its own synopsis first, then what the three share. */
export function journalUsage(subcommand: Subcommand): string {
  return `Usage: callpane journal ${SYNOPSIS[subcommand]} [options]\n\n${JOURNAL_HELP}`;
}

const JOURNAL_HELP = `The journal outbox holds every call with an outside party until its Phone Call is in Dynamics:
pending entries wait for the grace period (a pane may write them first) or for a retry after a
failure; parked entries were refused by Dataverse and wait for you.

  status              how many entries are pending, parked and done, and how long the oldest has waited
  list [--failed]     the pending entries (--failed: the parked ones, with Dataverse's reason)
  retry [<call id>]   make parked entries pending again: those named, or all of them

Options:
  --config <file>     configuration file (default: $CALLPANE_CONFIG, else ./callpane.json)
  -h, --help          show this help

Exit codes: 0 done, 1 refused (e.g. a call id with no parked entry), 2 wrong arguments.
`;

export interface JournalCommandIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** The database of the configuration (`--config`, else the usual lookup). */
  openDatabase: (configPath: string | undefined) => Database;
  now?: () => number;
}

/** Runs `callpane journal <subcommand> ...args`; resolves to the exit code. */
export async function runJournalCommand(subcommand: Subcommand, args: string[], io: JournalCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { failed: { type: 'boolean' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: subcommand === 'retry',
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout(journalUsage(subcommand).trimEnd());
      return 0;
    }
    if (parsed.values.failed && subcommand !== 'list') throw new Error(`--failed goes with list, not ${subcommand}`);
  } catch (error) {
    io.stderr(`callpane journal ${subcommand}: ${(error as Error).message}\n\n${journalUsage(subcommand).trimEnd()}`);
    return 2;
  }
  const now = (io.now ?? Date.now)();
  const db = io.openDatabase(parsed.values.config);
  try {
    const outbox = createJournalOutboxRepository(db);
    switch (subcommand) {
      case 'status': {
        const counts = outbox.counts();
        const oldest = counts.oldestPendingDueAt;
        const waited = oldest === null ? '' : oldest > now ? ` (the oldest is due in ${duration(oldest - now)})` : ` (the oldest has waited ${duration(now - oldest)})`;
        io.stdout(`pending  ${counts.pending}${waited}`);
        io.stdout(`parked   ${counts.parked}${counts.parked > 0 ? ' (callpane journal list --failed shows why)' : ''}`);
        io.stdout(`done     ${counts.done}`);
        return 0;
      }
      case 'list': {
        const rows = parsed.values.failed ? outbox.listParked(LIST_LIMIT) : outbox.listPending(LIST_LIMIT);
        if (rows.length === 0) {
          io.stdout(parsed.values.failed ? 'No parked journal entries.' : 'No pending journal entries.');
          return 0;
        }
        table(io, parsed.values.failed ? parkedRows(rows) : pendingRows(rows, now));
        return 0;
      }
      case 'retry': {
        const named = parsed.positionals;
        const before = named.length === 0 ? [] : named.filter((callId) => outbox.get(callId)?.state !== 'parked');
        const retried = outbox.retry(now, named.length === 0 ? undefined : named);
        io.stdout(
          `${retried} parked journal ${retried === 1 ? 'entry is' : 'entries are'} pending again; a running server writes ${retried === 1 ? 'it' : 'them'} to Dynamics now.`,
        );
        for (const callId of before) io.stderr(`callpane journal retry: call ${callId} has no parked journal entry`);
        return before.length > 0 ? 1 : 0;
      }
    }
  } finally {
    db.close();
  }
}

/** Enough for a terminal; an administrator with more fixes the cause and retries them all. */
const LIST_LIMIT = 200;

function parkedRows(rows: JournalOutboxRow[]): string[][] {
  return [['CALL ID', 'PARKED AT', 'ATTEMPTS', 'REASON'], ...rows.map((row) => [row.callId, new Date(row.updatedAt).toISOString(), String(row.attempts), row.lastError ?? ''])];
}

function pendingRows(rows: JournalOutboxRow[], now: number): string[][] {
  return [
    ['CALL ID', 'DUE', 'ATTEMPTS', 'LAST ERROR'],
    ...rows.map((row) => [row.callId, row.nextAttemptAt <= now ? 'now' : `in ${duration(row.nextAttemptAt - now)}`, String(row.attempts), row.lastError ?? '']),
  ];
}

function table(io: JournalCommandIo, rows: string[][]): void {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, column) => Math.max(max[column] ?? 0, [...cell].length)), []);
  for (const row of rows)
    io.stdout(
      row
        .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - [...cell].length))
        .join('  ')
        .trimEnd(),
    );
}

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function duration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
