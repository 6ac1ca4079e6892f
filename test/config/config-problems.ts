/** The problems a refused configuration names; fails the test when it is accepted. */
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.ts';

export function problemsOfRefused(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be refused');
}
