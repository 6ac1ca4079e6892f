import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey } from '../../src/net/client-key.ts';

test('an IPv4 client counts by its address, in either spelling', () => {
  assert.equal(clientKey('198.51.100.7'), '198.51.100.7');
  assert.equal(clientKey('::ffff:198.51.100.7'), '198.51.100.7');
});

test('an IPv6 client counts by its /64, whatever address it picked inside it', () => {
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2:ffff:eeee:dddd:cccc'), '2001:db8:1:2::/64');
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  assert.equal(clientKey('::1'), '::/64');
});

test('anything that is no address is its own key', () => {
  assert.equal(clientKey('unknown'), 'unknown');
});
