import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { expectDataverseError, fixtureDataverse, IDS } from './dataverse-fixture.ts';

let dataverse: Dataverse;
beforeEach(() => {
  dataverse = fixtureDataverse();
});
afterEach(() => dataverse.close());

const found = (text: string, query = '?$select=fullname') =>
  dataverse
    .quickFind('contacts', text, query)
    .records.map((r) => r.contactid as string)
    .sort();

describe('quick find', () => {
  test('finds records whose find columns begin with the text, in any case', () => {
    assert.deepEqual(found('ale'), [IDS.alex]);
    assert.deepEqual(found('BAKER'), [IDS.alex]);
    assert.deepEqual(found('alex b'), [IDS.alex], 'fullname');
    assert.deepEqual(found('aker'), [], 'no implicit leading wildcard');
    assert.deepEqual(found('王'), [IDS.wang]);
  });

  test('takes * as a wildcard anywhere, so *0100 finds the number on either phone field', () => {
    assert.deepEqual(found('*0100'), [IDS.alex, IDS.jordan].sort());
    assert.deepEqual(found('+1 (415)*0100'), [IDS.alex]);
  });

  test('takes %, _, [ and quotes literally', () => {
    assert.deepEqual(found('100%'), [IDS.percent]);
    assert.deepEqual(found('100_'), []);
    assert.deepEqual(found('100% sure_'), [IDS.percent]);
    assert.deepEqual(found("o'b"), [IDS.jordan]);
    assert.deepEqual(found('[a-z]'), []);
  });

  test('an empty search finds everything; $select, $top and a $filter of the caller still apply', () => {
    assert.equal(dataverse.quickFind('contacts', '  ').records.length, 5);
    const result = dataverse.quickFind('contacts', '*555', '?$select=fullname&$orderby=fullname desc&$top=1');
    assert.deepEqual(
      result.records.map((r) => r.fullname),
      ["Jordan O'Brien"],
    );
    assert.deepEqual(result.select, ['fullname']);
    assert.deepEqual(found('*555', `?$filter=${encodeURIComponent("firstname eq 'alex'")}`), [IDS.alex]);
  });

  test('searches each table’s own find columns', () => {
    assert.deepEqual(
      dataverse.quickFind('accounts', 'contoso').records.map((r) => r.name),
      ['Contoso Ltd'],
    );
    assert.deepEqual(
      dataverse.quickFind('leads', 'enq').records.map((r) => r.leadid),
      [IDS.lead],
    );
  });

  test('refuses tables without a quick find view and bad query options as retrieveMultiple does', () => {
    expectDataverseError(() => dataverse.quickFind('activityparties', 'x'), 400, '0x80040203', /no quick find view/);
    expectDataverseError(() => dataverse.quickFind('contacts', 'x', '?$select=nosuchcolumn'), 400, '0x80060888', /nosuchcolumn/);
    expectDataverseError(() => dataverse.quickFind('Contacts', 'x'), 404, '0x8006088a');
  });
});
