import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyTrunk } from '../../../src/pbx/routing/trunk-matcher.ts';
import type { Trunk, TrunkMatch } from '../../../src/pbx/routing/trunk.ts';

function trunk(name: string, match: TrunkMatch): Trunk {
  return { name, host: 'sip.carrier.example', port: 5060, transport: 'udp', match };
}

const carrier = trunk('carrier', { addresses: ['203.0.113.0/24', '2001:db8:5::/48'] });
const carrierEdge = trunk('carrier-edge', { addresses: ['203.0.113.7'] });
const browserCarrier = trunk('browser-carrier', { username: 'demo-carrier', password: 'pw-1' });
const pinned = trunk('pinned', { addresses: ['198.51.100.0/24'], username: 'pinned-peer', password: 'pw-2' });
const trunks = [carrier, carrierEdge, browserCarrier, pinned];

test('a request from a trunk address is that trunk, over IPv4, IPv6 and IPv4-mapped IPv6', () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '203.0.113.5' }), carrier);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '::ffff:203.0.113.5' }), carrier);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '2001:db8:5:1::9' }), carrier);
});

test('a request from no trunk address and without trunk credentials is no trunk', () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '192.0.2.1' }), undefined);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '2001:db8:6::1' }), undefined);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '192.0.2.1', digestUsername: '1001' }), undefined);
  assert.equal(identifyTrunk(trunks, { sourceAddress: 'not an address' }), undefined);
  assert.equal(identifyTrunk([], { sourceAddress: '203.0.113.5' }), undefined);
});

test('the longest matching prefix wins among address trunks, whatever their order', () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '203.0.113.7' }), carrierEdge);
  assert.equal(identifyTrunk([carrierEdge, carrier], { sourceAddress: '203.0.113.7' }), carrierEdge);
  assert.equal(identifyTrunk([carrierEdge, carrier], { sourceAddress: '203.0.113.8' }), carrier);
});

test('of two trunks with the same block, the one configured first wins', () => {
  const twin = trunk('twin', { addresses: ['203.0.113.0/24'] });
  assert.equal(identifyTrunk([carrier, twin], { sourceAddress: '203.0.113.9' }), carrier);
  assert.equal(identifyTrunk([twin, carrier], { sourceAddress: '203.0.113.9' }), twin);
});

test('a credential trunk is identified by its digest username from any address', () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '192.0.2.44', digestUsername: 'demo-carrier' }), browserCarrier);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '192.0.2.44' }), undefined);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '192.0.2.44', digestUsername: 'Demo-Carrier' }), undefined);
});

test('credentials win over an address match, being the more specific identity', () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '203.0.113.7', digestUsername: 'demo-carrier' }), browserCarrier);
});

test('a trunk with addresses and credentials needs both', () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '198.51.100.20', digestUsername: 'pinned-peer' }), pinned);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '198.51.100.20' }), undefined);
  assert.equal(identifyTrunk(trunks, { sourceAddress: '192.0.2.20', digestUsername: 'pinned-peer' }), undefined);
});

test("an address trunk still matches when the request carries someone else's credentials", () => {
  assert.equal(identifyTrunk(trunks, { sourceAddress: '203.0.113.5', digestUsername: 'stranger' }), carrier);
});
