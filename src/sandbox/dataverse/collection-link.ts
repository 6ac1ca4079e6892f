/**
 * Which rows a collection-valued navigation property holds for one record, as an SQL condition
 * on the target's table: a one-to-many collection (`phonecall_activity_parties`) holds the rows
 * whose lookup names the record; a many-to-many one (`systemuserroles_association`) the rows its
 * intersect table links to the record.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/web-api-navigation-properties
 */
import { entityByLogicalName, lookupValueProperty, type CollectionDef, type EntityDef } from './entity-schema.ts';
import { columnSql, type SqlCondition } from './filter-sql.ts';

export function collectionCondition(target: EntityDef, link: CollectionDef, id: string): SqlCondition {
  if (link.intersect === undefined) {
    const lookup = target.lookups.find((l) => l.name === link.lookup);
    if (!lookup) throw new Error(`${target.logicalName} has no lookup ${link.lookup}`);
    return { sql: `${columnSql(lookupValueProperty(lookup))} = ?`, params: [id] };
  }
  const { entity, from, to } = link.intersect;
  if (!entityByLogicalName(entity)) throw new Error(`no intersect table ${entity}`);
  // Names from the schema only; the id is bound.
  return { sql: `${columnSql(target.primaryKey)} IN (SELECT ${columnSql(to)} FROM "${entity}" WHERE ${columnSql(from)} = ?)`, params: [id] };
}
