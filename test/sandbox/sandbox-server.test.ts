import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataverse, SEED } from '../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, LIBRARY_PATH, RECORDS_PATH, USER_PATH, type SandboxServer } from '../../src/sandbox/sandbox-server.ts';
import { createLogger } from '../../src/server/logger.ts';
import type { PageConfig } from '../../src/sandbox/ui/page-config.ts';

let dataverse: Dataverse;
let server: SandboxServer;
let origin: string;

before(async () => {
  dataverse = new Dataverse({ path: ':memory:' });
  server = createSandboxServer({
    host: '127.0.0.1',
    port: 0,
    dataverse,
    logger: createLogger({ level: 'silent', pretty: false }),
    provider: (own) => ({ label: 'Callpane for Dynamics 365', landingUrl: `http://localhost:9/dyncrm?base=${own}`, clickToAct: true, trustedDomain: 'login.example.test' }),
  });
  origin = await server.listen();
});
after(async () => {
  await server.close();
  dataverse.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { origin }) =>
  fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function pageConfigOf(html: string): PageConfig {
  const json = /<script type="application\/json" id="sandbox-config">(.*?)<\/script>/s.exec(html)?.[1];
  assert.ok(json, 'the page carries its configuration');
  return JSON.parse(json) as PageConfig;
}

describe('the pages', () => {
  test('the sandbox listens on its own origin, an IP address, never localhost', () => {
    assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('/ opens the Contacts list of the app, main.aspx style', async () => {
    const response = await fetch(`${origin}/`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.match(response.headers.get('location') ?? '', /^\/main\.aspx\?appid=[0-9a-f-]{36}&pagetype=entitylist&etn=contact$/);
  });

  test('main.aspx shows the sandbox banner, may not be framed elsewhere and carries the provider, users and schema', async () => {
    const response = await fetch(`${origin}/main.aspx?pagetype=entitylist&etn=lead`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-security-policy'), "frame-ancestors 'self'");
    const html = await response.text();
    assert.match(html, /<div class="sandbox-banner" role="note"><strong>Local Dynamics 365 sandbox<\/strong>/);
    const config = pageConfigOf(html);
    assert.equal(config.provider?.landingUrl, `http://localhost:9/dyncrm?base=${origin}`);
    assert.deepEqual(config.provider?.trustedOrigins, ['http://localhost:9', 'https://login.example.test']);
    assert.equal(config.org.clientUrl, origin);
    assert.equal(config.currentUserId, SEED.agentEnglish);
    const languages = Object.fromEntries(config.users.map((user) => [user.id, user.lcid]));
    assert.equal(languages[SEED.agentEnglish], 1033);
    assert.equal(languages[SEED.agentChinese], 2052);
    assert.deepEqual(Object.keys(config.entities).sort(), ['account', 'contact', 'lead', 'phonecall', 'systemuser']);
    assert.ok(config.entities.phonecall?.lookups.some((lookup) => lookup.navigation.regardingobjectid_contact_phonecall === 'contact'));
  });

  test('a value cannot close the configuration script element', async () => {
    const html = await (await fetch(`${origin}/main.aspx`)).text();
    const json = /<script type="application\/json" id="sandbox-config">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    assert.doesNotMatch(json, /</);
  });

  test('the CIF library is a classic script that finds its tag and fires CIFInitDone', async () => {
    const response = await fetch(`${origin}${LIBRARY_PATH}`);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const script = await response.text();
    assert.match(script, /^[\s\S]*\(\(\) => \{/, 'an IIFE');
    assert.doesNotMatch(script, /^\s*(import|export)\s/m);
    for (const marker of ['CIFMainLibrary', 'data-crmurl', 'CIFInitDone']) assert.ok(script.includes(marker), marker);
  });

  test('the app bundle and its style sheet are served', async () => {
    const js = await fetch(`${origin}/_sandbox/app.js`);
    assert.equal(js.status, 200);
    assert.ok((await js.text()).includes('sandbox-config'));
    const css = await fetch(`${origin}/_sandbox/app.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  });
});

describe('record calls of the page and of CIF', () => {
  test('run in the Xrm dialect: the short regarding bind works there and not over the Web API', async () => {
    const body = { subject: 'Call about the quote', 'regardingobjectid_contact@odata.bind': `/contacts(${SEED.contactAlexBaker})` };
    const viaCif = await post(RECORDS_PATH, { operation: 'createRecord', entity: 'phonecall', data: body });
    assert.equal(viaCif.status, 200);
    const { result } = (await viaCif.json()) as { result: { entityType: string; id: string } };
    assert.equal(result.entityType, 'phonecall');
    const { record } = dataverse.retrieve('phonecalls', result.id, '?$select=_regardingobjectid_value');
    assert.equal(record._regardingobjectid_value, SEED.contactAlexBaker);

    const viaWebApi = await fetch(`${origin}/api/data/v9.2/phonecalls`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });
    assert.equal(viaWebApi.status, 400);
  });

  test('a Dataverse error comes back with its status and body', async () => {
    const response = await post(RECORDS_PATH, { operation: 'retrieveRecord', entity: 'contact', id: '00000000-0000-4000-8000-00000000abcd', options: '' });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, '0x80040217');
  });

  test('quick find runs on the sandbox Dataverse, lookups with their names', async () => {
    const response = await post(RECORDS_PATH, { operation: 'quickFind', entity: 'contact', text: 'Alex Bak', query: '?$select=fullname,_parentcustomerid_value&$count=true' });
    assert.equal(response.status, 200);
    const { result } = (await response.json()) as { result: { records: Record<string, unknown>[]; count: number } };
    const alex = result.records.find((record) => record.contactid === SEED.contactAlexBaker);
    assert.ok(alex, 'Alex Baker is found');
    assert.equal(typeof alex['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue'], 'string');
    assert.equal(result.count, result.records.length);
  });

  test("they count against the user's service protection limits", async () => {
    dataverse.throttle({ requests: 1, windowMs: 60_000 });
    try {
      const call = { operation: 'searchRecords', entity: 'contact', query: '?$select=fullname&$top=1' };
      assert.equal((await post(RECORDS_PATH, call)).status, 200);
      const refused = await post(RECORDS_PATH, call);
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    } finally {
      dataverse.throttle(undefined);
    }
  });

  test('a malformed call is refused with 400', async () => {
    for (const call of [
      { operation: 'dropTable', entity: 'contact' },
      { operation: 'createRecord', entity: 'contact' },
      { operation: 'updateRecord', entity: 'contact', id: 'x', data: [] },
    ]) {
      assert.equal((await post(RECORDS_PATH, call)).status, 400, JSON.stringify(call));
    }
  });

  test('only the sandbox page itself may make them', async () => {
    const call = { operation: 'searchRecords', entity: 'contact', query: '?$select=fullname' };
    assert.equal((await post(RECORDS_PATH, call, { origin: 'http://localhost:9' })).status, 403);
    assert.equal((await post(RECORDS_PATH, call, {})).status, 403);
    assert.equal((await post(RECORDS_PATH, call, { origin, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await post(RECORDS_PATH, call)).status, 200);
  });
});

describe('the signed-in user', () => {
  test('the user picker changes who WhoAmI and the page say is signed in', async () => {
    try {
      assert.equal((await post(USER_PATH, { userId: SEED.agentChinese })).status, 204);
      const whoAmI = (await (await fetch(`${origin}/api/data/v9.2/WhoAmI`, { headers: { 'sec-fetch-site': 'same-origin' } })).json()) as { UserId: string };
      assert.equal(whoAmI.UserId, SEED.agentChinese);
      assert.equal(pageConfigOf(await (await fetch(`${origin}/main.aspx`)).text()).currentUserId, SEED.agentChinese);
    } finally {
      server.currentUserId = SEED.agentEnglish;
    }
  });

  test('application users are not people: the user picker neither lists nor takes them', async () => {
    const appUser = dataverse.ensureApplicationUser('0a9c0000-0000-4000-8000-00000000beef');
    const config = pageConfigOf(await (await fetch(`${origin}/main.aspx`)).text());
    assert.deepEqual(config.users.map((user) => user.id).sort(), [SEED.agentEnglish, SEED.agentChinese, SEED.supervisor].sort());
    assert.equal((await post(USER_PATH, { userId: appUser })).status, 400);
  });

  test('an unknown user or another origin is refused', async () => {
    assert.equal((await post(USER_PATH, { userId: '00000000-0000-4000-8000-000000000000' })).status, 400);
    assert.equal((await post(USER_PATH, { userId: SEED.agentChinese }, { origin: 'http://localhost:9' })).status, 403);
    assert.equal(server.currentUserId, SEED.agentEnglish);
  });
});

describe('the channel panel', () => {
  test("shows the provider record the signed-in user's roles select, and nothing for a user without such a role", async () => {
    const roles = dataverse.rolesOf(SEED.agentChinese);
    try {
      dataverse.setUserRoles(SEED.agentChinese, []);
      server.currentUserId = SEED.agentChinese;
      assert.equal(pageConfigOf(await (await fetch(`${origin}/main.aspx`)).text()).provider, null);
      server.currentUserId = SEED.agentEnglish;
      assert.equal(pageConfigOf(await (await fetch(`${origin}/main.aspx`)).text()).provider?.label, 'Callpane for Dynamics 365');
    } finally {
      dataverse.setUserRoles(SEED.agentChinese, roles);
      server.currentUserId = SEED.agentEnglish;
    }
  });

  test('follows the record: a changed label or Channel URL shows at the next page load, a deleted record leaves no panel', async () => {
    const [record] = dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_ciproviderid,msdyn_label').records;
    assert.ok(record);
    const id = record.msdyn_ciproviderid as string;
    dataverse.update('msdyn_ciproviders', id, { msdyn_label: 'Renamed', msdyn_landingurl: 'http://localhost:9/other' });
    const config = pageConfigOf(await (await fetch(`${origin}/main.aspx`)).text());
    assert.equal(config.provider?.label, 'Renamed');
    assert.equal(config.provider?.landingUrl, 'http://localhost:9/other');
    dataverse.delete('msdyn_ciproviders', id);
    assert.equal(pageConfigOf(await (await fetch(`${origin}/main.aspx`)).text()).provider, null);
  });
});
