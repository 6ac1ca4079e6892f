import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import { applicationUserId } from '../../../src/sandbox/dataverse/application-users.ts';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { CALLPANE_INTEGRATION, SALESPERSON } from '../../../src/sandbox/dataverse/security-roles.ts';
import { fixtureDataverse, IDS } from './dataverse-fixture.ts';

const API = '/api/data/v9.2';
const CLIENT = { clientId: '0a9c0000-0000-4000-8000-00000000c0de', clientSecret: 'journal-secret' };
const APP_USER = applicationUserId(CLIENT.clientId);
const CALL = 'ca110000-0000-4000-8000-0000000000c1';

let app: FastifyInstance;
let dataverse: Dataverse;
let bearer: Record<string, string>;

beforeEach(async () => {
  dataverse = fixtureDataverse();
  app = fastify();
  registerDataverseRoutes(app, dataverse, { oauth: { clients: [CLIENT] } });
  await app.ready();
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, scope: 'http://localhost:80/.default' });
  const token = await app.inject({ method: 'POST', url: '/oauth2/v2.0/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
  bearer = { authorization: `Bearer ${token.json().access_token}` };
});
afterEach(async () => {
  await app.close();
  dataverse.close();
});

function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: object, headers: Record<string, string> = bearer) {
  return app.inject({ method, url: `${API}${url}`, headers, ...(body ? { payload: body } : {}) });
}

function assertRefused(response: { statusCode: number; json(): unknown }, code: string, message: RegExp): void {
  assert.equal(response.statusCode, 403);
  const { error } = response.json() as { error: { code: string; message: string } };
  assert.equal(error.code, code);
  assert.match(error.message, message);
}

describe('the application user of a configured client', () => {
  test('is a non-interactive systemuser carrying the client id, with the Callpane Integration role', async () => {
    const user = await call(
      'GET',
      `/systemusers(${APP_USER})?$select=applicationid,accessmode,azureactivedirectoryobjectid,isdisabled&$expand=systemuserroles_association($select=name)`,
    );
    assert.equal(user.statusCode, 200, user.body);
    const record = user.json();
    assert.equal(record.applicationid, CLIENT.clientId);
    assert.equal(record.accessmode, 4);
    assert.match(record.azureactivedirectoryobjectid, /^[0-9a-f-]{36}$/);
    assert.equal(record.isdisabled, false);
    assert.deepEqual(
      record.systemuserroles_association.map((role: { roleid: string; name: string }) => [role.roleid, role.name]),
      [[CALLPANE_INTEGRATION.id, 'Callpane Integration']],
    );
  });

  test('its roles read through the navigation property too, with @odata.context naming the roles set', async () => {
    const roles = await call('GET', `/systemusers(${APP_USER})/systemuserroles_association?$select=name`);
    assert.equal(roles.statusCode, 200, roles.body);
    assert.equal(roles.json()['@odata.context'], `http://localhost:80${API}/$metadata#roles(name)`);
    assert.deepEqual(
      roles.json().value.map((role: { name: string }) => role.name),
      ['Callpane Integration'],
    );
    const found = await call('GET', `/systemusers?$select=systemuserid&$filter=applicationid eq ${CLIENT.clientId}`);
    assert.deepEqual(
      found.json().value.map((user: { systemuserid: string }) => user.systemuserid),
      [APP_USER],
    );
  });

  test('keeps the roles an administrator changed when the routes are registered again (a restart)', async () => {
    dataverse.setUserRoles(APP_USER, [SALESPERSON.id]);
    const again = fastify();
    registerDataverseRoutes(again, dataverse, { oauth: { clients: [CLIENT] } });
    await again.close();
    assert.deepEqual(dataverse.rolesOf(APP_USER), [SALESPERSON.id]);
  });

  test('a client id that is not a GUID is refused at start, as Entra ID ids are GUIDs', () => {
    assert.throws(() => registerDataverseRoutes(fastify(), dataverse, { oauth: { clients: [{ clientId: 'callpane', clientSecret: 's' }] } }), /client id "callpane" is not a GUID/);
  });
});

describe('privileges', () => {
  test('the integration role journals a call: create with regarding, parties and an owner, read it, complete it', async () => {
    // Another user to own the call (the fixture has no interactive users; systemusers are read-only over the API).
    const owner = dataverse.ensureApplicationUser('aaaa0000-0000-4000-8000-00000000a9e1');
    const created = await call(
      'PATCH',
      `/phonecalls(${CALL})`,
      {
        subject: 'Inbound call',
        'ownerid@odata.bind': `/systemusers(${owner})`,
        'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${IDS.alex})`,
        phonecall_activity_parties: [
          { 'partyid_contact@odata.bind': `/contacts(${IDS.alex})`, participationtypemask: 1 },
          { 'partyid_systemuser@odata.bind': `/systemusers(${owner})`, participationtypemask: 2 },
        ],
      },
      { ...bearer, 'if-none-match': '*' },
    );
    assert.equal(created.statusCode, 204, created.body);
    const read = await call('GET', `/phonecalls(${CALL})?$select=_ownerid_value,statecode`);
    assert.equal(read.json()._ownerid_value, owner);
    const completed = await call('PATCH', `/phonecalls(${CALL})`, { statecode: 1, statuscode: 4 }, { ...bearer, 'if-match': '*' });
    assert.equal(completed.statusCode, 204, completed.body);
  });

  test('a write the roles do not grant is refused 403 0x80040220, naming the missing privilege', async () => {
    assertRefused(
      await call('POST', '/contacts', { lastname: 'Not allowed' }),
      '0x80040220',
      new RegExp(`^Principal user \\(Id=${APP_USER}, type=8, roleCount=1, accessMode=4\\), is missing prvCreateContact privilege`),
    );
    assertRefused(await call('DELETE', `/contacts(${IDS.alex})`), '0x80040220', /is missing prvDeleteContact privilege/);
    assertRefused(await call('GET', '/usersettingscollection'), '0x80040220', /is missing prvReadUserSettings privilege for entity 'usersettings'/);
    assert.equal(dataverse.retrieveMultiple('contacts', "?$filter=lastname eq 'Not allowed'").records.length, 0, 'nothing was written');
  });

  test('a create without an owner is owned by the caller; an update needs Write and, to change the owner, Assign', async () => {
    dataverse.setUserRoles(APP_USER, [SALESPERSON.id]); // Write on activities, no Assign
    assert.equal((await call('POST', '/phonecalls', { activityid: CALL, subject: 'Outbound call' })).statusCode, 204);
    assert.equal(dataverse.retrieve('phonecalls', CALL, '?$select=_ownerid_value').record._ownerid_value, APP_USER);
    assert.equal((await call('PATCH', `/phonecalls(${CALL})`, { description: 'notes' })).statusCode, 204, 'the role has prvWriteActivity');
    assertRefused(await call('PATCH', `/phonecalls(${CALL})`, { 'ownerid@odata.bind': `/systemusers(${APP_USER})` }), '0x80040220', /is missing prvAssignActivity privilege/);
  });

  test('a create owned by another user needs Assign, by POST or by upsert; one owned by the caller does not', async () => {
    const agent = dataverse.ensureApplicationUser('aaaa0000-0000-4000-8000-00000000a9e2');
    dataverse.setUserRoles(APP_USER, [SALESPERSON.id]); // Create on activities, no Assign
    assertRefused(
      await call('POST', '/phonecalls', { subject: 'x', 'ownerid@odata.bind': `/systemusers(${agent})` }),
      '0x80040220',
      /is missing prvAssignActivity privilege for entity 'phonecall'/,
    );
    assertRefused(
      await call('PATCH', `/phonecalls(${CALL})`, { subject: 'x', 'ownerid@odata.bind': `/systemusers(${agent})` }, { ...bearer, 'if-none-match': '*' }),
      '0x80040220',
      /is missing prvAssignActivity privilege/,
    );
    assert.equal(dataverse.retrieveMultiple('phonecalls', `?$filter=_ownerid_value eq ${agent}`).records.length, 0, 'nothing was written');
    const own = await call('POST', '/phonecalls', { subject: 'x', 'ownerid@odata.bind': `/systemusers(${APP_USER.toUpperCase()})` });
    assert.equal(own.statusCode, 204, own.body);
    dataverse.setUserRoles(APP_USER, [CALLPANE_INTEGRATION.id]);
    const given = await call('POST', '/phonecalls', { subject: 'x', 'ownerid@odata.bind': `/systemusers(${agent})` });
    assert.equal(given.statusCode, 204, 'the integration role has prvAssignActivity');
  });

  test('a conditional upsert whose condition fails answers 412 or 404 before any privilege to write', async () => {
    const agent = dataverse.ensureApplicationUser('aaaa0000-0000-4000-8000-00000000a9e3');
    dataverse.create('phonecalls', { activityid: CALL, subject: 'Written by the pane', description: "The pane's notes" });
    dataverse.setUserRoles(APP_USER, [SALESPERSON.id]); // no Assign on activities
    const again = await call('PATCH', `/phonecalls(${CALL})`, { subject: 'Inbound call', 'ownerid@odata.bind': `/systemusers(${agent})` }, { ...bearer, 'if-none-match': '*' });
    assert.equal(again.statusCode, 412, again.body);
    assert.equal(again.json().error.code, '0x80040237');
    assert.equal(dataverse.retrieve('phonecalls', CALL, '?$select=description').record.description, "The pane's notes");
    dataverse.setUserRoles(APP_USER, [CALLPANE_INTEGRATION.id]); // no Create on contacts
    const missing = await call('PATCH', '/contacts(c0000000-0000-4000-8000-00000000dead)', { lastname: 'Nobody' }, { ...bearer, 'if-match': '*' });
    assert.equal(missing.statusCode, 404, missing.body);
  });

  test('binding a record needs AppendTo on its table', async () => {
    dataverse.setUserRoles(APP_USER, [SALESPERSON.id]);
    // Salespeople may append activities to contacts, not to users.
    assertRefused(
      await call('POST', '/phonecalls', { subject: 'x', phonecall_activity_parties: [{ 'partyid_systemuser@odata.bind': `/systemusers(${APP_USER})`, participationtypemask: 2 }] }),
      '0x80040220',
      /is missing prvAppendToUser privilege for entity 'systemuser'/,
    );
    const allowed = await call('POST', '/phonecalls', { subject: 'x', 'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${IDS.alex})` });
    assert.equal(allowed.statusCode, 204, allowed.body);
  });

  test('a user without any role is refused every table with 0x80042f09', async () => {
    dataverse.setUserRoles(APP_USER, []);
    assertRefused(
      await call('GET', '/contacts?$top=1'),
      '0x80042f09',
      new RegExp(`^SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user\\. Returned hr = -2147209463, User: ${APP_USER}$`),
    );
    assert.equal((await call('GET', '/WhoAmI')).statusCode, 200, 'WhoAmI needs no privilege');
  });

  test('the sandbox’s own pages act as interactive users and are not checked', async () => {
    const page = await call('GET', '/usersettingscollection', undefined, { 'sec-fetch-site': 'same-origin' });
    assert.equal(page.statusCode, 200);
  });
});
