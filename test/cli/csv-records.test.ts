import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, parseCsv } from '../../src/cli/csv-records.ts';
import { itemAt } from '../support/item-at.ts';

test('records keep the line they start on, after quoted line breaks and blank lines', () => {
  const { records, errors } = parseCsv('a,b\r\n"x\r\ny",z\n\n1,"2,3"\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(records, [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['x\r\ny', 'z'] },
    { line: 5, fields: ['1', '2,3'] },
  ]);
});

test('doubled quotes inside a quoted field are one quote, and empty fields stay fields', () => {
  assert.deepEqual(parseCsv('"say ""hi""",,""').records, [{ line: 1, fields: ['say "hi"', '', ''] }]);
});

test('a malformed line is reported with its number and the lines around it are still read', () => {
  const { records, errors } = parseCsv('a,b\nx"y,1\n"q"r,2\nok,3\n');
  assert.deepEqual(errors, [
    'line 2: a double quote inside an unquoted field (quote the whole field and write the quote as "")',
    'line 3: text after a closing double quote (write a quote inside a quoted field as "")',
  ]);
  assert.deepEqual(
    records.map((record) => record.line),
    [1, 4],
  );
});

test('a quoted field that is never closed is reported at the line it opens on', () => {
  assert.deepEqual(parseCsv('a,b\n1,"open\n2,3\n').errors, ['line 2: a quoted field is not closed (a double quote is missing)']);
});

test('fields written back are quoted only when they must be, and read back the same', () => {
  const values = ['plain', 'Smith, Jo', 'say "hi"', 'two\nlines', ''];
  const line = values.map(csvField).join(',');
  assert.equal(line, 'plain,"Smith, Jo","say ""hi""","two\nlines",');
  assert.deepEqual(itemAt(parseCsv(line).records, 0).fields, values);
});
