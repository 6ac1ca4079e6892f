import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodedError } from '../../src/errors/coded-error.ts';

const CODES = { BROKEN: 'EXAMPLE_BROKEN' } as const;
type ExampleCode = (typeof CODES)[keyof typeof CODES];

class ExampleError extends CodedError<ExampleCode> {
  override readonly name = 'ExampleError';
}

test('a coded error carries its code, its message, its cause and the name its subclass gives it', () => {
  const cause = new Error('underneath');
  const error = new ExampleError(CODES.BROKEN, 'it broke', { cause });
  assert.ok(error instanceof Error && error instanceof CodedError && error instanceof ExampleError);
  assert.equal(error.code, 'EXAMPLE_BROKEN');
  assert.equal(error.message, 'it broke');
  assert.equal(error.cause, cause);
  assert.equal(error.name, 'ExampleError');
  assert.match(String(error.stack), /^ExampleError: it broke/);
});
