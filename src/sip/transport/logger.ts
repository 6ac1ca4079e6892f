/**
 * What the transports log through: a structural subset of pino's logger, so the server passes
 * its own logger and `src/sip` never depends on a logging library or a global.
 */
export interface TransportLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
