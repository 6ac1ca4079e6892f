/**
 * `$select`: the properties to return. Names are case-sensitive and must exist on the entity
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns);
 * the primary key is always returned.
 */
import { propertyNotFound, querySyntaxError } from './dataverse-error.ts';
import { allProperties, queryableProperty, type EntityDef } from './entity-schema.ts';

export function readSelect(entity: EntityDef, text: string): string[] | undefined {
  const items = text.split(',').map((item) => item.trim());
  if (items.includes('*')) return undefined;
  for (const item of items) {
    if (item === '') throw querySyntaxError(`Syntax error: character ',' is not valid at position ${text.indexOf(',,') + 1} in '${text}'.`);
    if (!queryableProperty(entity, item)) throw propertyNotFound(entity.logicalName, item);
  }
  return [...new Set(items)];
}

/** The properties a record shows for a $select (undefined = all), primary key always included. */
export function shownProperties(entity: EntityDef, select: readonly string[] | undefined): string[] {
  if (select === undefined) return allProperties(entity);
  return select.includes(entity.primaryKey) ? [...select] : [...select, entity.primaryKey];
}
