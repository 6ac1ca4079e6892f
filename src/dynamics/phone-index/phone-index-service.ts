/**
 * The phone index as a running service: it syncs contacts, accounts and leads from Dataverse
 * (table-sync.ts) at start and then every `syncIntervalSeconds` — one cycle at a time, a table
 * that fails is tried again next cycle while the others go on — and answers lookups from the
 * store (phone-index-lookup.ts): the /api/phone/lookup route's `index`, and `findRecords` for
 * the journal's "regarding: the one match".
 *
 * The index is `ready` once every table was read whole at least once (state kept in the
 * database, so a restart answers at once from what the last run left, and goes on with its delta
 * links); `syncing` before that. It answers only for the default region it read the records in.
 *
 * It runs inside the Dynamics service (../dynamics-service.ts), on the Web API client it shares
 * with the journal.
 */
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import type { PhoneIndexAnswer } from '../../contract/phone.ts';
import { CRM_ENTITY_NAMES, type CrmEntity } from '../../contract/crm-record.ts';
import type { CrmRecordRef } from '../../crm/crm-entities.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import type { PhoneIndexRepository } from '../../store/phone-index-repository.ts';
import type { WebApiClient } from '../web-api/web-api-client.ts';
import { findIndexedPhones } from './phone-index-lookup.ts';
import { syncTable, tableDefinition, type TableSyncOutcome } from './table-sync.ts';

export interface PhoneIndexServiceOptions {
  client: WebApiClient;
  repository: PhoneIndexRepository;
  numbers: PhoneNumberReader;
  /** The organisation's default region (crm.defaultRegion): numbers without a country are read in it. */
  defaultRegion: string | undefined;
  syncIntervalSeconds: number;
  pageSize: number;
  logger: StructuredLogger;
  now?: () => number;
}

export interface PhoneIndexCycle {
  /** Per table: what the sync did, or the error that stopped it. */
  tables: Partial<Record<CrmEntity, TableSyncOutcome | { kind: 'failed'; error: unknown }>>;
}

export class PhoneIndexService {
  readonly #options: PhoneIndexServiceOptions;
  readonly #now: () => number;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PhoneIndexCycle> | undefined;

  constructor(options: PhoneIndexServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Syncs now and then every syncIntervalSeconds after the previous cycle ended. */
  start(): void {
    const loop = async () => {
      await this.syncOnce();
      if (!this.#stop.signal.aborted) this.#timer = setTimeout(loop, this.#options.syncIntervalSeconds * 1000);
    };
    void loop();
  }

  /** One sync cycle over the three tables (joins the running one, if any). */
  syncOnce(): Promise<PhoneIndexCycle> {
    this.#running ??= this.#cycle().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops syncing (the timer, and the cycle in flight at its next request); the client's owner closes it. */
  async close(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** `ready` once every table was read whole with the current definition, else `syncing`. */
  state(): 'syncing' | 'ready' {
    const { repository, defaultRegion } = this.#options;
    const complete = CRM_ENTITY_NAMES.every((entity) => {
      const table = repository.tableState(entity);
      return table !== undefined && table.definition === tableDefinition(entity, defaultRegion) && table.lastFullSyncAt !== null;
    });
    return complete ? 'ready' : 'syncing';
  }

  /** The records holding `number` in `entities`, when the index is ready and `defaultRegion` is the one it read them in. */
  lookup(number: string, entities: readonly CrmEntity[], defaultRegion: string | undefined): PhoneIndexAnswer {
    if (defaultRegion !== this.#options.defaultRegion) return { state: 'off', matches: [] };
    const state = this.state();
    if (state !== 'ready') return { state, matches: [] };
    return { state, matches: findIndexedPhones(this.#options.numbers, this.#options.repository, number, { entities, defaultRegion }) };
  }

  /** The records that hold `number` (contacts, accounts, leads), best first, each once; none while the index is not ready. */
  findRecords(number: string): CrmRecordRef[] {
    const answer = this.lookup(number, CRM_ENTITY_NAMES, this.#options.defaultRegion);
    const records: CrmRecordRef[] = [];
    for (const { candidate } of answer.matches) {
      if (!records.some((record) => record.entity === candidate.entity && record.id === candidate.id)) {
        records.push({ entity: candidate.entity, id: candidate.id, ...(candidate.name === undefined ? {} : { name: candidate.name }) });
      }
    }
    return records;
  }

  async #cycle(): Promise<PhoneIndexCycle> {
    const { logger } = this.#options;
    const cycle: PhoneIndexCycle = { tables: {} };
    for (const entity of CRM_ENTITY_NAMES) {
      if (this.#stop.signal.aborted) break;
      const started = this.#now();
      try {
        const outcome = await syncTable({ ...this.#options, now: this.#now, signal: this.#stop.signal }, entity);
        cycle.tables[entity] = outcome;
        if (outcome.kind === 'full' || outcome.upserts + outcome.deletes > 0) logger.info({ entity, ...outcome, ms: this.#now() - started }, 'phone index: table synced');
      } catch (error) {
        cycle.tables[entity] = { kind: 'failed', error };
        if (!this.#stop.signal.aborted) logger.warn({ err: error, entity }, 'phone index: the table could not be synced, trying again at the next interval');
      }
    }
    return cycle;
  }
}
