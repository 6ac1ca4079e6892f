/**
 * Callpane's errors share one base (src/errors/coded-error.ts): a stable `code` and a name that
 * survives the pane's minified bundle. Read from the source, so a new error class that copies the
 * constructor again, forgets its name or reuses another class's name fails here.
 */
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';

const SRC = join(resolve(import.meta.dirname, '../..'), 'src');
const FILES = globSync('**/*.ts', { cwd: SRC }).sort();
const text = (file: string) => readFileSync(join(SRC, file), 'utf8');

interface ErrorClass {
  file: string;
  name: string;
  body: string;
}

/** Every `class X extends CodedError<…> {…}`, its body up to the first line that closes it. */
const CODED: ErrorClass[] = FILES.flatMap((file) =>
  [...text(file).matchAll(/^export class (\w+) extends CodedError<[^{]*\{\n([\s\S]*?)^\}/gm)].map(([, name = '', body = '']) => ({ file, name, body })),
);

describe('error classes', () => {
  test('only the base extends Error: every other error class extends CodedError', () => {
    const direct = FILES.filter((file) => /\bclass \w+(?:<[^>{]*>)? extends (Error|TypeError|RangeError)\b/.test(text(file)));
    assert.deepEqual(direct, ['errors/coded-error.ts']);
    assert.ok(CODED.length >= 20, `found only ${CODED.length} error classes: the reader above is broken`);
  });

  test('each error class names itself with a literal equal to its class name', () => {
    const unnamed = CODED.filter((error) => !error.body.includes(`override readonly name = '${error.name}';`)).map((error) => `${error.file}: ${error.name}`);
    assert.deepEqual(unnamed, []);
  });

  test('no error class repeats the code assignment the base makes', () => {
    const copies = CODED.filter((error) => /this\.code\s*=|this\.name\s*=/.test(error.body)).map((error) => `${error.file}: ${error.name}`);
    assert.deepEqual(copies, []);
  });

  test('no two classes in src/ share a name', () => {
    const names = FILES.flatMap((file) => [...text(file).matchAll(/^export (?:abstract )?class (\w+)/gm)].map((match) => match[1]));
    assert.deepEqual(
      names.filter((name, index) => names.indexOf(name) !== index),
      [],
    );
  });
});
