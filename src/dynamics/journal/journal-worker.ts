/**
 * Drains the journal outbox into Dynamics (issue 14 §2): every call with an outside party gets its
 * Phone Call, exactly once, whether or not a pane was open.
 *
 * A row falls due a grace period after the call ended: the pane writes at once through CIF for the
 * agent's eyes, and the server writes only what no pane wrote by then — or completes what a pane
 * created and never completed (phonecall-writer.ts). Rows the pane reported (logged, or skipped by
 * the agent's settings) and calls the agent's log settings leave out are done without a request.
 *
 * The worker claims due rows in batches (a lease: journal-outbox-repository.ts), writes them with
 * at most `concurrency` in flight, and records each outcome in the same database: done, parked
 * with Dataverse's reason (journal-failure.ts), or pending again after a back-off (retry-delay.ts).
 * At start it releases the claims a killed process left, so those calls are tried again at once;
 * trying again is safe at any point (the activity's deterministic id, create-only).
 */
import { crmSettings, resolveLanguage, type Language } from '../../crm/crm-settings.ts';
import { libphonenumberReader } from '../../crm/numbers/phone-number.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { shouldLogCall } from '../../crm/phonecall-activity.ts';
import { defaultUserSettings, type UserSettings } from '../../contract/user-settings.ts';
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import type { CallRecord, CallRecordRepository } from '../../store/call-record-repository.ts';
import type { ExtensionRepository } from '../../store/extension-repository.ts';
import type { JournalOutboxRepository, JournalOutboxRow } from '../../store/journal-outbox-repository.ts';
import type { WebApiClient } from '../web-api/web-api-client.ts';
import { DynamicsUsers } from './dynamics-users.ts';
import { classifyFailure } from './journal-failure.ts';
import { agentExtension, journalCall, journalEntry, type JournalAgent, type JournalOwner } from './journal-entry.ts';
import type { JournalMetrics, JournalOutcome } from './journal-metrics.ts';
import { writePhonecall } from './phonecall-writer.ts';
import { chooseRegarding, type FindRecords } from './regarding.ts';
import { retryDelayMs, type RetryDelayOptions } from './retry-delay.ts';

export interface JournalWorkerOptions {
  client: WebApiClient;
  outbox: JournalOutboxRepository;
  calls: Pick<CallRecordRepository, 'get'>;
  extensions: Pick<ExtensionRepository, 'get'>;
  /** The agent's settings as they read now (defaults for what was never saved). */
  settingsOf: (extension: string) => UserSettings;
  /** The phone index's records for a number, for calls no pane matched (optional). */
  findRecords?: FindRecords;
  /** Shared with others that look users up (default: the worker's own). */
  users?: DynamicsUsers;
  numbers?: PhoneNumberReader;
  /** Places numbers written without a country (crm.defaultRegion). */
  defaultRegion?: string;
  metrics?: JournalMetrics;
  logger: StructuredLogger;
  /** Rows written at the same time (default 4; the client caps requests on its own). */
  concurrency?: number;
  /** How often the worker looks for rows that fell due (default 1 s). */
  pollMs?: number;
  /** How long a claim holds a row (default 10 minutes: longer than any attempt). */
  leaseMs?: number;
  retry?: RetryDelayOptions;
  now?: () => number;
  random?: () => number;
}

const DEFAULTS = { concurrency: 4, pollMs: 1000, leaseMs: 10 * 60_000 } as const;

export class JournalWorker {
  readonly #options: JournalWorkerOptions;
  readonly #users: DynamicsUsers;
  readonly #now: () => number;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: JournalWorkerOptions) {
    this.#options = options;
    this.#users = options.users ?? new DynamicsUsers(options.client, { now: options.now });
    this.#now = options.now ?? Date.now;
    options.metrics?.observeJournalOutbox(() => {
      const depth = options.outbox.depth();
      const age = depth.oldestPendingDueAt === null ? 0 : Math.max(0, this.#now() - depth.oldestPendingDueAt) / 1000;
      return { pending: depth.pending, parked: depth.parked, oldestPendingAgeSeconds: age };
    });
  }

  /** Releases what a previous process left claimed, then drains the outbox until stopped. */
  start(): void {
    if (this.#loop) throw new Error('journal worker: already started');
    const released = this.#options.outbox.releaseClaims(this.#now());
    if (released > 0) this.#options.logger.info({ calls: released }, 'journal entries claimed by the previous run are due again');
    this.#loop = this.#run();
  }

  /** Stops claiming, cancels what is in flight (those rows are due again at once) and waits. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** One pass: claims the rows due now (a batch) and writes them; resolves with how many it took. */
  async runDue(): Promise<number> {
    const { outbox, concurrency = DEFAULTS.concurrency, leaseMs = DEFAULTS.leaseMs } = this.#options;
    const rows = outbox.claimDue(this.#now(), concurrency, leaseMs);
    await Promise.all(rows.map((row) => this.#attempt(row)));
    return rows.length;
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    const pollMs = this.#options.pollMs ?? DEFAULTS.pollMs;
    while (!signal.aborted) {
      let waitMs = pollMs;
      try {
        if ((await this.runDue()) > 0 || signal.aborted) continue;
        const next = this.#options.outbox.nextAttemptAt();
        if (next !== undefined) waitMs = Math.min(pollMs, Math.max(0, next - this.#now()));
      } catch (error) {
        // The database itself failed (busy beyond its timeout, disk full): the rows stay as they are.
        this.#options.logger.error({ err: error }, 'the journal outbox could not be read');
      }
      await this.#sleep(waitMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async #attempt(row: JournalOutboxRow): Promise<void> {
    const { outbox, logger } = this.#options;
    const signal = this.#stopping.signal;
    const log = { callId: row.callId, activityId: row.activityId, attempt: row.attempts };
    try {
      const outcome = await this.#journal(row, signal);
      if ('refused' in outcome) {
        outbox.park(row.callId, outcome.refused, this.#now());
        logger.warn({ ...log, reason: outcome.refused }, 'journal entry parked: Dataverse refused it');
        this.#count('parked');
        return;
      }
      outbox.complete(row.callId, outcome.done, this.#now());
      logger.info({ ...log, outcome: outcome.done }, 'call journaled');
      this.#count(outcome.done);
    } catch (error) {
      if (signal.aborted) {
        outbox.reschedule(row.callId, this.#now(), 'stopped before it finished', this.#now());
        return;
      }
      const failure = classifyFailure(error);
      if (failure.park) {
        outbox.park(row.callId, failure.reason, this.#now());
        logger.warn({ ...log, reason: failure.reason }, 'journal entry parked: Dataverse refused it');
        this.#count('parked');
        return;
      }
      const delay = retryDelayMs(row.attempts, (this.#options.random ?? Math.random)(), this.#options.retry);
      outbox.reschedule(row.callId, this.#now() + delay, failure.reason, this.#now());
      logger.warn({ ...log, reason: failure.reason, retryInMs: delay }, 'journal entry failed; it will be tried again');
      this.#count('retried');
    }
  }

  async #journal(row: JournalOutboxRow, signal: AbortSignal): Promise<{ done: JournalOutcome } | { refused: string }> {
    const { calls, client } = this.#options;
    const record = calls.get(row.callId);
    if (!record || record.direction === 'internal' || record.endedAt === null) return { done: 'skipped' };
    // The pane wrote and completed it, or the agent's settings told the pane to leave it out.
    if (record.crm.logState === 'logged' || record.crm.logState === 'skipped') return { done: 'skipped' };
    const extension = agentExtension(record);
    const settings = extension === undefined ? defaultUserSettings() : this.#options.settingsOf(extension);
    if (!shouldLogCall(record.direction, record.answeredAt !== null, settings.log)) return { done: 'skipped' };

    const agent = this.#agent(extension);
    const owner = await this.#owner(extension, signal);
    const language = await this.#language(settings, owner, signal);
    const regarding = await chooseRegarding(record.crm, journalCall(record, extension).number, this.#options.findRecords, signal);
    const body = journalEntry(this.#options.numbers ?? libphonenumberReader, {
      record,
      agent,
      owner,
      regarding,
      subjectTemplate: crmSettings(settings).subjectTemplate,
      language,
      ...(this.#options.defaultRegion === undefined ? {} : { defaultRegion: this.#options.defaultRegion }),
    });
    const written = await writePhonecall(client, body, directionOf(record), signal);
    return 'refused' in written ? written : { done: written.written };
  }

  #agent(extension: string | undefined): JournalAgent | undefined {
    if (extension === undefined) return undefined;
    return { extension, name: this.#options.extensions.get(extension)?.displayName ?? extension };
  }

  /** The agent's Dynamics user (by the extension's e-mail), else the application user. */
  async #owner(extension: string | undefined, signal: AbortSignal): Promise<JournalOwner> {
    const email = extension === undefined ? null : (this.#options.extensions.get(extension)?.email ?? null);
    const user = email === null ? undefined : await this.#users.byEmail(email, signal);
    return user ? { kind: 'agent', user } : { kind: 'application', userId: await this.#users.applicationUser(signal) };
  }

  async #language(settings: UserSettings, owner: JournalOwner, signal: AbortSignal): Promise<Language> {
    if (settings.language !== 'dynamics') return settings.language;
    return resolveLanguage('dynamics', owner.kind === 'agent' ? await this.#users.language(owner.user.id, signal) : undefined);
  }

  #count(outcome: JournalOutcome): void {
    this.#options.metrics?.journalAttempt(outcome);
  }
}

function directionOf(record: CallRecord): 'inbound' | 'outbound' {
  return record.direction === 'outbound' ? 'outbound' : 'inbound';
}
