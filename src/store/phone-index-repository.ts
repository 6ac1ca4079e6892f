/**
 * The phone index: every number of the Dynamics contacts, accounts and leads, one row per number,
 * so a caller is found by one indexed lookup instead of wildcard queries over every phone column
 * (docs/dataverse.md §5). Filled and kept current by src/dynamics/phone-index/; what a number is
 * (E.164, national digits, short number) is decided there, the store only keeps and finds rows.
 *
 * Rows are found by their digits read backwards (`digits_reversed`): the national significant
 * number of an international number, every digit of any other. One B-tree then answers both
 * questions a lookup asks: "these digits exactly" (an equality) and "digits that end with these"
 * (a range over the reversed prefix) — the second finds a number stored without a country
 * ("0301234567", "8 495 …") for a caller whose country is known, whatever trunk prefix was typed.
 *
 * Per table, the sync state: the delta link to follow next, when the last full sync and the last
 * delta ended, and a generation: a full sync writes its rows with a new generation and sweeps the
 * older ones at its end, so the rows a previous sync left keep answering while a table is read
 * again, and a record deleted meanwhile is gone once the sync completes.
 */
import type { CrmEntity } from '../contract/crm-record.ts';
import { inTransaction, type Database } from './database.ts';

export type IndexedKind = 'international' | 'national' | 'short';

/** One number of one record, as stored. */
export interface PhoneIndexRow {
  entity: CrmEntity;
  /** Lower-case GUID. */
  recordId: string;
  recordName: string | null;
  /** The column the number is stored in ("mobilephone"). */
  field: string;
  kind: IndexedKind;
  /** The national significant number of an international number; every digit of any other. */
  digits: string;
  /** E.164, international numbers only. */
  e164: string | null;
  extension: string | null;
}

/** A record to (re)write: its rows replace whatever the index held for it. */
export interface RecordNumbers {
  id: string;
  name: string | undefined;
  numbers: ReadonlyArray<{ field: string; kind: IndexedKind; digits: string; e164?: string; extension?: string }>;
}

export interface PhoneIndexTableState {
  entity: CrmEntity;
  /** `syncing` while a full sync reads the table; `ready` once it completed (deltas follow). */
  state: 'syncing' | 'ready';
  /** What the rows were read with (region, columns): a change means the rows must be read again. */
  definition: string;
  /** The generation the rows of the current (or last) full sync carry. */
  generation: number;
  /** The @odata.deltaLink to follow next; null before a full sync completed, or without change tracking. */
  deltaLink: string | null;
  /** Epoch ms when the last full sync completed; null while the table was never read whole. */
  lastFullSyncAt: number | null;
  /** Epoch ms when the last delta was applied. */
  lastDeltaAt: number | null;
}

export interface PhoneIndexRepository {
  /** In one transaction: each upserted record's rows replaced by its numbers (with `generation`), each deleted record's rows removed. */
  apply(entity: CrmEntity, generation: number, changes: { upserts: readonly RecordNumbers[]; deletes: readonly string[] }): void;
  /** Removes the table's rows of any generation but `generation` (the end of a full sync); returns how many. Scans the table's rows. */
  sweep(entity: CrmEntity, generation: number): number;
  /** Whether the table holds any row. */
  hasRows(entity: CrmEntity): boolean;
  /** The rows whose digits are exactly `digits`. */
  withDigits(digits: string): PhoneIndexRow[];
  /** The rows whose digits end with `digits` (`digits` itself included), at most `limit`. */
  endingWith(digits: string, limit: number): PhoneIndexRow[];
  /** Rows per table. */
  counts(): Record<CrmEntity, number>;
  tableState(entity: CrmEntity): PhoneIndexTableState | undefined;
  saveTableState(state: PhoneIndexTableState): void;
  /** Forgets the table: its rows and its sync state. */
  reset(entity: CrmEntity): void;
}

interface StoredRow {
  entity: CrmEntity;
  record_id: string;
  record_name: string | null;
  field: string;
  kind: IndexedKind;
  digits_reversed: string;
  e164: string | null;
  extension: string | null;
}

interface StoredState {
  entity: CrmEntity;
  state: 'syncing' | 'ready';
  definition: string;
  generation: number;
  delta_link: string | null;
  last_full_sync_at: number | null;
  last_delta_at: number | null;
}

const ROW_COLUMNS = 'entity, record_id, record_name, field, kind, digits_reversed, e164, extension';

export function createPhoneIndexRepository(db: Database): PhoneIndexRepository {
  const removeRecord = db.prepare('DELETE FROM phone_index WHERE entity = ? AND record_id = ?');
  const insertRow = db.prepare(
    'INSERT INTO phone_index (entity, record_id, record_name, field, kind, digits_reversed, e164, extension, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const sweepTable = db.prepare('DELETE FROM phone_index WHERE entity = ? AND generation <> ?');
  const anyRow = db.prepare('SELECT 1 FROM phone_index WHERE entity = ? LIMIT 1');
  const exact = db.prepare(`SELECT ${ROW_COLUMNS} FROM phone_index WHERE digits_reversed = ?`);
  // ':' sorts right after '9': the range holds exactly the strings that start with the prefix.
  const range = db.prepare(`SELECT ${ROW_COLUMNS} FROM phone_index WHERE digits_reversed >= ? AND digits_reversed < ? LIMIT ?`);
  const countRows = db.prepare('SELECT entity, COUNT(*) AS n FROM phone_index GROUP BY entity');
  const selectState = db.prepare('SELECT entity, state, definition, generation, delta_link, last_full_sync_at, last_delta_at FROM phone_index_sync WHERE entity = ?');
  const upsertState = db.prepare(
    `INSERT INTO phone_index_sync (entity, state, definition, generation, delta_link, last_full_sync_at, last_delta_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (entity) DO UPDATE SET state = excluded.state, definition = excluded.definition, generation = excluded.generation,
       delta_link = excluded.delta_link, last_full_sync_at = excluded.last_full_sync_at, last_delta_at = excluded.last_delta_at`,
  );
  const removeRows = db.prepare('DELETE FROM phone_index WHERE entity = ?');
  const removeState = db.prepare('DELETE FROM phone_index_sync WHERE entity = ?');

  return {
    apply(entity, generation, { upserts, deletes }) {
      inTransaction(db, () => {
        for (const record of upserts) {
          removeRecord.run(entity, record.id);
          for (const number of record.numbers) {
            insertRow.run(entity, record.id, record.name ?? null, number.field, number.kind, reversed(number.digits), number.e164 ?? null, number.extension ?? null, generation);
          }
        }
        for (const id of deletes) removeRecord.run(entity, id);
      });
    },
    sweep(entity, generation) {
      return Number(sweepTable.run(entity, generation).changes);
    },
    hasRows(entity) {
      return anyRow.get(entity) !== undefined;
    },
    withDigits(digits) {
      return (exact.all(reversed(digits)) as unknown as StoredRow[]).map(fromStored);
    },
    endingWith(digits, limit) {
      const prefix = reversed(digits);
      return (range.all(prefix, `${prefix}:`, limit) as unknown as StoredRow[]).map(fromStored);
    },
    counts() {
      const counts: Record<CrmEntity, number> = { contact: 0, account: 0, lead: 0 };
      for (const row of countRows.all() as unknown as Array<{ entity: CrmEntity; n: number }>) counts[row.entity] = row.n;
      return counts;
    },
    tableState(entity) {
      const row = selectState.get(entity) as StoredState | undefined;
      return (
        row && {
          entity: row.entity,
          state: row.state,
          definition: row.definition,
          generation: row.generation,
          deltaLink: row.delta_link,
          lastFullSyncAt: row.last_full_sync_at,
          lastDeltaAt: row.last_delta_at,
        }
      );
    },
    saveTableState(state) {
      upsertState.run(state.entity, state.state, state.definition, state.generation, state.deltaLink, state.lastFullSyncAt, state.lastDeltaAt);
    },
    reset(entity) {
      inTransaction(db, () => {
        removeRows.run(entity);
        removeState.run(entity);
      });
    },
  };
}

function reversed(digits: string): string {
  let text = '';
  for (let i = digits.length - 1; i >= 0; i--) text += digits.charAt(i);
  return text;
}

function fromStored(row: StoredRow): PhoneIndexRow {
  return {
    entity: row.entity,
    recordId: row.record_id,
    recordName: row.record_name,
    field: row.field,
    kind: row.kind,
    digits: reversed(row.digits_reversed),
    e164: row.e164,
    extension: row.extension,
  };
}
