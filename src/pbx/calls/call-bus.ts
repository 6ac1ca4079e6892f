/**
 * The in-process bus for call events: the SIP proxy (and later external PBX connectors) publish,
 * the call recorder and the pane's event channel listen. Delivery is synchronous and in
 * subscription order, so a listener sees a call's events in the order they were published; a
 * listener that throws is logged and the others still get the event — one broken consumer must
 * never cost a call its record or another agent their live view.
 */
import type { CallEvent, CallEventListener } from './call-event.ts';

/** A structural subset of pino's logger, so the bus depends on no logging library. */
export interface CallBusLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

export type Unsubscribe = () => void;

export class CallBus {
  readonly #logger: CallBusLogger | undefined;
  readonly #all = new Set<CallEventListener>();
  readonly #byExtension = new Map<string, Set<CallEventListener>>();

  constructor(logger?: CallBusLogger) {
    this.#logger = logger;
  }

  /** Hands `event` to every listener before returning. */
  publish(event: CallEvent): void {
    // Snapshots: a listener may subscribe or unsubscribe while the event is being delivered.
    for (const listener of [...this.#all]) this.#deliver(listener, event);
    const targeted = new Set<CallEventListener>();
    for (const extension of event.extensions) {
      for (const listener of this.#byExtension.get(extension) ?? []) targeted.add(listener);
    }
    // A Set: an extension named twice in one event still reaches each subscription once.
    for (const listener of targeted) this.#deliver(listener, event);
  }

  /** Every event. */
  subscribe(listener: CallEventListener): Unsubscribe {
    // A wrapper per subscription, so subscribing the same function twice gives two independent subscriptions.
    const entry: CallEventListener = (event) => listener(event);
    this.#all.add(entry);
    return () => {
      this.#all.delete(entry);
    };
  }

  /** Only the events whose `extensions` include `number`. */
  subscribeExtension(number: string, listener: CallEventListener): Unsubscribe {
    const entry: CallEventListener = (event) => listener(event);
    let listeners = this.#byExtension.get(number);
    if (!listeners) {
      listeners = new Set();
      this.#byExtension.set(number, listeners);
    }
    listeners.add(entry);
    return () => {
      const current = this.#byExtension.get(number);
      if (!current?.delete(entry)) return;
      if (current.size === 0) this.#byExtension.delete(number);
    };
  }

  /** Subscriptions currently held (all-event and per-extension), for tests and diagnostics. */
  get listenerCount(): number {
    let count = this.#all.size;
    for (const listeners of this.#byExtension.values()) count += listeners.size;
    return count;
  }

  #deliver(listener: CallEventListener, event: CallEvent): void {
    try {
      listener(event);
    } catch (err) {
      this.#logger?.error({ err, callId: event.callId, type: event.type }, 'a call event listener failed');
    }
  }
}
