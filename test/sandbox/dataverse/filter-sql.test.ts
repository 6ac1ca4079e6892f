import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT, PHONECALL } from '../../../src/sandbox/dataverse/entity-schema.ts';
import { parseFilter } from '../../../src/sandbox/dataverse/filter-parser.ts';
import { filterToSql } from '../../../src/sandbox/dataverse/filter-sql.ts';

test('values travel as bound parameters and never appear in the SQL text', () => {
  const hostile = "x'); DROP TABLE contact; --";
  const filter = `lastname eq '${hostile.replace(/'/g, "''")}' or contains(telephone1,'${hostile.replace(/'/g, "''")}')`;
  const { sql, params } = filterToSql(CONTACT, parseFilter(filter));
  assert.equal(sql, '((dv_fold("lastname") = dv_fold(?)) OR (dv_like("telephone1", ?) = 1))');
  assert.deepEqual(params, [hostile, `%${hostile}%`]);
});

test('column names in the SQL come from the schema, each quoted', () => {
  const { sql, params } = filterToSql(PHONECALL, parseFilter('actualdurationminutes ge 3 and directioncode eq false and scheduledend lt 2025-01-01T01:00:00+01:00'));
  assert.equal(sql, '((("actualdurationminutes" >= ?) AND ("directioncode" = ?)) AND ("scheduledend" < ?))');
  assert.deepEqual(params, [3, 0, '2025-01-01T00:00:00Z']);
});

test('startswith and endswith put the wildcard on one side only', () => {
  assert.deepEqual(filterToSql(CONTACT, parseFilter("startswith(fullname,'Al')")).params, ['Al%']);
  assert.deepEqual(filterToSql(CONTACT, parseFilter("endswith(fullname,'er')")).params, ['%er']);
});

test('null comparisons become IS NULL and IS NOT NULL, with no parameter', () => {
  assert.deepEqual(filterToSql(CONTACT, parseFilter('telephone1 eq null and null ne mobilephone')), {
    sql: '(("telephone1" IS NULL) AND ("mobilephone" IS NOT NULL))',
    params: [],
  });
});
