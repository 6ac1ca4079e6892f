import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activityIdForCall } from '../../src/crm/activity-id.ts';
import { CrmError } from '../../src/crm/crm-error.ts';
import { DEFAULT_CRM_SETTINGS } from '../../src/crm/crm-settings.ts';
import {
  completePhonecall,
  notesForExistingActivity,
  phonecallActivity,
  phonecallNotes,
  reopenPhonecall,
  shouldLogCall,
  talkSeconds,
  type JournalCall,
  type PhonecallActivityInput,
} from '../../src/crm/phonecall-activity.ts';
import { Dataverse } from '../../src/sandbox/dataverse/dataverse.ts';
import { DataverseError } from '../../src/sandbox/dataverse/dataverse-error.ts';
import { SEED } from '../../src/sandbox/dataverse/seed-data.ts';
import { runRecordCall } from '../../src/sandbox/record-calls.ts';
import { IDS } from '../sandbox/dataverse/dataverse-fixture.ts';
import { libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';

const AGENT = 'a81d3f2e-0000-4000-8000-000000000001';
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const INBOUND: JournalCall = {
  callId: 'call-in-1',
  direction: 'inbound',
  number: '+14155550100',
  extension: '1002',
  startedAt: T0,
  answeredAt: T0 + 8_000,
  endedAt: T0 + 8_000 + 187_400,
};
const ALEX = { entity: 'contact' as const, id: IDS.alex, name: 'Alex Baker' };

const activity = (overrides: Partial<PhonecallActivityInput> = {}) =>
  phonecallActivity(libphonenumberReader, {
    call: INBOUND,
    agentSystemUserId: `{${AGENT.toUpperCase()}}`,
    matchedRecord: ALEX,
    notes: 'Asked about the renewal.',
    language: 'en',
    ...overrides,
  });

describe('phonecallActivity', () => {
  test('maps an answered inbound call to the create body CIF createRecord takes', () => {
    assert.deepEqual(activity(), {
      activityid: activityIdForCall('call-in-1'),
      subject: 'Inbound call Alex Baker',
      phonenumber: '+14155550100',
      directioncode: false,
      actualstart: '2025-06-01T12:00:08.000Z',
      actualend: '2025-06-01T12:03:15.400Z',
      actualdurationminutes: 4,
      description: 'Asked about the renewal.',
      'regardingobjectid_contact@odata.bind': `/contacts(${IDS.alex})`,
      phonecall_activity_parties: [
        { 'partyid_contact@odata.bind': `/contacts(${IDS.alex})`, participationtypemask: 1 },
        { 'partyid_systemuser@odata.bind': `/systemusers(${AGENT})`, participationtypemask: 2 },
      ],
    });
  });

  test('makes the agent the sender and the customer the recipient of an outbound call', () => {
    const body = activity({ call: { ...INBOUND, direction: 'outbound' }, matchedRecord: { entity: 'lead', id: IDS.lead, name: 'Robin Carter' } });
    assert.equal(body.directioncode, true);
    assert.equal(body.subject, 'Outbound call Robin Carter');
    assert.equal(body['regardingobjectid_lead@odata.bind'], `/leads(${IDS.lead})`);
    assert.deepEqual(body.phonecall_activity_parties, [
      { 'partyid_systemuser@odata.bind': `/systemusers(${AGENT})`, participationtypemask: 1 },
      { 'partyid_lead@odata.bind': `/leads(${IDS.lead})`, participationtypemask: 2 },
    ]);
  });

  test('logs an unknown caller by number: no regarding, the number as the party’s address', () => {
    const body = activity({ matchedRecord: null, notes: '   ', call: { ...INBOUND, number: ' 415 555 0100 ' }, defaultRegion: 'US' });
    assert.equal(body.subject, 'Inbound call +1 415 555 0100');
    assert.equal(body.phonenumber, '+14155550100');
    assert.equal('description' in body, false);
    assert.deepEqual(
      Object.keys(body).filter((key) => key.startsWith('regardingobjectid')),
      [],
    );
    assert.deepEqual(body.phonecall_activity_parties[0], { addressused: '415 555 0100', participationtypemask: 1 });
  });

  test('keeps the start at ringing and the duration at 0 for a call nobody answered', () => {
    const body = activity({ call: { ...INBOUND, answeredAt: null, endedAt: T0 + 25_000 } });
    assert.equal(body.actualstart, '2025-06-01T12:00:00.000Z');
    assert.equal(body.actualend, '2025-06-01T12:00:25.000Z');
    assert.equal(body.actualdurationminutes, 0);
  });

  test('rounds talk time up to whole minutes', () => {
    const minutes = (talkMs: number) => activity({ call: { ...INBOUND, answeredAt: T0, endedAt: T0 + talkMs } }).actualdurationminutes;
    assert.deepEqual([0, 999, 1_000, 20_000, 60_000, 60_999, 61_000, 3_600_000].map(minutes), [0, 0, 1, 1, 1, 1, 2, 60]);
    assert.equal(talkSeconds({ answeredAt: T0, endedAt: T0 + 61_900 }), 61);
  });

  test('uses the user’s template, or the default of the pane’s language', () => {
    assert.equal(activity({ subjectTemplate: '{extension}: {number} ({duration})' }).subject, '1002: +1 415 555 0100 (3:07)');
    assert.equal(activity({ language: 'zh-CN', matchedRecord: { ...ALEX, name: '王伟' } }).subject, '呼入 王伟');
    assert.equal(activity({ language: 'zh-CN', subjectTemplate: null, call: { ...INBOUND, direction: 'outbound' } }).subject, '外呼 Alex Baker');
    assert.equal(activity({ subjectTemplate: '{name}', matchedRecord: null }).subject, 'Inbound', 'a subject is required');
  });

  test('cuts notes to 2000 characters', () => {
    const description = activity({ notes: 'n'.repeat(2500) }).description as string;
    assert.equal(description.length, 2000);
  });

  test('names the regarding record the Web API way on request', () => {
    const body = activity({ dialect: 'webapi' });
    assert.equal(body['regardingobjectid_contact_phonecall@odata.bind'], `/contacts(${IDS.alex})`);
    assert.equal('regardingobjectid_contact@odata.bind' in body, false);
  });

  test('binds an owner other than the writer as ownerid, and none unless asked', () => {
    const owner = 'b81d3f2e-0000-4000-8000-000000000002';
    assert.equal(activity({ dialect: 'webapi', ownerSystemUserId: `{${owner.toUpperCase()}}` })['ownerid@odata.bind'], `/systemusers(${owner})`);
    assert.equal('ownerid@odata.bind' in activity({ dialect: 'webapi' }), false);
    assert.throws(
      () => activity({ ownerSystemUserId: 'admin' }),
      (error: unknown) => error instanceof CrmError && error.code === 'CRM_INVALID_GUID',
    );
  });

  test('refuses ids that are not GUIDs, internal calls and impossible times', () => {
    const refused = (code: string, overrides: Partial<PhonecallActivityInput>) =>
      assert.throws(
        () => activity(overrides),
        (error: unknown) => error instanceof CrmError && error.code === code,
        JSON.stringify(overrides),
      );
    refused('CRM_INVALID_GUID', { agentSystemUserId: 'admin' });
    refused('CRM_INVALID_GUID', { agentSystemUserId: `{${AGENT}` });
    refused('CRM_INVALID_GUID', { matchedRecord: { entity: 'contact', id: `${IDS.alex})/../accounts(${IDS.account}` } });
    refused('CRM_INVALID_CALL', { call: { ...INBOUND, direction: 'internal' as 'inbound' } });
    refused('CRM_INVALID_CALL', { call: { ...INBOUND, endedAt: T0 - 1 } });
    refused('CRM_INVALID_CALL', { call: { ...INBOUND, answeredAt: INBOUND.endedAt + 1 } });
    refused('CRM_INVALID_CALL', { call: { ...INBOUND, startedAt: Number.NaN } });
    refused('CRM_INVALID_CALL', { call: { ...INBOUND, endedAt: 9e15 } });
    refused('CRM_INVALID_CALL', { call: { ...INBOUND, callId: '' } });
    refused('CRM_INVALID_REGION', { defaultRegion: 'usa' });
  });
});

describe('completing and updating', () => {
  test('completes an outgoing call as Made and an incoming one as Received', () => {
    assert.deepEqual(completePhonecall('outbound'), { statecode: 1, statuscode: 2 });
    assert.deepEqual(completePhonecall('inbound'), { statecode: 1, statuscode: 4 });
    assert.deepEqual(reopenPhonecall(), { statecode: 0, statuscode: 1 });
  });

  test('replaces the notes, clearing them when empty', () => {
    assert.deepEqual(phonecallNotes('Call back Monday'), { description: 'Call back Monday' });
    assert.deepEqual(phonecallNotes(' '), { description: null });
  });
});

describe('notes for an activity written before the pane came to create it', () => {
  test('are the pane’s notes in place of an earlier draft of them, after what else it holds, or nothing when it holds them', () => {
    assert.equal(notesForExistingActivity(null, 'Wants a callback'), 'Wants a callback');
    assert.equal(notesForExistingActivity('Wants a call', 'Wants a callback'), 'Wants a callback');
    assert.equal(notesForExistingActivity('Agent: Dana Desk (extension 1002).\n\nWants a call', 'Wants a callback'), 'Agent: Dana Desk (extension 1002).\n\nWants a callback');
    assert.equal(notesForExistingActivity('Agent: Dana Desk (extension 1002).', 'Wants a callback'), 'Agent: Dana Desk (extension 1002).\n\nWants a callback');
    assert.equal(notesForExistingActivity('Budget approved', 'Wants a callback'), 'Budget approved\n\nWants a callback');
    assert.equal(notesForExistingActivity('Agent: Dana.\n\nWants a callback on Monday', ' Wants a callback on Monday\n'), undefined);
  });

  test('never clear the activity’s notes, and stay within the column', () => {
    assert.equal(notesForExistingActivity('Server notes', ''), undefined);
    assert.equal(notesForExistingActivity('Server notes', '  \n'), undefined);
    const long = notesForExistingActivity('x'.repeat(1_990), 'y'.repeat(100));
    assert.equal(long?.length, 2_000);
    assert.ok(long?.startsWith('x'.repeat(1_990)));
  });
});

describe('shouldLogCall', () => {
  test('follows the four log settings and never logs internal calls', () => {
    const all = DEFAULT_CRM_SETTINGS.logCalls;
    const only = (key: keyof typeof all) => ({ answeredInbound: false, missedInbound: false, answeredOutbound: false, unansweredOutbound: false, [key]: true });
    const cases = [
      ['inbound', true, 'answeredInbound'],
      ['inbound', false, 'missedInbound'],
      ['outbound', true, 'answeredOutbound'],
      ['outbound', false, 'unansweredOutbound'],
    ] as const;
    for (const [direction, answered, key] of cases) {
      assert.equal(shouldLogCall(direction, answered, all), true);
      for (const other of cases) assert.equal(shouldLogCall(direction, answered, only(other[2])), other[2] === key, `${direction} ${answered} with only ${other[2]}`);
    }
    assert.equal(shouldLogCall('internal', true, all), false);
  });
});

describe('on the sandbox Dataverse', () => {
  test('CIF createRecord takes the body, the second write completes it, and a second create is refused', () => {
    const dataverse = new Dataverse({ path: ':memory:' });
    try {
      const call: JournalCall = { ...INBOUND, callId: 'sandbox-call-1' };
      const body = phonecallActivity(libphonenumberReader, {
        call,
        agentSystemUserId: `{${SEED.agentEnglish.toUpperCase()}}`,
        matchedRecord: { entity: 'contact', id: SEED.contactAlexBaker, name: 'Alex Baker' },
        notes: 'Renewal',
        language: 'en',
      });
      const created = runRecordCall(dataverse, { operation: 'createRecord', entity: 'phonecall', data: body }, SEED.agentEnglish) as { id: string };
      assert.equal(created.id, activityIdForCall('sandbox-call-1'));
      runRecordCall(dataverse, { operation: 'updateRecord', entity: 'phonecall', id: created.id, data: completePhonecall('inbound') }, SEED.agentEnglish);
      const stored = dataverse.retrieve(
        'phonecalls',
        created.id,
        '?$select=subject,phonenumber,directioncode,actualdurationminutes,statecode,statuscode,_regardingobjectid_value&$expand=phonecall_activity_parties($select=participationtypemask,_partyid_value)',
      ).record;
      assert.equal(stored.subject, 'Inbound call Alex Baker');
      assert.equal(stored.directioncode, false);
      assert.deepEqual([stored.statecode, stored.statuscode], [1, 4]);
      assert.equal(stored._regardingobjectid_value, SEED.contactAlexBaker);
      const parties = (stored.phonecall_activity_parties as { participationtypemask: number; _partyid_value: string }[])
        .map((p) => [p.participationtypemask, p._partyid_value])
        .sort();
      assert.deepEqual(parties, [
        [1, SEED.contactAlexBaker],
        [2, SEED.agentEnglish],
      ]);
      assert.throws(
        () => runRecordCall(dataverse, { operation: 'createRecord', entity: 'phonecall', data: body }, SEED.agentEnglish),
        (error: unknown) => error instanceof DataverseError && error.status === 412,
        'the same call logged again is a duplicate key, never a second activity',
      );
    } finally {
      dataverse.close();
    }
  });

  test('the Web API takes the body in its own dialect, for an unknown caller too', () => {
    const dataverse = new Dataverse({ path: ':memory:' });
    try {
      const body = phonecallActivity(libphonenumberReader, {
        call: { ...INBOUND, callId: 'sandbox-call-2', direction: 'outbound', answeredAt: null },
        agentSystemUserId: SEED.agentChinese,
        matchedRecord: null,
        language: 'zh-CN',
        dialect: 'webapi',
      });
      const { id } = dataverse.create('phonecalls', body);
      dataverse.update('phonecalls', id, completePhonecall('outbound'));
      const stored = dataverse.retrieve(
        'phonecalls',
        id,
        '?$select=subject,statuscode,actualdurationminutes&$expand=phonecall_activity_parties($select=participationtypemask,addressused)',
      ).record;
      assert.equal(stored.subject, '外呼 +1 415 555 0100');
      assert.equal(stored.statuscode, 2);
      assert.equal(stored.actualdurationminutes, 0);
      assert.ok((stored.phonecall_activity_parties as { addressused: string | null }[]).some((p) => p.addressused === '+14155550100'));
    } finally {
      dataverse.close();
    }
  });
});
