import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyChannelProvider,
  callpaneChannelUrl,
  channelProviderColumns,
  channelProviderId,
  channelUrlProblem,
  manualSteps,
  pointsAtCallpane,
  type ChannelProviderSettings,
} from '../../../src/dynamics/setup/channel-provider-record.ts';
import { channelProviderFor } from '../../../src/sandbox/channel-provider.ts';
import { SALESPERSON } from '../../../src/sandbox/dataverse/security-roles.ts';
import { SEED } from '../../../src/sandbox/dataverse/index.ts';
import { SANDBOX_ORGANIZATION } from '../../../src/sandbox/organization.ts';
import { startSetupFixture, type SetupFixture } from './setup-fixture.ts';

let fixture: SetupFixture;
let settings: ChannelProviderSettings;
before(async () => {
  fixture = await startSetupFixture();
});
after(() => fixture.close());
beforeEach(() => {
  for (const row of fixture.org.dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_ciproviderid').records)
    fixture.org.dataverse.delete('msdyn_ciproviders', String(row.msdyn_ciproviderid));
  settings = { channelUrl: callpaneChannelUrl('https://pbx.example.com/', fixture.org.origin), label: 'Callpane', order: 1, roleIds: [SALESPERSON.id] };
});

function records() {
  return fixture.org.dataverse.retrieveMultiple(
    'msdyn_ciproviders',
    '?$select=msdyn_name,msdyn_label,msdyn_landingurl,msdyn_clicktoact,msdyn_ciproviderapiversion,msdyn_trusteddomain,msdyn_sortorder,msdyn_roleselector,statecode',
  ).records;
}

describe('the channel provider record over the Web API', () => {
  test('is created with the label, Channel URL, outbound communication, API version 1.0, trusted domain, order and roles', async () => {
    const result = await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    assert.equal(result.action, 'created');
    assert.match(result.id, /^[0-9a-f-]{36}$/);
    const [record, ...others] = records();
    assert.equal(others.length, 0);
    assert.deepEqual(
      { ...record, '@odata.etag': undefined, msdyn_ciproviderid: undefined },
      {
        '@odata.etag': undefined,
        msdyn_ciproviderid: undefined,
        msdyn_name: 'Callpane',
        msdyn_label: 'Callpane',
        msdyn_landingurl: `https://pbx.example.com/dyncrm?base=${fixture.org.origin}`,
        msdyn_clicktoact: true,
        msdyn_ciproviderapiversion: 0,
        msdyn_trusteddomain: 'https://pbx.example.com',
        msdyn_sortorder: 1,
        msdyn_roleselector: SALESPERSON.id,
        statecode: 0,
      },
    );
  });

  test('a second run changes nothing; a changed setting writes only what differs', async () => {
    await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    const patchesBefore = fixture.org.seen.filter((request) => request.method === 'PATCH' || request.method === 'POST').length;
    assert.equal((await applyChannelProvider(fixture.client, fixture.org.origin, settings)).action, 'unchanged');
    assert.equal(fixture.org.seen.filter((request) => request.method === 'PATCH' || request.method === 'POST').length, patchesBefore);
    const updated = await applyChannelProvider(fixture.client, fixture.org.origin, { ...settings, label: 'Phone', order: 3 });
    assert.deepEqual([updated.action, updated.changed], ['updated', ['msdyn_label', 'msdyn_sortorder']]);
    assert.equal(records().length, 1);
    assert.equal(records()[0]?.msdyn_label, 'Phone');
  });

  test('a new record gets the id derived from the org, made create-only, so a repeated create finds the first', async () => {
    const result = await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    assert.equal(result.id, channelProviderId(fixture.org.origin));
    assert.notEqual(channelProviderId('https://other.crm.dynamics.com'), result.id);
    const create = fixture.org.seen.find((request) => request.method === 'PATCH' && request.url.includes(result.id));
    assert.equal(create?.headers['if-none-match'], '*');
    // Renamed by hand since: not found by its Name, but the create-only write finds it (412) and brings it back.
    fixture.org.dataverse.update('msdyn_ciproviders', result.id, { msdyn_name: 'Renamed' });
    const again = await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    assert.deepEqual([again.action, again.id, again.changed], ['updated', result.id, ['msdyn_name']]);
    assert.equal(records().length, 1);
  });

  test('an inactive record is made active again', async () => {
    const { id } = await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    fixture.org.dataverse.update('msdyn_ciproviders', id, { statecode: 1, statuscode: 2 });
    const result = await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    assert.deepEqual([result.action, result.changed], ['updated', ['statecode', 'statuscode']]);
    assert.equal(records()[0]?.statecode, 0);
  });

  test('the sandbox panel shows what the record says to the roles it names', async () => {
    assert.equal(channelProviderFor(fixture.org.dataverse, SEED.agentEnglish, SANDBOX_ORGANIZATION.appId), undefined);
    await applyChannelProvider(fixture.client, fixture.org.origin, settings);
    const provider = channelProviderFor(fixture.org.dataverse, SEED.agentEnglish, SANDBOX_ORGANIZATION.appId);
    assert.equal(provider?.landingUrl, settings.channelUrl);
    assert.equal(provider?.clickToAct, true);
  });
});

describe('the Channel URL', () => {
  const org = 'https://contoso.crm.dynamics.com';

  test('is {Callpane}/dyncrm?base={org}, and points at that Callpane whatever its trailing slash', () => {
    const url = callpaneChannelUrl('https://pbx.example.com/phone/', org);
    assert.equal(url, 'https://pbx.example.com/phone/dyncrm?base=https://contoso.crm.dynamics.com');
    assert.equal(channelUrlProblem(url, org), undefined);
    assert.ok(pointsAtCallpane(url, 'https://pbx.example.com/phone', org));
    assert.ok(!pointsAtCallpane(url, 'https://pbx.example.com', org));
    assert.ok(!pointsAtCallpane(url, 'https://other.example.com/phone', org));
    assert.ok(!pointsAtCallpane(callpaneChannelUrl('https://pbx.example.com/phone', 'https://other.crm.dynamics.com'), 'https://pbx.example.com/phone', org));
  });

  test('must be HTTPS (loopback aside), end in /dyncrm and name this org as base', () => {
    assert.match(channelUrlProblem(`http://pbx.example.com/dyncrm?base=${org}`, org) ?? '', /not HTTPS/);
    assert.equal(channelUrlProblem(`http://127.0.0.1:8080/dyncrm?base=${org}`, org), undefined);
    assert.match(channelUrlProblem(`https://pbx.example.com/?base=${org}`, org) ?? '', /must end in \/dyncrm/);
    assert.match(channelUrlProblem('https://pbx.example.com/dyncrm', org) ?? '', /base parameter is missing/);
    assert.match(channelUrlProblem('https://pbx.example.com/dyncrm?base=https://other.crm.dynamics.com', org) ?? '', /is not this org/);
    assert.match(channelUrlProblem('pbx.example.com/dyncrm', org) ?? '', /not an absolute URL/);
  });

  test('the manual steps name every field of the form with the same values', () => {
    const steps = manualSteps({ channelUrl: callpaneChannelUrl('https://pbx.example.com', org), label: 'Callpane', order: 2, roleIds: [] }, ['Salesperson']).join('\n');
    const columns = channelProviderColumns({ channelUrl: callpaneChannelUrl('https://pbx.example.com', org), label: 'Callpane', order: 2, roleIds: [] });
    for (const value of [
      columns.msdyn_landingurl,
      columns.msdyn_trusteddomain,
      'Channel Order                      2',
      'API Version                        1.0',
      'Enable Outbound Communication      Yes',
      'Salesperson',
    ]) {
      assert.ok(steps.includes(String(value)), String(value));
    }
  });
});
