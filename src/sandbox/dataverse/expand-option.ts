/**
 * `$expand` for the navigation properties the sandbox models: the typed single-valued ones of
 * each lookup (`parentcustomerid_account`, `regardingobjectid_contact_phonecall`, …) and the
 * collections (the phone call's `phonecall_activity_parties`, a user's or a role's
 * `systemuserroles_association`), each with an optional nested `$select`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/join-tables
 */
import { propertyNotFound, querySyntaxError } from './dataverse-error.ts';
import { entityByLogicalName, queryableProperty, type CollectionDef, type EntityDef, type LookupDef } from './entity-schema.ts';
import { readSelect } from './select-option.ts';

export type ExpandItem =
  | { kind: 'single'; navigation: string; lookup: LookupDef; target: EntityDef; select?: string[] }
  | { kind: 'collection'; navigation: string; link: CollectionDef; target: EntityDef; select?: string[] };

const ITEM = /^([A-Za-z_]\w*)(?:\((.*)\))?$/s;

export function parseExpand(entity: EntityDef, text: string): ExpandItem[] {
  return splitTopLevel(text).map((raw) => {
    const [, navigation, options] = ITEM.exec(raw.trim()) ?? [];
    if (navigation === undefined) throw querySyntaxError(`Syntax error in $expand at '${raw.trim()}'.`);
    const item = resolveNavigation(entity, navigation);
    if (options === undefined || options.trim() === '') return item;
    const nested = options.split(';').map((part) => part.trim());
    for (const part of nested) {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq).trim();
      if (name !== '$select') throw querySyntaxError(`The sandbox supports only $select inside $expand (found '${name}').`);
      item.select = readSelect(item.target, part.slice(eq + 1));
    }
    return item;
  });
}

function resolveNavigation(entity: EntityDef, navigation: string): ExpandItem {
  for (const lookup of entity.lookups) {
    const targetName = lookup.navigation[navigation];
    if (targetName) {
      const target = entityByLogicalName(targetName) as EntityDef;
      return { kind: 'single', navigation, lookup, target };
    }
  }
  const collection = entity.collections?.[navigation];
  if (collection) {
    return { kind: 'collection', navigation, link: collection, target: entityByLogicalName(collection.target) as EntityDef };
  }
  if (queryableProperty(entity, navigation)) {
    throw querySyntaxError(
      `Property '${navigation}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}' is not a navigation property or complex property. Only navigation properties can be expanded.`,
    );
  }
  throw propertyNotFound(entity.logicalName, navigation);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw querySyntaxError(`Syntax error in $expand: unbalanced parentheses in '${text}'.`);
  }
  if (depth !== 0) throw querySyntaxError(`Syntax error in $expand: unbalanced parentheses in '${text}'.`);
  parts.push(text.slice(start));
  return parts;
}
