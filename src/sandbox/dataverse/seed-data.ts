/**
 * The sandbox's deterministic seed, as Web API bodies: system users with their languages, 50
 * accounts, 200 contacts and 50 leads across US, GB, DE, FR, CN, IN, BR and JP, and a history of
 * phone calls. Names are in Latin, Chinese and Japanese script; phone numbers are stored the ways
 * people type them (docs/dataverse.md §3: free text; see seed-phones.ts); some numbers are shared by two
 * records and some records have only a mobile (see seed-generator.ts).
 *
 * The named records below (SEED) are written by hand because tests and the sandbox UI rely on
 * their exact values; everything else comes from SeedGenerator with a fixed PRNG seed, so every
 * load — and `callpane sandbox reset` — gives the same rows with the same ids.
 */
import { SeedGenerator } from './seed-generator.ts';
import { accountId, contactId, phonecallId, SEED } from './seed-ids.ts';
import { COMPANIES } from './seed-names.ts';
import { NumberRegistry } from './seed-phones.ts';
import { SeedRandom } from './seed-random.ts';
import { SALESPERSON, SYSTEM_ADMINISTRATOR } from './security-roles.ts';

export { accountId, contactId, leadId, phonecallId, SEED, userId } from './seed-ids.ts';

export interface SeedRecord {
  /** Body as a Web API client would send it (xrm dialect not needed: only typed binds). */
  [property: string]: string | number | boolean | null | SeedRecord[];
}

export interface SeedData {
  systemusers: SeedRecord[];
  usersettingscollection: SeedRecord[];
  roles: SeedRecord[];
  /** Which user holds which role (the intersect rows of systemuserroles_association). */
  systemuserrolescollection: SeedRecord[];
  accounts: SeedRecord[];
  contacts: SeedRecord[];
  leads: SeedRecord[];
  /** Created open, then completed with the given state (as a client must). */
  phonecalls: { create: SeedRecord; complete?: { statecode: number; statuscode: number } }[];
}

/** Changing it changes every generated record (tests check their shape and the named records, not generated values). */
const PRNG_SEED = 0x5eed_0365;

const users: SeedRecord[] = [
  {
    systemuserid: SEED.agentEnglish,
    firstname: 'Alex',
    lastname: 'Agent',
    domainname: 'alex.agent@sandbox.example',
    internalemailaddress: 'alex.agent@sandbox.example',
    isdisabled: false,
    accessmode: 0,
  },
  {
    systemuserid: SEED.agentChinese,
    firstname: null,
    lastname: '李娜',
    domainname: 'li.na@sandbox.example',
    internalemailaddress: 'li.na@sandbox.example',
    isdisabled: false,
    accessmode: 0,
  },
  {
    systemuserid: SEED.supervisor,
    firstname: 'Sam',
    lastname: 'Supervisor',
    domainname: 'sam.supervisor@sandbox.example',
    internalemailaddress: 'sam.supervisor@sandbox.example',
    isdisabled: false,
    accessmode: 0,
  },
];

const settings: SeedRecord[] = [
  { systemuserid: SEED.agentEnglish, uilanguageid: 1033, localeid: 1033, helplanguageid: 1033 },
  { systemuserid: SEED.agentChinese, uilanguageid: 2052, localeid: 2052, helplanguageid: 2052 },
  { systemuserid: SEED.supervisor, uilanguageid: 1033, localeid: 2057, helplanguageid: 1033 },
];

/** The agents are salespeople; the supervisor administers the organization. */
const roles: SeedRecord[] = [SYSTEM_ADMINISTRATOR, SALESPERSON].map((role) => ({ roleid: role.id, name: role.name }));
const holders: readonly (readonly [string, string])[] = [
  [SEED.agentEnglish, SALESPERSON.id],
  [SEED.agentChinese, SALESPERSON.id],
  [SEED.supervisor, SYSTEM_ADMINISTRATOR.id],
];
const userRoles: SeedRecord[] = holders.map(([systemuserid, roleid], n) => ({
  systemuserroleid: `5e1e0000-0000-4000-8000-${String(n + 1).padStart(12, '0')}`,
  systemuserid,
  roleid,
}));

/** Numbers the named records use, so no generated record gets them by chance. */
const FIXED_NUMBERS = ['+14155550100', '+16195550129', '+14155550101', '+14155550199', '+16465550142', '+861065529988', '+8613800138000', '+447700900123', '+442079460958'];

/** The named contacts (1–4) and two more hand-written ones (5, 6) with awkward numbers. */
function fixedContacts(): SeedRecord[] {
  return [
    {
      contactid: SEED.contactAlexBaker,
      firstname: 'Alex',
      lastname: 'Baker',
      jobtitle: 'Purchasing Manager',
      telephone1: '+1 (415) 555-0100',
      mobilephone: '619-555-0129',
      emailaddress1: 'alex.baker@contoso.example',
      address1_city: 'San Francisco',
      address1_country: 'United States',
      'parentcustomerid_account@odata.bind': `/accounts(${SEED.contosoAccount})`,
    },
    {
      contactid: SEED.contactJordanLee,
      firstname: 'Jordan',
      lastname: 'Lee',
      jobtitle: 'Office Manager',
      telephone1: '415.555.0101',
      mobilephone: '(415) 555-0100',
      emailaddress1: 'jordan.lee@contoso.example',
      address1_city: 'San Francisco',
      address1_country: 'United States',
      'parentcustomerid_account@odata.bind': `/accounts(${SEED.contosoAccount})`,
    },
    {
      contactid: SEED.contactWangWei,
      firstname: null,
      lastname: '王伟',
      jobtitle: '采购经理',
      telephone1: '+86 10 6552 9988',
      mobilephone: '+86 138 0013 8000',
      emailaddress1: 'wei.wang@yunhai.example',
      address1_city: '北京',
      address1_country: 'China',
      'parentcustomerid_account@odata.bind': `/accounts(${accountIdOf('北京云海科技有限公司')})`,
    },
    { contactid: SEED.contactMobileOnly, firstname: 'Sofia', lastname: 'Rossi', mobilephone: '+44 7700 900123', address1_city: 'London', address1_country: 'United Kingdom' },
    {
      contactid: contactId(5),
      firstname: 'Emma',
      lastname: 'Hughes',
      telephone1: '+44 20 7946 0958',
      telephone2: '020 7946 0958 ext. 12',
      address1_city: 'London',
      address1_country: 'United Kingdom',
    },
    {
      contactid: contactId(6),
      firstname: 'Max',
      lastname: 'Mustermann',
      telephone1: '0049 30 1234-5',
      assistantphone: '+49 30 1234 0',
      address1_city: 'Berlin',
      address1_country: 'Germany',
    },
  ];
}

function fixedLeads(): SeedRecord[] {
  return [
    {
      leadid: SEED.leadFirst,
      subject: 'Interested in 50 seats',
      firstname: 'Robin',
      lastname: 'Carter',
      companyname: 'Blue Yonder Airlines',
      telephone1: '+1 646 555 0142',
      emailaddress1: 'robin@blueyonder.example',
    },
  ];
}

/** The named calls: one inbound and one outbound completed, one callback still open. */
function fixedPhonecalls(): SeedData['phonecalls'] {
  return [
    {
      create: {
        activityid: phonecallId(1),
        subject: 'Inbound call Alex Baker',
        phonenumber: '+1 (415) 555-0100',
        directioncode: false,
        actualstart: '2024-03-04T15:02:11Z',
        actualend: '2024-03-04T15:09:40Z',
        actualdurationminutes: 7,
        description: 'Asked about the renewal quote.',
        'ownerid@odata.bind': `/systemusers(${SEED.agentEnglish})`,
        'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${SEED.contactAlexBaker})`,
        phonecall_activity_parties: [
          { 'partyid_contact@odata.bind': `/contacts(${SEED.contactAlexBaker})`, participationtypemask: 1 },
          { 'partyid_systemuser@odata.bind': `/systemusers(${SEED.agentEnglish})`, participationtypemask: 2 },
        ],
      },
      complete: { statecode: 1, statuscode: 4 },
    },
    {
      create: {
        activityid: phonecallId(2),
        subject: '外呼 王伟',
        phonenumber: '+86 138 0013 8000',
        directioncode: true,
        actualstart: '2024-03-05T02:30:00Z',
        actualend: '2024-03-05T02:34:00Z',
        actualdurationminutes: 4,
        'ownerid@odata.bind': `/systemusers(${SEED.agentChinese})`,
        'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${SEED.contactWangWei})`,
        phonecall_activity_parties: [
          { 'partyid_systemuser@odata.bind': `/systemusers(${SEED.agentChinese})`, participationtypemask: 1 },
          { 'partyid_contact@odata.bind': `/contacts(${SEED.contactWangWei})`, participationtypemask: 2 },
        ],
      },
      complete: { statecode: 1, statuscode: 2 },
    },
    {
      create: {
        activityid: phonecallId(3),
        subject: 'Call back Contoso about invoice',
        phonenumber: '+1 (415) 555-0199',
        directioncode: true,
        scheduledend: '2030-01-10T17:00:00Z',
        'ownerid@odata.bind': `/systemusers(${SEED.agentEnglish})`,
        'regardingobjectid_account_phonecall@odata.bind': `/accounts(${SEED.contosoAccount})`,
      },
    },
  ];
}

export function seedData(): SeedData {
  const numbers = new NumberRegistry();
  for (const number of FIXED_NUMBERS) numbers.claim(number);
  const generator = new SeedGenerator(new SeedRandom(PRNG_SEED), numbers);
  const accounts = generator.accounts({ number: { country: 'US', area: '415', line: '5550199' }, text: '+1 (415) 555-0199' });
  const namedContacts = fixedContacts();
  const contacts = generator.contacts(accounts, namedContacts.length + 1);
  const namedLeads = fixedLeads();
  const leads = generator.leads(accounts, contacts, namedLeads.length + 1);
  const named = fixedPhonecalls();
  return {
    systemusers: users,
    usersettingscollection: settings,
    roles,
    systemuserrolescollection: userRoles,
    accounts: accounts.map((a) => a.record),
    contacts: [...namedContacts, ...contacts.map((c) => c.record)],
    leads: [...namedLeads, ...leads.map((l) => l.record)],
    phonecalls: [...named, ...generator.phonecalls(accounts, [...contacts, ...leads], named.length + 1)],
  };
}

function accountIdOf(name: string): string {
  const index = COMPANIES.findIndex((company) => company.name === name);
  if (index < 0) throw new Error(`seed: no account named ${name}`);
  return accountId(index + 1);
}
