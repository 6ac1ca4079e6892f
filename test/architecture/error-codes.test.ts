/**
 * One naming style for the codes Callpane's errors carry: SCREAMING_SNAKE, starting with the
 * family's prefix, each family listed in one const object. The web API's codes are the exception
 * the pane depends on: they are pinned here value by value, so a rename fails before it ships.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigErrorCode } from '../../src/config/config-error.ts';
import { CrmErrorCode } from '../../src/crm/crm-error.ts';
import { MediaRelayErrorCode, NgErrorCode } from '../../src/media/media-errors.ts';
import { DynamicsSetupErrorCode, PhoneIndexErrorCode, WebApiErrorCode } from '../../src/dynamics/dynamics-errors.ts';
import { DialPatternErrorCode } from '../../src/pbx/pbx-errors.ts';
import { PaneCredentialErrorCode } from '../../src/security/security-errors.ts';
import { ApiErrorCode } from '../../src/server/api/api-errors.ts';
import { SsoErrorCode } from '../../src/contract/sso.ts';
import { DigestErrorCode, SipParseErrorCode, SipTransactionErrorCode, SipTransportErrorCode } from '../../src/sip/sip-errors.ts';
import { ExtensionErrorCode } from '../../src/store/store-errors.ts';

const FAMILIES: Array<[prefix: string, codes: Record<string, string>]> = [
  ['SIP_PARSE_', SipParseErrorCode],
  ['DIGEST_', DigestErrorCode],
  ['SIP_TRANSPORT_', SipTransportErrorCode],
  ['SIP_TRANSACTION_', SipTransactionErrorCode],
  ['MEDIA_RELAY_', MediaRelayErrorCode],
  ['NG_', NgErrorCode],
  ['CRM_', CrmErrorCode],
  ['EXTENSION_', ExtensionErrorCode],
  ['DIAL_PATTERN_', DialPatternErrorCode],
  ['CONFIG_', ConfigErrorCode],
  ['PANE_CREDENTIAL_', PaneCredentialErrorCode],
  ['SSO_', SsoErrorCode],
  ['DYNAMICS_', WebApiErrorCode],
  ['DYNAMICS_PHONE_INDEX_', PhoneIndexErrorCode],
  ['DYNAMICS_SETUP_', DynamicsSetupErrorCode],
];

const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

describe('error codes', () => {
  test('every code is SCREAMING_SNAKE, keyed in SCREAMING_SNAKE, and starts with its family prefix', () => {
    const wrong = FAMILIES.flatMap(([prefix, codes]) =>
      Object.entries(codes)
        .filter(([key, value]) => !SCREAMING_SNAKE.test(key) || !SCREAMING_SNAKE.test(value) || !value.startsWith(prefix))
        .map(([key, value]) => `${prefix}: ${key} = ${value}`),
    );
    assert.deepEqual(wrong, []);
  });

  test('no two families share a code', () => {
    const all = FAMILIES.flatMap(([, codes]) => Object.values(codes));
    assert.deepEqual(
      all.filter((code, index) => all.indexOf(code) !== index),
      [],
    );
  });

  test("the web API's codes, which the pane matches, keep their values", () => {
    assert.deepEqual(Object.values(ApiErrorCode), [
      'INVALID_REQUEST',
      'INVALID_JSON',
      'BODY_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
      'TOO_MANY_ATTEMPTS',
      'SSO_FAILED',
      'NOT_FOUND',
      'CONFLICT',
      'SIP_UNAVAILABLE',
      'INTERNAL',
    ]);
  });
});
