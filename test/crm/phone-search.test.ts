import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CRM_ENTITIES } from '../../src/crm/crm-entities.ts';
import { CrmError } from '../../src/crm/crm-error.ts';
import { buildPhoneSearchQueries, candidatesFromSearchResult, phoneSearchKey, quickFindText, type PhoneSearchQuery } from '../../src/crm/phone-search.ts';
import { libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';
import { itemAt, itemsAt } from '../support/item-at.ts';

const ALL = { entities: ['contact', 'account', 'lead'] as const };

const isCode = (code: string) => (error: unknown) => error instanceof CrmError && error.code === code;

describe('buildPhoneSearchQueries', () => {
  test('searches every phone column of a table for the digits in order, each in either width, with its id, name and country', () => {
    const account = itemAt(buildPhoneSearchQueries(libphonenumberReader, '+1 415 555 0100', { entities: ['account'] }), 0);
    assert.equal(
      account.query,
      "?$select=accountid,name,address1_country,telephone1,telephone2,telephone3&$filter=contains(telephone1,'%[4４]%[1１]%[5５]%[5５]%[5５]%[5５]%[0０]%[1１]%[0０]%[0０]%') or contains(telephone2,'%[4４]%[1１]%[5５]%[5５]%[5５]%[5５]%[0０]%[1１]%[0０]%[0０]%') or contains(telephone3,'%[4４]%[1１]%[5５]%[5５]%[5５]%[5５]%[0０]%[1１]%[0０]%[0０]%')&$top=5000",
    );
    assert.deepEqual(account.select, ['accountid', 'name', 'address1_country', 'telephone1', 'telephone2', 'telephone3']);
    assert.equal(account.top, 5000);
  });

  test('gives one query per table in the user’s order, each table once, over every phone column of the table', () => {
    const queries = buildPhoneSearchQueries(libphonenumberReader, '+14155550100', { entities: ['lead', 'contact', 'lead', 'account'] });
    assert.deepEqual(
      queries.map((q) => q.entity),
      ['lead', 'contact', 'account'],
    );
    const [lead, contact] = itemsAt(queries, 0, 1);
    assert.deepEqual(lead.select, ['leadid', 'fullname', 'address1_country', 'telephone1', 'telephone2', 'telephone3', 'mobilephone']);
    assert.deepEqual(contact.select.slice(0, 3), ['contactid', 'fullname', 'address1_country']);
    assert.equal(contact.select.length, 14);
    for (const field of CRM_ENTITIES.contact.phoneFields)
      assert.ok(contact.filter.includes(`contains(${field},'%[4４]%[1１]%[5５]%[5５]%[5５]%[5５]%[0０]%[1１]%[0０]%[0０]%')`), field);
  });

  test('searches the national significant number, so the country code and trunk prefix do not matter', () => {
    const digits = (incoming: string, region?: string) => phoneSearchKey(libphonenumberReader, incoming, region);
    assert.deepEqual(digits('+1 415 555 0100'), { kind: 'digits', digits: '4155550100' });
    assert.deepEqual(digits('001 415 555 0100', 'DE'), { kind: 'digits', digits: '4155550100' });
    assert.deepEqual(digits('(415) 555-0100', 'US'), { kind: 'digits', digits: '4155550100' });
    assert.deepEqual(digits('0049 30 1234-5'), { kind: 'digits', digits: '3012345' });
    assert.deepEqual(digits('030 1234567', 'DE'), { kind: 'digits', digits: '301234567' });
    assert.deepEqual(digits('+86 138 0013 8000'), { kind: 'digits', digits: '13800138000' });
    assert.deepEqual(digits('０３－１２３４－５６７８', 'JP'), { kind: 'digits', digits: '312345678' });
    assert.deepEqual(digits('+44 20 7946 0958 x12'), { kind: 'digits', digits: '2079460958' }, 'the extension is not searched');
    assert.deepEqual(digits('030 1234567'), { kind: 'digits', digits: '301234567' }, 'no country: leading zeros (a trunk prefix) dropped');
  });

  test('looks a short number up by equality only, never as a tail', () => {
    const lead = itemAt(buildPhoneSearchQueries(libphonenumberReader, '1002', { entities: ['lead'], defaultRegion: 'US' }), 0);
    assert.equal(lead.filter, "telephone1 eq '1002' or telephone2 eq '1002' or telephone3 eq '1002' or mobilephone eq '1002'");
  });

  test('searches nothing for a caller that is not a number', () => {
    for (const incoming of ['anonymous', '', '+', 'unknown caller', '0000000']) assert.deepEqual(buildPhoneSearchQueries(libphonenumberReader, incoming, ALL), [], incoming);
  });

  test('lets nothing but digits into the OData text, whatever the caller presents', () => {
    const hostile = ["0100') or contains(fullname,'a", "' or 1 eq 1", '%41%42', '+1 415 555 0100 x1;ext=2', '1[0-9]0', '１２３４５６７', "415'555'0100", '+1 415 555 0100&$top=1'];
    for (const incoming of hostile) {
      for (const query of buildPhoneSearchQueries(libphonenumberReader, incoming, { ...ALL, defaultRegion: 'US' })) {
        for (const literal of query.filter.match(/'[^']*'/g) ?? []) assert.match(literal, /^'(\d+|(%\[\d[０-９]\])+%)'$/, `${incoming}: ${literal}`);
        assert.equal(query.filter.replace(/'[^']*'/g, "''").match(/[^a-z0-9_(),' ]/g), null, `${incoming}: ${query.filter}`);
      }
    }
  });

  test('writes a query a URL decoder leaves unchanged', () => {
    for (const incoming of ['+1 415 555 0100', '+86 138 0013 8000', '+49 30 12345', '+81 3 1234 5678']) {
      for (const query of buildPhoneSearchQueries(libphonenumberReader, incoming, ALL)) {
        const decoded = new URLSearchParams(query.query.slice(1));
        assert.equal(decoded.get('$filter'), query.filter);
        assert.equal(decoded.get('$select'), query.select.join(','));
        assert.equal(decoded.get('$top'), '5000');
      }
    }
  });

  test('takes a smaller row cap, never more than searchAndOpenRecords’ 5000', () => {
    assert.equal(itemAt(buildPhoneSearchQueries(libphonenumberReader, '+14155550100', { entities: ['contact'], top: 50 }), 0).query.endsWith('&$top=50'), true);
    for (const top of [0, 5001, 1.5, Number.NaN])
      assert.throws(() => buildPhoneSearchQueries(libphonenumberReader, '+14155550100', { entities: ['contact'], top }), isCode('CRM_INVALID_SEARCH_TOP'), String(top));
  });

  test('refuses tables it does not know and a bad default region', () => {
    assert.throws(() => buildPhoneSearchQueries(libphonenumberReader, '+14155550100', { entities: ['contact', 'incident' as 'contact'] }), isCode('CRM_UNKNOWN_ENTITY'));
    assert.throws(() => buildPhoneSearchQueries(libphonenumberReader, '+14155550100', { entities: ['contact'], defaultRegion: 'Germany' }), isCode('CRM_INVALID_REGION'));
  });
});

describe('quickFindText', () => {
  test('puts the quick-find wildcard before and between the digits', () => {
    assert.equal(quickFindText({ kind: 'digits', digits: '4155550100' }), '*4*1*5*5*5*5*0*1*0*0');
    assert.equal(quickFindText({ kind: 'exact', digits: '1002' }), '1002');
  });
});

describe('candidatesFromSearchResult', () => {
  const contact = itemAt(buildPhoneSearchQueries(libphonenumberReader, '+14155550100', { entities: ['contact'] }), 0);
  const rows = [
    { contactid: 'CCCCCCCC-0000-4000-8000-000000000001', fullname: 'Alex Baker', telephone1: '+1 (415) 555-0100', mobilephone: '619-555-0129', telephone2: null },
    { contactid: 'cccccccc-0000-4000-8000-000000000002', fullname: 'Jordan Lee', mobilephone: '(415) 555-0100', telephone3: '  ' },
  ];
  const expected = [
    { entity: 'contact', id: 'cccccccc-0000-4000-8000-000000000001', name: 'Alex Baker', field: 'telephone1', number: '+1 (415) 555-0100' },
    { entity: 'contact', id: 'cccccccc-0000-4000-8000-000000000001', name: 'Alex Baker', field: 'mobilephone', number: '619-555-0129' },
    { entity: 'contact', id: 'cccccccc-0000-4000-8000-000000000002', name: 'Jordan Lee', field: 'mobilephone', number: '(415) 555-0100' },
  ];

  test('reads CIF’s JSON string keyed by index, an array, or parsed values alike', () => {
    assert.deepEqual(candidatesFromSearchResult(contact, JSON.stringify({ 1: rows[1], 0: rows[0] })), expected);
    assert.deepEqual(candidatesFromSearchResult(contact, JSON.stringify(rows)), expected);
    assert.deepEqual(candidatesFromSearchResult(contact, rows), expected);
    assert.deepEqual(candidatesFromSearchResult(contact, '{}'), []);
  });

  test('refuses a broken answer with a coded error', () => {
    for (const broken of ['not json', '42', 'null', '{"value":[]}', '[1]', JSON.stringify([{ fullname: 'No Id' }]), JSON.stringify([{ contactid: '1; drop' }])]) {
      assert.throws(
        () => candidatesFromSearchResult(contact, broken),
        (error: unknown) => error instanceof CrmError && /CRM_INVALID_SEARCH_RESULT|CRM_INVALID_GUID/.test(error.code),
        broken,
      );
    }
  });

  test('carries the record’s address country with each of its numbers, so they are read in it', () => {
    const row = { contactid: itemAt(rows, 0).contactid, fullname: 'Lena Vogel', address1_country: 'Deutschland', mobilephone: 'Mob: 0171 2345678' };
    assert.deepEqual(
      candidatesFromSearchResult(contact, [row, { ...row, address1_country: ' ' }]).map((c) => c.country),
      ['Deutschland', undefined],
    );
  });

  test('leaves the name out when the row has none', () => {
    const query: PhoneSearchQuery = { ...contact, select: ['contactid', 'telephone1'] };
    assert.deepEqual(candidatesFromSearchResult(query, [{ contactid: itemAt(rows, 1).contactid, telephone1: '1002' }]), [
      { entity: 'contact', id: itemAt(rows, 1).contactid, field: 'telephone1', number: '1002' },
    ]);
  });
});
