/**
 * A phone index filled directly with Dataverse rows, as a completed full sync would leave it,
 * for tests of what answers from it (the lookup route, the pane). Never started: its client
 * refuses every request.
 */
import { pino } from 'pino';
import { CRM_ENTITY_NAMES, type CrmEntity } from '../../../src/contract/crm-record.ts';
import { libphonenumberReader } from '../../../src/crm/numbers/phone-number.ts';
import { indexedRecord } from '../../../src/dynamics/phone-index/indexed-record.ts';
import { PhoneIndexService } from '../../../src/dynamics/phone-index/phone-index-service.ts';
import { tableDefinition } from '../../../src/dynamics/phone-index/table-sync.ts';
import type { WebApiClient } from '../../../src/dynamics/web-api/web-api-client.ts';
import type { Database } from '../../../src/store/database.ts';
import { createPhoneIndexRepository } from '../../../src/store/phone-index-repository.ts';

export interface IndexedRow {
  entity: CrmEntity;
  row: Record<string, unknown>;
}

const NO_CLIENT: WebApiClient = {
  request: async () => {
    throw new Error('this index does not sync');
  },
  close: () => {},
};

/** An index holding `rows`, read in `defaultRegion`; `ready: false` leaves every table mid-way through its first sync. */
export function phoneIndexWith(db: Database, rows: readonly IndexedRow[], options: { defaultRegion?: string; ready?: boolean } = {}): PhoneIndexService {
  const repository = createPhoneIndexRepository(db);
  const { defaultRegion } = options;
  for (const { entity, row } of rows) repository.apply(entity, 1, { upserts: [indexedRecord(libphonenumberReader, entity, row, defaultRegion)], deletes: [] });
  const ready = options.ready ?? true;
  for (const entity of CRM_ENTITY_NAMES) {
    repository.saveTableState({
      entity,
      state: ready ? 'ready' : 'syncing',
      definition: tableDefinition(entity, defaultRegion),
      generation: 1,
      deltaLink: null,
      lastFullSyncAt: ready ? 1 : null,
      lastDeltaAt: null,
    });
  }
  return new PhoneIndexService({
    client: NO_CLIENT,
    repository,
    numbers: libphonenumberReader,
    defaultRegion,
    syncIntervalSeconds: 60,
    pageSize: 5000,
    logger: pino({ level: 'silent' }),
  });
}
