/**
 * The pane's work in Dynamics 365 for a call, through CIF 1.0 only — the pure decisions come from
 * src/crm (one logic for pane, sandbox and server), numbers read by the server (/api/phone/*,
 * server-number-reader.ts: the numbering-plan data is not downloaded):
 * - lookup: the server's phone index first (POST /api/phone/lookup: one indexed lookup, synced
 *   from Dynamics by the server); only when it is off or not yet synced, the server's
 *   searchAndOpenRecords(entity, query, searchOnly=true) query per table in the user's order, the
 *   rows' numbers ranked by the server by real number equality (matchPhone). Either way each
 *   record opens through CIF;
 * - screen pop: decideScreenPop, then openForm, the chooser, renderSearchPage, a prefilled new
 *   form or a created record;
 * - journal: createRecord('phonecall') with the call's deterministic activity id — a duplicate
 *   key means an earlier attempt (this pane before a reload, another tab) already created it —
 *   then updateRecord to complete it, then PUT /api/calls/:id/crm. Notes changed later reopen,
 *   update and complete the same activity. A duplicate may also be the server's journal, which
 *   writes a call no pane reported once its grace period ends — while the agent may still be
 *   typing notes: those are added the same way when the activity lacks them, never cleared.
 */
import { activityIdForCall } from '../../crm/activity-id.ts';
import type { CrmEntity, CrmRecordRef } from '../../crm/crm-entities.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { candidatesFromSearchResult, phoneSearchKey, quickFindText, type RecordPhone } from '../../crm/phone-search.ts';
import { completePhonecall, notesForExistingActivity, phonecallActivity, phonecallNotes, reopenPhonecall, shouldLogCall, type JournalCall } from '../../crm/phonecall-activity.ts';
import { decideScreenPop, matchedRecords, type CallPhase, type ScreenPopDecision } from '../../crm/screen-pop.ts';
import type { ApiClient } from '../api/api-client.ts';
import { DEFAULT_SUBJECT_TEMPLATE, type CrmLogReport, type PaneSettings, type RecordRef } from '../api/api-types.ts';
import type { CifClient } from '../cif/cif-client.ts';
import { isDuplicateKey, type CifError } from '../cif/cif-result.ts';
import type { Language } from '../i18n/i18n.ts';
import type { ServerNumberReader } from '../phone/server-number-reader.ts';

export interface CrmFlowContext {
  cif(): CifClient;
  api: ApiClient;
  settings(): PaneSettings;
  saveSettings(settings: PaneSettings): Promise<boolean>;
  /** getEnvironment's userId (the agent's systemuser), once CIF is connected. */
  agentUserId(): string | undefined;
  language(): Language;
  defaultRegion: string | undefined;
  /** The pane's numbers, read by the server. */
  numbers: ServerNumberReader;
}

export type JournalOutcome =
  | { state: 'logged'; activityId: string }
  | { state: 'skipped' }
  /** Dynamics 365 is not connected: try again later (on a later start-up). */
  | { state: 'waiting' }
  | { state: 'failed'; message: string };

export interface JournalRequest {
  call: JournalCall;
  /** The server's direction, which knows internal calls. */
  direction: 'inbound' | 'outbound' | 'internal';
  record?: RecordRef;
  notes: string;
}

export class CrmFlow {
  readonly #context: CrmFlowContext;

  constructor(context: CrmFlowContext) {
    this.#context = context;
  }

  /** Has the server read `numbers` ahead of need (history, a ringing call); a failure leaves them unread. */
  async know(numbers: readonly string[]): Promise<void> {
    await this.#read(numbers);
  }

  /** The records holding `number`, best first; undefined when the search could not run. */
  async lookup(number: string): Promise<RecordRef[] | undefined> {
    const { settings, defaultRegion, api } = this.#context;
    const entities = settings()
      .searchIn.filter((item) => item.enabled)
      .map((item) => item.entity);
    const cif = this.#context.cif();
    if (!cif.available || entities.length === 0) return entities.length === 0 ? [] : undefined;
    const lookup = await api.phoneLookup(number, entities, defaultRegion);
    if (!lookup.ok) return lookup.error.status === 400 ? [] : undefined;
    this.#context.numbers.learn([lookup.value.number], defaultRegion);
    const { queries, index } = lookup.value;
    if (index.state === 'ready') return matchedRecords(index.matches).map(toRef);
    const results = await Promise.all(queries.map(async (query) => ({ query, result: await cif.searchAndOpenRecords(query.entity, query.query, true) })));
    if (results.length > 0 && results.every(({ result }) => !result.ok)) return undefined;
    const candidates: RecordPhone[] = [];
    for (const { query, result } of results) {
      if (!result.ok) continue;
      try {
        candidates.push(...candidatesFromSearchResult(query, result.value));
      } catch {
        // a table whose rows we cannot read adds nothing
      }
    }
    if (candidates.length === 0) return [];
    const ranked = await api.phoneRank(number, candidates, defaultRegion);
    return ranked.ok ? matchedRecords(ranked.value.matches).map(toRef) : undefined;
  }

  /** Decides and carries out the screen pop; a 'choose' decision is left to the pane's chooser. */
  async screenPop(input: { direction: 'inbound' | 'outbound' | 'internal'; phase: CallPhase; number: string; matches: RecordRef[] }): Promise<ScreenPopDecision> {
    const numbers = await this.#read([input.number]);
    const settings = this.#context.settings();
    const decision = decideScreenPop(numbers, {
      direction: input.direction,
      phase: input.phase,
      settings,
      matches: input.matches,
      remembered: (await this.remembered(input.number)) ?? null,
      number: input.number,
      defaultRegion: this.#context.defaultRegion,
    });
    const cif = this.#context.cif();
    switch (decision.kind) {
      case 'open':
        await this.open(decision.record);
        break;
      case 'search-page':
        await cif.renderSearchPage(decision.entity, decision.searchText);
        break;
      case 'new-form':
        // Not awaited: openForm of a new record answers only when the form is saved.
        void cif.openForm({ entityName: decision.entity }, decision.prefill);
        break;
      case 'create': {
        const created = await cif.createRecord(decision.entity, decision.data);
        if (created.ok) await this.open({ entity: decision.entity, id: created.value.id });
        break;
      }
      case 'choose':
      case 'none':
        break;
    }
    return decision;
  }

  async open(record: CrmRecordRef): Promise<boolean> {
    return (await this.#context.cif().openForm({ entityName: record.entity, entityId: record.id })).ok;
  }

  async openActivity(activityId: string): Promise<boolean> {
    return (await this.#context.cif().openForm({ entityName: 'phonecall', entityId: activityId })).ok;
  }

  /** Dynamics' own search page for the number's digits (quick find wildcards), in `entity`. */
  async searchPage(number: string, entity: CrmEntity): Promise<boolean> {
    const numbers = await this.#read([number]);
    const key = phoneSearchKey(numbers, number, this.#context.defaultRegion);
    if (!key) return false;
    return (await this.#context.cif().renderSearchPage(entity, quickFindText(key))).ok;
  }

  /** The record chosen before for this number, if any. */
  async remembered(number: string): Promise<RecordRef | undefined> {
    const key = await this.#numberKey(number);
    return key === undefined ? undefined : this.#context.settings().rememberedChoices[key];
  }

  /** Remembers the agent's choice for this number (PUT /api/settings). */
  async remember(number: string, record: RecordRef): Promise<boolean> {
    const key = await this.#numberKey(number);
    if (key === undefined) return false;
    const settings = this.#context.settings();
    return this.#context.saveSettings({ ...settings, rememberedChoices: { ...settings.rememberedChoices, [key]: record } });
  }

  /** Writes the call's Phone Call activity exactly once and reports it to the server. */
  async journal(request: JournalRequest): Promise<JournalOutcome> {
    const { call } = request;
    const answered = call.answeredAt !== undefined && call.answeredAt !== null;
    if (!shouldLogCall(request.direction, answered, this.#context.settings().log)) {
      await this.#report(call.callId, { activityId: activityIdForCall(call.callId), logState: 'skipped', notes: request.notes || undefined, matched: request.record });
      return { state: 'skipped' };
    }
    const cif = this.#context.cif();
    const agent = this.#context.agentUserId();
    if (!cif.available || agent === undefined) return { state: 'waiting' };
    const numbers = await this.#read([call.number]);
    let body;
    try {
      body = phonecallActivity(numbers, {
        call,
        agentSystemUserId: agent,
        matchedRecord: request.record ?? null,
        notes: request.notes,
        subjectTemplate: this.#subjectTemplate(),
        language: this.#context.language(),
        defaultRegion: this.#context.defaultRegion,
      });
    } catch (error) {
      return this.#failed(call.callId, request, error instanceof Error ? error.message : String(error));
    }
    const created = await cif.createRecord('phonecall', body);
    if (!created.ok && !isDuplicateKey(created.error)) return this.#failed(call.callId, request, created.error.message, body.activityid);
    const error = created.ok
      ? errorOf(await cif.updateRecord('phonecall', body.activityid, completePhonecall(call.direction)))
      : await this.#finishExisting(body.activityid, call.direction, request.notes);
    if (error) return this.#failed(call.callId, request, error.message, body.activityid);
    await this.#report(call.callId, { activityId: body.activityid, logState: 'logged', notes: request.notes || undefined, matched: request.record });
    return { state: 'logged', activityId: body.activityid };
  }

  /** New notes for a logged activity: reopen, update, complete again (a completed one is read-only). */
  async updateNotes(callId: string, activityId: string, direction: 'inbound' | 'outbound', notes: string, record?: RecordRef): Promise<CifError | undefined> {
    const error = await this.#writeNotes(activityId, direction, phonecallNotes(notes).description, true);
    if (error) return error;
    await this.#report(callId, { activityId, logState: 'logged', notes, matched: record });
    return undefined;
  }

  /**
   * An activity a duplicate create found: the pane's notes added when it lacks them, then
   * completed unless it is already.
   */
  async #finishExisting(activityId: string, direction: 'inbound' | 'outbound', notes: string): Promise<CifError | undefined> {
    const cif = this.#context.cif();
    const current = await cif.retrieveRecord('phonecall', activityId, '?$select=statecode,description');
    if (!current.ok) return errorOf(await cif.updateRecord('phonecall', activityId, completePhonecall(direction)));
    const open = Number(current.value.statecode) === 0;
    const description = notesForExistingActivity(typeof current.value.description === 'string' ? current.value.description : null, notes);
    if (description !== undefined) return this.#writeNotes(activityId, direction, description, !open);
    return open ? errorOf(await cif.updateRecord('phonecall', activityId, completePhonecall(direction))) : undefined;
  }

  /** Reopens a completed activity (a completed one is read-only), writes its notes, completes it again. */
  async #writeNotes(activityId: string, direction: 'inbound' | 'outbound', description: string | null, reopen: boolean): Promise<CifError | undefined> {
    const cif = this.#context.cif();
    if (reopen) {
      const reopened = await cif.updateRecord('phonecall', activityId, reopenPhonecall());
      if (!reopened.ok) return reopened.error;
    }
    const updated = await cif.updateRecord('phonecall', activityId, { description });
    const completed = await cif.updateRecord('phonecall', activityId, completePhonecall(direction));
    return errorOf(updated) ?? errorOf(completed);
  }

  async #failed(callId: string, request: JournalRequest, message: string, activityId?: string): Promise<JournalOutcome> {
    await this.#report(callId, { activityId: activityId ?? activityIdForCall(callId), logState: 'failed', notes: request.notes || undefined, matched: request.record });
    return { state: 'failed', message };
  }

  async #report(callId: string, report: CrmLogReport): Promise<void> {
    const clean: CrmLogReport = { activityId: report.activityId, logState: report.logState };
    if (report.matched) clean.matched = report.matched;
    if (report.notes) clean.notes = report.notes.slice(0, 2000);
    await this.#context.api.reportCrm(callId, clean);
  }

  /** The contract's default template stands for "the default of the pane's language". */
  #subjectTemplate(): string | null {
    const template = this.#context.settings().subjectTemplate;
    return template === DEFAULT_SUBJECT_TEMPLATE ? null : template;
  }

  /** A reader that knows `numbers` once the server has read them (server-number-reader.ts); unread ones read as no number. */
  #read(numbers: readonly string[]): Promise<PhoneNumberReader> {
    return this.#context.numbers.readerFor(numbers, this.#context.defaultRegion);
  }

  /** Choices are remembered by E.164 number (the server keeps no other key). */
  async #numberKey(number: string): Promise<string | undefined> {
    const numbers = await this.#read([number]);
    return numbers.read(number, this.#context.defaultRegion).e164;
  }
}

function errorOf(result: { ok: true } | { ok: false; error: CifError }): CifError | undefined {
  return result.ok ? undefined : result.error;
}

function toRef(record: CrmRecordRef): RecordRef {
  return { entity: record.entity, id: record.id, name: record.name ?? '' };
}
