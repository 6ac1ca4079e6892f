/**
 * How the API takes a reference to a Dynamics 365 record from the pane: a table the pane searches
 * (contact, account, lead), the record's id and its name. Used by the settings (remembered
 * choices) and by the call's CRM report.
 */
import { z } from 'zod';
import { CRM_ENTITY_NAMES } from '../../contract/crm-record.ts';

export const CRM_ENTITIES = CRM_ENTITY_NAMES;
/** Dynamics' own full names are at most 160 characters; some room for other tables. */
export const MAX_RECORD_NAME = 400;

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** A Dataverse id, also as CIF sometimes writes one (in braces, in capitals); kept bare and lower-case. */
export const dataverseId = () =>
  z
    .string()
    .regex(GUID, 'must be a Dataverse id (a GUID)')
    .transform((id) => id.replace(/[{}]/g, '').toLowerCase());

export const crmEntity = () => z.enum(CRM_ENTITIES);

export const recordReference = () =>
  z.strictObject({
    entity: crmEntity(),
    id: dataverseId(),
    name: z.string().max(MAX_RECORD_NAME),
  });
