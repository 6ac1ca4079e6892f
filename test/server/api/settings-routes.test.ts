import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiFixture, type ApiFixture } from './api-fixture.ts';

/** The defaults of docs/settings.md §2, written out so a change to them is a visible change here. */
const DEFAULTS = {
  openRecord: 'ringing',
  applyTo: 'inbound',
  searchIn: [
    { entity: 'contact', enabled: true },
    { entity: 'account', enabled: true },
    { entity: 'lead', enabled: true },
  ],
  severalMatches: 'choose',
  unknownNumber: 'nothing',
  log: { answeredInbound: true, missedInbound: true, answeredOutbound: true, unansweredOutbound: true },
  subjectTemplate: '{direction} call {name|number}',
  clickToCall: true,
  language: 'dynamics',
  rememberedChoices: {},
};

const CHANGED = {
  openRecord: 'answered',
  applyTo: 'both',
  searchIn: [
    { entity: 'lead', enabled: false },
    { entity: 'contact', enabled: true },
    { entity: 'account', enabled: true },
  ],
  severalMatches: 'search-page',
  unknownNumber: 'new-contact-form',
  log: { answeredInbound: true, missedInbound: false, answeredOutbound: true, unansweredOutbound: false },
  subjectTemplate: '{direction} 通话 {name|number} ({duration})',
  clickToCall: false,
  language: 'zh-CN',
  rememberedChoices: { '+14155550100': { entity: 'account', id: '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c', name: 'Contoso' } },
};

let api: ApiFixture;
let alice: string;
let bob: string;

// One server for the file (two scrypt logins are the slow part); each test starts from no settings.
before(async () => {
  api = await createApiFixture();
  alice = await api.login('1001');
  bob = await api.login('1002');
});
beforeEach(() => {
  api.db.exec('DELETE FROM user_settings');
});
after(() => api.close());

function get(token?: string) {
  return api.http.app.inject({ method: 'GET', url: '/api/settings', headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** `token` null: no Authorization header. */
function put(body: unknown, token: string | null = alice) {
  return api.http.app.inject({
    method: 'PUT',
    url: '/api/settings',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify(body),
  });
}

describe('GET and PUT /api/settings', () => {
  test('a user who never saved gets the defaults', async () => {
    const response = await get(alice);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.json(), DEFAULTS);
  });

  test('saved settings come back whole, for their user only', async () => {
    const saved = await put(CHANGED);
    assert.equal(saved.statusCode, 200);
    assert.deepEqual(saved.json(), CHANGED);
    assert.deepEqual((await get(alice)).json(), CHANGED);
    assert.deepEqual((await get(bob)).json(), DEFAULTS);
  });

  test('record ids are kept as bare lower-case GUIDs, however CIF wrote them', async () => {
    const choices = { '+861380013800': { entity: 'contact', id: '{80AC35A0-1D2F-4E5A-8B6C-7D8E9F0A1B2C}', name: '王伟' } };
    const response = await put({ ...DEFAULTS, rememberedChoices: choices });
    assert.deepEqual(response.json().rememberedChoices, { '+861380013800': { entity: 'contact', id: '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c', name: '王伟' } });
  });

  test('without a session neither reading nor saving works', async () => {
    assert.equal((await get()).statusCode, 401);
    assert.equal((await put(CHANGED, null)).statusCode, 401);
    assert.deepEqual((await get(alice)).json(), DEFAULTS);
  });

  const BAD: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a missing setting', (({ language: _language, ...rest }) => rest)(DEFAULTS), /^body\.language: /],
    ['an unknown setting', { ...DEFAULTS, colour: 'blue' }, /^body: .*colour/],
    ['an unknown choice', { ...DEFAULTS, openRecord: 'always' }, /^body\.openRecord: /],
    ['a wrong type', { ...DEFAULTS, clickToCall: 'yes' }, /^body\.clickToCall: /],
    ['a missing log switch', { ...DEFAULTS, log: { answeredInbound: true } }, /^body\.log\.missedInbound: /],
    [
      'a table listed twice',
      {
        ...DEFAULTS,
        searchIn: [
          { entity: 'contact', enabled: true },
          { entity: 'contact', enabled: true },
          { entity: 'lead', enabled: true },
        ],
      },
      /^body\.searchIn: must list contact, account, lead once each/,
    ],
    [
      'a table left out',
      {
        ...DEFAULTS,
        searchIn: [
          { entity: 'contact', enabled: true },
          { entity: 'lead', enabled: true },
        ],
      },
      /^body\.searchIn: /,
    ],
    [
      'a table Callpane does not search',
      {
        ...DEFAULTS,
        searchIn: [
          { entity: 'contact', enabled: true },
          { entity: 'account', enabled: true },
          { entity: 'incident', enabled: true },
        ],
      },
      /^body\.searchIn\.2\.entity: /,
    ],
    ['an empty subject template', { ...DEFAULTS, subjectTemplate: '' }, /^body\.subjectTemplate: /],
    ['a subject template over 200 characters', { ...DEFAULTS, subjectTemplate: 'x'.repeat(201) }, /^body\.subjectTemplate: /],
    ['a subject template with a line break', { ...DEFAULTS, subjectTemplate: 'a\nb' }, /^body\.subjectTemplate: must not contain control characters/],
    [
      'a remembered number that is not E.164',
      { ...DEFAULTS, rememberedChoices: { '0049301234': { entity: 'contact', id: '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c', name: 'x' } } },
      /^body\.rememberedChoices\.0049301234: must be an E\.164 number/,
    ],
    [
      'a remembered record without a GUID',
      { ...DEFAULTS, rememberedChoices: { '+14155550100': { entity: 'contact', id: '1; DROP TABLE', name: 'x' } } },
      /^body\.rememberedChoices\.\+14155550100\.id: must be a Dataverse id/,
    ],
  ];
  for (const [what, body, message] of BAD) {
    test(`${what} is refused with a 400 naming the field, and nothing is saved`, async () => {
      const response = await put(body);
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'INVALID_REQUEST');
      assert.match(response.json().error.message, message);
      assert.deepEqual((await get(alice)).json(), DEFAULTS);
    });
  }

  test('up to 500 remembered numbers fit, even with long names; a 501st is refused', async () => {
    const choices: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++)
      choices[`+1415555${String(i).padStart(4, '0')}`] = { entity: 'contact', id: `80ac35a0-1d2f-4e5a-8b6c-${String(i).padStart(12, '0')}`, name: '张'.repeat(160) };
    const full = await put({ ...DEFAULTS, rememberedChoices: choices });
    assert.equal(full.statusCode, 200, full.body.slice(0, 200));
    assert.equal(Object.keys((await get(alice)).json().rememberedChoices).length, 500);

    choices['+14155559999'] = { entity: 'lead', id: '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c', name: 'one more' };
    const over = await put({ ...DEFAULTS, rememberedChoices: choices });
    assert.equal(over.statusCode, 400);
    assert.match(over.json().error.message, /^body\.rememberedChoices: must hold at most 500 numbers/);
  });

  test('a body beyond the settings limit is refused as too large', async () => {
    const response = await put({ ...DEFAULTS, subjectTemplate: 'x'.repeat(600 * 1024) });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().error.code, 'BODY_TOO_LARGE');
  });

  test('a stored setting that no longer validates reads as its default, the others as saved', async () => {
    api.settings.put('1001', { ...CHANGED, openRecord: 'on-hover', log: 'all', retired: true }, 1000);
    assert.deepEqual((await get(alice)).json(), { ...CHANGED, openRecord: DEFAULTS.openRecord, log: DEFAULTS.log });
  });
});
