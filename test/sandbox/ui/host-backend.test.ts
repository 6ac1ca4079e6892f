import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CifRejection } from '../../../src/sandbox/cif/cif-error.ts';
import { AppState } from '../../../src/sandbox/ui/app-state.ts';
import type { ChannelPanel } from '../../../src/sandbox/ui/channel-panel.ts';
import { createHostBackend } from '../../../src/sandbox/ui/host-backend.ts';
import type { PageConfig, PageEntity } from '../../../src/sandbox/ui/page-config.ts';

const USER = '5e5e0000-0000-4000-8000-000000000002';
const contact: PageEntity = {
  logicalName: 'contact',
  setName: 'contacts',
  primaryKey: 'contactid',
  primaryName: 'fullname',
  columns: [
    { name: 'contactid', type: 'guid' },
    { name: 'lastname', type: 'string', maxLength: 50 },
    { name: 'fullname', type: 'string', maxLength: 160, readOnly: true },
    { name: 'telephone1', type: 'string', maxLength: 50 },
  ],
  lookups: [{ name: 'parentcustomerid', navigation: { parentcustomerid_account: 'account', parentcustomerid_contact: 'contact' } }],
};
const config: PageConfig = {
  org: {
    clientUrl: 'http://127.0.0.1:8081',
    orgId: 'o',
    orgUniqueName: 'callpanesandbox',
    orgLcid: 1033,
    crmVersion: '9.2',
    cifVersion: '1.0',
    appId: 'app',
    appName: 'Sales Hub',
  },
  provider: {
    label: 'Callpane',
    landingUrl: 'http://localhost:8080/dyncrm',
    landingUrlProblem: null,
    trustedOrigins: ['http://localhost:8080'],
    clickToAct: true,
    customParams: '{"tenant":"a"}',
    frameSandbox: 'allow-scripts',
  },
  users: [{ id: USER, fullname: '李娜', email: null, lcid: 2052 }],
  currentUserId: USER,
  entities: { contact },
};

function backend(search: string) {
  const state = new AppState({ appId: 'app', clickToAct: true, search });
  return { state, execute: createHostBackend({ config, state, panel: () => ({ apply() {} }) as unknown as ChannelPanel }) };
}

async function rejectionOf(promise: Promise<unknown>): Promise<{ message: string; code: string }> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CifRejection);
  return JSON.parse(error.json) as { message: string; code: string };
}

describe('getEnvironment', () => {
  test('reports the page, the user in braces with the language, and the custom parameters, as a JSON string', async () => {
    const { execute } = backend('?pagetype=entityrecord&etn=contact&id=c0c00000-0000-4000-8000-000000000001');
    const text = await execute({ method: 'getEnvironment' });
    assert.equal(typeof text, 'string');
    assert.deepEqual(JSON.parse(text as string), {
      appUrl: 'http://127.0.0.1:8081/main.aspx?appid=app',
      appid: 'app',
      cifVersion: '1.0',
      clientUrl: 'http://127.0.0.1:8081',
      crmVersion: '9.2',
      customParams: '{"tenant":"a"}',
      etn: 'contact',
      id: 'c0c00000-0000-4000-8000-000000000001',
      isDirty: false,
      orgId: 'o',
      orgLcid: 1033,
      orgUniqueName: 'callpanesandbox',
      pagetype: 'entityrecord',
      userId: '{5E5E0000-0000-4000-8000-000000000002}',
      userLcid: 2052,
      username: '李娜',
    });
  });

  test('a list has an etn but no id; the search page across tables neither', async () => {
    const list = JSON.parse((await backend('?pagetype=entitylist&etn=lead').execute({ method: 'getEnvironment' })) as string);
    assert.equal(list.pagetype, 'entitylist');
    assert.equal(list.etn, 'lead');
    assert.equal('id' in list, false);
    const search = JSON.parse((await backend('?pagetype=search&searchText=x').execute({ method: 'getEnvironment' })) as string);
    assert.equal(search.pagetype, 'search');
    assert.equal('etn' in search, false);
  });
});

describe('openForm and renderSearchPage refuse what Dynamics has no form or field for', () => {
  test('an entity without a form', async () => {
    const { execute } = backend('');
    assert.match((await rejectionOf(execute({ method: 'openForm', options: { entityName: 'systemuser' }, parameters: {} }))).message, /no form for the entity 'systemuser'/);
    assert.match((await rejectionOf(execute({ method: 'renderSearchPage', entity: 'opportunity', searchString: 'x' }))).message, /no form for the entity 'opportunity'/);
  });

  test('a form parameter that is no field of the form, or a read-only one', async () => {
    const { execute } = backend('');
    for (const key of ['telephone9', 'fullname', 'contactid']) {
      const error = await rejectionOf(execute({ method: 'openForm', options: { entityName: 'contact' }, parameters: { [key]: 'x' } }));
      assert.match(error.message, new RegExp(`'${key}' is not a field of the contact form`));
    }
  });

  test('a lookup parameter with a bad id or type', async () => {
    const { execute } = backend('');
    assert.match((await rejectionOf(execute({ method: 'openForm', options: { entityName: 'contact' }, parameters: { parentcustomerid: 'nope' } }))).message, /must be a record id/);
    assert.match(
      (await rejectionOf(execute({ method: 'openForm', options: { entityName: 'contact' }, parameters: { parentcustomeridtype: 'lead' } }))).message,
      /must be one of account, contact/,
    );
  });

  test('an entityId that is no GUID', async () => {
    const { execute } = backend('');
    assert.match((await rejectionOf(execute({ method: 'openForm', options: { entityName: 'contact', entityId: '42' }, parameters: {} }))).message, /entityId must be a GUID/);
  });
});

test('mode and click-to-act are plain values', async () => {
  const { execute, state } = backend('');
  assert.equal(await execute({ method: 'getMode' }), 1);
  assert.equal(await execute({ method: 'setMode', mode: 0 }), 0);
  assert.equal(state.mode, 0);
  assert.equal(await execute({ method: 'getClickToAct' }), true);
  assert.equal(await execute({ method: 'setClickToAct', value: false }), undefined);
  assert.equal(state.clickToAct, false);
  assert.equal(await execute({ method: 'getWidth' }), 340);
});
