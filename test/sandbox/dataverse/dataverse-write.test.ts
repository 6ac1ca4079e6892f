import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { expectDataverseError, fixtureDataverse, IDS } from './dataverse-fixture.ts';

let dataverse: Dataverse;
beforeEach(() => {
  dataverse = fixtureDataverse();
});
afterEach(() => dataverse.close());

const CALL = 'ca110000-0000-4000-8000-0000000000aa';
const count = (set: string) => dataverse.retrieveMultiple(set, '?$count=true&$top=0').count;

describe('create', () => {
  test('honours a client-chosen primary key and computes fullname', () => {
    const id = 'cccccccc-0000-4000-8000-0000000000c1';
    const result = dataverse.create('contacts', { contactid: id.toUpperCase(), firstname: 'Chosen', lastname: 'Key' });
    assert.deepEqual(result, { entity: dataverse.entity('contacts'), id, created: true });
    assert.equal(dataverse.retrieve('contacts', id).record.fullname, 'Chosen Key');
  });

  test('generates a primary key when none is given', () => {
    const { id } = dataverse.create('accounts', { name: 'Fabrikam' });
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('an existing primary key fails with the duplicate-key error and changes nothing', () => {
    expectDataverseError(
      () => dataverse.create('contacts', { contactid: IDS.alex, firstname: 'Other' }),
      412,
      '0x80040237',
      /^A record with matching key values already exists\.$/,
    );
    assert.equal(dataverse.retrieve('contacts', IDS.alex).record.firstname, 'Alex');
  });

  test('an unknown or wrongly cased property fails as in the OData library', () => {
    expectDataverseError(
      () => dataverse.create('contacts', { firstname: 'A', Telephone1: '1' }),
      400,
      '0x80060888',
      /^The property 'Telephone1' does not exist on type 'Microsoft\.Dynamics\.CRM\.contact'\. Make sure to only use property names that are defined by the type/,
    );
  });

  test('values of the wrong JSON type, too long or unparseable fail', () => {
    expectDataverseError(
      () => dataverse.create('phonecalls', { subject: 's', actualdurationminutes: '7' }),
      400,
      '0x80060888',
      /Cannot convert the literal '7' to the expected type 'Edm.Int32'/,
    );
    expectDataverseError(() => dataverse.create('phonecalls', { subject: 's', actualdurationminutes: 1.5 }), 400, '0x80060888');
    expectDataverseError(() => dataverse.create('phonecalls', { subject: 's', directioncode: 'true' }), 400, '0x80060888', /'Edm.Boolean'/);
    expectDataverseError(() => dataverse.create('phonecalls', { subject: 's', actualstart: '2024-13-01' }), 400, '0x80060888', /'Edm.DateTimeOffset'/);
    expectDataverseError(
      () => dataverse.create('phonecalls', { subject: 'x'.repeat(201) }),
      400,
      '0x80044331',
      /length of the 'subject' attribute of the 'phonecall' entity exceeded the maximum allowed length of '200'/,
    );
    expectDataverseError(() => dataverse.create('contacts', { contactid: 'not-a-guid' }), 400, '0x80060888', /'Edm.Guid'/);
    expectDataverseError(() => dataverse.create('contacts', [{ firstname: 'a' }]), 400, '0x80060888', /StartArray/);
  });

  test('read-only properties cannot be written', () => {
    expectDataverseError(() => dataverse.create('contacts', { fullname: 'Typed Name' }), 400, '0x80060888', /'fullname'.*read-only/);
    expectDataverseError(() => dataverse.create('contacts', { _parentcustomerid_value: IDS.account }), 400, '0x80060888', /parentcustomerid_account@odata.bind/);
    expectDataverseError(() => dataverse.create('contacts', { createdon: '2020-01-01T00:00:00Z' }), 400, '0x80060888', /read-only/);
  });

  test('tables the sandbox keeps read-only refuse writes', () => {
    expectDataverseError(() => dataverse.create('systemusers', { firstname: 'Eve' }), 405, '');
    expectDataverseError(() => dataverse.create('activityparties', { participationtypemask: 1 }), 405, '');
  });
});

describe('@odata.bind', () => {
  test('sets a lookup from a typed navigation property, with or without a leading slash or the service root', () => {
    for (const bind of [`/accounts(${IDS.account})`, `accounts(${IDS.account})`, `https://org.crm.dynamics.com/api/data/v9.2/accounts(${IDS.account})`]) {
      const { id } = dataverse.create('contacts', { lastname: 'Bound', 'parentcustomerid_account@odata.bind': bind });
      assert.equal(dataverse.retrieve('contacts', id).record._parentcustomerid_value, IDS.account, bind);
    }
  });

  test('a bind to a missing record fails with 0x80040217 and creates nothing', () => {
    const before = count('contacts');
    expectDataverseError(
      () => dataverse.create('contacts', { lastname: 'X', 'parentcustomerid_contact@odata.bind': '/contacts(cccccccc-0000-4000-8000-0000000000ff)' }),
      404,
      '0x80040217',
      /^contact With Id = cccccccc-0000-4000-8000-0000000000ff Does Not Exist$/,
    );
    assert.equal(count('contacts'), before);
  });

  test('a bind naming the wrong table, an unknown set or a malformed reference fails', () => {
    expectDataverseError(() => dataverse.create('contacts', { 'parentcustomerid_account@odata.bind': `/contacts(${IDS.jordan})` }), 400, '0x80060888', /refers to 'accounts'/);
    expectDataverseError(() => dataverse.create('contacts', { 'parentcustomerid_account@odata.bind': `/Accounts(${IDS.account})` }), 400, '0x80060888', /segment 'Accounts'/);
    expectDataverseError(() => dataverse.create('contacts', { 'parentcustomerid_account@odata.bind': IDS.account }), 400, '0x80060888');
    expectDataverseError(() => dataverse.create('contacts', { 'parentcustomerid_account@odata.bind': '/accounts(1)' }), 400, '0x80060888');
  });

  test('an undeclared navigation property fails with the OData library message', () => {
    expectDataverseError(
      () => dataverse.create('contacts', { 'parentcustomerid@odata.bind': `/accounts(${IDS.account})` }),
      400,
      '0x80060888',
      /^An undeclared property 'parentcustomerid' which only has property annotations/,
    );
  });

  test('two navigation properties of one lookup in one body fail', () => {
    expectDataverseError(
      () =>
        dataverse.create('phonecalls', {
          subject: 's',
          'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${IDS.alex})`,
          'regardingobjectid_account_phonecall@odata.bind': `/accounts(${IDS.account})`,
        }),
      400,
      '0x80060888',
      /More than one navigation property/,
    );
  });

  test('Web API clients must use the phone call regarding names; the Xrm dialect also takes the short ones', () => {
    const short = { subject: 'Regarding Alex', 'regardingobjectid_contact@odata.bind': `/contacts(${IDS.alex})` };
    expectDataverseError(() => dataverse.create('phonecalls', short), 400, '0x80060888', /undeclared property 'regardingobjectid_contact'/);
    const { id } = dataverse.create('phonecalls', short, { dialect: 'xrm' });
    const annotated = dataverse.retrieve('phonecalls', id, '?$select=_regardingobjectid_value', { annotations: true }).record;
    assert.equal(annotated._regardingobjectid_value, IDS.alex);
    assert.equal(annotated['_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'contact');
    for (const [nav, set, target] of [
      ['regardingobjectid_account_phonecall', 'accounts', IDS.account],
      ['regardingobjectid_lead_phonecall', 'leads', IDS.lead],
    ] as const) {
      const created = dataverse.create('phonecalls', { subject: nav, [`${nav}@odata.bind`]: `/${set}(${target})` });
      assert.equal(dataverse.retrieve('phonecalls', created.id).record._regardingobjectid_value, target);
    }
  });

  test('binding null on update clears the lookup', () => {
    dataverse.update('contacts', IDS.alex, { 'parentcustomerid_account@odata.bind': null });
    assert.equal(dataverse.retrieve('contacts', IDS.alex).record._parentcustomerid_value, null);
  });
});

describe('activity parties', () => {
  const parties = [
    { 'partyid_contact@odata.bind': `/contacts(${IDS.alex})`, participationtypemask: 1 },
    { 'partyid_lead@odata.bind': `/leads(${IDS.lead})`, participationtypemask: 2 },
  ];
  const partiesOf = (id: string) =>
    dataverse.retrieve('phonecalls', id, '?$select=subject&$expand=phonecall_activity_parties($select=participationtypemask,_partyid_value)').record.phonecall_activity_parties as {
      participationtypemask: number;
      _partyid_value: string;
    }[];

  test('are created with the phone call and read back through $expand and activityparties', () => {
    dataverse.create('phonecalls', { activityid: CALL, subject: 'Inbound', phonecall_activity_parties: parties });
    const found = partiesOf(CALL)
      .map((p) => [p.participationtypemask, p._partyid_value])
      .sort();
    assert.deepEqual(found, [
      [1, IDS.alex],
      [2, IDS.lead],
    ]);
    const rows = dataverse.retrieveMultiple('activityparties', `?$filter=_activityid_value eq ${CALL}&$select=participationtypemask`).records;
    assert.equal(rows.length, 2);
  });

  test('replace the previous parties when sent on update', () => {
    dataverse.create('phonecalls', { activityid: CALL, subject: 'Inbound', phonecall_activity_parties: parties });
    dataverse.update('phonecalls', CALL, { phonecall_activity_parties: [{ 'partyid_account@odata.bind': `/accounts(${IDS.account})`, participationtypemask: 2 }] });
    assert.deepEqual(
      partiesOf(CALL).map((p) => p._partyid_value),
      [IDS.account],
    );
  });

  test('refuse a missing party record, a bad mask and unknown party properties', () => {
    expectDataverseError(
      () =>
        dataverse.create('phonecalls', {
          subject: 's',
          phonecall_activity_parties: [{ 'partyid_contact@odata.bind': '/contacts(cccccccc-0000-4000-8000-0000000000ff)', participationtypemask: 1 }],
        }),
      404,
      '0x80040217',
    );
    expectDataverseError(
      () => dataverse.create('phonecalls', { subject: 's', phonecall_activity_parties: [{ 'partyid_contact@odata.bind': `/contacts(${IDS.alex})`, participationtypemask: 0 }] }),
      400,
      '0x80040203',
    );
    expectDataverseError(
      () => dataverse.create('phonecalls', { subject: 's', phonecall_activity_parties: [{ partyid: IDS.alex, participationtypemask: 1 }] }),
      400,
      '0x80060888',
      /type 'Microsoft\.Dynamics\.CRM\.activityparty'/,
    );
    expectDataverseError(() => dataverse.create('phonecalls', { subject: 's', phonecall_activity_parties: { participationtypemask: 1 } }), 400, '0x80060888');
    assert.equal(count('phonecalls'), 0);
  });
});

describe('upsert', () => {
  const id = 'cccccccc-0000-4000-8000-0000000000d1';

  test('a plain PATCH to a missing id creates the record with that id', () => {
    assert.equal(dataverse.upsert('contacts', id, { lastname: 'Upserted' }).created, true);
    assert.equal(dataverse.upsert('contacts', id, { firstname: 'Now' }).created, false);
    assert.equal(dataverse.retrieve('contacts', id).record.fullname, 'Now Upserted');
  });

  test('If-Match: * updates an existing record and refuses to create a missing one (404)', () => {
    dataverse.upsert('contacts', IDS.alex, { jobtitle: 'Buyer' }, { ifMatch: '*' });
    assert.equal(dataverse.retrieve('contacts', IDS.alex).record.jobtitle, 'Buyer');
    expectDataverseError(() => dataverse.upsert('contacts', id, { lastname: 'X' }, { ifMatch: '*' }), 404, '0x80040217', new RegExp(`^contact With Id = ${id} Does Not Exist$`));
    expectDataverseError(() => dataverse.retrieve('contacts', id), 404, '0x80040217');
  });

  test('If-None-Match: * creates a missing record and refuses to update an existing one (412)', () => {
    assert.equal(dataverse.upsert('contacts', id, { lastname: 'Created' }, { ifNoneMatch: '*' }).created, true);
    expectDataverseError(() => dataverse.upsert('contacts', IDS.alex, { firstname: 'Changed' }, { ifNoneMatch: '*' }), 412, '0x80040237', /already exists/);
    assert.equal(dataverse.retrieve('contacts', IDS.alex).record.firstname, 'Alex');
  });

  test('If-Match with an ETag updates only the current version', () => {
    const { etag } = dataverse.retrieve('contacts', IDS.alex);
    dataverse.upsert('contacts', IDS.alex, { jobtitle: 'First' }, { ifMatch: etag });
    expectDataverseError(() => dataverse.upsert('contacts', IDS.alex, { jobtitle: 'Second' }, { ifMatch: etag }), 412, '0x80060882');
    expectDataverseError(() => dataverse.delete('contacts', IDS.alex, { ifMatch: etag }), 412, '0x80060882');
    assert.equal(dataverse.retrieve('contacts', IDS.alex).record.jobtitle, 'First');
  });

  test('every write changes the ETag and modifiedon keeps the write time', () => {
    const before = dataverse.retrieve('contacts', IDS.alex).etag;
    dataverse.update('contacts', IDS.alex, { jobtitle: 'x' });
    assert.notEqual(dataverse.retrieve('contacts', IDS.alex).etag, before);
  });

  test('a body naming another primary key fails', () => {
    expectDataverseError(() => dataverse.upsert('contacts', IDS.alex, { contactid: IDS.jordan }), 400, '0x80060888');
  });
});

describe('phone call state rules', () => {
  const open = () => dataverse.create('phonecalls', { activityid: CALL, subject: 'Outbound call', directioncode: true });
  const state = () => {
    const { record } = dataverse.retrieve('phonecalls', CALL, '?$select=statecode,statuscode');
    return [record.statecode, record.statuscode];
  };

  test('a new phone call is open with the open status', () => {
    open();
    assert.deepEqual(state(), [0, 1]);
    assert.equal(dataverse.retrieve('phonecalls', CALL).record.activitytypecode, 'phonecall');
  });

  test('statecode cannot be set on create, nor a status of another state', () => {
    expectDataverseError(() => dataverse.create('phonecalls', { subject: 's', statecode: 1, statuscode: 2 }), 400, '0x80048408', /state code on create/);
    expectDataverseError(
      () => dataverse.create('phonecalls', { subject: 's', statuscode: 2 }),
      400,
      '0x80048408',
      /^2 is not a valid status code for state code PhoneCallState\.Open on phonecall with Id /,
    );
    expectDataverseError(() => dataverse.upsert('phonecalls', CALL, { subject: 's', statecode: 1, statuscode: 4 }), 400, '0x80048408');
    assert.equal(count('phonecalls'), 0);
  });

  test('subject is required', () => {
    expectDataverseError(() => dataverse.create('phonecalls', { phonenumber: '1' }), 400, '0x80040203', /'subject'/);
  });

  test('completing needs statecode and statuscode together, as a valid pair', () => {
    open();
    expectDataverseError(() => dataverse.update('phonecalls', CALL, { statecode: 1 }), 400, '0x80048408', /together/);
    expectDataverseError(
      () => dataverse.update('phonecalls', CALL, { statecode: 1, statuscode: 3 }),
      400,
      '0x80048408',
      /^3 is not a valid status code for state code PhoneCallState\.Completed/,
    );
    expectDataverseError(() => dataverse.update('phonecalls', CALL, { statecode: 5, statuscode: 1 }), 400, '0x80048408');
    expectDataverseError(() => dataverse.update('phonecalls', CALL, { statuscode: 2 }), 400, '0x80048408', /PhoneCallState\.Open/);
    assert.deepEqual(state(), [0, 1]);
    dataverse.update('phonecalls', CALL, { description: 'Notes', actualdurationminutes: 3, statecode: 1, statuscode: 2 });
    assert.deepEqual(state(), [1, 2]);
  });

  test('a completed call is read-only until reopened in a write of its own', () => {
    open();
    dataverse.update('phonecalls', CALL, { statecode: 1, statuscode: 4 });
    expectDataverseError(() => dataverse.update('phonecalls', CALL, { description: 'late notes' }), 400, '0x80048408', /PhoneCallState\.Completed and cannot be changed/);
    expectDataverseError(() => dataverse.update('phonecalls', CALL, { statecode: 0, statuscode: 1, description: 'late notes' }), 400, '0x80048408');
    expectDataverseError(() => dataverse.update('phonecalls', CALL, { phonecall_activity_parties: [] }), 400, '0x80048408');
    dataverse.update('phonecalls', CALL, { statecode: 0, statuscode: 1 });
    dataverse.update('phonecalls', CALL, { description: 'late notes' });
    dataverse.update('phonecalls', CALL, { statecode: 1, statuscode: 4 });
    assert.deepEqual(state(), [1, 4]);
    assert.equal(dataverse.retrieve('phonecalls', CALL).record.description, 'late notes');
  });

  test('a call can be canceled with 2/3', () => {
    open();
    dataverse.update('phonecalls', CALL, { statecode: 2, statuscode: 3 });
    assert.deepEqual(state(), [2, 3]);
  });
});

describe('delete', () => {
  test('removes the record; a second delete is 404', () => {
    dataverse.delete('contacts', IDS.nophone);
    expectDataverseError(() => dataverse.retrieve('contacts', IDS.nophone), 404, '0x80040217');
    expectDataverseError(() => dataverse.delete('contacts', IDS.nophone), 404, '0x80040217');
  });

  test("removes a phone call's parties and the calls regarding a deleted record, and clears other lookups", () => {
    dataverse.create('phonecalls', {
      activityid: CALL,
      subject: 'Regarding Alex',
      'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${IDS.alex})`,
      phonecall_activity_parties: [{ 'partyid_contact@odata.bind': `/contacts(${IDS.jordan})`, participationtypemask: 2 }],
    });
    dataverse.delete('contacts', IDS.alex);
    expectDataverseError(() => dataverse.retrieve('phonecalls', CALL), 404, '0x80040217');
    assert.equal(count('activityparties'), 0);
    dataverse.create('contacts', { contactid: IDS.alex, lastname: 'Again', 'parentcustomerid_account@odata.bind': `/accounts(${IDS.account})` });
    dataverse.delete('accounts', IDS.account);
    assert.equal(dataverse.retrieve('contacts', IDS.alex).record._parentcustomerid_value, null);
  });
});
