/**
 * What the embedded PBX needs from the application it runs in, stated by the PBX: the
 * composition root (src/app.ts) hands over its context, which fits this as it is, so `pbx/`
 * never imports the web server or the application.
 */
import type { Server } from 'node:http';
import type { Config } from '../config/load-config.ts';
import type { StructuredLogger } from '../logging/structured-logger.ts';
import type { CallRecordRepository } from '../store/call-record-repository.ts';
import type { Database } from '../store/database.ts';
import type { ExtensionRepository } from '../store/extension-repository.ts';
import type { MetaRepository } from '../store/meta-repository.ts';
import type { RegistrationRepository } from '../store/registration-repository.ts';
import type { SessionRepository } from '../store/session-repository.ts';
import type { CallEvent } from './calls/call-event.ts';
import type { PbxMetrics } from './pbx-metrics.ts';

/** The HTTP(S) server SIP over WebSocket shares (RFC 7118): its upgrades for one path are ours. */
export interface UpgradeHost {
  /** The Node server underneath, whose `upgrade` events the WebSocket transport listens to. */
  readonly server: Server;
  /** The bound port, once listening. */
  address(): { port: number } | undefined;
  /** Tells the server that upgrades for `path` are answered by someone else (so not 404). */
  claimUpgradePath(path: string): void;
}

export interface SipServiceContext {
  config: Config;
  logger: StructuredLogger;
  db: Database;
  repositories: {
    extensions: ExtensionRepository;
    registrations: RegistrationRepository;
    sessions: SessionRepository;
    calls: CallRecordRepository;
    meta: MetaRepository;
  };
  metrics: PbxMetrics;
  /** Where call events go (the call recorder and the panes' event channel listen there). */
  calls: { publish(event: CallEvent): void };
  /** Web sessions ending (sign-out, revoke): the registrations made with their pane credential end too. */
  sessions: { onSessionEnded(listener: (sessionId: string) => void): () => void };
  httpServer: UpgradeHost;
  /** Certificate and key for SIP over TLS. */
  tls: { cert: Buffer; key: Buffer } | undefined;
}
