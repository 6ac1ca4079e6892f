import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeInbound } from '../../../src/pbx/routing/inbound-router.ts';
import type { InboundRoute } from '../../../src/pbx/routing/routes.ts';

const inbound: InboundRoute[] = [
  { did: '+493012345600', extension: '1000' },
  { did: '_+4930123456[1-4]X', extension: '1001' },
  { did: '4930123456', extension: '1002' },
  { did: '_0301234565X', extension: '1003' },
  { did: '_X.', extension: '1099' },
];
const routes = { inbound };

function extensionFor(calledNumber: string): string | undefined {
  return routeInbound(routes, calledNumber)?.extension;
}

test('an exact DID reaches its extension with or without the +', () => {
  assert.equal(extensionFor('+493012345600'), '1000');
  assert.equal(extensionFor('493012345600'), '1000');
});

test('a pattern DID reaches its extension with or without the +', () => {
  assert.equal(extensionFor('+493012345610'), '1001');
  assert.equal(extensionFor('493012345649'), '1001');
  assert.equal(extensionFor('4930123456'), '1002');
  assert.equal(extensionFor('+4930123456'), '1002');
});

test('the called number is cleaned of visual separators first', () => {
  assert.equal(extensionFor('+49 30 1234 5600'), '1000');
  assert.equal(extensionFor('+49 (30) 1234-5612'), '1001');
  assert.equal(extensionFor('030 1234 5651'), '1003');
});

test('the first matching route wins when several match', () => {
  assert.equal(extensionFor('493012345600'), '1000');
  assert.equal(routeInbound({ inbound: [...inbound].reverse() }, '+493012345600')?.extension, '1099');
});

test('the matched route comes back for the logs', () => {
  assert.deepEqual(routeInbound(routes, '493012345600'), { extension: '1000', route: inbound[0] });
});

test('a number no route matches, or no number at all, reaches nobody', () => {
  assert.equal(routeInbound({ inbound: inbound.slice(0, 4) }, '+14155550100'), undefined);
  assert.equal(routeInbound(routes, 'anonymous'), undefined);
  assert.equal(routeInbound(routes, ''), undefined);
  assert.equal(routeInbound({ inbound: [] }, '+493012345600'), undefined);
});

test('a route with an invalid pattern, which validation would have refused, matches nothing', () => {
  assert.equal(routeInbound({ inbound: [{ did: '_[1', extension: '1000' }] }, '1'), undefined);
});
