/**
 * The target of an HTTP upgrade request as a URL. Node hands 'upgrade' listeners the raw request
 * target, and `new URL` throws on some that the HTTP parser lets through (`GET http://[`): outside
 * a request handler nothing catches that, so one such request would end the process.
 */
import type { IncomingMessage } from 'node:http';

/** Undefined when the target cannot be read as a URL: answer 400 and close, never throw. */
export function upgradeUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? '/', 'http://upgrade.invalid');
  } catch {
    return undefined;
  }
}
