import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmError, CrmErrorCode } from '../../../src/crm/crm-error.ts';
import { classifyFailure } from '../../../src/dynamics/journal/journal-failure.ts';
import { SandboxWebApiError } from '../../support/sandbox-web-api-client.ts';

test('a refusal is parked with Dataverse\'s code, message and request id; a failure that may pass is not', () => {
  assert.deepEqual(classifyFailure(new SandboxWebApiError(400, '0x80044331', 'A validation error occurred.', 'req-1')), {
    park: true,
    reason: '0x80044331 A validation error occurred. (request req-1)',
  });
  assert.deepEqual(classifyFailure(new SandboxWebApiError(503, undefined, 'Service unavailable', undefined)), { park: false, reason: 'HTTP 503 Service unavailable' });
});

test('no answer at all (status 0) is named by its message alone, and kept for later', () => {
  assert.deepEqual(classifyFailure(Object.assign(new SandboxWebApiError(0, undefined, 'no answer within 30 s', undefined), { retryable: true })), { park: false, reason: 'no answer within 30 s' });
});

test('a call src/crm cannot describe is parked; anything else is tried again', () => {
  assert.deepEqual(classifyFailure(new CrmError(CrmErrorCode.INVALID_CALL, 'it ended before it started')), { park: true, reason: 'CRM_INVALID_CALL it ended before it started' });
  assert.deepEqual(classifyFailure(new TypeError('WhoAmI answered without a UserId')), { park: false, reason: 'WhoAmI answered without a UserId' });
});
