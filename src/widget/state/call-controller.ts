/**
 * The pane's calls: what the agent does (dial, answer, hold, transfer…), what the phone engine
 * reports, what the server's event channel adds (its call id and facts), and what follows in
 * Dynamics 365 (caller lookup, screen pop, journal). Views call the public methods; the store
 * holds the result.
 */
import type { CallEvent, RecordRef } from '../api/api-types.ts';
import { dialStringIn } from '../../crm/numbers/dial-string.ts';
import type { CrmFlow } from '../crm/crm-flow.ts';
import { translator, type MessageKey } from '../i18n/i18n.ts';
import type { RingingCall } from '../phone/call-notifier.ts';
import type { Microphone, MicrophoneProblem } from '../phone/microphone.ts';
import type { PhoneCall, PhoneEngine } from '../phone/phone-engine.ts';
import type { Ringtone } from '../phone/ringtone.ts';
import type { ServerNumberReader } from '../phone/server-number-reader.ts';
import type { SafeStorage } from './safe-storage.ts';
import { correlate } from './call-correlation.ts';
import { patchView, showNotice, untilView, viewOf } from './call-views.ts';
import { TransferActions } from './transfer-actions.ts';
import { liveCalls, type CallView, type LogStatus, type PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

/** How long an ended call waits for the server's facts before it is journaled with what is known. */
const SERVER_FACTS_WAIT_MS = 5000;

export interface CallControllerOptions {
  store: Store<PaneState>;
  engine: PhoneEngine;
  microphone: Microphone;
  ringtone: Ringtone;
  /** Desktop notifications of calls that ring while the page is hidden (phone/call-notifier.ts). */
  notifier: { ring(call: RingingCall): void; stop(id: string): void };
  crm: CrmFlow;
  storage: SafeStorage;
  defaultRegion: string | undefined;
  /** The pane's numbers, read by the server. */
  numbers: ServerNumberReader;
  /** Makes this pane the registration holder (takeover), true when it is (and registered). */
  ensureHolder(): Promise<boolean>;
  /** Docks the CIF panel open (setMode(1)) when it is minimized. */
  dockPanel(): void;
  refreshHistory(): void;
  /** Keeps a call's notes on the server (PUT /api/calls/:id/notes). */
  saveNotes(serverCallId: string, notes: string): void;
}

/** Notes go to the server this long after the agent stops typing. */
const NOTES_SAVE_DELAY_MS = 800;

const MICROPHONE_MESSAGES: Record<MicrophoneProblem, MessageKey> = {
  denied: 'micDenied',
  'not-delegated': 'micNotDelegated',
  'no-device': 'micNoDevice',
  'in-use': 'micInUse',
  unsupported: 'micUnsupported',
  failed: 'micFailed',
};

export class CallController {
  readonly #o: CallControllerOptions;
  /** Blind and attended transfer of the calls in progress. */
  readonly transfer: TransferActions;
  /** Server events that came before the engine's call (correlated as soon as it exists). */
  #early: CallEvent[] = [];
  /** Pending saves of notes to the server, by server call id. */
  readonly #notesSaves = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: CallControllerOptions) {
    this.#o = options;
    this.transfer = new TransferActions({
      store: options.store,
      engine: options.engine,
      dialable: (raw) => this.dialable(raw),
      microphone: () => this.#microphone(),
    });
    options.engine.on((event) => {
      if (event.type === 'call') this.#onPhoneCall(event.call);
    });
  }

  /**
   * What a number typed, pasted or clicked in Dynamics becomes for dialling: E.164 when the
   * server can tell how it reads, else its digits.
   */
  async dialable(raw: string): Promise<string> {
    const numbers = await this.#o.numbers.readerFor([raw], this.#o.defaultRegion);
    try {
      const phone = numbers.read(raw, this.#o.defaultRegion);
      if (phone.e164) return phone.e164;
    } catch {
      // fall through to the digits
    }
    return dialStringIn(raw);
  }

  /**
   * A number as people read it: "+1 619-555-0129" when it can be placed, else as given. Numbers
   * are read by the server (asked when a call rings, before dialling, when history loads); one
   * it has not read yet shows as given.
   */
  display(raw: string): string {
    const numbers = this.#o.numbers.readSoFar();
    return numbers.international(numbers.read(raw, this.#o.defaultRegion)) ?? raw;
  }

  async dial(raw: string, record?: RecordRef): Promise<void> {
    const target = await this.dialable(raw);
    if (target === '' || target === '+') return this.#notice('error', 'nothingToDial');
    if (!(await this.#o.ensureHolder())) return;
    const stream = await this.#microphone();
    if (!stream) return;
    let id: string;
    try {
      id = this.#o.engine.call(target, stream);
    } catch (error) {
      return this.#notice('error', 'errGeneric', { message: error instanceof Error ? error.message : String(error) });
    }
    this.#o.store.update({ dial: '', tab: 'phone' });
    if (record) this.#patch(id, { record, lookup: { state: 'done', records: [record] } });
    else void this.#lookupAndPop(id, 'ringing');
  }

  async answer(id: string): Promise<void> {
    const stream = await this.#microphone();
    if (!stream) return;
    // Call waiting: the call in progress goes on hold rather than mixing two conversations.
    for (const other of liveCalls(this.#o.store.state)) {
      if (other.phone.id !== id && other.phone.state === 'active' && !other.phone.held) this.#o.engine.hold(other.phone.id);
    }
    this.#o.ringtone.stop();
    this.#o.notifier.stop(id);
    this.#o.engine.answer(id, stream);
  }

  /** The agent clicked the desktop notification of a ringing call: the panel opens and the call is answered. */
  async answerFromNotification(id: string): Promise<void> {
    if (this.#view(id)?.phone.state !== 'incoming') return;
    this.#o.dockPanel();
    this.#o.store.update({ tab: 'phone' });
    await this.answer(id);
  }

  decline(id: string): void {
    this.#o.ringtone.stop();
    this.#o.notifier.stop(id);
    this.#o.engine.decline(id);
  }

  hangup(id: string): void {
    this.#o.engine.hangup(id);
  }

  toggleHold(id: string): void {
    const call = this.#view(id)?.phone;
    if (!call) return;
    if (call.held) this.#o.engine.resume(id);
    else this.#o.engine.hold(id);
  }

  toggleMute(id: string): void {
    const call = this.#view(id)?.phone;
    if (call) this.#o.engine.setMuted(id, !call.muted);
  }

  dtmf(id: string, tone: string): void {
    this.#o.engine.dtmf(id, tone);
  }

  setNotes(id: string, notes: string): void {
    this.#patch(id, { notes });
    const serverId = this.#view(id)?.serverCallId;
    if (!serverId) return;
    this.#o.storage.set(notesKey(serverId), notes);
    // Session storage is denied in a cross-site frame: the server keeps the notes for any pane
    // that logs the call later (after a reload, or inside Dynamics when this one is not).
    clearTimeout(this.#notesSaves.get(serverId));
    this.#notesSaves.set(
      serverId,
      setTimeout(() => this.#flushNotes(serverId, notes), NOTES_SAVE_DELAY_MS),
    );
  }

  #flushNotes(serverCallId: string, notes: string): void {
    clearTimeout(this.#notesSaves.get(serverCallId));
    this.#notesSaves.delete(serverCallId);
    this.#o.saveNotes(serverCallId, notes);
  }

  /**
   * A knowledge article the agent sent from Dynamics (onsendkbarticle): its title and link go
   * into the notes of the call in progress, or of the latest call in wrap-up.
   */
  addArticle(title: string, link: string): void {
    const calls = this.#o.store.state.calls.filter((call) => !call.dismissed);
    const target = calls.find((call) => call.phone.state === 'active') ?? calls.at(-1);
    if (!target) return;
    const line = `${title}: ${link}`;
    this.setNotes(target.phone.id, target.notes ? `${target.notes}\n${line}` : line);
  }

  /** The agent picked one of several matches: open it and remember it for this number. */
  async choose(id: string, record: RecordRef): Promise<void> {
    const view = this.#view(id);
    if (!view) return;
    this.#patch(id, { record, choosing: false });
    await this.#o.crm.open(record);
    await this.#o.crm.remember(this.#number(view), record);
  }

  async openRecord(record: RecordRef): Promise<void> {
    await this.#o.crm.open(record);
  }

  async openActivity(activityId: string): Promise<void> {
    await this.#o.crm.openActivity(activityId);
  }

  /** From the chooser: Dynamics' search page instead of one of the matches. */
  async openSearchPage(id: string): Promise<void> {
    const view = this.#view(id);
    if (!view) return;
    this.#patch(id, { choosing: false });
    const entity = view.lookup.records[0]?.entity ?? this.#o.store.state.settings.searchIn.find((item) => item.enabled)?.entity ?? 'contact';
    await this.#o.crm.searchPage(this.#number(view), entity);
  }

  showChooser(id: string): void {
    this.#patch(id, { choosing: true });
  }

  closeChooser(id: string): void {
    this.#patch(id, { choosing: false });
  }

  dismiss(id: string): void {
    const view = this.#view(id);
    if (view?.log.state === 'logged' && view.notes !== (view.loggedNotes ?? '')) void this.saveNotes(id);
    this.#patch(id, { dismissed: true });
    this.#o.store.update((state) => ({ calls: state.calls.filter((call) => !(call.dismissed && call.phone.state === 'ended' && call.log.state !== 'logging')) }));
  }

  /** Notes changed after the call was logged: update the same activity. */
  async saveNotes(id: string): Promise<void> {
    const view = this.#view(id);
    if (!view?.serverCallId) return;
    if (view.log.state !== 'logged') {
      if (view.log.state === 'failed' || view.log.state === 'waiting') await this.retryLog(id);
      return;
    }
    const direction = view.phone.direction;
    const notes = view.notes;
    const error = await this.#o.crm.updateNotes(view.serverCallId, view.log.activityId, direction, notes, view.record);
    if (error) return this.#notice('error', 'logFailed', { message: error.message });
    this.#patch(id, { loggedNotes: notes });
    this.#notice('info', 'notesSaved');
  }

  async retryLog(id: string): Promise<void> {
    const view = this.#view(id);
    if (view) await this.#journal(view);
  }

  /** A server call event: attach its id and facts to the matching call. */
  onServerEvent(event: CallEvent): void {
    const extension = this.#o.store.state.session?.extension.number ?? '';
    const candidates = this.#o.store.state.calls.map((view) => ({
      id: view.phone.id,
      direction: view.phone.direction,
      remoteNumber: view.phone.remoteNumber,
      startedAt: view.phone.startedAt,
      serverCallId: view.serverCallId,
    }));
    const id = correlate(event, extension, candidates);
    if (id === undefined) {
      if (event.type !== 'ended') this.#early = [...this.#early.filter((early) => Date.now() - early.at < 10_000), event];
      if (event.type === 'ended') this.#o.refreshHistory();
      return;
    }
    const inbound = event.to.extension === extension;
    const patch: Partial<CallView> = {
      serverCallId: event.callId,
      serverNumber: inbound ? event.from.number : event.to.number,
      serverDirection: event.direction === 'internal' ? 'internal' : inbound ? 'inbound' : 'outbound',
    };
    const view = this.#view(id);
    if (view && !view.notes && !view.serverCallId) {
      const draft = this.#o.storage.get(notesKey(event.callId));
      if (draft) patch.notes = draft;
    }
    if (event.type === 'answered') patch.serverAnsweredAt = event.at;
    if (event.type === 'ended') {
      patch.serverStartedAt = event.startedAt;
      patch.serverAnsweredAt = event.answeredAt;
      patch.serverEndedAt = event.at;
    }
    this.#patch(id, patch);
    this.#learn(id, patch.serverNumber);
  }

  /**
   * Has the server read a call's number, then shows it as read (`display`). After the caller's
   * lookup, which reads it too: the screen pop waits for no other request.
   */
  #learn(id: string, number: string | undefined): void {
    if (!number) return;
    // A turn later, so a lookup this very event starts (a ringing call) is already searching.
    void new Promise((resolve) => setTimeout(resolve, 0))
      .then(() => this.#until(id, (view) => view.lookup.state !== 'searching', 10_000))
      .then(() => this.#o.crm.know([number]))
      .then(() => this.#patch(id, {}));
  }

  #onPhoneCall(call: PhoneCall): void {
    const previous = this.#view(call.id);
    if (!previous) {
      const view: CallView = { phone: call, lookup: { state: 'idle', records: [] }, choosing: false, notes: '', log: { state: 'none' }, dismissed: false };
      if (call.serverCallId) view.serverCallId = call.serverCallId;
      this.#o.store.update((state) => ({ calls: [...state.calls, view] }));
      for (const early of this.#early.splice(0)) this.onServerEvent(early);
      if (call.direction === 'inbound' && call.state === 'incoming') this.#ringing(call);
      this.#learn(call.id, call.remoteNumber);
      return;
    }
    const patch: Partial<CallView> = { phone: call };
    if (call.serverCallId && !previous.serverCallId) patch.serverCallId = call.serverCallId;
    this.#patch(call.id, patch);
    if (previous.phone.state === 'incoming' && call.state !== 'incoming') this.#o.notifier.stop(call.id);
    if (previous.phone.state !== 'active' && call.state === 'active') {
      this.#ringWhileWaiting();
      void this.#lookupAndPop(call.id, 'answered');
    }
    if (previous.phone.state !== 'ended' && call.state === 'ended') this.#ended(call);
  }

  #ringing(call: PhoneCall): void {
    this.#ringWhileWaiting();
    const t = translator(this.#o.store.state.language);
    const number = call.remoteNumber ? this.display(call.remoteNumber) : '';
    this.#o.notifier.ring({
      id: call.id,
      title: t('notifyIncoming', { caller: call.remoteName || number || t('unknownCaller') }),
      body: [call.remoteName ? number : '', t('notifyClickToAnswer')].filter(Boolean).join('\n'),
    });
    this.#o.dockPanel();
    this.#o.store.update({ tab: 'phone' });
    void this.#lookupAndPop(call.id, 'ringing');
  }

  /** Looks the caller up once, then pops the record if the settings say so at this phase. */
  async #lookupAndPop(id: string, phase: 'ringing' | 'answered'): Promise<void> {
    let view = this.#view(id);
    if (!view || view.phone.consultFor || view.phone.replaces || view.phone.referredBy) return;
    if (view.lookup.state === 'idle') {
      this.#patch(id, { lookup: { state: 'searching', records: [] } });
      const records = await this.#o.crm.lookup(this.#number(view));
      this.#patch(id, { lookup: records ? { state: 'done', records } : { state: 'failed', records: [] } });
      if (records?.length === 1) this.#patch(id, { record: records[0] });
    } else if (view.lookup.state === 'searching') {
      await this.#until(id, (current) => current.lookup.state !== 'searching', 10_000);
    }
    view = this.#view(id);
    if (view?.lookup.state !== 'done' || view.phone.state === 'ended') return;
    const direction = view.serverDirection ?? view.phone.direction;
    const decision = await this.#o.crm.screenPop({ direction, phase, number: this.#number(view), matches: view.lookup.records });
    if (decision.kind === 'choose') this.#patch(id, { choosing: true });
    if (decision.kind === 'open') this.#patch(id, { record: { ...decision.record, name: decision.record.name ?? '' } });
  }

  /**
   * The bell rings while every call is an inbound one waiting to be answered: when one call is
   * in progress, call waiting shows the card without the bell; when one of several ringing calls
   * ends, the others still ring.
   */
  #ringWhileWaiting(): void {
    const live = liveCalls(this.#o.store.state);
    const allWaiting = live.length > 0 && live.every((view) => view.phone.direction === 'inbound' && view.phone.state === 'incoming');
    if (allWaiting) this.#o.ringtone.start();
    else this.#o.ringtone.stop();
  }

  async #ended(call: PhoneCall): Promise<void> {
    this.#ringWhileWaiting();
    if (liveCalls(this.#o.store.state).length === 0) this.#o.microphone.release();
    const view = this.#view(call.id);
    // A consultation is part of a transfer; the original call's log covers the conversation.
    if (view?.transfer) this.#patch(call.id, { transfer: undefined });
    for (const other of this.#o.store.state.calls) if (other.transfer?.consultId === call.id) this.#patch(other.phone.id, { transfer: undefined });
    this.#patch(call.id, { log: { state: 'waiting' }, choosing: false });
    await this.#until(call.id, (current) => current.serverCallId !== undefined && current.serverEndedAt !== undefined, SERVER_FACTS_WAIT_MS);
    const current = this.#view(call.id);
    if (current) await this.#journal(current);
    this.#o.refreshHistory();
  }

  async #journal(view: CallView): Promise<void> {
    const id = view.phone.id;
    if (!view.serverCallId) {
      this.#patch(id, { log: { state: 'failed', message: 'the phone server did not report this call' } });
      return;
    }
    this.#patch(id, { log: { state: 'logging' } });
    const typed = this.#view(id)?.notes ?? view.notes;
    if (typed || this.#notesSaves.has(view.serverCallId)) this.#flushNotes(view.serverCallId, typed);
    const phone = view.phone;
    const startedAt = view.serverStartedAt ?? phone.startedAt;
    const endedAt = Math.max(view.serverEndedAt ?? phone.endedAt ?? Date.now(), startedAt);
    const answeredAt = view.serverAnsweredAt ?? phone.answeredAt;
    const notes = this.#view(id)?.notes ?? view.notes;
    const outcome = await this.#o.crm.journal({
      call: {
        callId: view.serverCallId,
        direction: phone.direction,
        number: this.#number(view),
        extension: this.#o.store.state.session?.extension.number,
        startedAt,
        answeredAt: answeredAt === undefined ? null : Math.min(Math.max(answeredAt, startedAt), endedAt),
        endedAt,
      },
      direction: view.serverDirection ?? phone.direction,
      record: view.record,
      notes,
    });
    const log: LogStatus = outcome;
    this.#patch(id, outcome.state === 'logged' ? { log, loggedNotes: notes } : { log });
    if (outcome.state === 'logged' || outcome.state === 'skipped') this.#o.storage.remove(notesKey(view.serverCallId));
  }

  async #microphone(): Promise<MediaStream | undefined> {
    const result = await this.#o.microphone.acquire();
    if (result.ok) {
      this.#o.store.update({ microphoneProblem: undefined });
      return result.stream;
    }
    this.#o.store.update({ microphoneProblem: result.problem });
    this.#notice('error', MICROPHONE_MESSAGES[result.problem]);
    return undefined;
  }

  #number(view: CallView): string {
    return view.serverNumber ?? view.phone.remoteNumber;
  }

  #view(id: string): CallView | undefined {
    return viewOf(this.#o.store, id);
  }

  #patch(id: string, patch: Partial<CallView>): void {
    patchView(this.#o.store, id, patch);
  }

  #until(id: string, test: (view: CallView) => boolean, ms: number): Promise<void> {
    return untilView(this.#o.store, id, test, ms);
  }

  #notice(kind: 'error' | 'info', key: MessageKey, values?: Record<string, string | number>): void {
    showNotice(this.#o.store, kind, key, values);
  }
}

function notesKey(serverCallId: string): string {
  return `callpane-notes:${serverCallId}`;
}
