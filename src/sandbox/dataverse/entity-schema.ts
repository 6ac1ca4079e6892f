/**
 * The tables the sandbox Dataverse knows, described the way the Web API exposes them: entity set
 * name, primary key, structural properties with their Edm types, and lookups with the typed
 * navigation properties that `@odata.bind` uses. Names and types follow Microsoft's entity
 * reference (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/contact,
 * …/account, …/lead, …/phonecall, …/activityparty, …/systemuser, …/usersettings, …/role) and
 * docs/dataverse.md §3 for the phone fields the pane searches; the channel provider table follows
 * https://learn.microsoft.com/dynamics365/developer/reference/entities/msdyn_ciprovider.
 */

export type ColumnType = 'string' | 'int' | 'bool' | 'datetime' | 'guid';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Strings only: Dataverse's MaxLength. */
  maxLength?: number;
  /** Set by the platform (primary name computations, timestamps); a client may not write it. */
  readOnly?: boolean;
  /** Integers only: the column's MinValue and MaxValue. */
  range?: { min: number; max: number };
  /** Choice (picklist) columns, stored as integers: the values the choice has. */
  choices?: readonly number[];
}

/**
 * A lookup column. The Web API shows its value as the read-only `_<name>_value` property and sets
 * it through one navigation property per target table (`<name>_<target>` for customer and
 * regarding lookups, per https://learn.microsoft.com/power-apps/developer/data-platform/webapi/multitable-lookup).
 */
export interface LookupDef {
  name: string;
  /** Navigation property name → target logical name, as the Web API ($metadata) declares them. */
  navigation: Readonly<Record<string, string>>;
  /**
   * Extra navigation names the Xrm/CIF client layer accepts for the same lookup (docs/dataverse.md §8:
   * through CIF/Xrm the shorter `regardingobjectid_contact@odata.bind` form is used).
   * Never accepted over HTTP.
   */
  xrmNavigation?: Readonly<Record<string, string>>;
}

export interface StateDef {
  /** statecode → its label (for messages, e.g. "PhoneCallState.Open") and its valid statuscodes. */
  states: Readonly<Record<number, { label: string; statuses: readonly number[] }>>;
  /** Activities: a record out of the open state takes no write but reopening (docs/dataverse.md §7). */
  closedReadOnly?: boolean;
}

/**
 * A collection-valued navigation property: the rows of `target` whose lookup `lookup` names this
 * row (one-to-many), or the rows linked to it through an intersect table (many-to-many: `from`
 * holds this row's key, `to` the target's).
 */
export type CollectionDef =
  | { target: string; lookup: string; intersect?: undefined }
  | { target: string; lookup?: undefined; intersect: { entity: string; from: string; to: string } };

export interface EntityDef {
  logicalName: string;
  setName: string;
  primaryKey: string;
  primaryName: string;
  columns: readonly ColumnDef[];
  lookups: readonly LookupDef[];
  state?: StateDef;
  /** Read-only over the Web API (created only as a side effect, or reference data). */
  readOnlySet?: boolean;
  /** `fullname` computed from `firstname` and `lastname`, as Dataverse does for people. */
  personName?: boolean;
  /** Collection-valued navigation properties by name. */
  collections?: Readonly<Record<string, CollectionDef>>;
  /**
   * Change tracking is on (EntityMetadata.ChangeTrackingEnabled): `Prefer: odata.track-changes`
   * answers with a delta link and deletions leave tombstones (change-tracking.ts).
   */
  changeTracking?: boolean;
}

const text = (name: string, maxLength: number): ColumnDef => ({ name, type: 'string', maxLength });
const phone = (name: string): ColumnDef => text(name, 50);
const SYSTEM_COLUMNS: readonly ColumnDef[] = [
  { name: 'createdon', type: 'datetime', readOnly: true },
  { name: 'modifiedon', type: 'datetime', readOnly: true },
];

export const CONTACT: EntityDef = {
  logicalName: 'contact',
  setName: 'contacts',
  changeTracking: true,
  primaryKey: 'contactid',
  primaryName: 'fullname',
  personName: true,
  columns: [
    { name: 'contactid', type: 'guid' },
    text('firstname', 50),
    text('lastname', 50),
    { name: 'fullname', type: 'string', maxLength: 160, readOnly: true },
    text('jobtitle', 100),
    text('emailaddress1', 100),
    phone('telephone1'),
    phone('telephone2'),
    phone('telephone3'),
    phone('mobilephone'),
    phone('assistantphone'),
    phone('address1_telephone1'),
    phone('address1_telephone2'),
    phone('address1_telephone3'),
    phone('address2_telephone1'),
    phone('address2_telephone2'),
    phone('address2_telephone3'),
    text('address1_city', 80),
    text('address1_country', 80),
    ...SYSTEM_COLUMNS,
  ],
  lookups: [{ name: 'parentcustomerid', navigation: { parentcustomerid_account: 'account', parentcustomerid_contact: 'contact' } }],
};

export const ACCOUNT: EntityDef = {
  logicalName: 'account',
  setName: 'accounts',
  changeTracking: true,
  primaryKey: 'accountid',
  primaryName: 'name',
  columns: [
    { name: 'accountid', type: 'guid' },
    text('name', 160),
    text('accountnumber', 20),
    text('emailaddress1', 100),
    phone('telephone1'),
    phone('telephone2'),
    phone('telephone3'),
    text('address1_city', 80),
    text('address1_country', 80),
    ...SYSTEM_COLUMNS,
  ],
  lookups: [],
};

export const LEAD: EntityDef = {
  logicalName: 'lead',
  setName: 'leads',
  changeTracking: true,
  primaryKey: 'leadid',
  primaryName: 'fullname',
  personName: true,
  columns: [
    { name: 'leadid', type: 'guid' },
    text('subject', 300),
    text('firstname', 50),
    text('lastname', 50),
    { name: 'fullname', type: 'string', maxLength: 160, readOnly: true },
    text('companyname', 100),
    text('emailaddress1', 100),
    text('address1_country', 80),
    phone('telephone1'),
    phone('telephone2'),
    phone('telephone3'),
    phone('mobilephone'),
    ...SYSTEM_COLUMNS,
  ],
  lookups: [],
};

/**
 * Phone Call states per docs/dataverse.md §7: open 0/1, completed 1 with 2 Made or 4 Received,
 * canceled 2/3.
 */
export const PHONECALL_STATES: StateDef = {
  closedReadOnly: true,
  states: {
    0: { label: 'PhoneCallState.Open', statuses: [1] },
    1: { label: 'PhoneCallState.Completed', statuses: [2, 4] },
    2: { label: 'PhoneCallState.Canceled', statuses: [3] },
  },
};

export const PHONECALL: EntityDef = {
  logicalName: 'phonecall',
  setName: 'phonecalls',
  primaryKey: 'activityid',
  primaryName: 'subject',
  state: PHONECALL_STATES,
  collections: { phonecall_activity_parties: { target: 'activityparty', lookup: 'activityid' } },
  columns: [
    { name: 'activityid', type: 'guid' },
    text('subject', 200),
    text('description', 2000),
    phone('phonenumber'),
    { name: 'directioncode', type: 'bool' },
    { name: 'actualstart', type: 'datetime' },
    { name: 'actualend', type: 'datetime' },
    { name: 'actualdurationminutes', type: 'int' },
    { name: 'scheduledstart', type: 'datetime' },
    { name: 'scheduledend', type: 'datetime' },
    { name: 'statecode', type: 'int' },
    { name: 'statuscode', type: 'int' },
    { name: 'activitytypecode', type: 'string', maxLength: 64, readOnly: true },
    ...SYSTEM_COLUMNS,
  ],
  lookups: [
    {
      name: 'regardingobjectid',
      navigation: {
        regardingobjectid_contact_phonecall: 'contact',
        regardingobjectid_account_phonecall: 'account',
        regardingobjectid_lead_phonecall: 'lead',
      },
      xrmNavigation: {
        regardingobjectid_contact: 'contact',
        regardingobjectid_account: 'account',
        regardingobjectid_lead: 'lead',
      },
    },
    // The owner is a user or a team; the sandbox has no teams. Unset on create, it is the caller.
    { name: 'ownerid', navigation: { ownerid: 'systemuser' } },
  ],
};

/** Rows of an activity's `<activity>_activity_parties` collection; written only through the activity. */
export const ACTIVITYPARTY: EntityDef = {
  logicalName: 'activityparty',
  setName: 'activityparties',
  primaryKey: 'activitypartyid',
  primaryName: 'activitypartyid',
  readOnlySet: true,
  columns: [{ name: 'activitypartyid', type: 'guid' }, { name: 'participationtypemask', type: 'int' }, text('addressused', 320)],
  lookups: [
    { name: 'activityid', navigation: { activityid_phonecall: 'phonecall' } },
    {
      name: 'partyid',
      navigation: { partyid_contact: 'contact', partyid_account: 'account', partyid_lead: 'lead', partyid_systemuser: 'systemuser' },
    },
  ],
};

export const SYSTEMUSER: EntityDef = {
  logicalName: 'systemuser',
  setName: 'systemusers',
  primaryKey: 'systemuserid',
  primaryName: 'fullname',
  readOnlySet: true,
  personName: true,
  columns: [
    { name: 'systemuserid', type: 'guid' },
    text('firstname', 64),
    text('lastname', 64),
    { name: 'fullname', type: 'string', maxLength: 200, readOnly: true },
    text('domainname', 1024),
    text('internalemailaddress', 100),
    { name: 'isdisabled', type: 'bool' },
    // Application users (server-to-server callers) carry their app registration's client id and
    // access mode 4, Non-interactive: 0 Read-Write, 1 Administrative, 2 Read, 3 Support User,
    // 4 Non-interactive, 5 Delegated Admin.
    { name: 'applicationid', type: 'guid' },
    { name: 'accessmode', type: 'int', choices: [0, 1, 2, 3, 4, 5] },
    { name: 'azureactivedirectoryobjectid', type: 'guid' },
    ...SYSTEM_COLUMNS,
  ],
  lookups: [],
  collections: { systemuserroles_association: { target: 'role', intersect: { entity: 'systemuserroles', from: 'systemuserid', to: 'roleid' } } },
};

/** Security roles (the sandbox has one business unit, so each role exists once). */
export const ROLE: EntityDef = {
  logicalName: 'role',
  setName: 'roles',
  primaryKey: 'roleid',
  primaryName: 'name',
  readOnlySet: true,
  columns: [{ name: 'roleid', type: 'guid' }, text('name', 100), ...SYSTEM_COLUMNS],
  lookups: [],
  collections: { systemuserroles_association: { target: 'systemuser', intersect: { entity: 'systemuserroles', from: 'roleid', to: 'systemuserid' } } },
};

/** The intersect table of the many-to-many relationship systemuserroles_association. */
export const SYSTEMUSERROLES: EntityDef = {
  logicalName: 'systemuserroles',
  setName: 'systemuserrolescollection',
  primaryKey: 'systemuserroleid',
  primaryName: 'systemuserroleid',
  readOnlySet: true,
  columns: [
    { name: 'systemuserroleid', type: 'guid' },
    { name: 'systemuserid', type: 'guid' },
    { name: 'roleid', type: 'guid' },
  ],
  lookups: [],
};

/**
 * The CIF 1.0 channel provider record (docs/cif-contract.md §8). Lengths, ranges and choices as
 * Microsoft's table reference gives them; the icon lookup (to webresource) is left out.
 */
export const MSDYN_CIPROVIDER: EntityDef = {
  logicalName: 'msdyn_ciprovider',
  setName: 'msdyn_ciproviders',
  primaryKey: 'msdyn_ciproviderid',
  primaryName: 'msdyn_name',
  state: {
    states: {
      0: { label: 'msdyn_ciproviderState.Active', statuses: [1] },
      1: { label: 'msdyn_ciproviderState.Inactive', statuses: [2] },
    },
  },
  columns: [
    { name: 'msdyn_ciproviderid', type: 'guid' },
    text('msdyn_name', 100),
    text('msdyn_label', 100),
    text('msdyn_landingurl', 1024),
    { name: 'msdyn_clicktoact', type: 'bool' },
    { name: 'msdyn_sortorder', type: 'int', range: { min: 0, max: 1000 } },
    // 0 is CIF 1.0, 1 is CIF 2.0.
    { name: 'msdyn_ciproviderapiversion', type: 'int', choices: [0, 1] },
    text('msdyn_trusteddomain', 2000),
    text('msdyn_appselector', 4000),
    text('msdyn_roleselector', 4000),
    text('msdyn_customparams', 2000),
    text('msdyn_sandboxconfiguration', 2000),
    { name: 'msdyn_enableanalytics', type: 'bool' },
    text('msdyn_cifsolversion', 2000),
    { name: 'statecode', type: 'int' },
    { name: 'statuscode', type: 'int' },
    ...SYSTEM_COLUMNS,
  ],
  lookups: [],
};

/** A user's language lives in usersettings (uilanguageid: 1033 en-US, 2052 zh-CN), not on systemuser. */
export const USERSETTINGS: EntityDef = {
  logicalName: 'usersettings',
  setName: 'usersettingscollection',
  primaryKey: 'systemuserid',
  primaryName: 'systemuserid',
  readOnlySet: true,
  columns: [
    { name: 'systemuserid', type: 'guid' },
    { name: 'uilanguageid', type: 'int' },
    { name: 'localeid', type: 'int' },
    { name: 'helplanguageid', type: 'int' },
  ],
  lookups: [],
};

export const ENTITIES: readonly EntityDef[] = [CONTACT, ACCOUNT, LEAD, PHONECALL, ACTIVITYPARTY, SYSTEMUSER, USERSETTINGS, ROLE, SYSTEMUSERROLES, MSDYN_CIPROVIDER];

const BY_SET = new Map(ENTITIES.map((entity) => [entity.setName, entity]));
const BY_LOGICAL = new Map(ENTITIES.map((entity) => [entity.logicalName, entity]));

/** Entity set names are case-sensitive in Dataverse ("Account" is not "accounts"). */
export function entityBySet(setName: string): EntityDef | undefined {
  return BY_SET.get(setName);
}

export function entityByLogicalName(logicalName: string): EntityDef | undefined {
  return BY_LOGICAL.get(logicalName);
}

export function lookupValueProperty(lookup: LookupDef): string {
  return `_${lookup.name}_value`;
}

/** The properties a query may name: columns plus each lookup's `_<name>_value`. */
export function queryableProperty(entity: EntityDef, name: string): { column?: ColumnDef; lookup?: LookupDef } | undefined {
  const column = entity.columns.find((c) => c.name === name);
  if (column) return { column };
  const lookup = entity.lookups.find((l) => lookupValueProperty(l) === name);
  return lookup ? { lookup } : undefined;
}

/** Every property a record shows when no $select is given, in a stable order. */
export function allProperties(entity: EntityDef): string[] {
  return [...entity.columns.map((c) => c.name), ...entity.lookups.map(lookupValueProperty)];
}
