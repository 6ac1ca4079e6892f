import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configLeaves, envNameFor, readEnvOverrides, unknownEnvNames } from '../../src/config/environment.ts';
import { itemAt } from '../support/item-at.ts';

test('variable names are CALLPANE_ plus the key path in SCREAMING_SNAKE', () => {
  assert.equal(envNameFor(['http', 'port']), 'CALLPANE_HTTP_PORT');
  assert.equal(envNameFor(['registrar', 'minExpires']), 'CALLPANE_REGISTRAR_MIN_EXPIRES');
  assert.equal(envNameFor(['security', 'authFailures', 'banSeconds']), 'CALLPANE_SECURITY_AUTH_FAILURES_BAN_SECONDS');
  assert.equal(envNameFor(['dataDir']), 'CALLPANE_DATA_DIR');
});

test('every key the operators rely on has its variable', () => {
  const names = new Set(configLeaves.map((leaf) => leaf.envName));
  for (const name of ['CALLPANE_HTTP_PORT', 'CALLPANE_SIP_PORT', 'CALLPANE_DATA_DIR', 'CALLPANE_TLS_CERT', 'CALLPANE_SIP_WS_PATH']) {
    assert.ok(names.has(name), name);
  }
});

test('a value that does not coerce is passed on as written for validation to report', () => {
  const override = itemAt(readEnvOverrides({ CALLPANE_HTTP_PORT: 'eighty' }), 0);
  assert.equal(override.leaf.key, 'http.port');
  assert.equal(override.value, 'eighty');
});

test('unknown CALLPANE_ variables are reported, the file variable and the test harness ones are not', () => {
  assert.deepEqual(unknownEnvNames({ CALLPANE_HTTP_PROT: '1', CALLPANE_CONFIG: 'x', CALLPANE_TEST_NETNS: '1', CALLPANE_HTTP_PORT: '1', HOME: '/' }), ['CALLPANE_HTTP_PROT']);
});
