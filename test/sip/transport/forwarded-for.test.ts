import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardedClient } from '../../../src/sip/transport/forwarded-for.ts';

const proxies = new Set(['10.0.0.1', '10.0.0.2', 'fd00::1']);
const trusted = (address: string) => proxies.has(address);

describe('forwardedClient', () => {
  test('is the peer itself when the peer is no trusted proxy, whatever X-Forwarded-For says', () => {
    assert.equal(forwardedClient('192.0.2.7', '203.0.113.7', trusted), '192.0.2.7');
  });

  test('is the address a trusted proxy appended', () => {
    assert.equal(forwardedClient('10.0.0.1', '203.0.113.7', trusted), '203.0.113.7');
  });

  test('is the right-most address that is not a trusted proxy, so entries a client wrote itself are not believed', () => {
    assert.equal(forwardedClient('10.0.0.1', '198.51.100.66, 203.0.113.7, 10.0.0.2', trusted), '203.0.113.7');
  });

  test('reads repeated headers as one list', () => {
    assert.equal(forwardedClient('10.0.0.1', ['198.51.100.66', '203.0.113.7'], trusted), '203.0.113.7');
  });

  test('is the left-most address when every hop is a trusted proxy', () => {
    assert.equal(forwardedClient('10.0.0.1', '10.0.0.2', trusted), '10.0.0.2');
  });

  test('is the proxy when it sent no X-Forwarded-For', () => {
    assert.equal(forwardedClient('10.0.0.1', undefined, trusted), '10.0.0.1');
  });

  test('stops at the hop that wrote an entry that is no IP address', () => {
    assert.equal(forwardedClient('10.0.0.1', '203.0.113.7, unknown', trusted), '10.0.0.1');
    assert.equal(forwardedClient('10.0.0.1', '', trusted), '10.0.0.1');
  });

  test('reads entries with a port, as some proxies write them', () => {
    assert.equal(forwardedClient('10.0.0.1', '203.0.113.7:50123', trusted), '203.0.113.7');
    assert.equal(forwardedClient('10.0.0.1', '[2001:db8::7]:50123', trusted), '2001:db8::7');
  });

  test('compares IPv4-mapped and IPv6 addresses in their plain form', () => {
    assert.equal(forwardedClient('::ffff:10.0.0.1', '::ffff:203.0.113.7', trusted), '203.0.113.7');
    assert.equal(forwardedClient('FD00::1', '2001:DB8::7', trusted), '2001:db8::7');
  });
});
