/**
 * Display names of the sandbox's tables and columns (the labels a Dynamics 365 organization
 * shows in English), their object type codes, and which columns are phone fields. Shared by
 * the pages and by getEntityMetadata.
 */

export interface EntityLabel {
  displayName: string;
  displayCollectionName: string;
  objectTypeCode: number;
  isActivity: boolean;
  /** Columns shown with a phone icon that raise click-to-act (docs/dataverse.md §3). */
  phoneFields: readonly string[];
  columns: Readonly<Record<string, string>>;
}

const SYSTEM_COLUMNS = { createdon: 'Created On', modifiedon: 'Modified On' };
const address = (n: 1 | 2) => ({
  [`address${n}_telephone1`]: `Address ${n}: Phone`,
  [`address${n}_telephone2`]: `Address ${n}: Telephone 2`,
  [`address${n}_telephone3`]: `Address ${n}: Telephone 3`,
});

/** A contact's six address phone columns: phone fields, and the end of its form's Address section. */
export const ADDRESS_PHONE_FIELDS = ([1, 2] as const).flatMap((n) => Object.keys(address(n)));

export const ENTITY_LABELS: Readonly<Record<string, EntityLabel>> = {
  contact: {
    displayName: 'Contact',
    displayCollectionName: 'Contacts',
    objectTypeCode: 2,
    isActivity: false,
    phoneFields: ['telephone1', 'mobilephone', 'telephone2', 'telephone3', 'assistantphone', ...ADDRESS_PHONE_FIELDS],
    columns: {
      contactid: 'Contact',
      firstname: 'First Name',
      lastname: 'Last Name',
      fullname: 'Full Name',
      jobtitle: 'Job Title',
      emailaddress1: 'Email',
      telephone1: 'Business Phone',
      telephone2: 'Home Phone',
      telephone3: 'Telephone 3',
      mobilephone: 'Mobile Phone',
      assistantphone: 'Assistant Phone',
      ...address(1),
      ...address(2),
      address1_city: 'Address 1: City',
      address1_country: 'Address 1: Country/Region',
      parentcustomerid: 'Company Name',
      ...SYSTEM_COLUMNS,
    },
  },
  account: {
    displayName: 'Account',
    displayCollectionName: 'Accounts',
    objectTypeCode: 1,
    isActivity: false,
    phoneFields: ['telephone1', 'telephone2', 'telephone3'],
    columns: {
      accountid: 'Account',
      name: 'Account Name',
      accountnumber: 'Account Number',
      emailaddress1: 'Email',
      telephone1: 'Main Phone',
      telephone2: 'Other Phone',
      telephone3: 'Telephone 3',
      address1_city: 'Address 1: City',
      address1_country: 'Address 1: Country/Region',
      ...SYSTEM_COLUMNS,
    },
  },
  lead: {
    displayName: 'Lead',
    displayCollectionName: 'Leads',
    objectTypeCode: 4,
    isActivity: false,
    phoneFields: ['telephone1', 'mobilephone', 'telephone2', 'telephone3'],
    columns: {
      leadid: 'Lead',
      subject: 'Topic',
      firstname: 'First Name',
      lastname: 'Last Name',
      fullname: 'Name',
      companyname: 'Company Name',
      emailaddress1: 'Email',
      address1_country: 'Address 1: Country/Region',
      telephone1: 'Business Phone',
      telephone2: 'Home Phone',
      telephone3: 'Other Phone',
      mobilephone: 'Mobile Phone',
      ...SYSTEM_COLUMNS,
    },
  },
  phonecall: {
    displayName: 'Phone Call',
    displayCollectionName: 'Phone Calls',
    objectTypeCode: 4210,
    isActivity: true,
    phoneFields: ['phonenumber'],
    columns: {
      activityid: 'Phone Call',
      subject: 'Subject',
      description: 'Description',
      phonenumber: 'Phone Number',
      directioncode: 'Direction',
      actualstart: 'Actual Start',
      actualend: 'Actual End',
      actualdurationminutes: 'Duration',
      scheduledstart: 'Start Date',
      scheduledend: 'Due',
      statecode: 'Activity Status',
      statuscode: 'Status Reason',
      activitytypecode: 'Activity Type',
      regardingobjectid: 'Regarding',
      ...SYSTEM_COLUMNS,
    },
  },
  systemuser: {
    displayName: 'User',
    displayCollectionName: 'Users',
    objectTypeCode: 8,
    isActivity: false,
    phoneFields: [],
    columns: {
      systemuserid: 'User',
      firstname: 'First Name',
      lastname: 'Last Name',
      fullname: 'Full Name',
      domainname: 'User Name',
      internalemailaddress: 'Primary Email',
      isdisabled: 'Status',
      ...SYSTEM_COLUMNS,
    },
  },
  activityparty: { displayName: 'Activity Party', displayCollectionName: 'Activity Parties', objectTypeCode: 135, isActivity: false, phoneFields: [], columns: {} },
  usersettings: { displayName: 'User Settings', displayCollectionName: 'User Settings', objectTypeCode: 150, isActivity: false, phoneFields: [], columns: {} },
};

/** A column's display name, or its logical name when the sandbox has none. */
export function columnLabel(entity: string, column: string): string {
  return ENTITY_LABELS[entity]?.columns[column] ?? column;
}

/** The labels of an entity the sandbox shows; the pages only ever name those. */
export function entityLabel(entity: string): EntityLabel {
  const label = ENTITY_LABELS[entity];
  if (label === undefined) throw new Error(`the sandbox has no labels for the entity ${entity}`);
  return label;
}
