/**
 * Shapes a stored row as the Web API returns it: `@odata.etag` (`W/"<version>"`), the selected
 * properties with their JSON types (nulls included), the primary key always, lookups as
 * `_<name>_value`. With `Prefer: odata.include-annotations` the lookup annotations
 * `@Microsoft.Dynamics.CRM.lookuplogicalname` and `@OData.Community.Display.V1.FormattedValue`
 * are added, as Dataverse does.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns#formatted-values
 */
import { entityByLogicalName, lookupValueProperty, type EntityDef } from './entity-schema.ts';
import type { SqlValue } from './filter-sql.ts';
import { lookupTypeColumn, type Row } from './record-store.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EntityRecord = Record<string, JsonValue>;

export interface FormatOptions {
  /** Add lookup annotations (Prefer: odata.include-annotations="*"). */
  annotations: boolean;
  /** Name of a looked-up record, for the FormattedValue annotation. */
  nameOf: (logicalName: string, id: string) => string | null;
}

export function etagOf(row: Row): string {
  return `W/"${row.versionnumber}"`;
}

export function formatRecord(entity: EntityDef, row: Row, properties: readonly string[], options: FormatOptions): EntityRecord {
  const record: EntityRecord = { '@odata.etag': etagOf(row) };
  for (const name of properties) {
    const lookup = entity.lookups.find((l) => lookupValueProperty(l) === name);
    if (lookup) {
      const id = row[name] as string | null;
      const type = row[lookupTypeColumn(lookup)] as string | null;
      if (options.annotations && id !== null && type !== null) {
        record[`${name}@OData.Community.Display.V1.FormattedValue`] = options.nameOf(type, id);
        record[`${name}@Microsoft.Dynamics.CRM.lookuplogicalname`] = type;
      }
      record[name] = id;
      continue;
    }
    const column = entity.columns.find((c) => c.name === name);
    if (!column) continue;
    record[name] = jsonValue(row[name], column.type === 'bool');
  }
  return record;
}

function jsonValue(value: SqlValue | undefined, bool: boolean): JsonValue {
  if (value === undefined || value === null) return null;
  if (bool) return value === 1;
  return typeof value === 'bigint' ? Number(value) : value;
}

/** The primary name of a record, for annotations and CIF results. */
export function primaryNameOf(logicalName: string, row: Row | undefined): string | null {
  const entity = entityByLogicalName(logicalName);
  if (!entity || !row) return null;
  const value = row[entity.primaryName];
  return typeof value === 'string' ? value : null;
}
