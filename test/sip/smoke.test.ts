import { test } from 'node:test';
import assert from 'node:assert/strict';
test('the suite runs on Node 24 or later', () => {
  assert.ok(Number(process.versions.node.split('.')[0]) >= 24);
});
