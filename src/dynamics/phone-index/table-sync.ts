/**
 * One table of the phone index brought up to date with Dataverse, as Microsoft describes for
 * external systems (https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems):
 *
 * - Full sync: `GET {set}?$select=…` with `Prefer: odata.maxpagesize=N, odata.track-changes`,
 *   following each `@odata.nextLink` (paging,
 *   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results);
 *   the last page carries the `@odata.deltaLink`. Each page is written in one transaction with a
 *   new generation; at the end the rows of older generations are swept, so the table's previous
 *   rows keep answering lookups until the new ones are complete.
 * - Delta: the stored delta link is followed (paged the same way); a changed record's rows are
 *   replaced, a `$deletedEntity` entry removes them, and the final page's delta link is kept for
 *   the next time. The link is stored only after every page was applied: a crash replays it,
 *   which writes the same rows again.
 * - A delta link Dataverse refuses (expired: older than the organization's
 *   ExpireChangeTrackingInDays, or unknown) starts a full sync again. A table without change
 *   tracking is read whole each time.
 *
 * The rows of a table are read with its address country and the default region (indexed-record.ts);
 * both, and the columns asked for, make the table's `definition`: when it changes (another
 * default region configured) the table is forgotten and read again.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import { CRM_ENTITIES, normalizeGuid, type CrmEntity } from '../../crm/crm-entities.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import type { PhoneIndexRepository, PhoneIndexTableState, RecordNumbers } from '../../store/phone-index-repository.ts';
import type { WebApiClient } from '../web-api/web-api-client.ts';
import { indexedColumns, indexedRecord } from './indexed-record.ts';
import { phoneIndexPageError, refusedWith } from './phone-index-error.ts';

/**
 * Rows read and written between two turns of the event loop: reading numbers and writing rows is
 * CPU work (a page of 5,000 takes a few hundred ms), and SIP and the pane's requests must not
 * wait behind a whole page.
 */
const ROWS_PER_TURN = 200;

/** ChangeTrackingNotEnabledForEntity: the table's "Track changes" setting is off. */
export const CHANGE_TRACKING_NOT_ENABLED = '0x80072491';

export interface TableSyncContext {
  client: WebApiClient;
  repository: PhoneIndexRepository;
  numbers: PhoneNumberReader;
  defaultRegion: string | undefined;
  /** Rows a page (odata.maxpagesize), 1…5000. */
  pageSize: number;
  now(): number;
  logger: StructuredLogger;
  signal?: AbortSignal;
}

export type TableSyncOutcome = { kind: 'full'; records: number; pages: number; tracked: boolean } | { kind: 'delta'; upserts: number; deletes: number; pages: number };

interface Page {
  rows: unknown[];
  nextLink: string | undefined;
  deltaLink: string | undefined;
}

/** What the rows of `entity` are read with: a change means they must be read again. */
export function tableDefinition(entity: CrmEntity, defaultRegion: string | undefined): string {
  return `${defaultRegion ?? '-'}|${indexedColumns(entity).join(',')}`;
}

/** Follows the table's delta link, or reads it whole when it has none (or Dataverse no longer takes it). */
export async function syncTable(context: TableSyncContext, entity: CrmEntity): Promise<TableSyncOutcome> {
  const { repository, logger } = context;
  let state = repository.tableState(entity);
  if (state !== undefined && state.definition !== tableDefinition(entity, context.defaultRegion)) {
    logger.info({ entity }, 'phone index: the default region or the columns changed, the table is read again');
    repository.reset(entity);
    state = undefined;
  }
  if (state?.state === 'ready' && state.deltaLink !== null) {
    try {
      return await followDelta(context, entity, state, state.deltaLink);
    } catch (error) {
      const refusal = refusedWith(error);
      // Not signed in, or no privilege: reading the table whole would be refused as well.
      if (refusal === undefined || refusal.status === 401 || refusal.status === 403) throw error;
      logger.warn({ entity, status: refusal.status, code: refusal.dataverseCode }, 'phone index: Dataverse refused the delta link (expired or unknown), reading the table again');
    }
  }
  return fullSync(context, entity, state);
}

async function fullSync(context: TableSyncContext, entity: CrmEntity, previous: PhoneIndexTableState | undefined): Promise<TableSyncOutcome> {
  const { repository, logger } = context;
  const generation = (previous?.generation ?? 0) + 1;
  const started: PhoneIndexTableState = {
    entity,
    state: 'syncing',
    definition: tableDefinition(entity, context.defaultRegion),
    generation,
    deltaLink: null,
    lastFullSyncAt: previous?.lastFullSyncAt ?? null,
    lastDeltaAt: previous?.lastDeltaAt ?? null,
  };
  // Rows from before (an earlier sync, or one cut off) are swept at the end; a table read into
  // an empty index has none, and skips the sweep's scan of every row.
  const sweep = repository.hasRows(entity);
  repository.saveTableState(started);
  const path = `${CRM_ENTITIES[entity].setName}?$select=${indexedColumns(entity).join(',')}`;
  let tracked = true;
  let first: Page;
  try {
    first = await readPage(context, entity, path, true);
  } catch (error) {
    if (refusedWith(error)?.dataverseCode !== CHANGE_TRACKING_NOT_ENABLED) throw error;
    logger.warn({ entity }, 'phone index: change tracking is off for this table, so every sync reads it whole; turn on "Track changes" in the table’s settings');
    tracked = false;
    first = await readPage(context, entity, path, false);
  }
  let records = 0;
  let pages = 0;
  let page: Page | undefined = first;
  let deltaLink: string | undefined;
  while (page !== undefined) {
    records += (await applyRows(context, entity, generation, page.rows)).upserts;
    pages += 1;
    deltaLink = page.deltaLink;
    page = page.nextLink === undefined ? undefined : await readPage(context, entity, page.nextLink, tracked);
  }
  if (sweep) repository.sweep(entity, generation);
  repository.saveTableState({ ...started, state: 'ready', deltaLink: deltaLink ?? null, lastFullSyncAt: context.now() });
  return { kind: 'full', records, pages, tracked: deltaLink !== undefined };
}

async function followDelta(context: TableSyncContext, entity: CrmEntity, state: PhoneIndexTableState, link: string): Promise<TableSyncOutcome> {
  let upserts = 0;
  let deletes = 0;
  let pages = 0;
  let deltaLink = link;
  let page: Page | undefined = await readPage(context, entity, link, false);
  while (page !== undefined) {
    const applied = await applyRows(context, entity, state.generation, page.rows);
    upserts += applied.upserts;
    deletes += applied.deletes;
    pages += 1;
    if (page.deltaLink !== undefined) deltaLink = page.deltaLink;
    page = page.nextLink === undefined ? undefined : await readPage(context, entity, page.nextLink, false);
  }
  context.repository.saveTableState({ ...state, deltaLink, lastDeltaAt: context.now() });
  return { kind: 'delta', upserts, deletes, pages };
}

async function readPage(context: TableSyncContext, entity: CrmEntity, path: string, trackChanges: boolean): Promise<Page> {
  const prefer = `odata.maxpagesize=${context.pageSize}${trackChanges ? ', odata.track-changes' : ''}`;
  const response = await context.client.request({ method: 'GET', path, headers: { Prefer: prefer } }, context.signal);
  return pageOf(entity, response.body);
}

/** The rows and links of an OData collection; anything else throws. */
function pageOf(entity: CrmEntity, body: unknown): Page {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { value?: unknown }).value)) throw phoneIndexPageError(entity, 'the answer has no "value" array');
  const { value, '@odata.nextLink': nextLink, '@odata.deltaLink': deltaLink } = body as { value: unknown[]; '@odata.nextLink'?: unknown; '@odata.deltaLink'?: unknown };
  return { rows: value, nextLink: typeof nextLink === 'string' ? nextLink : undefined, deltaLink: typeof deltaLink === 'string' ? deltaLink : undefined };
}

/**
 * Writes a page's rows, ROWS_PER_TURN at a time, each batch in one transaction with a turn of the
 * event loop after it. A page need not be written whole: a full sync that stops half-way is swept
 * by the next one, a delta that stops is followed again from the same link.
 */
async function applyRows(context: TableSyncContext, entity: CrmEntity, generation: number, rows: readonly unknown[]): Promise<{ upserts: number; deletes: number }> {
  let upserts = 0;
  let deletes = 0;
  for (let start = 0; start < rows.length; start += ROWS_PER_TURN) {
    const batch: { upserts: RecordNumbers[]; deletes: string[] } = { upserts: [], deletes: [] };
    for (const row of rows.slice(start, start + ROWS_PER_TURN)) {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw phoneIndexPageError(entity, 'a row is not an object');
      const entry = row as Record<string, unknown>;
      if (isDeletedEntity(entry)) batch.deletes.push(normalizeGuid(String(entry.id ?? ''), `${entity} $deletedEntity id`));
      else batch.upserts.push(indexedRecord(context.numbers, entity, entry, context.defaultRegion));
    }
    context.repository.apply(entity, generation, batch);
    upserts += batch.upserts.length;
    deletes += batch.deletes.length;
    await nextTurn();
  }
  return { upserts, deletes };
}

/** `{"@odata.context": "…/$metadata#accounts/$deletedEntity", "id": "…", "reason": "deleted"}` (OData JSON Format 4.0 §15). */
function isDeletedEntity(row: Readonly<Record<string, unknown>>): boolean {
  const context = row['@odata.context'];
  return typeof context === 'string' && context.endsWith('$deletedEntity');
}
