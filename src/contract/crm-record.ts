/**
 * A Dynamics 365 record as the pane and the server name it to each other: one of the tables the
 * pane searches for callers, the record's id (bare, lower case) and its name.
 */

/** The tables the pane searches, in their default order. */
export const CRM_ENTITY_NAMES = ['contact', 'account', 'lead'] as const;

export type CrmEntity = (typeof CRM_ENTITY_NAMES)[number];

export interface RecordRef {
  entity: CrmEntity;
  id: string;
  name: string;
}
