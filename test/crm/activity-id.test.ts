import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activityIdForCall, CALLPANE_CALL_NAMESPACE, nameBasedUuid } from '../../src/crm/activity-id.ts';
import { CrmError } from '../../src/crm/crm-error.ts';

test('makes RFC 9562 name-based UUIDs (version 5)', () => {
  // RFC 9562 Appendix A.4: NameSpace_DNS and "www.example.com".
  assert.equal(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.equal(nameBasedUuid('6BA7B810-9DAD-11D1-80B4-00C04FD430C8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.throws(
    () => nameBasedUuid('not-a-uuid', 'x'),
    (error: unknown) => error instanceof CrmError && error.code === 'CRM_INVALID_GUID',
  );
});

test('gives every call one activity id, the same on every path, and different calls different ids', () => {
  const call = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const id = activityIdForCall(call);
  assert.equal(id, nameBasedUuid(CALLPANE_CALL_NAMESPACE, call));
  assert.equal(activityIdForCall(call), id);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(activityIdForCall('0f8fad5b-d9cb-469f-a165-70867728950f'), id);
  assert.notEqual(activityIdForCall(call.toUpperCase()), id, 'the call id is taken exactly as events carry it');
});

test('keeps Callpane’s namespace, on which every activity id already written depends', () => {
  assert.equal(CALLPANE_CALL_NAMESPACE, 'd5101c49-59e4-4743-9154-8a8ecaa4bf0c');
  assert.equal(activityIdForCall('0f8fad5b-d9cb-469f-a165-70867728950e'), nameBasedUuid('d5101c49-59e4-4743-9154-8a8ecaa4bf0c', '0f8fad5b-d9cb-469f-a165-70867728950e'));
  // Python: uuid.uuid5(uuid.UUID('d5101c49-59e4-4743-9154-8a8ecaa4bf0c'), 'call-1')
  assert.equal(activityIdForCall('call-1'), '5531deef-79d8-53d5-b473-cedb9f3e4ebc');
});

test('refuses an empty or padded call id', () => {
  for (const callId of ['', '  ', ' call-1', 'call-1\n'])
    assert.throws(
      () => activityIdForCall(callId),
      (error: unknown) => error instanceof CrmError && error.code === 'CRM_INVALID_CALL',
      JSON.stringify(callId),
    );
});
