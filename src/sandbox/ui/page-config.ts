/**
 * What the sandbox server writes into each page for the browser code: the organization, the
 * channel provider, the system users and the table schema the forms are drawn from. Read once
 * at start-up from `<script type="application/json" id="sandbox-config">`.
 */

export const PAGE_CONFIG_ELEMENT_ID = 'sandbox-config';

export interface PageColumn {
  name: string;
  type: 'string' | 'int' | 'bool' | 'datetime' | 'guid';
  maxLength?: number;
  readOnly?: boolean;
}

export interface PageEntity {
  logicalName: string;
  setName: string;
  primaryKey: string;
  primaryName: string;
  columns: PageColumn[];
  /** Lookup name → its navigation properties (name → target logical name). */
  lookups: { name: string; navigation: Record<string, string> }[];
}

export interface PageUser {
  id: string;
  fullname: string;
  email: string | null;
  /** usersettings.uilanguageid: 1033 English, 2052 Chinese (Simplified). */
  lcid: number;
}

export interface PageConfig {
  org: {
    clientUrl: string;
    orgId: string;
    orgUniqueName: string;
    orgLcid: number;
    crmVersion: string;
    cifVersion: string;
    appId: string;
    appName: string;
  };
  /** The channel provider record the user's roles select; null: no panel, as in Dynamics. */
  provider: {
    label: string;
    landingUrl: string;
    /** Why Dynamics would not load the landing URL, or null. */
    landingUrlProblem: string | null;
    trustedOrigins: string[];
    clickToAct: boolean;
    customParams: string | null;
    /** The iframe's sandbox attribute (Dynamics' tokens and the record's Sandbox Configuration). */
    frameSandbox: string;
  } | null;
  users: PageUser[];
  currentUserId: string;
  entities: Record<string, PageEntity>;
}

/** The page's description of an entity the sandbox serves; the pages only ever name those. */
export function pageEntity(config: PageConfig, entity: string): PageEntity {
  const found = config.entities[entity];
  if (found === undefined) throw new Error(`the sandbox page knows no entity ${entity}`);
  return found;
}
