/**
 * Between stored values and form inputs: every field is edited as text and turned back into the
 * column's JSON type on save (Dataverse stores phone numbers as typed, docs/dataverse.md §3, so those stay text).
 */
import type { PageColumn, PageEntity } from './page-config.ts';

/** A stored value as an input's text. */
export function toInput(column: PageColumn, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (column.type === 'bool') return value ? 'true' : 'false';
  if (column.type === 'datetime' && typeof value === 'string') {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return value;
    const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
    return local.toISOString().slice(0, 16);
  }
  return String(value);
}

/** An input's text as the value to store; throws a message for people when it cannot be one. */
export function fromInput(column: PageColumn, text: string): unknown {
  const trimmed = column.type === 'string' ? text : text.trim();
  if (trimmed === '') return null;
  switch (column.type) {
    case 'string':
      return text;
    case 'bool':
      return trimmed === 'true';
    case 'int': {
      const number = Number(trimmed);
      if (!Number.isInteger(number)) throw new Error(`${column.name} must be a whole number.`);
      return number;
    }
    case 'datetime': {
      const date = new Date(trimmed);
      if (Number.isNaN(date.getTime())) throw new Error(`${column.name} must be a date and time.`);
      return date.toISOString();
    }
    case 'guid':
      return trimmed;
  }
}

/** The `@odata.bind` properties for lookups a new form was given as `<lookup>` + `<lookup>type` (openForm parameters). */
export function lookupBinds(entity: PageEntity, entities: Record<string, PageEntity>, values: Record<string, string>): Record<string, string> {
  const binds: Record<string, string> = {};
  for (const lookup of entity.lookups) {
    const id = values[lookup.name];
    const type = values[`${lookup.name}type`];
    if (!id || !type) continue;
    const navigation = Object.entries(lookup.navigation).find(([, target]) => target === type)?.[0];
    const target = entities[type];
    if (navigation && target) binds[`${navigation}@odata.bind`] = `/${target.setName}(${id.replace(/[{}]/g, '')})`;
  }
  return binds;
}
