import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeOutbound } from '../../../src/pbx/routing/outbound-router.ts';
import type { Routes } from '../../../src/pbx/routing/routes.ts';
import type { Trunk } from '../../../src/pbx/routing/trunk.ts';

const carrier: Trunk = {
  name: 'carrier',
  host: 'sip.carrier.example',
  port: 5060,
  transport: 'udp',
  match: { addresses: ['203.0.113.0/24'] },
  outbound: { username: 'acct-1', password: 'pw', callerId: '+493012345600' },
  country: 'DE',
};
const backup: Trunk = { name: 'backup', host: '198.51.100.1', port: 5061, transport: 'tls', match: { addresses: ['198.51.100.1'] } };
const trunks = [carrier, backup];

const routes: Routes = {
  inbound: [],
  outbound: [
    { pattern: '_00.', trunk: 'carrier', strip: 2, prepend: '+' },
    { pattern: '_0[1-9].', trunk: 'carrier', strip: 1, prepend: '+49' },
    { pattern: '_+.', trunk: 'carrier' },
    { pattern: '112', trunk: 'carrier', callerId: '+493012345699' },
    { pattern: '_9NXXNXXXXXX', trunk: 'backup', strip: 1, prepend: '+1', callerId: '+14155550100' },
  ],
  callerIds: { '1001': '+493012345601' },
};

test('a national number loses its trunk prefix and gains the country code', () => {
  const destination = routeOutbound(routes, trunks, '030 1234567', '1002');
  assert.equal(destination?.trunk, carrier);
  assert.equal(destination?.number, '+49301234567');
  assert.equal(destination?.route, routes.outbound[1]);
});

test('an international-prefix number becomes E.164', () => {
  assert.equal(routeOutbound(routes, trunks, '0044 20 7946 0000', '1002')?.number, '+442079460000');
});

test('a number clicked in the CRM with its + goes out unchanged', () => {
  assert.equal(routeOutbound(routes, trunks, '+1 (415) 555-0100', '1002')?.number, '+14155550100');
});

test('the first matching route wins: 00 numbers never reach the 0[1-9] route', () => {
  assert.equal(routeOutbound(routes, trunks, '004930', '1002')?.route, routes.outbound[0]);
});

test('an exact pattern routes only that number', () => {
  assert.equal(routeOutbound(routes, trunks, '112', '1002')?.number, '112');
  assert.equal(routeOutbound(routes, trunks, '1123', '1002'), undefined);
});

test('a route picks its trunk, with its strip and prepend', () => {
  const destination = routeOutbound(routes, trunks, '9 415 555 0100', '1002');
  assert.equal(destination?.trunk, backup);
  assert.equal(destination?.number, '+14155550100');
});

test("the caller id is the extension's own, else the route's, else the trunk's", () => {
  assert.equal(routeOutbound(routes, trunks, '112', '1001')?.callerId, '+493012345601');
  assert.equal(routeOutbound(routes, trunks, '112', '1002')?.callerId, '+493012345699');
  assert.equal(routeOutbound(routes, trunks, '0301234567', '1002')?.callerId, '+493012345600');
  assert.equal(routeOutbound(routes, trunks, '0301234567', '1001')?.callerId, '+493012345601');
});

test('without any caller id configured there is none', () => {
  const bare: Routes = { inbound: [], outbound: [{ pattern: '_X.', trunk: 'backup' }], callerIds: {} };
  assert.equal(routeOutbound(bare, trunks, '123', '1002')?.callerId, undefined);
});

test('a caller id map never answers for inherited keys', () => {
  const bare: Routes = { inbound: [], outbound: [{ pattern: '_X.', trunk: 'backup' }], callerIds: {} };
  assert.equal(routeOutbound(bare, trunks, '123', 'constructor')?.callerId, undefined);
});

test('a number no route matches, or no number at all, goes nowhere', () => {
  assert.equal(routeOutbound(routes, trunks, '1002', '1001'), undefined);
  assert.equal(routeOutbound(routes, trunks, 'sip:someone@example.com', '1001'), undefined);
  assert.equal(routeOutbound({ ...routes, outbound: [] }, trunks, '0301234567', '1001'), undefined);
});

test('a route naming a missing trunk, which validation would have refused, is passed over', () => {
  const broken: Routes = {
    inbound: [],
    outbound: [
      { pattern: '_X.', trunk: 'gone' },
      { pattern: '_X.', trunk: 'backup' },
    ],
    callerIds: {},
  };
  assert.equal(routeOutbound(broken, trunks, '123', '1001')?.trunk, backup);
});
