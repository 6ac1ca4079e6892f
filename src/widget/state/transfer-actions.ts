/**
 * Transferring the call in progress: blind (REFER to the target at once) or attended (call the
 * target while the caller waits on hold, then connect them — or cancel and take the caller back).
 * The engine does the SIP; this keeps the card's transfer panel in step and says how it went.
 */
import type { PhoneEngine } from '../phone/phone-engine.ts';
import { patchView, showNotice, viewOf } from './call-views.ts';
import type { PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

export interface TransferDependencies {
  store: Store<PaneState>;
  engine: PhoneEngine;
  /** What the target typed dials (asks the server how the number reads). */
  dialable(raw: string): Promise<string>;
  /** The microphone for the consultation call, or undefined (the problem already shown). */
  microphone(): Promise<MediaStream | undefined>;
}

export class TransferActions {
  readonly #d: TransferDependencies;

  constructor(dependencies: TransferDependencies) {
    this.#d = dependencies;
  }

  start(id: string): void {
    patchView(this.#d.store, id, { transfer: { stage: 'entering', target: '' } });
  }

  setTarget(id: string, target: string): void {
    const transfer = viewOf(this.#d.store, id)?.transfer;
    if (transfer) patchView(this.#d.store, id, { transfer: { ...transfer, target } });
  }

  async blind(id: string): Promise<void> {
    const target = await this.#target(id);
    if (!target) return;
    this.#report(await this.#d.engine.blindTransfer(id, target));
    patchView(this.#d.store, id, { transfer: undefined });
  }

  async consult(id: string): Promise<void> {
    const target = await this.#target(id);
    if (!target) return;
    const stream = await this.#d.microphone();
    if (!stream) return;
    const consultId = this.#d.engine.consult(id, target, stream);
    patchView(this.#d.store, id, { transfer: { stage: 'consulting', target, consultId } });
  }

  async complete(id: string): Promise<void> {
    const consultId = viewOf(this.#d.store, id)?.transfer?.consultId;
    if (!consultId) return;
    this.#report(await this.#d.engine.completeTransfer(id, consultId));
    patchView(this.#d.store, id, { transfer: undefined });
  }

  cancel(id: string): void {
    const consultId = viewOf(this.#d.store, id)?.transfer?.consultId;
    if (consultId) this.#d.engine.cancelTransfer(id, consultId);
    patchView(this.#d.store, id, { transfer: undefined });
  }

  async #target(id: string): Promise<string | undefined> {
    const target = await this.#d.dialable(viewOf(this.#d.store, id)?.transfer?.target ?? '');
    if (target === '' || target === '+') {
      showNotice(this.#d.store, 'error', 'nothingToDial');
      return undefined;
    }
    return target;
  }

  #report(outcome: { ok: true } | { ok: false; reason: string }): void {
    if (outcome.ok) showNotice(this.#d.store, 'info', 'transferred');
    else showNotice(this.#d.store, 'error', 'transferFailed', { reason: outcome.reason });
  }
}
