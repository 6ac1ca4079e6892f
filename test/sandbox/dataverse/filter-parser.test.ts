import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataverseError } from '../../../src/sandbox/dataverse/dataverse-error.ts';
import { parseFilter, type FilterNode } from '../../../src/sandbox/dataverse/filter-parser.ts';
import { tokenize } from '../../../src/sandbox/dataverse/filter-tokenizer.ts';

/** A compact rendering of the tree, for readable expectations. */
function show(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${show(node.left)} ${node.kind} ${show(node.right)})`;
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'compare':
      return `(${show(node.left)} ${node.operator} ${show(node.right)})`;
    case 'function':
      return `${node.name}(${node.args.map(show).join(', ')})`;
    case 'property':
      return node.name;
    case 'literal': {
      const l = node.literal;
      if (l.kind === 'null') return 'null';
      if (l.kind === 'string') return JSON.stringify(l.value);
      return `${l.kind}:${String(l.value)}`;
    }
  }
}

function rejects(text: string, message: RegExp): void {
  assert.throws(
    () => parseFilter(text),
    (error: unknown) => error instanceof DataverseError && error.status === 400 && error.code === '0x80060888' && message.test(error.message),
  );
}

describe('the $filter tokenizer', () => {
  test('reads a doubled quote inside a string literal as one quote', () => {
    const [, , literal] = tokenize("lastname eq 'O''Bryan'");
    assert.deepEqual(literal, { kind: 'string', value: "O'Bryan", position: 12 });
  });

  test('reads bare GUIDs, DateTimeOffset values, integers and decimals as their own literal kinds', () => {
    const kinds = tokenize('A1B2C3D4-0000-4000-8000-00000000000F 2024-05-01T09:30:00Z 42 -7 3.25').map((t) => t.kind);
    assert.deepEqual(kinds, ['guid', 'datetime', 'number', 'number', 'number', 'end']);
    assert.equal((tokenize('A1B2C3D4-0000-4000-8000-00000000000F')[0] as { value: string }).value, 'a1b2c3d4-0000-4000-8000-00000000000f');
  });

  test('keeps SQL and wildcard characters inside a string literal as plain text', () => {
    const [token] = tokenize("'%_[x]; DROP TABLE contact; --'");
    assert.deepEqual(token, { kind: 'string', value: '%_[x]; DROP TABLE contact; --', position: 0 });
  });
});

describe('the $filter parser', () => {
  test('parses every comparison operator', () => {
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le']) {
      assert.equal(show(parseFilter(`actualdurationminutes ${op} 5`)), `(actualdurationminutes ${op} number:5)`);
    }
  });

  test('binds and tighter than or, and comparisons tighter than and', () => {
    assert.equal(show(parseFilter('a eq 1 or b eq 2 and c eq 3')), '((a eq number:1) or ((b eq number:2) and (c eq number:3)))');
  });

  test('lets parentheses override precedence', () => {
    assert.equal(show(parseFilter('(a eq 1 or b eq 2) and c eq 3')), '(((a eq number:1) or (b eq number:2)) and (c eq number:3))');
  });

  test('applies not to the primary expression that follows, as OData precedence says', () => {
    assert.equal(show(parseFilter("not contains(fullname,'x') and a eq 1")), '((not contains(fullname, "x")) and (a eq number:1))');
    assert.equal(show(parseFilter('not (a eq 1)')), '(not (a eq number:1))');
    assert.equal(show(parseFilter("not fullname eq 'x'")), '((not fullname) eq "x")');
  });

  test('parses the string functions, null, booleans, GUIDs and dates', () => {
    assert.equal(show(parseFilter("startswith(fullname,'Al')")), 'startswith(fullname, "Al")');
    assert.equal(show(parseFilter('telephone1 eq null')), '(telephone1 eq null)');
    assert.equal(show(parseFilter('directioncode eq true')), '(directioncode eq bool:true)');
    assert.equal(show(parseFilter('_parentcustomerid_value eq 00000000-0000-0000-0000-000000000001')), '(_parentcustomerid_value eq guid:00000000-0000-0000-0000-000000000001)');
    assert.equal(show(parseFilter('scheduledend lt 2024-01-01T00:00:00Z')), '(scheduledend lt datetime:2024-01-01T00:00:00Z)');
  });

  test('reports an unterminated literal with the position Dataverse reports', () => {
    rejects("lastname eq 'O'Bryan'", /^There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''\.$/);
  });

  test('reports unknown functions, dangling operators, unbalanced parentheses and empty filters', () => {
    rejects("substringof('a',fullname)", /unknown function with name 'substringof'/);
    rejects('fullname eq', /^Syntax error at position 11/);
    rejects("(fullname eq 'a'", /^Syntax error at position 16/);
    rejects("fullname eq 'a')", /^Syntax error at position 15/);
    rejects("fullname eq 'a' 'b'", /^Syntax error/);
    rejects('fullname ~ 1', /^Syntax error at position 9/);
    rejects('   ', /cannot be empty/);
  });
});
