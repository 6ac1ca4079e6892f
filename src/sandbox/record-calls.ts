/**
 * The record calls the sandbox page makes of its server, carried out on the sandbox Dataverse:
 * CIF 1.0's record calls, the way the Unified Interface carries them out through Xrm.WebApi —
 * the same query and write semantics as the Web API (one implementation,
 * src/sandbox/dataverse/), in the Xrm dialect that also accepts the short regarding binds
 * (docs/dataverse.md §3) — and quick find for list views and the search page. Each call counts
 * against the user's service protection limits, as Xrm.WebApi calls do. Results are the
 * objects CIF then sends as JSON strings.
 * https://learn.microsoft.com/power-apps/developer/model-driven-apps/clientapi/reference/xrm-webapi
 */
import { DataverseError, DataverseErrorCode, type Dataverse } from './dataverse/index.ts';
import { ENTITY_LABELS, columnLabel } from './entity-labels.ts';

export type RecordCall =
  | { operation: 'createRecord'; entity: string; data: Record<string, unknown> }
  | { operation: 'retrieveRecord'; entity: string; id: string; options: string }
  | { operation: 'updateRecord'; entity: string; id: string; data: Record<string, unknown> }
  | { operation: 'deleteRecord'; entity: string; id: string }
  | { operation: 'searchRecords'; entity: string; query: string }
  | { operation: 'getEntityMetadata'; entity: string; attributes?: string[] }
  /** A list's search box or the search page: lookups come with their formatted values. */
  | { operation: 'quickFind'; entity: string; text: string; query: string };

export const RECORD_OPERATIONS: readonly RecordCall['operation'][] = [
  'createRecord',
  'retrieveRecord',
  'updateRecord',
  'deleteRecord',
  'searchRecords',
  'getEntityMetadata',
  'quickFind',
];

/** Xrm.WebApi's answer to create, update and delete: the table and the row. */
export interface EntityReference {
  entityType: string;
  id: string;
}

type EntityDef = ReturnType<Dataverse['entity']>;

const ATTRIBUTE_TYPES: Record<string, string> = { string: 'String', int: 'Integer', bool: 'Boolean', datetime: 'DateTime', guid: 'Uniqueidentifier' };

/** Runs one call as the user `userId`; throws DataverseError as the Web API would answer. */
export function runRecordCall(dataverse: Dataverse, call: RecordCall, userId: string): unknown {
  dataverse.admitRequest(userId);
  const set = dataverse.entitySetFor(call.entity);
  switch (call.operation) {
    case 'createRecord':
      return reference(call.entity, dataverse.create(set, call.data, { dialect: 'xrm', callerId: userId }).id);
    case 'retrieveRecord':
      return dataverse.retrieve(set, xrmId(call.id), call.options).record;
    case 'updateRecord':
      return reference(call.entity, dataverse.update(set, xrmId(call.id), call.data, { dialect: 'xrm' }).id);
    case 'deleteRecord':
      dataverse.delete(set, xrmId(call.id));
      return reference(call.entity, xrmId(call.id).toLowerCase());
    case 'searchRecords':
      return dataverse.retrieveMultiple(set, call.query).records;
    case 'getEntityMetadata':
      return entityMetadata(call.entity, dataverse.entity(set), call.attributes);
    case 'quickFind': {
      const result = dataverse.quickFind(set, call.text, call.query, { annotations: true });
      return { records: result.records, count: result.count };
    }
  }
}

/** Xrm takes ids as the form API gives them too, `{GUID}` in braces; the Web API takes them bare. */
function xrmId(id: string): string {
  return /^\{[^{}]*\}$/.test(id) ? id.slice(1, -1) : id;
}

function reference(entityType: string, id: string): EntityReference {
  return { entityType, id };
}

/** The EntityMetadata subset Xrm.Utility.getEntityMetadata gives; Attributes only for the names asked. */
function entityMetadata(logicalName: string, entity: EntityDef, attributes: string[] | undefined): Record<string, unknown> {
  const label = ENTITY_LABELS[logicalName];
  const metadata: Record<string, unknown> = {
    LogicalName: entity.logicalName,
    EntitySetName: entity.setName,
    PrimaryIdAttribute: entity.primaryKey,
    PrimaryNameAttribute: entity.primaryName,
    DisplayName: label?.displayName ?? logicalName,
    DisplayCollectionName: label?.displayCollectionName ?? entity.setName,
    ObjectTypeCode: label?.objectTypeCode ?? 0,
    IsActivity: label?.isActivity ?? false,
  };
  metadata.Attributes = (attributes ?? []).map((name) => {
    const column = entity.columns.find((c) => c.name === name);
    if (column) {
      const attribute: Record<string, unknown> = { LogicalName: name, AttributeType: ATTRIBUTE_TYPES[column.type], DisplayName: columnLabel(logicalName, name) };
      if (column.maxLength !== undefined) attribute.MaxLength = column.maxLength;
      return attribute;
    }
    const lookup = entity.lookups.find((l) => l.name === name);
    if (lookup) return { LogicalName: name, AttributeType: 'Lookup', DisplayName: columnLabel(logicalName, name), Targets: [...new Set(Object.values(lookup.navigation))] };
    throw new DataverseError(400, DataverseErrorCode.QueryOrPayload, `Could not find an attribute named '${name}' on entity '${logicalName}'.`);
  });
  return metadata;
}
