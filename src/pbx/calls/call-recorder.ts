/**
 * Keeps a call record per call from the events on the bus: `ringing` opens it, `answered` stamps
 * the answer, `ended` closes it with its disposition and talk time. Any event of a call with no
 * record yet opens one, so an `ended` that arrives alone (a call that failed before ringing, a
 * connector that joined mid-call) still leaves a complete record. Repeated events change nothing
 * (the repository's writes are idempotent), and the extensions named by later events (a transfer
 * target) are added to the call's owners.
 */
import type { CallRecordRepository, NewCallRecord } from '../../store/call-record-repository.ts';
import type { CallBus, Unsubscribe } from './call-bus.ts';
import type { CallEvent, CallParty } from './call-event.ts';

/** Whole seconds from answer to end: what a phone bill and a Dynamics Phone Call show. */
export function talkSeconds(answeredAt: number | null, endedAt: number): number {
  if (answeredAt === null) return 0;
  return Math.max(0, Math.floor((endedAt - answeredAt) / 1000));
}

function party(party: CallParty): { number: string; name: string | null } {
  return { number: party.number, name: party.displayName ?? null };
}

function newRecord(event: CallEvent, startedAt: number): NewCallRecord {
  return {
    id: event.callId,
    direction: event.direction,
    from: party(event.from),
    to: party(event.to),
    trunk: event.from.trunk ?? event.to.trunk ?? null,
    startedAt,
    extensions: event.extensions,
  };
}

/** Told about an event the records could not take; the event is dropped, the others are kept. */
export type CallRecorderErrorHandler = (err: unknown, event: CallEvent) => void;

export class CallRecorder {
  readonly #records: CallRecordRepository;
  readonly #onError: CallRecorderErrorHandler;
  #unsubscribe: Unsubscribe | undefined;
  #pending: CallEvent[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(records: CallRecordRepository, onError: CallRecorderErrorHandler = () => {}) {
    this.#records = records;
    this.#onError = onError;
  }

  start(bus: CallBus): void {
    if (this.#unsubscribe) throw new Error('call recorder: already started');
    this.#unsubscribe = bus.subscribe((event) => this.record(event));
  }

  /** Stops listening and writes what is queued. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.flush();
  }

  /**
   * Queues one event; the queue is written at the end of this event-loop turn, in one
   * transaction. SQLite pays most of a write at commit (about half of a call's recording cost
   * when each event committed alone), and the events are published from inside SIP message
   * handling, so call setups per second depend on it. A crash can lose at most the events of
   * the current turn; a record left open that way is closed at the next start.
   */
  record(event: CallEvent): void {
    this.#pending.push(event);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes the queued events now (tests, shutdown). */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const events = this.#pending;
    if (events.length === 0) return;
    this.#pending = [];
    try {
      this.#records.transaction(() => {
        for (const event of events) this.#apply(event);
      });
    } catch {
      // The batch was rolled back: write the events one by one so one bad event costs only itself.
      for (const event of events) {
        try {
          this.#records.transaction(() => this.#apply(event));
        } catch (err) {
          this.#onError(err, event);
        }
      }
    }
  }

  #apply(event: CallEvent): void {
    this.#records.open(newRecord(event, event.type === 'ended' ? event.startedAt : event.at));
    switch (event.type) {
      case 'answered':
        this.#records.answer(event.callId, event.at, event.answeredBy);
        return;
      case 'ended': {
        if (event.answeredAt !== undefined) this.#records.answer(event.callId, event.answeredAt, null);
        const answeredAt = this.#records.get(event.callId)?.answeredAt ?? null;
        this.#records.end(event.callId, {
          endedAt: event.at,
          disposition: event.disposition,
          talkSeconds: talkSeconds(answeredAt, event.at),
          reason: event.reason ?? null,
        });
        return;
      }
      case 'ringing':
      case 'held':
      case 'resumed':
      case 'transferred':
        // Nothing to store beyond the record and its owners, which open() keeps.
        return;
    }
  }
}
