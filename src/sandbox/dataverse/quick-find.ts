/**
 * Quick find, the search box of a model-driven app's list views and of the search page
 * `renderSearchPage` opens (docs/cif-contract.md §2): one text, matched with `like '<text>%'` ("begins
 * with") against the table's find columns, OR-ed together
 * (https://learn.microsoft.com/power-apps/developer/data-platform/quick-find). A `*` the user
 * types is a wildcard for any run of characters, so `*0100` finds numbers ending in 0100; the
 * other T-SQL wildcard characters (`%`, `_`, `[`) are taken literally.
 *
 * The sandbox turns the text into an ordinary `$filter` of `startswith(...)` conditions, so a
 * quick find runs through the same query implementation as the Web API and CIF's
 * searchAndOpenRecords. Find columns are those of the default "Quick Find" views, kept to the
 * columns the sandbox has.
 */
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';
import type { EntityDef } from './entity-schema.ts';

export const QUICK_FIND_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  contact: ['fullname', 'firstname', 'lastname', 'emailaddress1', 'telephone1', 'mobilephone'],
  account: ['name', 'accountnumber', 'emailaddress1', 'telephone1'],
  lead: ['fullname', 'subject', 'companyname', 'emailaddress1', 'telephone1', 'mobilephone'],
  phonecall: ['subject', 'phonenumber'],
  systemuser: ['fullname', 'internalemailaddress'],
};

/** The `$filter` for a quick find of `text` in `entity`; undefined for an empty search (everything). */
export function quickFindFilter(entity: EntityDef, text: string): string | undefined {
  const columns = QUICK_FIND_COLUMNS[entity.logicalName];
  if (!columns) throw new DataverseError(400, DataverseErrorCode.InvalidArgument, `The entity '${entity.logicalName}' has no quick find view.`);
  const term = text.trim();
  if (term === '') return undefined;
  const pattern = term
    .replace(/[%_[]/g, (c) => `[${c}]`)
    .replace(/\*/g, '%')
    .replace(/'/g, "''");
  return columns.map((column) => `startswith(${column},'${pattern}')`).join(' or ');
}
