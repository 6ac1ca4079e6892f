/**
 * Which fields hold secrets, and a deep copy with them masked, for logs and for printing the
 * effective configuration. Names compare case-insensitively because SIP and HTTP header names do.
 */
export const REDACTED = '[redacted]';

/** `authorization`, `Proxy-Authorization`, `cookie`, and anything ending in password, secret or token (`sipSecret`, `sip_secret`, `clientSecret`). */
const SECRET_NAME = /^(?:authorization|proxy-authorization|cookie|set-cookie)$|(?:password|secret|token)$/i;
const MAX_DEPTH = 8;

export function isSecretField(name: string): boolean {
  return SECRET_NAME.test(name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function containsSecret(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((item) => containsSecret(item, depth + 1));
  if (!isPlainObject(value)) return false;
  return Object.entries(value).some(([name, child]) => isSecretField(name) || containsSecret(child, depth + 1));
}

function copyRedacted(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => copyRedacted(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    copy[name] = isSecretField(name) && child !== undefined && child !== null ? REDACTED : copyRedacted(child, depth + 1);
  }
  return copy;
}

/**
 * `value` with every secret field (at any depth of plain objects and arrays) replaced by
 * `[redacted]`. Returns the same object when there is nothing to mask, so the common case
 * allocates nothing; never mutates its input. Class instances (errors, buffers) pass unchanged.
 */
export function redactSecrets<T>(value: T): T {
  return containsSecret(value, 0) ? (copyRedacted(value, 0) as T) : value;
}
