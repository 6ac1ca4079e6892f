import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataverse, DataverseError, SEED } from '../../src/sandbox/dataverse/index.ts';
import { runRecordCall } from '../../src/sandbox/record-calls.ts';
import { itemAt } from '../support/item-at.ts';

let dataverse: Dataverse;
before(() => {
  dataverse = new Dataverse({ path: ':memory:' });
});
after(() => dataverse.close());

const run = (call: Parameters<typeof runRecordCall>[1]) => runRecordCall(dataverse, call, SEED.agentEnglish);

test('create, update and delete answer with the table and the row, as Xrm.WebApi does', () => {
  const created = run({
    operation: 'createRecord',
    entity: 'phonecall',
    data: { subject: 'Follow-up', 'regardingobjectid_contact@odata.bind': `/contacts(${SEED.contactAlexBaker})` },
  }) as { entityType: string; id: string };
  assert.equal(created.entityType, 'phonecall');
  assert.deepEqual(run({ operation: 'updateRecord', entity: 'phonecall', id: created.id, data: { description: 'Called back' } }), created);
  const record = run({ operation: 'retrieveRecord', entity: 'phonecall', id: created.id, options: '?$select=description,_regardingobjectid_value' }) as Record<string, unknown>;
  assert.equal(record.description, 'Called back');
  assert.equal(record._regardingobjectid_value, SEED.contactAlexBaker);
  assert.deepEqual(run({ operation: 'deleteRecord', entity: 'phonecall', id: `{${created.id.toUpperCase()}}` }), created);
});

test('an update never creates: a missing record is an error, not an upsert', () => {
  assert.throws(
    () => run({ operation: 'updateRecord', entity: 'contact', id: '00000000-0000-4000-8000-0000000000ff', data: { lastname: 'Ghost' } }),
    (error: unknown) => error instanceof DataverseError && error.status === 404,
  );
});

test('search returns the matching records in order; a bad $select column fails as in Dataverse', () => {
  const records = run({ operation: 'searchRecords', entity: 'contact', query: `?$select=fullname,telephone1&$filter=contactid eq ${SEED.contactAlexBaker}` }) as Record<
    string,
    unknown
  >[];
  assert.equal(records.length, 1);
  assert.equal(itemAt(records, 0).contactid, SEED.contactAlexBaker);
  assert.throws(() => run({ operation: 'searchRecords', entity: 'contact', query: '?$select=nosuchfield' }), /Could not find a property named 'nosuchfield'/);
  assert.throws(() => run({ operation: 'searchRecords', entity: 'opportunity', query: '' }), /Resource not found for the segment 'opportunity'/);
});

test('entity metadata names the set, keys and labels, and the attributes asked for', () => {
  const metadata = run({ operation: 'getEntityMetadata', entity: 'contact', attributes: ['telephone1', 'parentcustomerid'] }) as Record<string, unknown>;
  assert.equal(metadata.EntitySetName, 'contacts');
  assert.equal(metadata.PrimaryIdAttribute, 'contactid');
  assert.equal(metadata.PrimaryNameAttribute, 'fullname');
  assert.equal(metadata.DisplayName, 'Contact');
  assert.equal(metadata.ObjectTypeCode, 2);
  assert.deepEqual(metadata.Attributes, [
    { LogicalName: 'telephone1', AttributeType: 'String', DisplayName: 'Business Phone', MaxLength: 50 },
    { LogicalName: 'parentcustomerid', AttributeType: 'Lookup', DisplayName: 'Company Name', Targets: ['account', 'contact'] },
  ]);
  assert.deepEqual((run({ operation: 'getEntityMetadata', entity: 'lead' }) as { Attributes: unknown[] }).Attributes, []);
  assert.throws(() => run({ operation: 'getEntityMetadata', entity: 'contact', attributes: ['nosuchfield'] }), /Could not find an attribute named 'nosuchfield'/);
});
