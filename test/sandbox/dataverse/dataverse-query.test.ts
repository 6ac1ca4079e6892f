import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { expectDataverseError, fixtureDataverse, IDS } from './dataverse-fixture.ts';
import { itemAt } from '../../support/item-at.ts';

let dataverse: Dataverse;
beforeEach(() => {
  dataverse = fixtureDataverse();
});
afterEach(() => dataverse.close());

/** The ids a contacts query returns, in order. */
function ids(filter: string, extra = ''): string[] {
  return dataverse.retrieveMultiple('contacts', `?$select=fullname&$filter=${encodeURIComponent(filter)}${extra}`).records.map((r) => r.contactid as string);
}

describe('$filter comparison operators', () => {
  test('eq and ne compare strings without regard to case and leave out null values', () => {
    assert.deepEqual(ids("lastname eq 'BAKER'"), [IDS.alex]);
    assert.deepEqual(ids("firstname ne 'alex'"), [IDS.jordan, IDS.percent, IDS.nophone]);
  });

  test('gt, ge, lt and le order strings case-insensitively', () => {
    assert.deepEqual(ids("firstname gt 'NADIA'"), [IDS.percent]);
    assert.deepEqual(ids("firstname ge 'nadia'"), [IDS.nophone, IDS.percent].sort());
    assert.deepEqual(ids("firstname lt 'jordan'"), [IDS.alex]);
    assert.deepEqual(ids("firstname le 'JORDAN'"), [IDS.alex, IDS.jordan]);
  });

  test('numbers, booleans and dates compare by value', () => {
    const body = (n: number, outgoing: boolean, end: string) => ({ subject: `call ${n}`, actualdurationminutes: n, directioncode: outgoing, scheduledend: end });
    dataverse.create('phonecalls', body(2, true, '2025-01-01T08:00:00Z'));
    dataverse.create('phonecalls', body(10, false, '2025-03-01T08:00:00+02:00'));
    const subjects = (filter: string) =>
      dataverse.retrieveMultiple('phonecalls', `?$select=subject&$orderby=subject&$filter=${encodeURIComponent(filter)}`).records.map((r) => r.subject);
    assert.deepEqual(subjects('actualdurationminutes gt 2'), ['call 10']);
    assert.deepEqual(subjects('actualdurationminutes ge 2'), ['call 10', 'call 2']);
    assert.deepEqual(subjects('actualdurationminutes lt 10'), ['call 2']);
    assert.deepEqual(subjects('actualdurationminutes le 10.5'), ['call 10', 'call 2']);
    assert.deepEqual(subjects('directioncode eq true'), ['call 2']);
    assert.deepEqual(subjects('directioncode ne true'), ['call 10']);
    assert.deepEqual(subjects('scheduledend gt 2025-03-01T05:59:59Z'), ['call 10']);
    assert.deepEqual(subjects('scheduledend le 2025-03-01T06:00:00Z'), ['call 10', 'call 2']);
  });

  test('eq null and ne null test for a missing value', () => {
    assert.deepEqual(ids('telephone1 eq null'), [IDS.nophone]);
    assert.equal(ids('telephone1 ne null').length, 4);
  });

  test('a lookup compares with a bare or a quoted GUID', () => {
    assert.deepEqual(ids(`_parentcustomerid_value eq ${IDS.account.toUpperCase()}`), [IDS.alex]);
    assert.deepEqual(ids(`_parentcustomerid_value eq '${IDS.account}'`), [IDS.alex]);
    assert.deepEqual(ids(`contactid eq ${IDS.wang}`), [IDS.wang]);
  });

  test('two columns of the same row can be compared', () => {
    dataverse.create('contacts', { firstname: 'Same', lastname: 'same' });
    assert.deepEqual(
      dataverse.retrieveMultiple('contacts', '?$select=fullname&$filter=firstname eq lastname').records.map((r) => r.fullname),
      ['Same same'],
    );
  });
});

describe('$filter logical operators', () => {
  test('and, or and not combine conditions, with parentheses for grouping', () => {
    assert.deepEqual(ids("firstname eq 'alex' or firstname eq 'jordan'"), [IDS.alex, IDS.jordan]);
    assert.deepEqual(ids("firstname eq 'alex' and lastname eq 'nobody'"), []);
    assert.deepEqual(ids("(firstname eq 'alex' or firstname eq 'jordan') and contains(mobilephone,'619')"), [IDS.alex]);
    assert.deepEqual(ids("not contains(lastname,'o')"), [IDS.alex, IDS.wang, IDS.percent]);
    assert.deepEqual(ids("not (firstname eq 'alex' or firstname eq 'jordan')"), [IDS.percent, IDS.nophone]);
  });

  test('not before a bare property is a type error, as in Dataverse', () => {
    expectDataverseError(() => ids("not lastname eq 'x'"), 400, '0x80060888', /unary operator with an incompatible type.*'Edm.String'.*'Not'/);
  });
});

describe('$filter string functions', () => {
  test('contains, startswith and endswith ignore case', () => {
    assert.deepEqual(ids("contains(lastname,'BRIEN')"), [IDS.jordan]);
    assert.deepEqual(ids("startswith(fullname,'alex b')"), [IDS.alex]);
    assert.deepEqual(ids("endswith(fullname,'BAKER')"), [IDS.alex]);
    assert.deepEqual(ids("startswith(fullname,'王')"), [IDS.wang]);
  });

  test('T-SQL wildcards in the value find a number whatever its punctuation', () => {
    const digits = '%4%1%5%5%5%5%0%1%0%0%';
    assert.deepEqual(ids(`contains(telephone1,'${digits}') or contains(mobilephone,'${digits}')`), [IDS.alex, IDS.jordan]);
    assert.deepEqual(ids("contains(telephone1,'555_010[01]')"), [IDS.alex, IDS.jordan]);
    assert.deepEqual(ids("endswith(telephone1,'x[0-9][0-9][0-9]')"), [IDS.percent]);
    assert.deepEqual(ids("contains(telephone1,'[^0-9+ ]')"), [IDS.alex, IDS.jordan, IDS.percent]);
  });

  test('a bracketed wildcard is a literal character', () => {
    assert.deepEqual(ids("contains(lastname,'100[%]')"), [IDS.percent]);
    assert.deepEqual(ids("contains(lastname,'0[%] Sure[_]')"), [IDS.percent]);
    assert.deepEqual(ids("contains(lastname,'Sure[_]Ltd')"), [IDS.percent]);
    assert.deepEqual(ids("contains(fullname,'[%]')"), [IDS.percent]);
    assert.deepEqual(ids("contains(fullname,'Baker[%]')"), []);
  });

  test('a doubled quote finds a name with an apostrophe', () => {
    assert.deepEqual(ids("lastname eq 'o''brien'"), [IDS.jordan]);
    assert.deepEqual(ids("contains(fullname,'n O''B')"), [IDS.jordan]);
  });

  test('functions need a string property and a string literal', () => {
    expectDataverseError(() => ids('contains(createdon,1)'), 400, '0x80060888', /No function signature for the function with name 'contains'/);
    expectDataverseError(() => ids('contains(fullname)'), 400, '0x80060888', /No function signature/);
    expectDataverseError(() => ids("contains('Alex',fullname)"), 400, '0x80060888');
  });
});

describe('$filter validation', () => {
  test('an unknown column fails with the property name and entity type', () => {
    expectDataverseError(() => ids("Telephone1 eq 'x'"), 400, '0x80060888', /^Could not find a property named 'Telephone1' on type 'Microsoft\.Dynamics\.CRM\.contact'\.$/);
  });

  test('operands of different types fail as in the OData library', () => {
    expectDataverseError(() => ids('firstname eq 5'), 400, '0x80060888', /incompatible types.*'Edm.String' and 'Edm.Int32' for operator kind 'Equal'/);
    expectDataverseError(() => ids("createdon lt 'yesterday'"), 400, '0x80060888', /'Edm.DateTimeOffset' and 'Edm.String'/);
    expectDataverseError(() => ids("_parentcustomerid_value eq 'not-a-guid'"), 400, '0x80060888', /Unrecognized 'Edm.Guid' literal/);
  });

  test('comparing two literals, or filtering on a related table, is refused', () => {
    expectDataverseError(() => ids('1 eq 1'), 400, '0x80060888');
    expectDataverseError(() => ids("parentcustomerid_account/name eq 'Contoso Ltd'"), 400, '0x80060888');
  });
});

describe('$filter injection attempts', () => {
  const attacks = ["x' or '1'='1", "'; DROP TABLE contact; --", "') OR 1=1 --", '" OR ""="', "%' UNION SELECT * FROM account --"];

  test('quotes and SQL in a value only ever match as text', () => {
    for (const attack of attacks) {
      const literal = attack.replace(/'/g, "''");
      assert.deepEqual(ids(`lastname eq '${literal}'`), [], attack);
      assert.deepEqual(ids(`contains(lastname,'${literal}')`), [], attack);
    }
    assert.equal(dataverse.retrieveMultiple('contacts', '?$count=true&$top=0').count, 5);
    assert.equal(dataverse.retrieveMultiple('accounts', '?$count=true&$top=0').count, 1);
  });

  test('an unescaped quote ends the literal and the rest is a syntax error, not SQL', () => {
    expectDataverseError(() => ids("lastname eq 'x' or '1'='1'"), 400, '0x80060888');
    expectDataverseError(() => ids("lastname eq 'x'; DELETE FROM contact; --'"), 400, '0x80060888');
    assert.equal(dataverse.retrieveMultiple('contacts', '?$count=true&$top=0').count, 5);
  });
});

describe('$select, $orderby, $top and $count', () => {
  test('$select returns the chosen columns plus the primary key and the ETag', () => {
    const record = itemAt(dataverse.retrieveMultiple('contacts', `?$select=fullname,_parentcustomerid_value&$filter=contactid eq ${IDS.alex}`).records, 0);
    assert.deepEqual(Object.keys(record).sort(), ['@odata.etag', '_parentcustomerid_value', 'contactid', 'fullname']);
    assert.match(record['@odata.etag'] as string, /^W\/"\d+"$/);
    assert.equal(record._parentcustomerid_value, IDS.account);
  });

  test('without $select every column comes back, nulls included', () => {
    const { record } = dataverse.retrieve('contacts', IDS.nophone);
    assert.equal(record.telephone1, null);
    assert.equal(record.fullname, 'Nadia Nophone');
    assert.equal(record.createdon, '2025-06-01T12:00:00Z');
    assert.ok('address2_telephone3' in record);
  });

  test('an unknown or wrongly cased $select column fails', () => {
    expectDataverseError(
      () => dataverse.retrieveMultiple('accounts', '?$select=Name'),
      400,
      '0x80060888',
      /^Could not find a property named 'Name' on type 'Microsoft\.Dynamics\.CRM\.account'\.$/,
    );
  });

  test('$orderby sorts on several columns, ascending or descending', () => {
    dataverse.create('contacts', { firstname: 'alex', lastname: 'Adams' });
    const names = dataverse.retrieveMultiple('contacts', '?$select=fullname&$orderby=firstname asc,lastname desc&$filter=firstname ne null').records.map((r) => r.fullname);
    assert.deepEqual(names, ['Alex Baker', 'alex Adams', "Jordan O'Brien", 'Nadia Nophone', 'Percy 100% Sure_Ltd']);
    const last = dataverse.retrieveMultiple('contacts', '?$select=fullname&$orderby=fullname desc&$top=1').records.map((r) => r.fullname);
    assert.deepEqual(last, ['王伟']);
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', '?$orderby=nope'), 400, '0x80060888', /named 'nope'/);
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', '?$orderby=fullname sideways'), 400, '0x80060888');
  });

  test('$top limits the rows and must be a non-negative integer', () => {
    assert.equal(dataverse.retrieveMultiple('contacts', '?$top=2').records.length, 2);
    assert.equal(dataverse.retrieveMultiple('contacts', '?$top=0').records.length, 0);
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', '?$top=-1'), 400, '0x80060888', /Invalid value '-1' for \$top/);
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', '?$top=two'), 400, '0x80060888');
  });

  test('$count=true counts every match, not just the page', () => {
    const result = dataverse.retrieveMultiple('contacts', "?$top=1&$count=true&$filter=contains(telephone1,'555')");
    assert.equal(result.records.length, 1);
    assert.equal(result.count, 2);
  });

  test('repeated or unsupported query options fail', () => {
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', '?$top=1&$top=2'), 400, '0x80060888', /specified more than once/);
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', '?$skip=1'), 400, '0x80060888', /\$skip is not supported/);
    expectDataverseError(() => dataverse.retrieve('contacts', IDS.alex, "?$filter=fullname eq 'x'"), 400, '0x80060888');
  });
});

describe('retrieve by id and $expand', () => {
  test('a missing record is 0x80040217 with Dataverse wording, a malformed key a syntax error', () => {
    expectDataverseError(
      () => dataverse.retrieve('contacts', 'cccccccc-0000-4000-8000-0000000000ff'),
      404,
      '0x80040217',
      /^contact With Id = cccccccc-0000-4000-8000-0000000000ff Does Not Exist$/,
    );
    expectDataverseError(() => dataverse.retrieve('contacts', 'alex'), 400, '0x80060888', /Bad Request - Error in query syntax/);
  });

  test('an unknown entity set is "Resource not found for the segment", names being case-sensitive', () => {
    expectDataverseError(() => dataverse.retrieveMultiple('Contacts'), 404, '0x8006088a', /^Resource not found for the segment 'Contacts'\.$/);
  });

  test('a typed lookup navigation property expands to the related record or null', () => {
    const expand = '?$select=fullname&$expand=parentcustomerid_account($select=name)';
    assert.deepEqual(dataverse.retrieve('contacts', IDS.alex, expand).record.parentcustomerid_account, {
      '@odata.etag': dataverse.retrieve('accounts', IDS.account).etag,
      name: 'Contoso Ltd',
      accountid: IDS.account,
    });
    assert.equal(dataverse.retrieve('contacts', IDS.jordan, expand).record.parentcustomerid_account, null);
    expectDataverseError(() => dataverse.retrieve('contacts', IDS.alex, '?$expand=fullname'), 400, '0x80060888', /not a navigation property/);
    expectDataverseError(() => dataverse.retrieve('contacts', IDS.alex, '?$expand=parentcustomerid_account($filter=x)'), 400, '0x80060888');
  });

  test('lookup annotations name the target table and its primary name when asked for', () => {
    const plain = dataverse.retrieve('contacts', IDS.alex, '?$select=_parentcustomerid_value').record;
    assert.equal(plain['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], undefined);
    const annotated = dataverse.retrieve('contacts', IDS.alex, '?$select=_parentcustomerid_value', { annotations: true }).record;
    assert.equal(annotated['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'account');
    assert.equal(annotated['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue'], 'Contoso Ltd');
  });
});

describe('entity names', () => {
  test('a logical name maps to its entity set, and an unknown one fails like an unknown segment', () => {
    assert.equal(dataverse.entitySetFor('contact'), 'contacts');
    assert.equal(dataverse.entitySetFor('phonecall'), 'phonecalls');
    expectDataverseError(() => dataverse.entitySetFor('incident'), 404, '0x8006088a');
  });
});
