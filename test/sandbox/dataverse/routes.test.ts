import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import { DataverseError, DataverseErrorCode } from '../../../src/sandbox/dataverse/dataverse-error.ts';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { fixtureDataverse, IDS } from './dataverse-fixture.ts';

const API = '/api/data/v9.2';
const ROOT = `http://localhost:80${API}/`;
const CALL = 'ca110000-0000-4000-8000-0000000000bb';
let app: FastifyInstance;
let dataverse: Dataverse;
let throttled: boolean;

beforeEach(async () => {
  dataverse = fixtureDataverse();
  throttled = false;
  app = fastify();
  registerDataverseRoutes(app, dataverse, {
    allowedOrigins: ['http://127.0.0.1:8081'],
    authorize: (_request, reply) => {
      if (!throttled) return;
      reply.header('Retry-After', '7');
      throw new DataverseError(429, DataverseErrorCode.None, 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.');
    },
  });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  dataverse.close();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
/** A request from the sandbox's own pages (what a browser sends on a same-origin fetch). */
function inject(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
  return serverInject(method, url, body, { 'sec-fetch-site': 'same-origin', ...headers });
}

/** A request as a server-side client sends it: no browser markers. */
function serverInject(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const payload = body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object };
  return app.inject({ method, url: `${API}${url}`, headers, ...payload });
}

function assertODataError(response: { statusCode: number; json(): unknown; headers: Record<string, unknown> }, status: number, code: string, message?: RegExp): void {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/json; odata\.metadata=minimal/);
  const body = response.json() as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, code);
  if (message) assert.match(body.error.message, message);
}

describe('GET', () => {
  test('a collection answers with @odata.context naming the selected columns, and the rows in value', async () => {
    const response = await inject('GET', `/contacts?$select=fullname,telephone1&$filter=${encodeURIComponent("contains(telephone1,'555')")}&$orderby=fullname`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['odata-version'], '4.0');
    assert.equal(response.headers['content-type'], 'application/json; odata.metadata=minimal');
    const body = response.json();
    assert.equal(body['@odata.context'], `${ROOT}$metadata#contacts(fullname,telephone1)`);
    assert.deepEqual(
      body.value.map((r: { fullname: string }) => r.fullname),
      ['Alex Baker', "Jordan O'Brien"],
    );
    assert.match(body.value[0]['@odata.etag'], /^W\/"\d+"$/);
  });

  test('$count=true adds @odata.count', async () => {
    const body = (await inject('GET', '/contacts?$count=true&$top=1')).json();
    assert.equal(body['@odata.count'], 5);
    assert.equal(body.value.length, 1);
  });

  test('a record answers with /$entity context, an ETag header, and 304 when If-None-Match matches', async () => {
    const response = await inject('GET', `/contacts(${IDS.alex})?$select=fullname&$expand=parentcustomerid_account($select=name)`);
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body['@odata.context'], `${ROOT}$metadata#contacts(fullname,parentcustomerid_account(name))/$entity`);
    assert.equal(body.parentcustomerid_account.name, 'Contoso Ltd');
    assert.equal(response.headers.etag, body['@odata.etag']);
    const again = await inject('GET', `/contacts(${IDS.alex})?$select=fullname`, undefined, { 'if-none-match': body['@odata.etag'] });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  test('Prefer odata.include-annotations adds lookup annotations and is acknowledged', async () => {
    const response = await inject('GET', `/contacts(${IDS.alex})?$select=_parentcustomerid_value`, undefined, { prefer: 'odata.include-annotations="*"' });
    assert.equal(response.headers['preference-applied'], 'odata.include-annotations="*"');
    assert.equal(response.json()['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'account');
  });

  test('an unknown set, property or record fails with the Dataverse error body', async () => {
    assertODataError(await inject('GET', '/Account'), 404, '0x8006088a', /^Resource not found for the segment 'Account'\.$/);
    assertODataError(await inject('GET', '/accounts?$select=Name'), 400, '0x80060888', /^Could not find a property named 'Name' on type 'Microsoft\.Dynamics\.CRM\.account'\.$/);
    assertODataError(await inject('GET', '/contacts(cccccccc-0000-4000-8000-0000000000ff)'), 404, '0x80040217', /Does Not Exist$/);
    assertODataError(await inject('GET', '/contacts(not-a-guid)'), 400, '0x80060888', /Error in query syntax/);
    assertODataError(await inject('GET', `/contacts?$filter=${encodeURIComponent("lastname eq 'O'Brien'")}`), 400, '0x80060888', /unterminated literal/);
  });

  test('the service document lists the entity sets and WhoAmI names the current user', async () => {
    const service = (await inject('GET', '/')).json();
    assert.deepEqual(
      service.value.map((s: { name: string }) => s.name),
      ['contacts', 'accounts', 'leads', 'phonecalls', 'activityparties', 'systemusers', 'usersettingscollection', 'roles', 'systemuserrolescollection', 'msdyn_ciproviders'],
    );
    const whoami = (await inject('GET', '/WhoAmI')).json();
    assert.deepEqual(Object.keys(whoami).sort(), ['@odata.context', 'BusinessUnitId', 'OrganizationId', 'UserId']);
  });

  test('segments outside the subset say so', async () => {
    assertODataError(await inject('GET', '/$metadata'), 501, '', /does not support/);
    assertODataError(await inject('GET', `/contacts(${IDS.alex})/fullname`), 501, '');
    assertODataError(await inject('GET', "/contacts(emailaddress1='a@b.example')"), 501, '', /alternate keys/);
  });
});

describe('POST', () => {
  test('creates and answers 204 with OData-EntityId', async () => {
    const response = await inject('POST', '/contacts', { contactid: 'cccccccc-0000-4000-8000-0000000000e1', lastname: 'Posted' });
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['odata-entityid'], `${ROOT}contacts(cccccccc-0000-4000-8000-0000000000e1)`);
    assert.equal(response.body, '');
  });

  test('with Prefer: return=representation answers 201 with the record and no OData-EntityId', async () => {
    const response = await inject('POST', '/phonecalls?$select=subject,statecode,statuscode', { activityid: CALL, subject: 'Inbound call' }, { prefer: 'return=representation' });
    assert.equal(response.statusCode, 201);
    assert.equal(response.headers['preference-applied'], 'return=representation');
    assert.equal(response.headers['odata-entityid'], undefined);
    const body = response.json();
    assert.equal(body['@odata.context'], `${ROOT}$metadata#phonecalls(subject,statecode,statuscode)/$entity`);
    assert.deepEqual([body.activityid, body.subject, body.statecode, body.statuscode], [CALL, 'Inbound call', 0, 1]);
  });

  test('a duplicate key is 412 0x80040237; state on create is 400 0x80048408', async () => {
    assertODataError(await inject('POST', '/contacts', { contactid: IDS.alex }), 412, '0x80040237', /^A record with matching key values already exists\.$/);
    assertODataError(await inject('POST', '/phonecalls', { subject: 's', statecode: 1, statuscode: 2 }), 400, '0x80048408');
  });

  test('the short regarding name is not a Web API navigation property', async () => {
    assertODataError(
      await inject('POST', '/phonecalls', { subject: 's', 'regardingobjectid_contact@odata.bind': `/contacts(${IDS.alex})` }),
      400,
      '0x80060888',
      /undeclared property 'regardingobjectid_contact'/,
    );
  });

  test('malformed JSON, an empty body and a non-JSON content type are refused', async () => {
    assertODataError(await inject('POST', '/contacts', '{"lastname":', { 'content-type': 'application/json' }), 400, '0x80060888');
    assertODataError(await inject('POST', '/contacts', '', { 'content-type': 'application/json' }), 400, '0x80060888');
    assertODataError(await inject('POST', '/contacts', 'lastname=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, '0x80060888');
  });
});

describe('PATCH', () => {
  const id = 'cccccccc-0000-4000-8000-0000000000f1';

  test('upserts: creates a missing record and updates it next time, both 204', async () => {
    const created = await inject('PATCH', `/contacts(${id})`, { lastname: 'Upsert' });
    assert.equal(created.statusCode, 204);
    assert.equal(created.headers['odata-entityid'], `${ROOT}contacts(${id})`);
    assert.equal((await inject('PATCH', `/contacts(${id})`, { firstname: 'Then' })).statusCode, 204);
    assert.equal(dataverse.retrieve('contacts', id).record.fullname, 'Then Upsert');
  });

  test('If-Match: * on a missing record is 404, If-None-Match: * on an existing one 412', async () => {
    assertODataError(await inject('PATCH', `/contacts(${id})`, { lastname: 'X' }, { 'if-match': '*' }), 404, '0x80040217', new RegExp(`^contact With Id = ${id} Does Not Exist$`));
    assertODataError(await inject('PATCH', `/contacts(${IDS.alex})`, { lastname: 'X' }, { 'if-none-match': '*' }), 412, '0x80040237');
    assert.equal((await inject('PATCH', `/contacts(${id})`, { lastname: 'New' }, { 'if-none-match': '*' })).statusCode, 204);
    assert.equal((await inject('PATCH', `/contacts(${IDS.alex})`, { jobtitle: 'Buyer' }, { 'if-match': '*' })).statusCode, 204);
  });

  test('with Prefer: return=representation answers 200 with the updated record', async () => {
    const response = await inject('PATCH', `/contacts(${IDS.alex})?$select=jobtitle`, { jobtitle: 'Buyer' }, { prefer: 'return=representation', 'if-match': '*' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().jobtitle, 'Buyer');
  });

  test('completes a phone call with its parties, then refuses edits until it is reopened', async () => {
    await inject('POST', '/phonecalls', {
      activityid: CALL,
      subject: 'Outbound call Alex Baker',
      directioncode: true,
      'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${IDS.alex})`,
      phonecall_activity_parties: [{ 'partyid_contact@odata.bind': `/contacts(${IDS.alex})`, participationtypemask: 2 }],
    });
    assert.equal((await inject('PATCH', `/phonecalls(${CALL})`, { actualdurationminutes: 2, statecode: 1, statuscode: 2 }, { 'if-match': '*' })).statusCode, 204);
    assertODataError(await inject('PATCH', `/phonecalls(${CALL})`, { description: 'x' }, { 'if-match': '*' }), 400, '0x80048408');
  });
});

describe('DELETE and methods', () => {
  test('DELETE answers 204, then 404', async () => {
    assert.equal((await inject('DELETE', `/contacts(${IDS.nophone})`)).statusCode, 204);
    assertODataError(await inject('DELETE', `/contacts(${IDS.nophone})`), 404, '0x80040217');
  });

  test('methods a resource does not take are 405', async () => {
    assertODataError(await inject('DELETE', '/contacts'), 405, '', /does not support http method 'DELETE'/);
    assertODataError(await inject('POST', `/contacts(${IDS.alex})`, {}), 405, '');
    assertODataError(await inject('PUT', `/contacts(${IDS.alex})`, {}), 405, '');
    assertODataError(await inject('POST', '/systemusers', { firstname: 'x' }), 405, '');
  });
});

describe('access', () => {
  test('a cross-origin browser request is refused with 403 and no CORS headers', async () => {
    const response = await inject('GET', '/contacts', undefined, { origin: 'https://evil.example' });
    assertODataError(response, 403, '0x80048405', /^Access is denied\.$/);
    assert.equal(response.headers['access-control-allow-origin'], undefined);
    assertODataError(await inject('GET', '/contacts', undefined, { 'sec-fetch-site': 'cross-site' }), 403, '0x80048405');
  });

  test('same-origin requests, allowed origins and address-bar navigations are served', async () => {
    assert.equal((await serverInject('GET', '/contacts?$top=1', undefined, { origin: 'http://localhost:80' })).statusCode, 200);
    assert.equal((await serverInject('GET', '/contacts?$top=1', undefined, { origin: 'http://127.0.0.1:8081' })).statusCode, 200);
    assert.equal((await serverInject('GET', '/contacts?$top=1', undefined, { 'sec-fetch-site': 'same-origin' })).statusCode, 200);
    assert.equal((await serverInject('GET', '/contacts?$top=1', undefined, { 'sec-fetch-site': 'none' })).statusCode, 200);
  });

  test('a server-side caller without a token gets Dataverse’s 401 challenge and an empty body', async () => {
    const response = await serverInject('GET', '/contacts?$top=1');
    assert.equal(response.statusCode, 401);
    assert.equal(
      response.headers['www-authenticate'],
      'Bearer authorization_uri=http://localhost:80/7e7a0000-0000-4000-8000-000000000001/oauth2/authorize, resource_id=http://localhost:80/',
    );
    assert.equal(response.body, '');
  });

  test('the authorize hook can refuse requests, e.g. with 429 and Retry-After', async () => {
    throttled = true;
    const response = await inject('GET', '/contacts');
    assertODataError(response, 429, '', /exceeded the limit/);
    assert.equal(response.headers['retry-after'], '7');
  });
});
