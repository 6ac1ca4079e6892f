import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDuplicateKey, readRejection } from '../../../src/widget/cif/cif-result.ts';

describe('CIF rejections', () => {
  test('a JSON string with message and hex code is read as a rejected error with that code', () => {
    const error = readRejection('{"message":"A record with matching key values already exists.","code":"0x80040237","errorCode":2147746359}');
    assert.deepEqual(error, { kind: 'rejected', message: 'A record with matching key values already exists.', code: '0x80040237' });
    assert.equal(isDuplicateKey(error), true);
  });

  test('a numeric errorCode, signed or unsigned, becomes the same hex code', () => {
    assert.equal(readRejection('{"message":"x","errorCode":2147746359}').code, '0x80040237');
    assert.equal(readRejection('{"message":"x","errorCode":-2147220937}').code, '0x80040237');
  });

  test('a nested Dataverse error object is read', () => {
    const error = readRejection(JSON.stringify({ error: { code: '0x80040217', message: 'contact With Id = 1 Does Not Exist' } }));
    assert.equal(error.code, '0x80040217');
    assert.equal(error.message, 'contact With Id = 1 Does Not Exist');
    assert.equal(isDuplicateKey(error), false);
  });

  test("the library's timeout code is read as a timeout", () => {
    assert.equal(readRejection('{"message":"no answer","code":"Timeout"}').kind, 'timeout');
  });

  test('a plain string, an Error and a non-object are all turned into messages', () => {
    assert.deepEqual(readRejection('went wrong'), { kind: 'rejected', message: 'went wrong' });
    assert.deepEqual(readRejection(new Error('boom')), { kind: 'rejected', message: 'boom' });
    assert.deepEqual(readRejection(42), { kind: 'rejected', message: '42' });
  });

  test('a duplicate is also recognised by its message alone', () => {
    assert.equal(isDuplicateKey({ kind: 'rejected', message: 'Cannot insert duplicate key.' }), true);
    assert.equal(isDuplicateKey({ kind: 'rejected', message: 'Access denied' }), false);
  });
});
