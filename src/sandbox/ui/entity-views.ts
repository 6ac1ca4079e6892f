/**
 * How each table is shown: its list view's columns and quick-find columns, its form's sections
 * and required fields, and the labels of the phone call's option values (the defaults of a
 * Dynamics 365 organization).
 */
import { ADDRESS_PHONE_FIELDS, columnLabel } from '../entity-labels.ts';
import { formatDateTime } from './view-kit.ts';

export interface ListColumn {
  /** A column, or `_<lookup>_value` for a lookup (shown by its formatted value). */
  name: string;
  label: string;
  link?: boolean;
}

export interface EntityView {
  viewName: string;
  columns: ListColumn[];
  sections: { title: string; fields: string[] }[];
  required: string[];
  orderBy: string;
}

/**
 * A column of a list, labelled as the table's column is; `_<lookup>_value` names a lookup, shown
 * by its formatted value and labelled as the lookup, as Dynamics' views show it.
 */
export function listColumn(entity: string, name: string, link: boolean): ListColumn {
  return { name, label: columnLabel(entity, name.replace(/^_(.*)_value$/, '$1')), link };
}

/** A list view's columns; the first links to the record. */
function listColumns(entity: string, names: readonly string[]): ListColumn[] {
  return names.map((name, index) => listColumn(entity, name, index === 0));
}

export const ENTITY_VIEWS: Readonly<Record<string, EntityView>> = {
  contact: {
    viewName: 'Active Contacts',
    columns: listColumns('contact', ['fullname', 'emailaddress1', '_parentcustomerid_value', 'telephone1', 'mobilephone', 'address1_city']),
    sections: [
      { title: 'Contact', fields: ['firstname', 'lastname', 'jobtitle', 'parentcustomerid', 'emailaddress1'] },
      { title: 'Phone', fields: ['telephone1', 'mobilephone', 'telephone2', 'telephone3', 'assistantphone'] },
      {
        title: 'Address',
        fields: ['address1_city', 'address1_country', ...ADDRESS_PHONE_FIELDS],
      },
    ],
    required: ['lastname'],
    orderBy: 'fullname asc',
  },
  account: {
    viewName: 'Active Accounts',
    columns: listColumns('account', ['name', 'telephone1', 'address1_city', 'address1_country', 'emailaddress1']),
    sections: [
      { title: 'Account Information', fields: ['name', 'accountnumber', 'emailaddress1'] },
      { title: 'Phone', fields: ['telephone1', 'telephone2', 'telephone3'] },
      { title: 'Address', fields: ['address1_city', 'address1_country'] },
    ],
    required: ['name'],
    orderBy: 'name asc',
  },
  lead: {
    viewName: 'All Leads',
    columns: listColumns('lead', ['fullname', 'subject', 'companyname', 'telephone1', 'mobilephone', 'emailaddress1']),
    sections: [
      { title: 'Contact', fields: ['subject', 'firstname', 'lastname', 'companyname', 'emailaddress1'] },
      { title: 'Phone', fields: ['telephone1', 'mobilephone', 'telephone2', 'telephone3'] },
    ],
    required: ['subject', 'lastname'],
    orderBy: 'fullname asc',
  },
  phonecall: {
    viewName: 'All Phone Calls',
    columns: listColumns('phonecall', ['subject', '_regardingobjectid_value', 'phonenumber', 'directioncode', 'statuscode', 'actualstart', 'actualdurationminutes']),
    sections: [
      { title: 'Phone Call', fields: ['subject', 'phonenumber', 'directioncode', 'regardingobjectid', 'description'] },
      { title: 'Timing', fields: ['actualstart', 'actualend', 'actualdurationminutes', 'scheduledstart', 'scheduledend'] },
      { title: 'Status', fields: ['statecode', 'statuscode'] },
    ],
    required: ['subject'],
    orderBy: 'createdon desc',
  },
};

/** Labels of the phone call's state and status (docs/dataverse.md §7). */
const PHONECALL_STATES: Record<number, string> = { 0: 'Open', 1: 'Completed', 2: 'Canceled' };
const PHONECALL_STATUSES: Record<number, string> = { 1: 'Open', 2: 'Made', 3: 'Canceled', 4: 'Received' };

/** A value as a list or form shows it. */
export function displayValue(entity: string, name: string, record: Record<string, unknown>): string {
  const value = record[name];
  const formatted = record[`${name}@OData.Community.Display.V1.FormattedValue`];
  if (typeof formatted === 'string' && name.startsWith('_')) return formatted;
  if (value === null || value === undefined) return '';
  if (entity === 'phonecall') {
    if (name === 'directioncode') return value ? 'Outgoing' : 'Incoming';
    if (name === 'statecode') return PHONECALL_STATES[value as number] ?? String(value);
    if (name === 'statuscode') return PHONECALL_STATUSES[value as number] ?? String(value);
    if (name === 'actualdurationminutes') return `${value as number} minute${value === 1 ? '' : 's'}`;
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
  return String(value);
}

/** The view of an entity the sandbox lists; the pages only ever name those. */
export function entityView(entity: string): EntityView {
  const view = ENTITY_VIEWS[entity];
  if (view === undefined) throw new Error(`the sandbox has no view of the entity ${entity}`);
  return view;
}
