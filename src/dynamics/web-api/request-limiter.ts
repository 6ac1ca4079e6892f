/**
 * At most `limit` Web API requests in flight at once; the rest wait their turn in order.
 * Dataverse refuses a user's 53rd concurrent request with 429 (service protection, "concurrent
 * requests": https://learn.microsoft.com/power-apps/developer/data-platform/api-limits), and all
 * of Callpane's requests run as one application user, so the journal, the phone index and the
 * CLI share one limiter through one client. A slot is held while a request is on the wire only,
 * not while it sleeps before a retry.
 */

export interface RequestLimiter {
  /** Resolves with a release function once a slot is free; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Requests on the wire now. */
  readonly active: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

interface Waiter {
  grant: () => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export function createRequestLimiter(limit: number): RequestLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the request limit must be a positive integer, not ${limit}`);
  let active = 0;
  const queue: Waiter[] = [];

  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) {
        next.signal?.removeEventListener('abort', next.onAbort);
        next.grant();
      } else {
        active--;
      }
    };
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (active < limit) {
        active++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        // The slot passes straight from the releasing request to this one: `active` stays as it is.
        const waiter: Waiter = {
          grant: () => resolve(releaser()),
          signal,
          onAbort: () => {
            const index = queue.indexOf(waiter);
            if (index >= 0) queue.splice(index, 1);
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}
