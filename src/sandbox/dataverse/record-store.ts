/**
 * SQLite storage for the sandbox Dataverse (node:sqlite, a file or ':memory:', kept apart from
 * Callpane's own database). One STRICT table per entity, named by its logical name, with a
 * column per property; a lookup is stored as `_<name>_value` (the GUID) plus `_<name>_type` (the
 * target's logical name). `versionnumber` is a store-wide counter like Dataverse's row version;
 * it becomes the record's `@odata.etag`, and change tracking reads changes by it. Deletes leave
 * tombstones for change tracking (tombstones.ts).
 *
 * Table and column names always come from the entity schema; values are always bound.
 */
import { DatabaseSync } from 'node:sqlite';
import { ENTITIES, lookupValueProperty, type ColumnType, type EntityDef, type LookupDef } from './entity-schema.ts';
import { columnSql, FOLD_FUNCTION, LIKE_FUNCTION, type SqlCondition, type SqlValue } from './filter-sql.ts';
import { matchesLike } from './like-pattern.ts';
import { Tombstones } from './tombstones.ts';

export type Row = Record<string, SqlValue>;

export interface SelectOptions {
  where?: SqlCondition;
  orderBy?: string;
  limit?: number;
}

const SQL_TYPES: Record<ColumnType, string> = { string: 'TEXT', int: 'INTEGER', bool: 'INTEGER', datetime: 'TEXT', guid: 'TEXT' };

export function lookupTypeColumn(lookup: LookupDef): string {
  return `_${lookup.name}_type`;
}

export class RecordStore {
  private readonly db: DatabaseSync;
  private depth = 0;
  /** Deleted rows of tables with change tracking. */
  readonly tombstones: Tombstones;

  /** `now` stamps tombstones (default: the system clock). */
  constructor(path: string, now: () => Date = () => new Date()) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.function(FOLD_FUNCTION, { deterministic: true }, (value) => (value === null ? null : String(value).toLowerCase()));
    this.db.function(LIKE_FUNCTION, { deterministic: true }, (value, pattern) =>
      value === null ? null : matchesLike(String(value), pattern === null ? null : String(pattern)) ? 1 : 0,
    );
    this.createSchema();
    this.tombstones = new Tombstones(this.db, now);
  }

  close(): void {
    this.db.close();
  }

  find(entity: EntityDef, id: string): Row | undefined {
    return this.db.prepare(`SELECT * FROM ${table(entity)} WHERE ${columnSql(entity.primaryKey)} = ?`).get(id) as Row | undefined;
  }

  select(entity: EntityDef, options: SelectOptions = {}): Row[] {
    const where = options.where ? ` WHERE ${options.where.sql}` : '';
    // Rows come back in the order given, then by primary key so results are deterministic.
    const order = ` ORDER BY ${options.orderBy ? `${options.orderBy}, ` : ''}${columnSql(entity.primaryKey)}`;
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`;
    const sql = `SELECT * FROM ${table(entity)}${where}${order}${limit}`;
    return this.db.prepare(sql).all(...(options.where?.params ?? [])) as Row[];
  }

  count(entity: EntityDef, where?: SqlCondition): number {
    const sql = `SELECT COUNT(*) AS n FROM ${table(entity)}${where ? ` WHERE ${where.sql}` : ''}`;
    return Number((this.db.prepare(sql).get(...(where?.params ?? [])) as { n: number }).n);
  }

  insert(entity: EntityDef, row: Row): void {
    const names = Object.keys(row);
    assertColumns(entity, names);
    const sql = `INSERT INTO ${table(entity)} (${names.map(columnSql).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    this.db.prepare(sql).run(...Object.values(row));
    this.tombstones.forget(entity, String(row[entity.primaryKey]));
  }

  update(entity: EntityDef, id: string, row: Row): void {
    const names = Object.keys(row);
    if (names.length === 0) return;
    assertColumns(entity, names);
    const sql = `UPDATE ${table(entity)} SET ${names.map((name) => `${columnSql(name)} = ?`).join(', ')} WHERE ${columnSql(entity.primaryKey)} = ?`;
    this.db.prepare(sql).run(...Object.values(row), id);
  }

  delete(entity: EntityDef, id: string): boolean {
    const result = this.db.prepare(`DELETE FROM ${table(entity)} WHERE ${columnSql(entity.primaryKey)} = ?`).run(id);
    const deleted = Number(result.changes) > 0;
    if (deleted && entity.changeTracking) this.tombstones.record(entity, id, this.nextVersion());
    return deleted;
  }

  /** Rows of `entity` whose lookup points at the given record. */
  referencing(entity: EntityDef, lookup: LookupDef, id: string): Row[] {
    return this.db.prepare(`SELECT * FROM ${table(entity)} WHERE ${columnSql(lookupValueProperty(lookup))} = ?`).all(id) as Row[];
  }

  nextVersion(): number {
    const row = this.db.prepare('UPDATE dv_version SET value = value + 1 RETURNING value').get() as { value: number };
    return Number(row.value);
  }

  /** The last row version handed out: every write from now on has a higher one. */
  currentVersion(): number {
    return Number((this.db.prepare('SELECT value FROM dv_version').get() as { value: number }).value);
  }

  /** Runs `work` in one transaction (a savepoint when nested): a failed write changes nothing. */
  transaction<T>(work: () => T): T {
    const savepoint = `dv_${this.depth}`;
    this.db.exec(this.depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
    this.depth += 1;
    try {
      const result = work();
      this.depth -= 1;
      this.db.exec(this.depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.depth -= 1;
      this.db.exec(this.depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    }
  }

  /**
   * Empties every table (the version counter keeps counting, so old ETags never match again) and
   * expires every delta token issued so far: the rows went without tombstones.
   */
  clear(): void {
    for (const entity of ENTITIES) this.db.exec(`DELETE FROM ${table(entity)}`);
    this.tombstones.invalidate(this.nextVersion());
  }

  private createSchema(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS dv_version (value INTEGER NOT NULL) STRICT');
    this.db.exec('INSERT INTO dv_version (value) SELECT 1000 WHERE NOT EXISTS (SELECT 1 FROM dv_version)');
    for (const entity of ENTITIES) {
      const columns = entity.columns.map((column) =>
        column.name === entity.primaryKey ? `${columnSql(column.name)} TEXT PRIMARY KEY` : `${columnSql(column.name)} ${SQL_TYPES[column.type]}`,
      );
      for (const lookup of entity.lookups) {
        columns.push(`${columnSql(lookupValueProperty(lookup))} TEXT`, `${columnSql(lookupTypeColumn(lookup))} TEXT`);
      }
      columns.push('"versionnumber" INTEGER NOT NULL');
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${table(entity)} (${columns.join(', ')}) STRICT`);
      this.addMissingColumns(entity);
      for (const lookup of entity.lookups) {
        const index = `"${entity.logicalName}_${lookup.name}"`;
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${index} ON ${table(entity)} (${columnSql(lookupValueProperty(lookup))})`);
      }
      // A delta link reads a tracked table's rows by version.
      if (entity.changeTracking) this.db.exec(`CREATE INDEX IF NOT EXISTS "${entity.logicalName}_versionnumber" ON ${table(entity)} ("versionnumber")`);
    }
  }

  /** A database an earlier sandbox version made gains the columns added since (nullable: its rows read them as null). */
  private addMissingColumns(entity: EntityDef): void {
    const present = new Set((this.db.prepare(`PRAGMA table_info(${table(entity)})`).all() as { name: string }[]).map((row) => row.name));
    const wanted: [string, string][] = [
      ...entity.columns.map((column): [string, string] => [column.name, SQL_TYPES[column.type]]),
      ...entity.lookups.flatMap((lookup): [string, string][] => [
        [lookupValueProperty(lookup), 'TEXT'],
        [lookupTypeColumn(lookup), 'TEXT'],
      ]),
    ];
    for (const [name, type] of wanted) if (!present.has(name)) this.db.exec(`ALTER TABLE ${table(entity)} ADD COLUMN ${columnSql(name)} ${type}`);
  }
}

function table(entity: EntityDef): string {
  return `"${entity.logicalName}"`;
}

const KNOWN_COLUMNS = new Map(
  ENTITIES.map((entity) => [
    entity,
    new Set([...entity.columns.map((c) => c.name), ...entity.lookups.flatMap((l) => [lookupValueProperty(l), lookupTypeColumn(l)]), 'versionnumber']),
  ]),
);

/** A guard for the store's own callers: a name not in the schema is a programming error. */
function assertColumns(entity: EntityDef, names: readonly string[]): void {
  const known = KNOWN_COLUMNS.get(entity);
  for (const name of names) {
    if (!known?.has(name)) throw new Error(`no column ${name} on ${entity.logicalName}`);
  }
}
