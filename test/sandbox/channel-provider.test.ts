import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callpaneChannelUrl,
  channelProviderFor,
  landingUrlProblem,
  panelFrameSandbox,
  registerChannelProvider,
  SANDBOX_PROVIDER_ID,
  trustedOrigins,
} from '../../src/sandbox/channel-provider.ts';
import { Dataverse, SALESPERSON, SEED, SYSTEM_ADMINISTRATOR } from '../../src/sandbox/dataverse/index.ts';
import { SANDBOX_ORGANIZATION } from '../../src/sandbox/organization.ts';
import { PANEL_FRAME_SANDBOX } from '../../src/sandbox/ui/channel-panel.ts';

test("the Channel URL is the pane's /dyncrm with the org URL as base, as an administrator pastes it", () => {
  assert.equal(callpaneChannelUrl('http://localhost:8080/', 'http://127.0.0.1:8081'), 'http://localhost:8080/dyncrm?base=http://127.0.0.1:8081');
  assert.equal(callpaneChannelUrl('https://pbx.example.test', 'https://org1.crm.dynamics.com'), 'https://pbx.example.test/dyncrm?base=https://org1.crm.dynamics.com');
});

test("the host trusts the landing URL's origin and the Trusted Domain, written as a URL or a host name", () => {
  assert.deepEqual(trustedOrigins({ label: 'x', clickToAct: true, landingUrl: 'https://pbx.example.test/dyncrm?base=https://org' }), ['https://pbx.example.test']);
  assert.deepEqual(trustedOrigins({ label: 'x', clickToAct: true, landingUrl: 'https://pbx.example.test/dyncrm', trustedDomain: 'https://login.example.test/path' }), [
    'https://pbx.example.test',
    'https://login.example.test',
  ]);
  assert.deepEqual(trustedOrigins({ label: 'x', clickToAct: true, landingUrl: 'https://pbx.example.test/dyncrm', trustedDomain: 'sso.example.test' }), [
    'https://pbx.example.test',
    'https://sso.example.test',
  ]);
});

test('like Dynamics, a landing URL must be HTTPS; plain HTTP only on loopback, where browsers treat it as secure', () => {
  for (const ok of ['https://pbx.example.test/dyncrm', 'http://localhost:8080/dyncrm', 'http://127.0.0.1:9/x', 'http://[::1]:8080/'])
    assert.equal(landingUrlProblem(ok), undefined, ok);
  assert.match(landingUrlProblem('http://192.168.1.5:8080/dyncrm') ?? '', /only over HTTPS; http:\/\/192\.168\.1\.5:8080 is not/);
  assert.match(landingUrlProblem('http://pbx.example.test/dyncrm') ?? '', /only over HTTPS/);
  assert.match(landingUrlProblem('/dyncrm') ?? '', /not an absolute URL/);
});

describe('the provider record the panel shows', () => {
  const dataverse = new Dataverse({ path: ':memory:' });
  const APP = SANDBOX_ORGANIZATION.appId;
  const OTHER_ROLE = '201e0000-0000-4000-8000-0000000000ff';
  const record = (id: string, fields: Record<string, unknown>) =>
    dataverse.create('msdyn_ciproviders', {
      msdyn_ciproviderid: id,
      msdyn_name: id.slice(-2),
      msdyn_label: `Provider ${id.slice(-2)}`,
      msdyn_landingurl: `https://pbx${id.slice(-2)}.example.test/dyncrm`,
      msdyn_clicktoact: true,
      ...fields,
    });
  const id = (n: number) => `c1f00000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
  beforeEach(() => {
    for (const row of dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_ciproviderid').records)
      dataverse.delete('msdyn_ciproviders', row.msdyn_ciproviderid as string);
  });
  after(() => dataverse.close());

  test('a sandbox without a provider record shows no panel', () => {
    assert.equal(channelProviderFor(dataverse, SEED.agentEnglish, APP), undefined);
  });

  test('an agent sees the record naming one of their roles; a record for other roles only administrators see', () => {
    record(id(1), { msdyn_roleselector: OTHER_ROLE });
    assert.equal(channelProviderFor(dataverse, SEED.agentEnglish, APP), undefined);
    assert.equal(channelProviderFor(dataverse, SEED.supervisor, APP)?.label, 'Provider 01', 'System Administrators see every provider');
    record(id(2), { msdyn_roleselector: `${OTHER_ROLE};${SALESPERSON.id.toUpperCase()}` });
    assert.equal(channelProviderFor(dataverse, SEED.agentEnglish, APP)?.label, 'Provider 02');
  });

  test('the panel shows what the record says', () => {
    record(id(1), {
      msdyn_roleselector: SALESPERSON.id,
      msdyn_clicktoact: false,
      msdyn_trusteddomain: 'login.example.test',
      msdyn_customparams: '{"a":1}',
      msdyn_sandboxconfiguration: 'allow-popups-to-escape-sandbox',
    });
    assert.deepEqual(channelProviderFor(dataverse, SEED.agentEnglish, APP), {
      label: 'Provider 01',
      landingUrl: 'https://pbx01.example.test/dyncrm',
      clickToAct: false,
      trustedDomain: 'login.example.test',
      customParams: '{"a":1}',
      sandboxConfiguration: 'allow-popups-to-escape-sandbox',
    });
  });

  test('of the records that apply, the active CIF 1.0 one for this app with the lowest Channel Order wins', () => {
    const roles = SALESPERSON.id;
    record(id(1), { msdyn_roleselector: roles, msdyn_sortorder: 5 });
    record(id(2), { msdyn_roleselector: roles, msdyn_sortorder: 1 });
    record(id(3), { msdyn_roleselector: roles, msdyn_sortorder: 0, msdyn_ciproviderapiversion: 1 });
    record(id(4), { msdyn_roleselector: roles, msdyn_sortorder: 0, msdyn_appselector: 'a4b10000-0000-4000-8000-0000000000ff' });
    record(id(5), { msdyn_roleselector: roles, msdyn_sortorder: 0 });
    dataverse.update('msdyn_ciproviders', id(5), { statecode: 1, statuscode: 2 });
    assert.equal(channelProviderFor(dataverse, SEED.agentEnglish, APP)?.label, 'Provider 02');
    record(id(6), { msdyn_roleselector: roles, msdyn_sortorder: 0, msdyn_appselector: APP });
    assert.equal(channelProviderFor(dataverse, SEED.agentEnglish, APP)?.label, 'Provider 06');
  });

  test('registerChannelProvider writes one record for agents and administrators, and updates it at the next start', () => {
    registerChannelProvider(dataverse, { label: 'Callpane', landingUrl: 'http://localhost:8080/dyncrm?base=x', clickToAct: true });
    registerChannelProvider(dataverse, { label: 'Callpane', landingUrl: 'http://localhost:9090/dyncrm?base=x', clickToAct: true });
    const rows = dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_landingurl,msdyn_roleselector,msdyn_ciproviderapiversion').records;
    assert.deepEqual(
      rows.map((row) => row.msdyn_ciproviderid),
      [SANDBOX_PROVIDER_ID],
    );
    assert.equal(rows[0]?.msdyn_landingurl, 'http://localhost:9090/dyncrm?base=x');
    assert.equal(rows[0]?.msdyn_ciproviderapiversion, 0);
    assert.deepEqual(String(rows[0]?.msdyn_roleselector).split(';').sort(), [SALESPERSON.id, SYSTEM_ADMINISTRATOR.id].sort());
  });

  test('the Sandbox Configuration adds well-formed allow- tokens to the iframe sandbox, nothing else', () => {
    const base = { label: 'x', landingUrl: 'https://pbx.example.test', clickToAct: true };
    assert.equal(panelFrameSandbox(base), PANEL_FRAME_SANDBOX);
    assert.equal(
      panelFrameSandbox({ ...base, sandboxConfiguration: 'allow-popups-to-escape-sandbox, allow-scripts;"><script> allow-top-navigation' }),
      `${PANEL_FRAME_SANDBOX} allow-popups-to-escape-sandbox allow-top-navigation`,
    );
  });
});

test('the channel provider table is as strict as Dataverse: Channel Order 0–1000, API version 1.0 or 2.0, label ≤ 100', () => {
  const dataverse = new Dataverse({ path: ':memory:', seed: false });
  try {
    const refused = (fields: Record<string, unknown>) => {
      try {
        dataverse.create('msdyn_ciproviders', { msdyn_name: 'x', ...fields });
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'created';
    };
    assert.equal(refused({ msdyn_sortorder: 1000, msdyn_ciproviderapiversion: 1 }), 'created');
    assert.equal(refused({ msdyn_sortorder: 1001 }), '0x80044331');
    assert.equal(refused({ msdyn_sortorder: -1 }), '0x80044331');
    assert.equal(refused({ msdyn_ciproviderapiversion: 2 }), '0x80044331');
    assert.equal(refused({ msdyn_label: 'x'.repeat(101) }), '0x80044331');
    assert.equal(refused({ msdyn_enableoutbound: true }), '0x80060888', 'no such column: Enable Outbound Communication is msdyn_clicktoact');
  } finally {
    dataverse.close();
  }
});
