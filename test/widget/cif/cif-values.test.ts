import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPhoneFormat, readClickToAct, readEnvironment, readPageNavigate, readRecordList } from '../../../src/widget/cif/cif-values.ts';

describe('CIF values', () => {
  test('records keyed by index come back in index order', () => {
    const json = JSON.stringify({ 1: { fullname: 'B' }, 0: { fullname: 'A' }, 10: { fullname: 'K' }, 2: { fullname: 'C' } });
    assert.deepEqual(
      readRecordList(json)?.map((r) => r.fullname),
      ['A', 'B', 'C', 'K'],
    );
  });

  test('records in an array, a value collection or an empty answer are all lists', () => {
    assert.deepEqual(readRecordList('[{"a":1}]'), [{ a: 1 }]);
    assert.deepEqual(readRecordList({ value: [{ a: 2 }] }), [{ a: 2 }]);
    assert.deepEqual(readRecordList('{}'), []);
    assert.deepEqual(readRecordList(''), []);
    assert.equal(readRecordList('not json'), undefined);
  });

  test('the environment gives bare lower-case ids and numeric language codes', () => {
    const env = readEnvironment(
      JSON.stringify({ userId: '{A81B2C3D-0000-4000-8000-000000000001}', userLcid: 2052, orgLcid: '1033', username: 'Li Wei', clientUrl: 'https://org.crm.dynamics.com' }),
    );
    assert.equal(env?.userId, 'a81b2c3d-0000-4000-8000-000000000001');
    assert.equal(env?.userLcid, 2052);
    assert.equal(env?.orgLcid, 1033);
    assert.equal(env?.username, 'Li Wei');
  });

  test('a click-to-act payload keeps the record it came from when Dynamics sends it', () => {
    const event = readClickToAct(
      '{"value":"619-555-0129","name":"mobilephone","format":"Phone","entityLogicalName":"contact","entityId":"{80AC35A0-01AF-EA11-A812-000D3A8B3EC6}","recordTitle":"Alex Baker"}',
    );
    assert.deepEqual(event, {
      value: '619-555-0129',
      name: 'mobilephone',
      format: 'Phone',
      entityLogicalName: 'contact',
      entityId: '80ac35a0-01af-ea11-a812-000d3a8b3ec6',
      recordTitle: 'Alex Baker',
    });
  });

  test('a click-to-act payload with only the documented four keys is read', () => {
    assert.deepEqual(readClickToAct({ value: '+4930123', name: 'telephone1', format: 'phone' }), { value: '+4930123', name: 'telephone1', format: 'phone' });
    assert.equal(readClickToAct('{"name":"x"}'), undefined);
  });

  test('the phone format is recognised whatever its case', () => {
    assert.equal(isPhoneFormat('Phone'), true);
    assert.equal(isPhoneFormat('PHONE'), true);
    assert.equal(isPhoneFormat('Email'), false);
  });

  test('a page navigation names the entity and record it goes to', () => {
    const event = readPageNavigate('{"value":"https://org.crm.dynamics.com/main.aspx?appid=1&pagetype=entityrecord&etn=contact&id=%7BABC%7D"}');
    assert.equal(event?.entity, 'contact');
    assert.equal(event?.id, 'abc');
    assert.equal(event?.pageType, 'entityrecord');
  });
});
