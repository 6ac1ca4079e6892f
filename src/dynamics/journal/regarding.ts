/**
 * What a journaled call is regarding (docs/dataverse.md §8): the record the agent chose in the
 * pane (the call record keeps what the pane reported), else the caller's record when the phone
 * index finds exactly one, else none — several matches are the agent's choice to make, not the
 * server's.
 */
import { isCrmEntity, normalizeGuid, type CrmRecordRef } from '../../crm/crm-entities.ts';
import type { CallRecordCrm } from '../../store/call-record-repository.ts';

/** The records whose phone columns hold `number` (the phone index); injected when there is one. */
export type FindRecords = (number: string, signal?: AbortSignal) => readonly CrmRecordRef[] | Promise<readonly CrmRecordRef[]>;

export async function chooseRegarding(crm: CallRecordCrm, number: string, findRecords: FindRecords | undefined, signal?: AbortSignal): Promise<CrmRecordRef | undefined> {
  const reported = reportedRecord(crm);
  if (reported) return reported;
  if (!findRecords) return undefined;
  const found = await findRecords(number, signal);
  const distinct = new Map(found.map((record) => [`${record.entity}:${record.id.toLowerCase()}`, record]));
  const [only, ...more] = distinct.values();
  return only && more.length === 0 ? only : undefined;
}

function reportedRecord(crm: CallRecordCrm): CrmRecordRef | undefined {
  if (!isCrmEntity(crm.entity) || crm.recordId === null) return undefined;
  try {
    return { entity: crm.entity, id: normalizeGuid(crm.recordId, 'regarding record id'), ...(crm.recordName === null ? {} : { name: crm.recordName }) };
  } catch {
    // The API accepted only GUIDs; a row that holds anything else is not bound to.
    return undefined;
  }
}
