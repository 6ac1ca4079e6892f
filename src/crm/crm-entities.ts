/**
 * The Dynamics 365 tables a caller can be found in, as the Web API names them: entity set, primary
 * key, primary name and every phone column (docs/dataverse.md §2 and §3; Microsoft's entity reference
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/contact, …/account,
 * …/lead). The sandbox's src/sandbox/dataverse/entity-schema.ts has the same columns.
 */
import type { CrmEntity } from '../contract/crm-record.ts';
import { CrmError, CrmErrorCode } from './crm-error.ts';

/** The tables the pane searches: named once, in the contract with the server. */
export type { CrmEntity };

export interface CrmEntityInfo {
  logicalName: CrmEntity;
  setName: string;
  idField: string;
  nameField: string;
  /** The primary address's country (free text): numbers stored without a country are read in it (phone-match.ts). */
  countryField: string;
  phoneFields: readonly string[];
}

export const CRM_ENTITIES: Readonly<Record<CrmEntity, CrmEntityInfo>> = {
  contact: {
    logicalName: 'contact',
    setName: 'contacts',
    idField: 'contactid',
    nameField: 'fullname',
    countryField: 'address1_country',
    phoneFields: [
      'telephone1',
      'telephone2',
      'telephone3',
      'mobilephone',
      'assistantphone',
      'address1_telephone1',
      'address1_telephone2',
      'address1_telephone3',
      'address2_telephone1',
      'address2_telephone2',
      'address2_telephone3',
    ],
  },
  account: {
    logicalName: 'account',
    setName: 'accounts',
    idField: 'accountid',
    nameField: 'name',
    countryField: 'address1_country',
    phoneFields: ['telephone1', 'telephone2', 'telephone3'],
  },
  lead: {
    logicalName: 'lead',
    setName: 'leads',
    idField: 'leadid',
    nameField: 'fullname',
    countryField: 'address1_country',
    phoneFields: ['telephone1', 'telephone2', 'telephone3', 'mobilephone'],
  },
};

/** A record a call is about: what the pane opens and what the activity is regarding. */
export interface CrmRecordRef {
  entity: CrmEntity;
  /** Lower-case GUID without braces. */
  id: string;
  name?: string;
}

export function isCrmEntity(value: unknown): value is CrmEntity {
  return typeof value === 'string' && Object.hasOwn(CRM_ENTITIES, value);
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * `id` as the Web API writes it: lower case, no braces. getEnvironment's `userId` and the form API
 * give `{A81…}`; anything that is not a GUID is refused, so an id can go into a bind path
 * (`/contacts(<id>)`) without changing its meaning.
 */
export function normalizeGuid(id: string, what: string): string {
  const [, guid] = GUID.exec(id.trim()) ?? [];
  if (guid === undefined || id.trim().startsWith('{') !== id.trim().endsWith('}'))
    throw new CrmError(CrmErrorCode.INVALID_GUID, `${what} is not a GUID: ${JSON.stringify(id.slice(0, 60))}`);
  return guid.toLowerCase();
}
