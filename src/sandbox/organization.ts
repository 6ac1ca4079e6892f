/**
 * The fixed facts of the sandbox organization and its one model-driven app, as getEnvironment
 * reports them (docs/cif-contract.md §2). The organization id is the one WhoAmI answers with.
 */

import { SANDBOX_ORGANIZATION_ID } from './dataverse/organization-id.ts';

export const SANDBOX_ORGANIZATION = {
  orgId: SANDBOX_ORGANIZATION_ID,
  orgUniqueName: 'callpanesandbox',
  /** Base language of the organization: English. */
  orgLcid: 1033,
  crmVersion: '9.2.25014.00163',
  cifVersion: '1.0',
  /** The Sales Hub stand-in: its id appears in every main.aspx URL as `appid`. */
  appId: 'a4b10000-0000-4000-8000-000000000001',
  appName: 'Sales Hub',
} as const;

/** Dynamics writes the user id of getEnvironment upper-case in braces: `{A81D…}`. */
export function braced(guid: string): string {
  return `{${guid.toUpperCase()}}`;
}
