import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedProxies } from '../../src/security/trusted-proxies.ts';

describe('trustedProxies', () => {
  test('trusts nobody when http.trustProxy is false', () => {
    assert.equal(trustedProxies(false)('127.0.0.1'), false);
  });

  test('trusts the listed addresses and blocks, IPv4-mapped addresses as their IPv4 address', () => {
    const isTrusted = trustedProxies(['127.0.0.1', '10.1.0.0/16', 'fd00::/8']);
    assert.equal(isTrusted('127.0.0.1'), true);
    assert.equal(isTrusted('::ffff:10.1.2.3'), true);
    assert.equal(isTrusted('fd12::1'), true);
    assert.equal(isTrusted('10.2.0.1'), false);
    assert.equal(isTrusted('2001:db8::1'), false);
    assert.equal(isTrusted('not an address'), false);
    assert.equal(isTrusted('10.1.2.3:4711'), false, 'an address with a port is no address');
  });

  test('refuses an entry that is no address or block, naming http.trustProxy and the entry, instead of dropping it', () => {
    assert.throws(
      () => trustedProxies(['127.0.0.1', 'proxy.example']),
      (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /^http\.trustProxy: "proxy\.example" is no IP address or CIDR block/);
        return true;
      },
    );
    assert.throws(() => trustedProxies(['10.0.0.0/33']), /http\.trustProxy: "10\.0\.0\.0\/33"/);
  });
});
