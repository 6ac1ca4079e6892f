import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toE164 } from '../../../src/crm/numbers/phone-number.ts';
import { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import type { EntityRecord } from '../../../src/sandbox/dataverse/record-format.ts';
import { COUNTRY_NAMES } from '../../../src/sandbox/dataverse/seed-generator.ts';
import { COMPANIES, PROSPECTS } from '../../../src/sandbox/dataverse/seed-names.ts';
import { SEED } from '../../../src/sandbox/dataverse/seed-data.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-dataverse-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const count = (dataverse: Dataverse, set: string, filter?: string) =>
  dataverse.retrieveMultiple(set, `?$count=true&$top=0${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`).count;

const PHONE_FIELDS = {
  contacts: ['telephone1', 'telephone2', 'telephone3', 'mobilephone', 'assistantphone', 'address1_telephone1', 'address1_telephone2', 'address1_telephone3'],
  accounts: ['telephone1', 'telephone2', 'telephone3'],
  leads: ['telephone1', 'telephone2', 'telephone3', 'mobilephone'],
};
const COUNTRY_BY_NAME = new Map(Object.entries(COUNTRY_NAMES).map(([code, name]) => [name, code]));
const COUNTRY_BY_COMPANY = new Map([...COMPANIES, ...PROSPECTS].map((company) => [company.name, company.country as string]));

interface StoredNumber {
  set: string;
  id: string;
  raw: string;
  country: string | undefined;
}

describe('the seed', () => {
  let dataverse: Dataverse;
  let numbers: StoredNumber[];
  before(() => {
    dataverse = new Dataverse({ path: ':memory:' });
    numbers = [];
    for (const [set, fields] of Object.entries(PHONE_FIELDS)) {
      for (const record of dataverse.retrieveMultiple(set).records) {
        const country = set === 'leads' ? COUNTRY_BY_COMPANY.get(String(record.companyname)) : COUNTRY_BY_NAME.get(String(record.address1_country));
        for (const field of fields) {
          const raw = record[field];
          if (typeof raw === 'string') numbers.push({ set, id: primaryKey(set, record), raw, country });
        }
      }
    }
  });
  after(() => dataverse.close());

  test('its people sign in (access mode 0) with roles: agents are salespeople, the supervisor an administrator; every call has an owner', () => {
    const users = dataverse.retrieveMultiple('systemusers', '?$select=accessmode,applicationid&$expand=systemuserroles_association($select=name)').records;
    assert.deepEqual(
      users.map((user) => [user.systemuserid, user.accessmode, user.applicationid, (user.systemuserroles_association as { name: string }[]).map((role) => role.name)]),
      [
        [SEED.agentEnglish, 0, null, ['Salesperson']],
        [SEED.agentChinese, 0, null, ['Salesperson']],
        [SEED.supervisor, 0, null, ['System Administrator']],
      ],
    );
    assert.equal(dataverse.retrieveMultiple('phonecalls', '?$count=true&$filter=_ownerid_value eq null').count, 0);
  });

  test('holds 200 contacts, 50 accounts, 50 leads, users with languages, and a history of calls', () => {
    assert.equal(count(dataverse, 'contacts'), 200);
    assert.equal(count(dataverse, 'accounts'), 50);
    assert.equal(count(dataverse, 'leads'), 50);
    assert.equal(count(dataverse, 'systemusers'), 3);
    const languages = dataverse.retrieveMultiple('usersettingscollection', '?$select=uilanguageid&$orderby=systemuserid').records.map((r) => r.uilanguageid);
    assert.deepEqual(languages, [1033, 2052, 1033]);
    const named = dataverse.retrieveMultiple('phonecalls', '?$select=statecode,statuscode&$orderby=activityid&$top=3').records.map((r) => [r.statecode, r.statuscode]);
    assert.deepEqual(named, [
      [1, 4],
      [1, 2],
      [0, 1],
    ]);
    assert.ok((count(dataverse, 'phonecalls', 'statecode eq 1') ?? 0) >= 15, 'mostly completed calls');
    assert.ok((count(dataverse, 'phonecalls', 'statecode eq 2') ?? 0) >= 1, 'a missed (canceled) call');
  });

  test('spreads contacts and accounts over the eight countries', () => {
    for (const name of Object.values(COUNTRY_NAMES)) {
      assert.ok((count(dataverse, 'contacts', `address1_country eq '${name}'`) ?? 0) >= 15, `contacts in ${name}`);
      assert.ok((count(dataverse, 'accounts', `address1_country eq '${name}'`) ?? 0) >= 3, `accounts in ${name}`);
    }
    assert.ok((count(dataverse, 'contacts', '_parentcustomerid_value ne null') ?? 0) >= 140, 'most contacts work at an account');
  });

  test('has names in Latin, Chinese and Japanese script', () => {
    const names = dataverse.retrieveMultiple('contacts', '?$select=fullname').records.map((r) => String(r.fullname));
    assert.ok(names.filter((n) => /^[\p{Script=Latin}' -]+$/u.test(n)).length >= 100);
    assert.ok(names.filter((n) => /^\p{Script=Han}{2,4}$/u.test(n)).length >= 10, 'Chinese names');
    assert.ok(names.filter((n) => /^[\p{Script=Han}\p{Script=Hiragana}]+ [\p{Script=Han}\p{Script=Hiragana}]+$/u.test(n)).length >= 8, 'Japanese names');
    assert.equal(dataverse.retrieve('contacts', SEED.contactWangWei, '?$select=fullname').record.fullname, '王伟');
  });

  test('stores phone numbers the ways people type them', () => {
    const raws = numbers.map((n) => n.raw);
    const styles: Record<string, RegExp> = {
      'E.164': /^\+\d+$/,
      'international with spaces': /^\+\d{1,2} \d/,
      'national trunk prefix': /^0[1-9]\d*[ -/]/,
      'trunk prefix in parentheses': /^\(0\d+\) /,
      '(0) after the country code': /^\+\d+ \(0\)\d/,
      '00 international prefix': /^00\d/,
      '011 international prefix': /^011 \d{1,3} /,
      'US parentheses': /^\(\d{3}\) \d{3}-\d{4}/,
      dots: /^\d+\.\d+\.\d+/,
      slash: /^0\d+\/\d+$/,
      'digits run together': /^\d{10,11}$/,
      'x extension': / x\d+$/,
      'ext. extension': / ext\. \d+$/,
      'full-width digits': /[\uff10-\uff19]/,
    };
    for (const [style, pattern] of Object.entries(styles))
      assert.ok(
        raws.some((raw) => pattern.test(raw)),
        `no seed number is typed as ${style}`,
      );
  });

  test('every stored number is a possible number of its record’s country (or dialled from the US)', () => {
    for (const { set, raw, country } of numbers) {
      assert.ok(country, `${set}: ${raw} has no country`);
      const parsed = toE164(raw, country) ?? (raw.startsWith('011 ') ? toE164(raw, 'US') : undefined);
      assert.ok(parsed, `${set}: ${raw} (${country}) is not a possible number`);
    }
  });

  test('shares some numbers between two records, typed differently', () => {
    const holders = new Map<string, StoredNumber[]>();
    for (const number of numbers) {
      const e164 = toE164(number.raw, number.country) ?? toE164(number.raw, 'US');
      if (e164) holders.set(e164, [...(holders.get(e164) ?? []), number]);
    }
    const sharedByTwo = [...holders.values()].filter((list) => new Set(list.map((n) => n.id)).size === 2 && new Set(list.map((n) => n.raw)).size === 2);
    assert.ok(sharedByTwo.length >= 10, `only ${sharedByTwo.length} numbers are shared by two records`);
    assert.ok(
      sharedByTwo.some((list) => list.some((n) => n.set === 'leads')),
      'a lead duplicates a contact',
    );
    assert.ok(
      sharedByTwo.some((list) => list.some((n) => n.set === 'accounts')),
      'a contact is reached on its account’s main line',
    );
    const digits = '%4%1%5%5%5%5%0%1%0%0%';
    const alexAndJordan = dataverse.retrieveMultiple(
      'contacts',
      `?$select=fullname&$filter=contains(telephone1,'${digits}') or contains(mobilephone,'${digits}')&$orderby=fullname`,
    ).records;
    assert.deepEqual(
      alexAndJordan.map((r) => r.contactid),
      [SEED.contactAlexBaker, SEED.contactJordanLee],
    );
  });

  test('has contacts and leads with only a mobile', () => {
    const onlyMobile = PHONE_FIELDS.contacts
      .filter((f) => f !== 'mobilephone')
      .map((f) => `${f} eq null`)
      .join(' and ');
    assert.ok((count(dataverse, 'contacts', `mobilephone ne null and ${onlyMobile}`) ?? 0) >= 20);
    assert.ok((count(dataverse, 'leads', 'mobilephone ne null and telephone1 eq null') ?? 0) >= 10);
    const sofia = dataverse.retrieve('contacts', SEED.contactMobileOnly, '?$select=telephone1,mobilephone').record;
    assert.equal(sofia.telephone1, null);
    assert.equal(sofia.mobilephone, '+44 7700 900123');
  });

  test('uses only reserved .example e-mail domains', () => {
    for (const set of ['contacts', 'accounts', 'leads']) {
      for (const record of dataverse.retrieveMultiple(set, '?$select=emailaddress1&$filter=emailaddress1 ne null').records) {
        assert.match(String(record.emailaddress1), /^[a-z0-9.-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.example$/);
      }
    }
  });

  test('keeps the named records', () => {
    const alex = dataverse.retrieve('contacts', SEED.contactAlexBaker, '?$select=fullname,telephone1,mobilephone,_parentcustomerid_value').record;
    assert.deepEqual([alex.fullname, alex.telephone1, alex.mobilephone, alex._parentcustomerid_value], ['Alex Baker', '+1 (415) 555-0100', '619-555-0129', SEED.contosoAccount]);
    assert.equal(dataverse.retrieve('contacts', SEED.contactJordanLee, '?$select=mobilephone').record.mobilephone, '(415) 555-0100');
    assert.equal(dataverse.retrieve('accounts', SEED.contosoAccount, '?$select=name,telephone1').record.telephone1, '+1 (415) 555-0199');
    assert.equal(dataverse.retrieve('leads', SEED.leadFirst, '?$select=fullname').record.fullname, 'Robin Carter');
  });

  test('is the same on every load', () => {
    const second = new Dataverse({ path: ':memory:' });
    try {
      for (const set of ['contacts', 'accounts', 'leads', 'phonecalls']) {
        const all = (d: Dataverse) => JSON.stringify(d.retrieveMultiple(set).records);
        assert.equal(all(second), all(dataverse), set);
      }
    } finally {
      second.close();
    }
  });
});

function primaryKey(set: string, record: EntityRecord): string {
  return String(record[{ contacts: 'contactid', accounts: 'accountid', leads: 'leadid' }[set] as string]);
}

describe('reset', () => {
  test('restores the seed: new records are gone, changed and deleted ones are back', () => {
    const dataverse = new Dataverse({ path: ':memory:' });
    try {
      const snapshot = () => JSON.stringify(dataverse.retrieveMultiple('contacts', '?$select=fullname,telephone1,mobilephone').records.map(({ '@odata.etag': _, ...r }) => r));
      const before = snapshot();
      const calls = count(dataverse, 'phonecalls');
      dataverse.create('contacts', { lastname: 'Temporary' });
      dataverse.update('contacts', SEED.contactAlexBaker, { telephone1: 'changed' });
      dataverse.delete('contacts', SEED.contactJordanLee);
      dataverse.create('phonecalls', { subject: 'new call' });
      dataverse.reset();
      assert.equal(snapshot(), before);
      assert.equal(count(dataverse, 'phonecalls'), calls);
    } finally {
      dataverse.close();
    }
  });

  test('a database file keeps changes across reopening and is not reseeded', () => {
    const path = join(dir, 'dataverse.db');
    const first = new Dataverse({ path });
    first.create('contacts', { contactid: 'cccccccc-0000-4000-8000-0000000000a1', lastname: 'Persisted' });
    const contacts = count(first, 'contacts');
    first.close();
    const second = new Dataverse({ path });
    try {
      assert.equal(count(second, 'contacts'), contacts);
      assert.equal(second.retrieve('contacts', 'cccccccc-0000-4000-8000-0000000000a1').record.fullname, 'Persisted');
    } finally {
      second.close();
    }
  });
});
