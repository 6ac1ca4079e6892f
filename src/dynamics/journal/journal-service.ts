/**
 * The journal as a running service: the Web API client for the configured org and the worker
 * draining the outbox (journal-worker.ts), on when a Dynamics org is configured and the journal is
 * enabled (`dynamics.journal.enabled`). `journalGraceSeconds` tells the composition whether the
 * call records must write outbox rows at all: only then, so a Callpane without an org keeps no
 * outbox that nothing would ever drain.
 */
import type { DynamicsConfig } from '../../config/dynamics-config.ts';
import type { UserSettings } from '../../contract/user-settings.ts';
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import type { CallRecordRepository } from '../../store/call-record-repository.ts';
import type { ExtensionRepository } from '../../store/extension-repository.ts';
import type { JournalOutboxRepository } from '../../store/journal-outbox-repository.ts';
import { connectWebApi } from '../web-api/web-api-connection.ts';
import type { JournalMetrics } from './journal-metrics.ts';
import { JournalWorker } from './journal-worker.ts';
import type { FindRecords } from './regarding.ts';

/** The grace period when the journal runs; undefined when it does not (no org, or switched off). */
export function journalGraceSeconds(dynamics: DynamicsConfig): number | undefined {
  return dynamics.connection && dynamics.journal.enabled ? dynamics.journal.graceSeconds : undefined;
}

export interface JournalServiceOptions {
  dynamics: DynamicsConfig;
  outbox: JournalOutboxRepository;
  calls: Pick<CallRecordRepository, 'get'>;
  extensions: Pick<ExtensionRepository, 'get'>;
  settingsOf: (extension: string) => UserSettings;
  findRecords?: FindRecords;
  defaultRegion?: string;
  metrics: JournalMetrics;
  logger: StructuredLogger;
}

export interface JournalService {
  close(): Promise<void>;
}

/** Starts the worker; undefined when the journal does not run. */
export async function startJournalService(options: JournalServiceOptions): Promise<JournalService | undefined> {
  const { dynamics } = options;
  if (!dynamics.connection || journalGraceSeconds(dynamics) === undefined) return undefined;
  const logger = options.logger.child({ component: 'journal' });
  const client = await connectWebApi(dynamics.connection, dynamics, options.logger);
  const worker = new JournalWorker({
    client,
    outbox: options.outbox,
    calls: options.calls,
    extensions: options.extensions,
    settingsOf: options.settingsOf,
    ...(options.findRecords ? { findRecords: options.findRecords } : {}),
    ...(options.defaultRegion === undefined ? {} : { defaultRegion: options.defaultRegion }),
    metrics: options.metrics,
    logger,
  });
  worker.start();
  return {
    async close() {
      await worker.stop();
      client.close();
    },
  };
}
