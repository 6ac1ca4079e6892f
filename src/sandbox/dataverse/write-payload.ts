/**
 * Reads a create/update body the way Dataverse does: every property must exist on the entity
 * and have the right JSON type and length; lookups are set only through a typed navigation
 * property with `@odata.bind` naming an existing record; activity parties come as the
 * collection `<activity>_activity_parties`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api#associate-table-rows-on-create
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/multitable-lookup
 */
import { DataverseError, DataverseErrorCode, payloadError, payloadPropertyNotFound, recordNotFound, undeclaredNavigationProperty } from './dataverse-error.ts';
import { entityByLogicalName, entityBySet, lookupValueProperty, type ColumnDef, type EntityDef, type LookupDef } from './entity-schema.ts';
import type { SqlValue } from './filter-sql.ts';
import { lookupTypeColumn } from './record-store.ts';
import { normalizeDateTime, parseGuid } from './value-format.ts';

/** 'webapi' for HTTP clients; 'xrm' for the CIF/Xrm layer, which also accepts its shorter navigation names. */
export type Dialect = 'webapi' | 'xrm';

export interface RecordReference {
  logicalName: string;
  id: string;
}

export interface PartyInput {
  participationtypemask: number;
  party: RecordReference | null;
  addressused: string | null;
}

export interface WritePayload {
  /** Column values to store, lookups as `_<name>_value` / `_<name>_type`. */
  values: Record<string, SqlValue>;
  /** The primary key when the body names one. */
  id?: string;
  /** The activity parties when the body sets them (they replace the existing ones). */
  parties?: PartyInput[];
}

export interface PayloadContext {
  dialect: Dialect;
  exists: (reference: RecordReference) => boolean;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const BIND = '@odata.bind';
const BIND_PATH = /^(?:https?:\/\/[^/]+\/api\/data\/v9\.[0-2]\/|\/)?([A-Za-z_]\w*)\(([^)]*)\)$/;
/** Values of participationtypemask (activityparty reference: 1 Sender … 11 Customer). */
const PARTICIPATION_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

export function readPayload(entity: EntityDef, body: unknown, context: PayloadContext): WritePayload {
  const object = asObject(body);
  const payload: WritePayload = { values: {} };
  const boundLookups = new Set<string>();
  for (const [key, value] of Object.entries(object)) {
    if (key.endsWith(BIND)) {
      const navigation = key.slice(0, -BIND.length);
      const found = findNavigation(entity, navigation, context.dialect);
      if (!found) {
        if (entity.collections?.[navigation]) throw payloadError(`The sandbox does not support binding the collection '${navigation}'; send it as an array of records.`);
        throw undeclaredNavigationProperty(navigation);
      }
      if (boundLookups.has(found.lookup.name)) throw payloadError(`More than one navigation property sets the lookup '${found.lookup.name}'.`);
      boundLookups.add(found.lookup.name);
      const reference = value === null ? null : readBind(navigation, found.target, value, context);
      payload.values[lookupValueProperty(found.lookup)] = reference?.id ?? null;
      payload.values[lookupTypeColumn(found.lookup)] = reference?.logicalName ?? null;
      continue;
    }
    if (key.startsWith('@') || key.includes('@')) continue; // instance annotations (@odata.type, …) are not data
    if (entity.collections?.[key]) {
      payload.parties = readParties(value, context);
      continue;
    }
    if (findNavigation(entity, key, context.dialect)) throw payloadError(`The sandbox does not support deep insert through '${key}'; use '${key}@odata.bind'.`);
    const lookup = entity.lookups.find((l) => lookupValueProperty(l) === key);
    if (lookup) throw readOnlyProperty(entity, key, `set it with a navigation property such as '${Object.keys(lookup.navigation)[0]}@odata.bind'`);
    const column = entity.columns.find((c) => c.name === key);
    if (!column) throw payloadPropertyNotFound(entity.logicalName, key);
    if (column.readOnly) throw readOnlyProperty(entity, key, 'the platform sets it');
    const stored = readColumnValue(entity, column, value);
    if (column.name === entity.primaryKey) {
      if (stored === null) throw payloadError(`The primary key '${key}' cannot be null.`);
      payload.id = stored as string;
    } else payload.values[column.name] = stored;
  }
  return payload;
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object') throw payloadError('The request body must be a JSON object.');
  if (Array.isArray(body)) throw payloadError("An unexpected 'StartArray' node was found when reading from the JSON reader. A 'StartObject' node was expected.");
  return body as Record<string, unknown>;
}

function findNavigation(entity: EntityDef, navigation: string, dialect: Dialect): { lookup: LookupDef; target: string } | undefined {
  for (const lookup of entity.lookups) {
    const target = lookup.navigation[navigation] ?? (dialect === 'xrm' ? lookup.xrmNavigation?.[navigation] : undefined);
    if (target) return { lookup, target };
  }
  return undefined;
}

function readBind(navigation: string, targetLogical: string, value: unknown, context: PayloadContext): RecordReference {
  const target = entityByLogicalName(targetLogical) as EntityDef;
  const [, setName, key] = (typeof value === 'string' ? BIND_PATH.exec(value) : null) ?? [];
  if (setName === undefined || key === undefined)
    throw payloadError(`The value of '${navigation}${BIND}' must be an entity reference such as '/${target.setName}(00000000-0000-0000-0000-000000000000)'.`);
  if (!entityBySet(setName)) throw payloadError(`Resource not found for the segment '${setName}'.`);
  if (setName !== target.setName) {
    throw payloadError(`The navigation property '${navigation}' refers to '${target.setName}', but the @odata.bind value names '${setName}'.`);
  }
  const id = parseGuid(key);
  if (!id) throw payloadError('Bad Request - Error in query syntax.');
  const reference = { logicalName: target.logicalName, id };
  if (!context.exists(reference)) throw recordNotFound(target.logicalName, id);
  return reference;
}

function readParties(value: unknown, context: PayloadContext): PartyInput[] {
  if (!Array.isArray(value)) throw payloadError("An unexpected 'StartObject' node was found when reading from the JSON reader. A 'StartArray' node was expected.");
  const party = entityByLogicalName('activityparty') as EntityDef;
  return value.map((item) => {
    const payload = readPayload(party, item, context);
    if (payload.id !== undefined) throw payloadError('An activity party cannot be given its own activitypartyid here.');
    if (payload.parties !== undefined || payload.values._activityid_value !== undefined) {
      throw payloadError('An activity party belongs to the activity it is sent with.');
    }
    const mask = payload.values.participationtypemask;
    if (typeof mask !== 'number' || !PARTICIPATION_TYPES.has(mask)) {
      throw new DataverseError(400, DataverseErrorCode.InvalidArgument, `participationtypemask must be one of 1–11 (1 sender, 2 recipient), got ${JSON.stringify(mask ?? null)}.`);
    }
    const id = payload.values._partyid_value;
    const type = payload.values._partyid_type;
    return {
      participationtypemask: mask,
      party: typeof id === 'string' && typeof type === 'string' ? { logicalName: type, id } : null,
      addressused: (payload.values.addressused as string | null | undefined) ?? null,
    };
  });
}

function readColumnValue(entity: EntityDef, column: ColumnDef, value: unknown): SqlValue {
  if (value === null) return null;
  const mismatch = () => payloadError(`Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${edmType(column)}'.`);
  switch (column.type) {
    case 'string':
      if (typeof value !== 'string') throw mismatch();
      if (column.maxLength !== undefined && value.length > column.maxLength) {
        throw new DataverseError(
          400,
          DataverseErrorCode.StringLengthTooLong,
          `A validation error occurred. The length of the '${column.name}' attribute of the '${entity.logicalName}' entity exceeded the maximum allowed length of '${column.maxLength}'.`,
        );
      }
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) throw mismatch();
      if ((column.choices && !column.choices.includes(value)) || (column.range && (value < column.range.min || value > column.range.max))) {
        // Dataverse's wording for a choice value it does not have; the sandbox uses it for a range too.
        throw new DataverseError(
          400,
          DataverseErrorCode.ValidationFailed,
          `A validation error occurred. The value ${value} of '${column.name}' on record of type '${entity.logicalName}' is outside the valid range.`,
        );
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch();
      return value ? 1 : 0;
    case 'datetime': {
      const normalized = typeof value === 'string' ? normalizeDateTime(value) : undefined;
      if (normalized === undefined) throw mismatch();
      return normalized;
    }
    case 'guid': {
      const guid = typeof value === 'string' ? parseGuid(value) : undefined;
      if (guid === undefined) throw mismatch();
      return guid;
    }
  }
}

function edmType(column: ColumnDef): string {
  return { string: 'Edm.String', int: 'Edm.Int32', bool: 'Edm.Boolean', datetime: 'Edm.DateTimeOffset', guid: 'Edm.Guid' }[column.type];
}

/** Dataverse's exact wording for writing a read-only property is not documented; this keeps its style. */
function readOnlyProperty(entity: EntityDef, property: string, hint: string): DataverseError {
  return payloadError(`The property '${property}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}' is read-only and cannot be set: ${hint}.`);
}
