/**
 * The calls the sandbox's CIF host makes (createRecord, retrieveRecord, updateRecord,
 * deleteRecord, searchAndOpenRecords) go straight to the Dataverse class, the Web API through
 * HTTP: these tests hold that both see one implementation — the same records, the same errors —
 * and that the Xrm dialect differs only where docs/dataverse.md §8 says it does (the short regarding bind).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import { DataverseError } from '../../../src/sandbox/dataverse/dataverse-error.ts';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { expectDataverseError, fixtureDataverse, IDS } from './dataverse-fixture.ts';

const API = '/api/data/v9.2';
let dataverse: Dataverse;
let app: FastifyInstance;

beforeEach(async () => {
  dataverse = fixtureDataverse();
  app = fastify();
  registerDataverseRoutes(app, dataverse);
  await app.ready();
});
afterEach(async () => {
  await app.close();
  dataverse.close();
});

function web(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}) {
  return app.inject({ method, url: `${API}${url}`, headers: { 'sec-fetch-site': 'same-origin', ...headers }, ...(payload ? { payload } : {}) });
}

function caught(work: () => unknown): DataverseError {
  try {
    work();
  } catch (error) {
    if (error instanceof DataverseError) return error;
    throw error;
  }
  assert.fail('expected a DataverseError');
}

const withoutContext = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([key]) => key !== '@odata.context'));

describe('CIF record calls and the Web API', () => {
  test('searchAndOpenRecords’ query returns what the Web API returns for it', async () => {
    const query = `?$select=fullname,telephone1&$filter=${encodeURIComponent("contains(telephone1,'%4%1%5%5%5%5%0%1%0%')")}&$orderby=fullname`;
    const direct = dataverse.retrieveMultiple(dataverse.entitySetFor('contact'), query).records;
    const overHttp = (await web('GET', `/contacts${query}`)).json().value;
    assert.deepEqual(direct, overHttp);
    assert.deepEqual(
      direct.map((r) => r.fullname),
      ['Alex Baker', "Jordan O'Brien"],
    );
  });

  test('retrieveRecord with $select returns the Web API’s record', async () => {
    const direct = dataverse.retrieve('contacts', IDS.alex, '?$select=fullname,mobilephone').record;
    assert.deepEqual(direct, withoutContext((await web('GET', `/contacts(${IDS.alex})?$select=fullname,mobilephone`)).json()));
    assert.deepEqual(Object.keys(direct).sort(), ['@odata.etag', 'contactid', 'fullname', 'mobilephone']);
  });

  test('a bad $select fails with the same error either way', async () => {
    const error = caught(() => dataverse.retrieveMultiple('contacts', '?$select=fullname,phone'));
    const response = await web('GET', '/contacts?$select=fullname,phone');
    assert.equal(response.statusCode, error.status);
    assert.deepEqual(response.json(), error.toBody());
  });

  test('createRecord in the Xrm dialect takes the short regarding bind, which the Web API refuses', async () => {
    const body = { subject: 'Logged from the pane', 'regardingobjectid_contact@odata.bind': `/contacts(${IDS.alex})` };
    const { id } = dataverse.create('phonecalls', body, { dialect: 'xrm' });
    const logged = (await web('GET', `/phonecalls(${id})?$select=_regardingobjectid_value,statecode`)).json();
    assert.equal(logged._regardingobjectid_value, IDS.alex);
    assert.equal(logged.statecode, 0);
    const refused = await web('POST', '/phonecalls', body);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().error.message, /undeclared property 'regardingobjectid_contact'/);
    expectDataverseError(() => dataverse.create('phonecalls', body), 400, '0x80060888', /regardingobjectid_contact/);
  });

  test('the same write rules hold for CIF: state on create, duplicate keys, unknown columns', async () => {
    const stateOnCreate = { subject: 'x', statecode: 1, statuscode: 2 };
    const direct = caught(() => dataverse.create('phonecalls', stateOnCreate, { dialect: 'xrm' }));
    const overHttp = await web('POST', '/phonecalls', stateOnCreate);
    assert.deepEqual([overHttp.statusCode, overHttp.json().error.code], [direct.status, direct.code]);
    expectDataverseError(() => dataverse.create('contacts', { contactid: IDS.alex }, { dialect: 'xrm' }), 412, '0x80040237');
    expectDataverseError(() => dataverse.create('contacts', { nickname: 'x' }, { dialect: 'xrm' }), 400, '0x80060888');
  });

  test('updateRecord updates and never creates; deleteRecord deletes what the Web API then cannot find', async () => {
    dataverse.update('contacts', IDS.alex, { jobtitle: 'Buyer' }, { dialect: 'xrm' });
    assert.equal((await web('GET', `/contacts(${IDS.alex})?$select=jobtitle`)).json().jobtitle, 'Buyer');
    const missing = 'cccccccc-0000-4000-8000-0000000000ff';
    expectDataverseError(() => dataverse.update('contacts', missing, { lastname: 'Ghost' }, { dialect: 'xrm' }), 404, '0x80040217');
    dataverse.delete('contacts', IDS.nophone);
    assert.equal((await web('GET', `/contacts(${IDS.nophone})`)).statusCode, 404);
  });

  test('a record made over the Web API is found by CIF, and one made by CIF over the Web API', async () => {
    await web('POST', '/contacts', { contactid: 'cccccccc-0000-4000-8000-0000000000e1', lastname: 'Viaweb', telephone1: '+49 30 901820' });
    assert.equal(dataverse.retrieveMultiple('contacts', `?$filter=${encodeURIComponent("telephone1 eq '+49 30 901820'")}`).records.length, 1);
    const { id } = dataverse.create('contacts', { lastname: 'Viacif', mobilephone: '+81 90-1234-5678' }, { dialect: 'xrm' });
    assert.equal((await web('GET', `/contacts(${id})?$select=fullname`)).json().fullname, 'Viacif');
    assert.equal(dataverse.nameOf('contact', id), 'Viacif', 'the name a savedEntityReference carries');
  });
});
