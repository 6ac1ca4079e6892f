/**
 * Registrations made with a pane's short-lived credential end with the web session it was issued
 * to. The credential is refused once its session ends, but a binding it made would otherwise
 * keep receiving calls until its own Expires (up to registrar.maxExpires): a signed-out or
 * revoked session's phone would keep ringing. A session ended in this process (sign-out) is
 * heard of at once; one ended elsewhere (`callpane sessions revoke` is another process writing
 * the same database) or by expiry is found by a periodic sweep that asks the session store.
 */
import type { LocationService } from './location-service.ts';

export interface SessionBoundBindingsOptions {
  location: LocationService;
  /** Whether a session of `extension` whose id begins with `sessionTag` still lives at `now` (asked of the store). */
  isLive(sessionTag: string, extension: string, now: number): boolean;
  now?: () => number;
  /** Called for each extension that lost bindings, for the log. */
  onRemoved?(extension: string, bindings: number): void;
  /** A periodic sweep that failed (e.g. the database was busy); the next one tries again. */
  onError?(error: unknown): void;
}

/** How often sessions ended by another process or by expiry are looked for, by default. */
export const SESSION_SWEEP_INTERVAL_MS = 30_000;

export class SessionBoundBindings {
  readonly #options: SessionBoundBindingsOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SessionBoundBindingsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A session ended in this process (`sessionId`: the full SHA-256 hex); its bindings go now. */
  sessionEnded(sessionId: string): number {
    return this.#removeEnded((sessionTag) => sessionId.startsWith(sessionTag));
  }

  /** Removes the bindings of every session that no longer lives; returns how many went. */
  sweep(): number {
    return this.#removeEnded(() => true);
  }

  start(intervalMs = SESSION_SWEEP_INTERVAL_MS): void {
    this.stop();
    this.#timer = setInterval(() => {
      try {
        this.sweep();
      } catch (error) {
        this.#options.onError?.(error);
      }
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Asks the store before removing, so a tag shared by a session that still lives (however unlikely) keeps its bindings. */
  #removeEnded(concerns: (sessionTag: string) => boolean): number {
    const { location, isLive, onRemoved } = this.#options;
    const now = this.#now();
    let removed = 0;
    for (const { sessionTag, aor } of location.sessionTags()) {
      if (!concerns(sessionTag) || isLive(sessionTag, aor, now)) continue;
      const count = location.removeSession(aor, sessionTag);
      if (count > 0) onRemoved?.(aor, count);
      removed += count;
    }
    return removed;
  }
}
