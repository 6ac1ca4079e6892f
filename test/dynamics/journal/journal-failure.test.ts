import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmError, CrmErrorCode } from '../../../src/crm/crm-error.ts';
import { WebApiErrorCode } from '../../../src/dynamics/dynamics-errors.ts';
import { classifyFailure } from '../../../src/dynamics/journal/journal-failure.ts';
import { WebApiError } from '../../../src/dynamics/web-api/web-api-error.ts';

test('a request Dataverse refused is parked with its code, message and request id', () => {
  const refused = new WebApiError(WebApiErrorCode.REFUSED, 'PATCH phonecalls(…): 400 A validation error occurred.', {
    status: 400,
    dataverseCode: '0x80044331',
    requestId: 'req-1',
    retryable: false,
  });
  assert.deepEqual(classifyFailure(refused), { park: true, reason: '0x80044331 PATCH phonecalls(…): 400 A validation error occurred. (request req-1)' });
});

test('throttling, an unavailable org and a refused credential are kept for later, not parked', () => {
  for (const [code, retryable] of [
    [WebApiErrorCode.THROTTLED, true],
    [WebApiErrorCode.UNAVAILABLE, true],
    [WebApiErrorCode.TOKEN_REFUSED, false],
    [WebApiErrorCode.UNAUTHORIZED, false],
  ] as const) {
    assert.deepEqual(classifyFailure(new WebApiError(code, 'no luck', { status: 0, retryable })), { park: false, reason: 'no luck' }, code);
  }
});

test('a call src/crm cannot describe is parked; anything else is tried again', () => {
  assert.deepEqual(classifyFailure(new CrmError(CrmErrorCode.INVALID_CALL, 'it ended before it started')), { park: true, reason: 'CRM_INVALID_CALL it ended before it started' });
  assert.deepEqual(classifyFailure(new TypeError('WhoAmI answered without a UserId')), { park: false, reason: 'WhoAmI answered without a UserId' });
});
