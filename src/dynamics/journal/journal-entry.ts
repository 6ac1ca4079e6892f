/**
 * The Phone Call the server writes for a call no pane journaled: the same body a pane builds
 * (src/crm/phonecall-activity.ts, in the Web API's dialect), with the call's facts from its call
 * record. The server writes as its application user, so the activity is given to the agent's
 * Dynamics user as owner (and party); an agent without one — or a call that rang several
 * extensions and was answered by none — is journaled owned by the application user, with the
 * agent (or the extensions) named at the top of the description, so nothing about the call is
 * lost and the administrator sees whom to map (`callpane dynamics check`).
 */
import type { CrmRecordRef } from '../../crm/crm-entities.ts';
import type { Language } from '../../crm/crm-settings.ts';
import type { PhoneNumberReader } from '../../crm/numbers/phone-number-reader.ts';
import { phonecallActivity, type JournalCall, type PhonecallCreate } from '../../crm/phonecall-activity.ts';
import type { CallRecord } from '../../store/call-record-repository.ts';
import type { DynamicsUser } from './dynamics-users.ts';

export interface JournalAgent {
  extension: string;
  name: string;
}

/** Who the activity belongs to: the agent's Dynamics user, or the application user the server signs in as. */
export type JournalOwner = { kind: 'agent'; user: DynamicsUser } | { kind: 'application'; userId: string };

export interface JournalEntryInput {
  /** An ended inbound or outbound call. */
  record: CallRecord;
  agent: JournalAgent | undefined;
  owner: JournalOwner;
  regarding: CrmRecordRef | undefined;
  /** The agent's template; null for the language's default. */
  subjectTemplate: string | null;
  language: Language;
  defaultRegion?: string;
}

/** The extension whose call it is: the one that answered, else the only one it rang. */
export function agentExtension(record: Pick<CallRecord, 'answeredBy' | 'extensions'>): string | undefined {
  if (record.answeredBy !== null) return record.answeredBy;
  const [only, ...more] = record.extensions;
  return more.length === 0 ? only : undefined;
}

/** The call as src/crm's journal reads it: the outside party's number, the agent's extension. */
export function journalCall(record: CallRecord, extension: string | undefined): JournalCall {
  if (record.direction === 'internal' || record.endedAt === null) throw new TypeError(`call ${record.id} is not an ended call with an outside party`);
  return {
    callId: record.id,
    direction: record.direction,
    number: record.direction === 'inbound' ? record.from.number : record.to.number,
    ...(extension === undefined ? {} : { extension }),
    startedAt: record.startedAt,
    answeredAt: record.answeredAt,
    endedAt: record.endedAt,
  };
}

export function journalEntry(numbers: PhoneNumberReader, input: JournalEntryInput): PhonecallCreate {
  const { record, owner } = input;
  const byAgent = owner.kind === 'agent';
  const notes = record.crm.notes ?? '';
  const description = byAgent ? notes : [ownerNote(input.agent, record.extensions, input.language), notes].filter((part) => part.trim() !== '').join('\n\n');
  return phonecallActivity(numbers, {
    call: journalCall(record, input.agent?.extension),
    agentSystemUserId: byAgent ? owner.user.id : owner.userId,
    ...(byAgent ? { ownerSystemUserId: owner.user.id } : {}),
    matchedRecord: input.regarding ?? null,
    notes: description,
    subjectTemplate: input.subjectTemplate,
    language: input.language,
    ...(input.defaultRegion === undefined ? {} : { defaultRegion: input.defaultRegion }),
    dialect: 'webapi',
  });
}

/** The line that says whose call an activity owned by the application user was. */
export function ownerNote(agent: JournalAgent | undefined, extensions: readonly string[], language: Language): string {
  if (agent) {
    return language === 'zh-CN'
      ? `坐席：${agent.name}（分机 ${agent.extension}），没有对应的 Dynamics 用户。`
      : `Agent: ${agent.name} (extension ${agent.extension}), who has no Dynamics user.`;
  }
  const list = extensions.join(language === 'zh-CN' ? '、' : ', ');
  if (list === '') return language === 'zh-CN' ? '没有分机接听。' : 'No extension took the call.';
  return language === 'zh-CN' ? `响铃分机：${list}，无人接听。` : `Rang extensions ${list}; none answered.`;
}
