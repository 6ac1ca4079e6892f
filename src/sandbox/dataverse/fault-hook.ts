/**
 * Faults on demand, for tests of clients that must survive a slow or failing Dataverse: a
 * function the test hands to createSandboxServer (never a configuration key) decides for each
 * Web API request whether it is answered late, refused 429 with `Retry-After` as service
 * protection refuses (https://learn.microsoft.com/power-apps/developer/data-platform/api-limits),
 * or refused 503 as when the service is unavailable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';

export type Fault =
  /**
   * Hold the request `ms` milliseconds: `before` it is carried out (the default), or `after`
   * (carried out, its answer held back: a client that gives up meanwhile does not know it succeeded).
   */
  | { kind: 'delay'; ms: number; phase?: 'before' | 'after' }
  /** 429 with Retry-After and error 0x80072322, the request not carried out. */
  | { kind: 'throttle'; retryAfterSeconds: number }
  /** 503, the request not carried out. */
  | { kind: 'unavailable' };

export interface FaultRequest {
  method: string;
  /** The resource after `/api/data/v9.2/`, e.g. `phonecalls(…)`, without the query. */
  path: string;
  /** The request URL as sent (path and query). */
  url: string;
}

/** Decides per request; undefined answers normally. */
export type FaultHook = (request: FaultRequest) => Fault | undefined;

/** Installs the hook on the Web API's routes (`prefix`: their mount point). */
export function registerFaults(api: FastifyInstance, prefix: string, hook: FaultHook): void {
  const held = new WeakMap<FastifyRequest, number>();
  api.addHook('onRequest', async (request) => {
    const url = request.url;
    const resource = url.slice(prefix.length).replace(/^\//, '').split('?')[0] ?? '';
    const fault = hook({ method: request.method, path: decodeURIComponent(resource), url });
    if (fault === undefined) return;
    switch (fault.kind) {
      case 'delay':
        if (fault.phase === 'after') held.set(request, fault.ms);
        else await sleep(fault.ms);
        return;
      case 'throttle':
        throw new DataverseError(429, DataverseErrorCode.RequestLimitExceeded, 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.', {
          'Retry-After': String(fault.retryAfterSeconds),
        });
      case 'unavailable':
        throw new DataverseError(503, DataverseErrorCode.None, 'The service is temporarily unavailable. Please try again later.');
    }
  });
  api.addHook('onSend', async (request, _reply, payload) => {
    const ms = held.get(request);
    if (ms !== undefined) await sleep(ms);
    return payload;
  });
}
