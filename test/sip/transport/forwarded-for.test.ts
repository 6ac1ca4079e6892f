import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { forwardedClient } from '../../../src/sip/transport/forwarded-for.ts';

const proxies = new Set(['10.0.0.1', '10.0.0.2', 'fd00::1']);
const trusted = (address: string) => proxies.has(address.replace(/^::ffff:/i, '').toLowerCase());

/** An upgrade request as Node hands it over: the peer's address and the X-Forwarded-For (repeated headers joined). */
function request(peer: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('forwardedClient', () => {
  test('is the peer itself when the peer is no trusted proxy, whatever X-Forwarded-For says', () => {
    assert.equal(forwardedClient(request('192.0.2.7', '203.0.113.7'), trusted), '192.0.2.7');
  });

  test('is the address a trusted proxy appended', () => {
    assert.equal(forwardedClient(request('10.0.0.1', '203.0.113.7'), trusted), '203.0.113.7');
  });

  test('is the right-most address that is not a trusted proxy, so entries a client wrote itself are not believed', () => {
    assert.equal(forwardedClient(request('10.0.0.1', '198.51.100.66, 203.0.113.7, 10.0.0.2'), trusted), '203.0.113.7');
  });

  test('is the left-most address when every hop is a trusted proxy', () => {
    assert.equal(forwardedClient(request('10.0.0.1', '10.0.0.2'), trusted), '10.0.0.2');
  });

  test('is the proxy when it sent no X-Forwarded-For, or an empty one', () => {
    assert.equal(forwardedClient(request('10.0.0.1'), trusted), '10.0.0.1');
    assert.equal(forwardedClient(request('10.0.0.1', ''), trusted), '10.0.0.1');
  });

  test('takes an entry that is no bare IP address as it is, as the web API does: the walk stops there', () => {
    assert.equal(forwardedClient(request('10.0.0.1', '203.0.113.7, unknown'), trusted), 'unknown');
    assert.equal(forwardedClient(request('10.0.0.1', '203.0.113.7:50123'), trusted), '203.0.113.7:50123');
  });

  test('writes IPv4-mapped and IPv6 addresses in their plain form', () => {
    assert.equal(forwardedClient(request('::ffff:10.0.0.1', '::ffff:203.0.113.7'), trusted), '203.0.113.7');
    assert.equal(forwardedClient(request('FD00::1', '2001:DB8::7'), trusted), '2001:db8::7');
  });
});
