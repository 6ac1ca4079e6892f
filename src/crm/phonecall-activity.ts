/**
 * A finished call as a Dynamics 365 Phone Call activity (docs/dataverse.md §6 to §8; Microsoft's reference
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/phonecall):
 *
 * 1. create — `phonecallActivity(...)`, the body for CIF `createRecord('phonecall', …)` (or a Web
 *    API POST): the deterministic `activityid` (activity-id.ts), subject from the template,
 *    `phonenumber`, `directioncode` (true = outgoing), actual start/end, duration, notes as
 *    `description`, regarding the matched record, and the parties — the caller is the sender
 *    (mask 1) and the agent the recipient (mask 2) of an inbound call, the other way round for an
 *    outbound one. State cannot be set on create.
 * 2. complete — `completePhonecall(direction)`: statecode 1 with statuscode 2 Made (outgoing) or
 *    4 Received (incoming), always together, as a second write.
 * Notes changed after completion: `reopenPhonecall()`, `phonecallNotes(notes)`, complete again
 * (a completed activity is treated as read-only). A create that finds the activity written
 * already adds the pane's notes the same way when it lacks them (`notesForExistingActivity`).
 *
 * Times: `actualstart` is when the conversation began (the answer), or when ringing began for a
 * call nobody answered; `actualend` when it ended. So end − start is the talk time, and
 * `actualdurationminutes` is that talk time in whole seconds rounded *up* to minutes (a 20-second
 * call shows 1 minute, as on a phone bill; an unanswered call 0), never hiding a short call as 0.
 *
 * Which calls are logged at all: `shouldLogCall` with the user's four log settings; internal
 * calls never (they are not customer contact).
 */
import { activityIdForCall } from './activity-id.ts';
import { CRM_ENTITIES, normalizeGuid, type CrmEntity, type CrmRecordRef } from './crm-entities.ts';
import { CrmError, CrmErrorCode } from './crm-error.ts';
import type { CallLogSettings, Language } from './crm-settings.ts';
import { checkRegion, type PhoneNumberReader } from './numbers/phone-number-reader.ts';
import { defaultSubjectTemplate, directionWord, formatDuration, renderSubject, truncate } from './subject-template.ts';

/** What the journal needs of a call; times are epoch milliseconds. */
export interface JournalCall {
  callId: string;
  direction: 'inbound' | 'outbound';
  /** The external party's number as the call presents it (E.164 when known). */
  number: string;
  /** The agent's extension. */
  extension?: string;
  /** When the call began (ringing). */
  startedAt: number;
  answeredAt?: number | null;
  endedAt: number;
}

export interface PhonecallActivityInput {
  call: JournalCall;
  /** The agent's Dynamics user: getEnvironment's `userId` (braces accepted). */
  agentSystemUserId: string;
  /**
   * The owner, for a writer that is not the agent (the server's application user): bound as
   * `ownerid@odata.bind` to this systemuser. Absent, Dynamics makes the creating user the owner.
   */
  ownerSystemUserId?: string;
  matchedRecord?: CrmRecordRef | null;
  notes?: string;
  /** The user's template; null or absent means the language's default. */
  subjectTemplate?: string | null;
  language: Language;
  /** Places a number presented without a country, for the international form written. */
  defaultRegion?: string;
  /**
   * 'xrm' (default) for CIF createRecord, which takes `regardingobjectid_contact@odata.bind`;
   * 'webapi' for the Dataverse Web API, which needs `regardingobjectid_contact_phonecall@odata.bind`.
   */
  dialect?: 'xrm' | 'webapi';
}

export type PartyBind = `partyid_${CrmEntity | 'systemuser'}@odata.bind`;

/** A row of `phonecall_activity_parties`: a bound record, or an unresolved number in `addressused`. */
export type ActivityParty = { participationtypemask: 1 | 2 } & ({ [K in PartyBind]?: string } & { addressused?: string });

/** A type, not an interface, so it passes as a plain `Record<string, unknown>` JSON body. */
export type PhonecallCreate = {
  activityid: string;
  subject: string;
  phonenumber: string;
  directioncode: boolean;
  actualstart: string;
  actualend: string;
  actualdurationminutes: number;
  description?: string;
  /** `/systemusers(<id>)`: who owns the activity, when not the user who creates it. */
  'ownerid@odata.bind'?: string;
  phonecall_activity_parties: ActivityParty[];
  /** The regarding bind, named per dialect (`regardingobjectid_contact@odata.bind`, …). */
  [regardingBind: `regardingobjectid_${string}@odata.bind`]: string;
};

/** Column lengths: Microsoft's reference gives phonenumber 200; the sandbox (and this cap) 50, ample for E.164's 16. */
export const PHONECALL_MAX = { description: 2000, phonenumber: 50 } as const;

const SENDER = 1;
const RECIPIENT = 2;

/** The create body of the call's Phone Call activity. */
export function phonecallActivity(numbers: PhoneNumberReader, input: PhonecallActivityInput): PhonecallCreate {
  const { call } = input;
  checkCall(call);
  const agent = normalizeGuid(input.agentSystemUserId, 'agent systemuserid');
  const record = input.matchedRecord ? { ...input.matchedRecord, id: normalizeGuid(input.matchedRecord.id, `${input.matchedRecord.entity} id`) } : undefined;
  const phone = numbers.read(call.number, checkRegion(numbers, input.defaultRegion));
  const seconds = talkSeconds(call);
  const template = input.subjectTemplate ?? defaultSubjectTemplate(input.language);
  const subject = renderSubject(template, {
    direction: directionWord(call.direction, input.language),
    number: numbers.international(phone) ?? call.number,
    name: record?.name,
    extension: call.extension,
    duration: formatDuration(seconds),
  });
  const customer: Record<string, string> = record ? { [partyBind(record.entity)]: bindPath(record) } : { addressused: call.number.trim() };
  const agentParty: Record<string, string> = { 'partyid_systemuser@odata.bind': `/systemusers(${agent})` };
  const [sender, recipient] = call.direction === 'inbound' ? [customer, agentParty] : [agentParty, customer];
  const body: PhonecallCreate = {
    activityid: activityIdForCall(call.callId),
    subject: subject === '' ? directionWord(call.direction, input.language) : subject,
    phonenumber: truncate(phone.e164 ?? call.number.trim(), PHONECALL_MAX.phonenumber),
    directioncode: call.direction === 'outbound',
    actualstart: new Date(call.answeredAt ?? call.startedAt).toISOString(),
    actualend: new Date(call.endedAt).toISOString(),
    actualdurationminutes: Math.ceil(seconds / 60),
    phonecall_activity_parties: [
      { ...sender, participationtypemask: SENDER },
      { ...recipient, participationtypemask: RECIPIENT },
    ],
  };
  if (input.notes !== undefined && input.notes.trim() !== '') body.description = truncate(input.notes, PHONECALL_MAX.description);
  if (record) body[regardingBind(record.entity, input.dialect ?? 'xrm')] = bindPath(record);
  if (input.ownerSystemUserId !== undefined) body['ownerid@odata.bind'] = `/systemusers(${normalizeGuid(input.ownerSystemUserId, 'owner systemuserid')})`;
  return body;
}

/** The second write: completed, Made (outgoing) or Received (incoming). */
export function completePhonecall(direction: 'inbound' | 'outbound'): { statecode: 1; statuscode: 2 | 4 } {
  return { statecode: 1, statuscode: direction === 'outbound' ? 2 : 4 };
}

/** Open again (statecode 0, statuscode 1), to change a completed activity and complete it again. */
export function reopenPhonecall(): { statecode: 0; statuscode: 1 } {
  return { statecode: 0, statuscode: 1 };
}

/** The update that replaces the activity's notes. */
export function phonecallNotes(notes: string): { description: string | null } {
  return { description: notes.trim() === '' ? null : truncate(notes, PHONECALL_MAX.description) };
}

/**
 * The notes for an activity that was there already when the pane came to create it — written by
 * the server's journal once its grace period ended while the agent was still typing, or by an
 * earlier attempt: undefined when it holds the pane's notes already (or the pane has none), else
 * its description with the pane's notes put in place of an earlier draft of them (a trailing
 * paragraph they begin with: the server writes the notes it held, after the agent's name when it
 * names the agent) or after it. Nothing the activity holds is dropped; notes are never cleared.
 */
export function notesForExistingActivity(existing: string | null | undefined, notes: string): string | undefined {
  const typed = truncate(notes.trim(), PHONECALL_MAX.description);
  if (typed === '') return undefined;
  const held = (existing ?? '').trim();
  if (held.includes(typed)) return undefined;
  const paragraphStarts = [0, ...[...held.matchAll(/\n\s*\n/g)].map((gap) => gap.index + gap[0].length)];
  const draftAt = paragraphStarts.find((start) => typed.startsWith(held.slice(start)));
  const merged = draftAt === undefined ? `${held}\n\n${typed}` : `${held.slice(0, draftAt)}${typed}`;
  return truncate(merged, PHONECALL_MAX.description);
}

/** Whether the user's log settings want this finished call as an activity. */
export function shouldLogCall(direction: 'inbound' | 'outbound' | 'internal', answered: boolean, settings: CallLogSettings): boolean {
  if (direction === 'internal') return false;
  if (direction === 'inbound') return answered ? settings.answeredInbound : settings.missedInbound;
  return answered ? settings.answeredOutbound : settings.unansweredOutbound;
}

/** Whole seconds from answer to end; 0 for a call nobody answered. */
export function talkSeconds(call: Pick<JournalCall, 'answeredAt' | 'endedAt'>): number {
  if (call.answeredAt === undefined || call.answeredAt === null) return 0;
  return Math.max(0, Math.floor((call.endedAt - call.answeredAt) / 1000));
}

function checkCall(call: JournalCall): void {
  const fail = (why: string) => new CrmError(CrmErrorCode.INVALID_CALL, `call ${JSON.stringify(String(call.callId).slice(0, 60))}: ${why}`);
  if (call.direction !== 'inbound' && call.direction !== 'outbound') throw fail('only inbound and outbound calls are journaled');
  const times = [call.startedAt, call.endedAt, ...(call.answeredAt === undefined || call.answeredAt === null ? [] : [call.answeredAt])];
  if (!times.every((t) => Number.isFinite(t) && !Number.isNaN(new Date(t).getTime()))) throw fail('times must be epoch milliseconds');
  if (call.endedAt < call.startedAt) throw fail('it ended before it started');
  if (call.answeredAt !== undefined && call.answeredAt !== null && (call.answeredAt < call.startedAt || call.answeredAt > call.endedAt))
    throw fail('it was answered outside its start and end');
}

function partyBind(entity: CrmEntity): PartyBind {
  return `partyid_${entity}@odata.bind`;
}

function regardingBind(entity: CrmEntity, dialect: 'xrm' | 'webapi'): `regardingobjectid_${string}@odata.bind` {
  return dialect === 'xrm' ? `regardingobjectid_${entity}@odata.bind` : `regardingobjectid_${entity}_phonecall@odata.bind`;
}

function bindPath(record: CrmRecordRef): string {
  return `/${CRM_ENTITIES[record.entity].setName}(${record.id})`;
}
