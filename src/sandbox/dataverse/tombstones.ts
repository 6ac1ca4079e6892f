/**
 * What change tracking remembers of deleted rows, in the sandbox's own SQLite database next to
 * the records (record-store.ts): one tombstone per deleted row of a table with change tracking,
 * with the row version of its deletion, so a delta link can answer `$deletedEntity` entries
 * (https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems).
 * Also the lowest row version a delta token may start from: a reset of the data raises it, so
 * tokens from before are refused as expired, as Dataverse refuses a token it can no longer
 * answer for accurately.
 *
 * The record store calls `record` for every delete and `forget` for every insert, so every
 * table, whoever adds it, passes through here; only tables with `changeTracking` keep tombstones.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EntityDef } from './entity-schema.ts';
import { formatDateTime } from './value-format.ts';

export interface Tombstone {
  id: string;
  /** The row version of the deletion. */
  version: number;
}

/** Changes after one row version up to another (both from the store's version counter). */
export interface VersionWindow {
  after: number;
  upTo: number;
}

export class Tombstones {
  private readonly db: DatabaseSync;
  private readonly now: () => Date;
  /** Runs on every insert and delete of a tracked row: prepared once. */
  private readonly recordStatement: StatementSync;
  private readonly forgetStatement: StatementSync;

  constructor(db: DatabaseSync, now: () => Date) {
    this.db = db;
    this.now = now;
    db.exec(
      'CREATE TABLE IF NOT EXISTS dv_tombstone (entity TEXT NOT NULL, id TEXT NOT NULL, versionnumber INTEGER NOT NULL, deletedon TEXT NOT NULL, PRIMARY KEY (entity, id)) STRICT',
    );
    db.exec('CREATE INDEX IF NOT EXISTS dv_tombstone_version ON dv_tombstone (entity, versionnumber)');
    db.exec('CREATE TABLE IF NOT EXISTS dv_change_tracking (minvalidversion INTEGER NOT NULL) STRICT');
    db.exec('INSERT INTO dv_change_tracking (minvalidversion) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM dv_change_tracking)');
    this.recordStatement = db.prepare('INSERT OR REPLACE INTO dv_tombstone (entity, id, versionnumber, deletedon) VALUES (?, ?, ?, ?)');
    this.forgetStatement = db.prepare('DELETE FROM dv_tombstone WHERE entity = ? AND id = ?');
  }

  /** A row of `entity` was deleted at row version `version`. */
  record(entity: EntityDef, id: string, version: number): void {
    if (!entity.changeTracking) return;
    this.recordStatement.run(entity.logicalName, id, version, formatDateTime(this.now()));
  }

  /**
   * A row with this key exists again (a create with a client-chosen key after a delete): its
   * tombstone goes, so a delta answers the new row alone rather than the row and then its deletion.
   */
  forget(entity: EntityDef, id: string): void {
    if (!entity.changeTracking) return;
    this.forgetStatement.run(entity.logicalName, id);
  }

  /** Deletions of `entity` within the window, oldest first, at most `limit`. */
  list(entity: EntityDef, window: VersionWindow, limit: number): Tombstone[] {
    const rows = this.db
      .prepare('SELECT id, versionnumber FROM dv_tombstone WHERE entity = ? AND versionnumber > ? AND versionnumber <= ? ORDER BY versionnumber LIMIT ?')
      .all(entity.logicalName, window.after, window.upTo, Math.trunc(limit)) as { id: string; versionnumber: number }[];
    return rows.map((row) => ({ id: row.id, version: Number(row.versionnumber) }));
  }

  count(entity: EntityDef, window: VersionWindow): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM dv_tombstone WHERE entity = ? AND versionnumber > ? AND versionnumber <= ?')
      .get(entity.logicalName, window.after, window.upTo) as { n: number };
    return Number(row.n);
  }

  /** Drops tombstones of deletions before `before`: no token that old is answered any more. */
  purge(before: Date): void {
    this.db.prepare('DELETE FROM dv_tombstone WHERE deletedon < ?').run(formatDateTime(before));
  }

  /** Delta tokens starting before this row version are expired. */
  minValidVersion(): number {
    return Number((this.db.prepare('SELECT minvalidversion AS v FROM dv_change_tracking').get() as { v: number }).v);
  }

  /** Forgets every deletion and expires every token issued before `version` (a reset of the data). */
  invalidate(version: number): void {
    this.db.exec('DELETE FROM dv_tombstone');
    this.db.prepare('UPDATE dv_change_tracking SET minvalidversion = ?').run(version);
  }
}
