/**
 * Change tracking over the Web API, as "Use change tracking to synchronize data with external
 * systems" describes it
 * (https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems):
 * - A GET on a table with change tracking (EntityDef.changeTracking) sent with
 *   `Prefer: odata.track-changes` answers every row, paged like any query, and its last page
 *   carries an `@odata.deltaLink` whose `$deltatoken` (delta-token.ts) marks the row version
 *   when the read began. Other tables are refused (0x80072491).
 * - Following the delta link answers the rows created or updated since, oldest change first,
 *   then the rows deleted since (tombstones.ts), and a new delta link; paged too.
 * - `$filter`, `$orderby`, `$expand` and `$top` are not supported with change tracking.
 * - A token older than the retention (Organization.ExpireChangeTrackingInDays, 7 days unless
 *   changed; here DataverseOptions.changeTrackingRetentionDays), or from before a reset, is
 *   refused with ExpiredVersionStamp (0x80044352): the client starts a full sync again.
 * A row created and deleted between two reads comes back as deleted, as Dataverse does.
 */
import { DataverseError, DataverseErrorCode, changeTrackingNotEnabled, expiredVersionStamp, querySyntaxError } from './dataverse-error.ts';
import type { EntityDef } from './entity-schema.ts';
import { formatDeltaToken, parseDeltaToken, type DeltaToken } from './delta-token.ts';
import type { PagingCookie } from './paging-cookie.ts';
import { cookieKeys, invalidSkipToken, MAX_PAGE_SIZE, rowsAfter, sortKeys } from './paging.ts';
import type { QueryOptions } from './query-options.ts';
import type { RecordStore, Row } from './record-store.ts';
import type { VersionWindow } from './tombstones.ts';

/** Dataverse's default for Organization.ExpireChangeTrackingInDays. */
export const DEFAULT_RETENTION_DAYS = 7;
/** Organization.ExpireChangeTrackingInDays takes 0 to 365. */
const MAX_RETENTION_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ChangePage {
  /** Rows created or updated (all rows on a first read), as stored. */
  rows: Row[];
  /** Ids of rows deleted since the token, answered after the rows as `$deletedEntity` entries. */
  deleted: string[];
  /** An answer to a delta link: its @odata.context ends in `/$delta`. */
  delta: boolean;
  /** The next page's cookie when more remains, else undefined. */
  next?: PagingCookie;
  /** On the last page: the token of the next delta link. */
  deltaToken?: string;
  /** $count=true: the rows (or changes) of the whole answer, at most 5000. */
  count?: number;
}

/** The options change tracking does not support, in the order they are checked. */
const UNSUPPORTED: readonly [keyof QueryOptions, string][] = [
  ['where', '$filter'],
  ['orderBy', '$orderby'],
  ['expand', '$expand'],
  ['top', '$top'],
];

/** Inner cookie attribute carrying the delta token of the answer being paged. */
const TOKEN_ATTRIBUTE = 'deltatoken';
/** Cookie key of a delta answer's pages: past the changed rows (`versionnumber`), or into the deletions. */
const ROWS_KEY = 'versionnumber';
const DELETED_KEY = 'deleted';

export class ChangeTracking {
  private readonly store: RecordStore;
  private readonly now: () => Date;
  private readonly retentionMs: number;

  constructor(store: RecordStore, now: () => Date, retentionDays: number = DEFAULT_RETENTION_DAYS) {
    if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > MAX_RETENTION_DAYS) {
      throw new RangeError(`changeTrackingRetentionDays is ${String(retentionDays)}; allowed: a whole number of days from 0 to ${MAX_RETENTION_DAYS}`);
    }
    this.store = store;
    this.now = now;
    this.retentionMs = retentionDays * DAY_MS;
  }

  /**
   * One page of a change tracking answer: a first read when `deltaToken` is undefined, else the
   * changes since it. `cookie` is the page's $skiptoken, `size` the page size.
   */
  read(entity: EntityDef, query: QueryOptions, cookie: PagingCookie | undefined, size: number): ChangePage {
    if (!entity.changeTracking) throw changeTrackingNotEnabled(entity.logicalName);
    for (const [option, name] of UNSUPPORTED) {
      const value = query[option];
      if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
        throw querySyntaxError(`The "${name}" query parameter isn't supported when Change Tracking is enabled.`);
      }
    }
    // The answer's own token is fixed when its first page is read and travels in the cookie.
    const answerToken = cookie ? this.cookieToken(cookie) : { version: this.store.currentVersion(), issuedAt: this.now() };
    return query.deltaToken === undefined
      ? this.firstRead(entity, query, cookie, size, answerToken)
      : this.changesSince(entity, query, this.validToken(query.deltaToken), cookie, size, answerToken);
  }

  /** Every row, by primary key; deleted rows are not answered. */
  private firstRead(entity: EntityDef, query: QueryOptions, cookie: PagingCookie | undefined, size: number, token: DeltaToken): ChangePage {
    const keys = sortKeys(entity, []);
    const where = cookie ? rowsAfter(entity, keys, cookie) : undefined;
    const found = this.store.select(entity, { where, limit: size + 1 });
    const rows = found.slice(0, size);
    const page: ChangePage = { rows, deleted: [], delta: false };
    const first = rows.at(0);
    const last = rows.at(-1);
    if (found.length > size && first && last) page.next = this.nextCookie(cookie, token, cookieKeys(entity, keys, first, last));
    else page.deltaToken = formatDeltaToken(token);
    if (query.count) page.count = Math.min(this.store.count(entity), MAX_PAGE_SIZE);
    return page;
  }

  /** Rows written after the token (oldest first), then rows deleted after it. */
  private changesSince(entity: EntityDef, query: QueryOptions, since: DeltaToken, cookie: PagingCookie | undefined, size: number, token: DeltaToken): ChangePage {
    const window: VersionWindow = { after: since.version, upTo: token.version };
    const position = this.position(cookie, window);
    const page: ChangePage = { rows: [], deleted: [], delta: true };
    let room = size;
    if (position.phase === 'rows') {
      const found = this.store.select(entity, {
        where: { sql: '"versionnumber" > ? AND "versionnumber" <= ?', params: [position.after, window.upTo] },
        orderBy: '"versionnumber" ASC',
        limit: size + 1,
      });
      page.rows = found.slice(0, size);
      const last = page.rows.at(-1);
      if (found.length > size && last) {
        page.next = this.nextCookie(cookie, token, [{ name: ROWS_KEY, last: String(last.versionnumber), first: String(page.rows.at(0)?.versionnumber) }]);
      }
      room = size - page.rows.length;
    }
    if (!page.next) {
      const tombstonesAfter = position.phase === 'deleted' ? position.after : window.after;
      const found = this.store.tombstones.list(entity, { after: tombstonesAfter, upTo: window.upTo }, room + 1);
      const shown = found.slice(0, room);
      page.deleted = shown.map((tombstone) => tombstone.id);
      if (found.length > room) {
        const last = shown.at(-1);
        page.next = this.nextCookie(cookie, token, [{ name: DELETED_KEY, last: String(last ? last.version : tombstonesAfter), first: null }]);
      }
    }
    if (!page.next) page.deltaToken = formatDeltaToken(token);
    if (query.count) {
      const changed = this.store.count(entity, { sql: '"versionnumber" > ? AND "versionnumber" <= ?', params: [window.after, window.upTo] });
      page.count = Math.min(changed + this.store.tombstones.count(entity, window), MAX_PAGE_SIZE);
    }
    return page;
  }

  /** The delta token of a delta link, refused when malformed, foreign or expired. */
  private validToken(text: string): DeltaToken {
    const token = parseDeltaToken(text);
    // A token for a version this store has not reached yet was not issued here.
    if (!token || token.version > this.store.currentVersion()) throw invalidDeltaToken(text);
    const now = this.now();
    if (token.version < this.store.tombstones.minValidVersion() || now.getTime() - token.issuedAt.getTime() > this.retentionMs) throw expiredVersionStamp();
    // Deletions older than any token still answered are of no use any more.
    this.store.tombstones.purge(new Date(now.getTime() - this.retentionMs));
    return token;
  }

  private cookieToken(cookie: PagingCookie): DeltaToken {
    const text = cookie.attributes[TOKEN_ATTRIBUTE];
    const token = text === undefined ? undefined : parseDeltaToken(text);
    if (!token || token.version > this.store.currentVersion()) throw invalidSkipToken();
    return token;
  }

  /** Where a delta answer's page starts: after a row version among the rows, or among the deletions. */
  private position(cookie: PagingCookie | undefined, window: VersionWindow): { phase: 'rows' | 'deleted'; after: number } {
    if (!cookie) return { phase: 'rows', after: window.after };
    const [key, ...rest] = cookie.keys;
    const after = key?.last === undefined || key.last === null ? Number.NaN : Number(key.last);
    if (rest.length > 0 || !key || !Number.isSafeInteger(after) || after < window.after || after > window.upTo) throw invalidSkipToken();
    if (key.name === ROWS_KEY) return { phase: 'rows', after };
    if (key.name === DELETED_KEY) return { phase: 'deleted', after };
    throw invalidSkipToken();
  }

  private nextCookie(cookie: PagingCookie | undefined, token: DeltaToken, keys: PagingCookie['keys']): PagingCookie {
    return { pageNumber: (cookie?.pageNumber ?? 1) + 1, tracking: true, attributes: { [TOKEN_ATTRIBUTE]: formatDeltaToken(token) }, keys };
  }
}

/**
 * A $deltatoken that is not one this sandbox issued. Dataverse's answer to a malformed token is
 * not documented; the sandbox answers as for a malformed query option (0x80060888). Clients
 * should start a full sync on any refused delta link.
 */
function invalidDeltaToken(text: string): DataverseError {
  return new DataverseError(400, DataverseErrorCode.QueryOrPayload, `The $deltatoken value '${text}' is not a valid delta token.`);
}
