/**
 * What every layer below the server logs through: a structural subset of pino's logger (fields
 * first, then the message), so that `pbx/` and `media/` never depend on a logging library or on
 * the server that owns it. The server passes its pino logger, which fits as it is.
 */
export interface StructuredLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** A logger whose lines all carry `bindings` (e.g. `{ component: 'sip' }`). */
  child(bindings: Record<string, unknown>): StructuredLogger;
}
