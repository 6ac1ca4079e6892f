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

export class CallRecorder {
  readonly #records: CallRecordRepository;
  #unsubscribe: Unsubscribe | undefined;

  constructor(records: CallRecordRepository) {
    this.#records = records;
  }

  /** Starts recording the bus's events; errors are the bus's to log. */
  start(bus: CallBus): void {
    if (this.#unsubscribe) throw new Error('call recorder: already started');
    this.#unsubscribe = bus.subscribe((event) => this.record(event));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Applies one event to the records (also usable without a bus). */
  record(event: CallEvent): void {
    const startedAt = event.type === 'ended' ? event.startedAt : event.at;
    this.#ensure(event, startedAt);
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
        // Nothing to store beyond the record itself and its owners.
        return;
    }
  }

  #ensure(event: CallEvent, startedAt: number): void {
    if (!this.#records.open(newRecord(event, startedAt))) this.#records.addExtensions(event.callId, event.extensions);
  }
}
