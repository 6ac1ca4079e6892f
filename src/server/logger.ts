/**
 * The process logger: pino JSON lines on stdout, or pino-pretty lines for a person at a
 * terminal. pino-pretty runs as a plain stream in this thread (not a worker transport) so that
 * short CLI runs and crashes never lose their last lines. Secret fields are masked at any depth
 * (see src/security/redact.ts) before a line is written.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/schema.ts';
import { REDACTED, redactSecrets } from '../security/redact.ts';

export type { Logger };

export interface LoggerOptions {
  level: LogLevel;
  pretty: boolean;
  /** Where lines go; stdout when omitted. */
  destination?: DestinationStream;
}

/**
 * pino applies no formatter to child bindings (`logger.child({...})`), so secret names are also
 * given to its own redaction, which does cover them, one level deep.
 */
const CHILD_BINDING_SECRETS = ['password', 'secret', 'sipSecret', 'sip_secret', 'authorization', 'Authorization', 'proxy-authorization', 'Proxy-Authorization'];
const REDACT_PATHS = CHILD_BINDING_SECRETS.flatMap((name) => [`["${name}"]`, `*["${name}"]`]);

export function createLogger({ level, pretty: readable, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      log: (fields: Record<string, unknown>) => redactSecrets(fields),
      bindings: (bindings: Record<string, unknown>) => redactSecrets(bindings),
    },
  };
  if (!readable) return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
  const stream = pretty({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    sync: true,
    ...(destination ? { destination } : {}),
  });
  return pino(options, stream);
}
