/**
 * Callpane's server-side path to a Dynamics 365 org as one running service: one Web API client
 * — one token cache and one cap on concurrent requests, because Dataverse counts its service
 * protection limits per user (https://learn.microsoft.com/power-apps/developer/data-platform/api-limits)
 * and the phone index and the journal act as the same application user — shared by the phone
 * index (phone-index/) and the journal worker (journal/), each on unless configured off
 * (`dynamics.phoneIndex.enabled`, `dynamics.journal.enabled`).
 *
 * `journalGraceSeconds` tells the composition whether the call records must write outbox rows at
 * all: only when a journal will drain them, so a Callpane without an org keeps no outbox.
 */
import type { DynamicsConfig, DynamicsConnection } from '../config/dynamics-config.ts';
import type { UserSettings } from '../contract/user-settings.ts';
import type { PhoneNumberReader } from '../crm/numbers/phone-number-reader.ts';
import type { StructuredLogger } from '../logging/structured-logger.ts';
import type { CallRecordRepository } from '../store/call-record-repository.ts';
import type { Database } from '../store/database.ts';
import type { ExtensionRepository } from '../store/extension-repository.ts';
import { createJournalOutboxRepository } from '../store/journal-outbox-repository.ts';
import { createPhoneIndexRepository } from '../store/phone-index-repository.ts';
import type { JournalMetrics } from './journal/journal-metrics.ts';
import { JournalWorker } from './journal/journal-worker.ts';
import { PhoneIndexService } from './phone-index/phone-index-service.ts';
import { connectWebApi } from './web-api/web-api-connection.ts';
import type { WebApiClientOptions } from './web-api/web-api-client.ts';

/** The grace period when a journal will run for an org that is (or will be) `connected`; undefined when none will. */
export function journalGraceSeconds(dynamics: DynamicsConfig, connected: boolean): number | undefined {
  return connected && dynamics.journal.enabled ? dynamics.journal.graceSeconds : undefined;
}

export interface DynamicsServiceOptions {
  connection: DynamicsConnection;
  /** Limits, journal and phone index settings (`dynamics.*`); its own `connection` is not read. */
  settings: DynamicsConfig;
  db: Database;
  calls: Pick<CallRecordRepository, 'get'>;
  extensions: Pick<ExtensionRepository, 'get'>;
  /** The agent's settings as they read now (defaults for what was never saved). */
  settingsOf: (extension: string) => UserSettings;
  numbers: PhoneNumberReader;
  /** crm.defaultRegion: numbers written without a country are read in it. */
  defaultRegion: string;
  metrics: JournalMetrics;
  logger: StructuredLogger;
  /** For tests: the client's sleep, randomness and retry policy. */
  clientOverrides?: Partial<WebApiClientOptions>;
}

export interface DynamicsService {
  /** The phone index, syncing from the start; undefined when switched off. */
  readonly phoneIndex: PhoneIndexService | undefined;
  close(): Promise<void>;
}

export async function startDynamicsService(options: DynamicsServiceOptions): Promise<DynamicsService> {
  const { settings, logger } = options;
  const client = await connectWebApi(options.connection, settings, logger, options.clientOverrides);
  const phoneIndex = settings.phoneIndex.enabled
    ? new PhoneIndexService({
        client,
        repository: createPhoneIndexRepository(options.db),
        numbers: options.numbers,
        defaultRegion: options.defaultRegion,
        syncIntervalSeconds: settings.phoneIndex.syncIntervalSeconds,
        pageSize: settings.phoneIndex.pageSize,
        logger: logger.child({ component: 'phone-index' }),
      })
    : undefined;
  const journal = settings.journal.enabled
    ? new JournalWorker({
        client,
        outbox: createJournalOutboxRepository(options.db),
        calls: options.calls,
        extensions: options.extensions,
        settingsOf: options.settingsOf,
        ...(phoneIndex ? { findRecords: (number: string) => phoneIndex.findRecords(number) } : {}),
        numbers: options.numbers,
        defaultRegion: options.defaultRegion,
        metrics: options.metrics,
        logger: logger.child({ component: 'journal' }),
      })
    : undefined;
  phoneIndex?.start();
  journal?.start();
  return {
    phoneIndex,
    async close() {
      await Promise.all([journal?.stop(), phoneIndex?.close()]);
      client.close();
    },
  };
}
