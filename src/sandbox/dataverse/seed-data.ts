/**
 * The sandbox's deterministic seed: system users with their languages, accounts, contacts and
 * leads across US, GB, DE, FR, CN, IN, BR and JP whose phone numbers are stored the ways people
 * type them (dynamics.md §4: free text — spaces, dashes, dots, parentheses, trunk prefixes,
 * 00/011 international prefixes, extensions), names in Latin and Chinese script, a number shared
 * by two records, records with only a mobile, and a few past phone calls. Every id is fixed, so
 * tests and demos can name records. US numbers use 555-01xx and GB numbers Ofcom's drama ranges.
 * Chinese names are typed whole into lastname (the field a contact form requires), so fullname
 * reads "王伟" rather than "伟 王".
 */

export interface SeedRecord {
  /** Body as a Web API client would send it (xrm dialect not needed: only typed binds). */
  [property: string]: string | number | boolean | null | SeedRecord[];
}

export interface SeedData {
  systemusers: SeedRecord[];
  usersettingscollection: SeedRecord[];
  accounts: SeedRecord[];
  contacts: SeedRecord[];
  leads: SeedRecord[];
  /** Created open, then completed with the given state (as a client must). */
  phonecalls: { create: SeedRecord; complete?: { statecode: number; statuscode: number } }[];
}

const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const userId = (n: number) => id('5e5e0000', n);
export const accountId = (n: number) => id('acc00000', n);
export const contactId = (n: number) => id('c0c00000', n);
export const leadId = (n: number) => id('1ead0000', n);
export const phonecallId = (n: number) => id('ca110000', n);

/** Named seed records the tests and the sandbox UI refer to. */
export const SEED = {
  agentEnglish: userId(1),
  agentChinese: userId(2),
  supervisor: userId(3),
  contosoAccount: accountId(1),
  /** "+1 (415) 555-0100" on telephone1. */
  contactAlexBaker: contactId(1),
  /** Shares "+1 (415) 555-0100" with Alex Baker, on mobilephone. */
  contactJordanLee: contactId(2),
  /** Chinese name, Beijing numbers. */
  contactWangWei: contactId(3),
  /** Only a mobile number. */
  contactMobileOnly: contactId(4),
  leadFirst: leadId(1),
} as const;

const users: SeedRecord[] = [
  { systemuserid: SEED.agentEnglish, firstname: 'Alex', lastname: 'Agent', domainname: 'alex.agent@sandbox.example', internalemailaddress: 'alex.agent@sandbox.example', isdisabled: false },
  { systemuserid: SEED.agentChinese, firstname: null, lastname: '李娜', domainname: 'li.na@sandbox.example', internalemailaddress: 'li.na@sandbox.example', isdisabled: false },
  { systemuserid: SEED.supervisor, firstname: 'Sam', lastname: 'Supervisor', domainname: 'sam.supervisor@sandbox.example', internalemailaddress: 'sam.supervisor@sandbox.example', isdisabled: false },
];

const settings: SeedRecord[] = [
  { systemuserid: SEED.agentEnglish, uilanguageid: 1033, localeid: 1033, helplanguageid: 1033 },
  { systemuserid: SEED.agentChinese, uilanguageid: 2052, localeid: 2052, helplanguageid: 2052 },
  { systemuserid: SEED.supervisor, uilanguageid: 1033, localeid: 2057, helplanguageid: 1033 },
];

type Country = 'US' | 'GB' | 'DE' | 'FR' | 'CN' | 'IN' | 'BR' | 'JP';

/** Each country's numbers in several hand-typed styles; `n` varies the subscriber part. */
const PHONE_STYLES: Record<Country, ((n: number) => string)[]> = {
  US: [
    (n) => `+1 (415) 555-01${pad(n)}`,
    (n) => `415.555.01${pad(n)}`,
    (n) => `(212) 555-01${pad(n)}`,
    (n) => `415-555-01${pad(n)} x1${pad(n)}`,
    (n) => `1-646-555-01${pad(n)}`,
    (n) => `+1 415 555 01${pad(n)} ext. 12`,
  ],
  GB: [(n) => `+44 20 7946 09${pad(n)}`, (n) => `020 7946 09${pad(n)}`, (n) => `0044 161 496 00${pad(n)}`, (n) => `07700 900${pad(n, 3)}`],
  DE: [(n) => `+49 30 1234 56${pad(n)}`, (n) => `030 123456-${pad(n)}`, (n) => `0049 30 1234-5${pad(n)}`, (n) => `+49 (0)89 2019 3${pad(n, 3)}`],
  FR: [(n) => `+33 1 23 45 67 ${pad(n)}`, (n) => `01 23 45 68 ${pad(n)}`, (n) => `+33 (0)6 12 34 56 ${pad(n)}`],
  CN: [(n) => `+86 138 0013 80${pad(n)}`, (n) => `138-0013-81${pad(n)}`, (n) => `010-6552 99${pad(n)}`, (n) => `+86 10 6552 98${pad(n)}`],
  IN: [(n) => `+91 98765 432${pad(n)}`, (n) => `098765 431${pad(n)}`, (n) => `+91-22-2345-67${pad(n)}`],
  BR: [(n) => `+55 11 91234-56${pad(n)}`, (n) => `(11) 91234-57${pad(n)}`, (n) => `011 55 21 2345-67${pad(n)}`],
  JP: [(n) => `+81 3-1234-56${pad(n)}`, (n) => `03-1234-57${pad(n)}`, (n) => `090-1234-58${pad(n)}`],
};

const PEOPLE: Record<Country, [string, string][]> = {
  US: [['Morgan', 'Reyes'], ['Taylor', 'Nguyen'], ['Casey', "O'Brien"], ['Riley', 'Johnson'], ['Jamie', 'Smith'], ['Avery', 'Brown']],
  GB: [['Oliver', 'Hughes'], ['Amelia', 'Clarke'], ['Harry', 'Patel'], ['Isla', 'Wright']],
  DE: [['Lukas', 'Müller'], ['Anna', 'Schmidt'], ['Jürgen', 'Weiß'], ['Lena', 'Fischer']],
  FR: [['Camille', 'Dubois'], ['Hugo', 'Lefèvre'], ['Léa', 'Moreau']],
  CN: [['', '张敏'], ['', '刘洋'], ['', '陈静'], ['Xiaoming', 'Zhou']],
  IN: [['Priya', 'Sharma'], ['Arjun', 'Iyer'], ['Ananya', 'Reddy']],
  BR: [['João', 'Silva'], ['Ana', 'Souza'], ['Pedro', 'Oliveira']],
  JP: [['Haruto', 'Sato'], ['Yui', 'Suzuki'], ['Ren', 'Takahashi']],
};

const COMPANIES: [string, Country, string][] = [
  ['Contoso Ltd', 'US', 'San Francisco'],
  ['Fabrikam Inc', 'US', 'New York'],
  ['Northwind Traders', 'GB', 'London'],
  ['Adventure Works', 'GB', 'Manchester'],
  ['Tailspin Toys GmbH', 'DE', 'Berlin'],
  ['Wingtip Toys SARL', 'FR', 'Paris'],
  ['北京云海科技有限公司', 'CN', '北京'],
  ['Litware India Pvt Ltd', 'IN', 'Mumbai'],
  ['Coho Vineyard Ltda', 'BR', 'São Paulo'],
  ['Proseware KK', 'JP', 'Tokyo'],
  ['Woodgrove Bank', 'US', 'Seattle'],
  ['Alpine Ski House', 'DE', 'München'],
];

const COUNTRIES = Object.keys(PEOPLE) as Country[];

function pad(n: number, width = 2): string {
  return String(n % 10 ** width).padStart(width, '0');
}

function phoneFor(country: Country, n: number, style: number): string {
  const styles = PHONE_STYLES[country];
  return styles[style % styles.length](n);
}

function accounts(): SeedRecord[] {
  return COMPANIES.map(([name, country, city], i) => ({
    accountid: accountId(i + 1),
    name,
    accountnumber: `ACC-${1000 + i}`,
    telephone1: i === 0 ? '+1 (415) 555-0199' : phoneFor(country, 40 + i, i),
    telephone2: i % 3 === 0 ? phoneFor(country, 60 + i, i + 1) : null,
    emailaddress1: `info${i + 1}@accounts.example`,
    address1_city: city,
    address1_country: country,
  }));
}

function contacts(): SeedRecord[] {
  const fixed: SeedRecord[] = [
    {
      contactid: SEED.contactAlexBaker,
      firstname: 'Alex',
      lastname: 'Baker',
      jobtitle: 'Purchasing Manager',
      telephone1: '+1 (415) 555-0100',
      mobilephone: '619-555-0129',
      emailaddress1: 'alex.baker@contoso.example',
      address1_city: 'San Francisco',
      address1_country: 'US',
      'parentcustomerid_account@odata.bind': `/accounts(${SEED.contosoAccount})`,
    },
    {
      contactid: SEED.contactJordanLee,
      firstname: 'Jordan',
      lastname: 'Lee',
      telephone1: '415.555.0101',
      mobilephone: '(415) 555-0100',
      emailaddress1: 'jordan.lee@contoso.example',
      address1_country: 'US',
      'parentcustomerid_account@odata.bind': `/accounts(${SEED.contosoAccount})`,
    },
    {
      contactid: SEED.contactWangWei,
      firstname: null,
      lastname: '王伟',
      telephone1: '+86 10 6552 9988',
      mobilephone: '+86 138 0013 8000',
      emailaddress1: 'wang.wei@yunhai.example',
      address1_city: '北京',
      address1_country: 'CN',
      'parentcustomerid_account@odata.bind': `/accounts(${accountId(7)})`,
    },
    { contactid: SEED.contactMobileOnly, firstname: 'Sofia', lastname: 'Rossi', mobilephone: '+44 7700 900123', address1_country: 'GB' },
    { contactid: contactId(5), firstname: 'Emma', lastname: 'Hughes', telephone1: '+44 20 7946 0958', telephone2: '020 7946 0958 ext. 12', address1_country: 'GB' },
    { contactid: contactId(6), firstname: 'Max', lastname: 'Mustermann', telephone1: '0049 30 1234-5', assistantphone: '+49 30 1234 0', address1_country: 'DE' },
  ];
  const generated: SeedRecord[] = [];
  let n = 10;
  for (let round = 0; round < 2; round += 1) {
    COUNTRIES.forEach((country, c) => {
      PEOPLE[country].forEach(([firstname, lastname], p) => {
        const style = round * 3 + p + c;
        const company = COMPANIES.findIndex(([, home]) => home === country);
        generated.push({
          contactid: contactId(n),
          firstname: firstname || null,
          lastname: round === 0 ? lastname : `${lastname}-${String.fromCharCode(65 + p)}`,
          telephone1: style % 5 === 4 ? null : phoneFor(country, n, style),
          mobilephone: style % 2 === 0 ? phoneFor(country, n + 50, style + 1) : null,
          address1_telephone1: style % 7 === 3 ? phoneFor(country, n + 20, style + 2) : null,
          emailaddress1: `contact${n}@people.example`,
          address1_country: country,
          ...(company >= 0 && round === 0 ? { 'parentcustomerid_account@odata.bind': `/accounts(${accountId(company + 1)})` } : {}),
        });
        n += 1;
      });
    });
  }
  return [...fixed, ...generated];
}

function leads(): SeedRecord[] {
  const fixed: SeedRecord[] = [
    { leadid: SEED.leadFirst, subject: 'Interested in 50 seats', firstname: 'Robin', lastname: 'Carter', companyname: 'Blue Yonder Airlines', telephone1: '+1 646 555 0142', emailaddress1: 'robin@blueyonder.example' },
  ];
  const generated: SeedRecord[] = [];
  let n = 2;
  COUNTRIES.forEach((country, c) => {
    PEOPLE[country].slice(0, 2).forEach(([firstname, lastname], p) => {
      generated.push({
        leadid: leadId(n),
        subject: `Website enquiry ${n}`,
        firstname: firstname || null,
        lastname,
        companyname: `${COMPANIES[(c + p) % COMPANIES.length][0]} (prospect)`,
        telephone1: p === 1 ? null : phoneFor(country, 70 + n, c + p),
        mobilephone: phoneFor(country, 80 + n, c + p + 1),
        emailaddress1: `lead${n}@prospects.example`,
      });
      n += 1;
    });
  });
  return [...fixed, ...generated];
}

function phonecalls(): SeedData['phonecalls'] {
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
        'regardingobjectid_account_phonecall@odata.bind': `/accounts(${SEED.contosoAccount})`,
      },
    },
  ];
}

export function seedData(): SeedData {
  return { systemusers: users, usersettingscollection: settings, accounts: accounts(), contacts: contacts(), leads: leads(), phonecalls: phonecalls() };
}
