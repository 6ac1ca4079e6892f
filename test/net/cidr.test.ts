import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatIpAddress, parseCidr, parseIpAddress, type Cidr } from '../../src/net/cidr.ts';

function block(text: string): Cidr {
  const { cidr, problem } = parseCidr(text);
  assert.ok(cidr, `${text}: ${problem}`);
  return cidr;
}

function contains(blockText: string, addressText: string): boolean {
  const address = parseIpAddress(addressText);
  assert.ok(address, addressText);
  return cidrContains(block(blockText), address);
}

describe('addresses', () => {
  test('IPv4 and IPv6 literals parse to their bytes', () => {
    assert.deepEqual(parseIpAddress('192.0.2.10'), { family: 4, bytes: Uint8Array.from([192, 0, 2, 10]) });
    const v6 = parseIpAddress('2001:db8::1');
    assert.equal(v6?.family, 6);
    assert.deepEqual([...v6!.bytes], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test('every IPv6 spelling of one address gives the same bytes', () => {
    const expected = [...parseIpAddress('2001:db8:0:0:0:0:2:1')!.bytes];
    for (const text of ['2001:db8::2:1', '2001:0db8:0000:0000:0000:0000:0002:0001', '2001:DB8::2:1']) {
      assert.deepEqual([...parseIpAddress(text)!.bytes], expected, text);
    }
    assert.deepEqual([...parseIpAddress('::')!.bytes], new Array(16).fill(0));
    assert.deepEqual([...parseIpAddress('1::')!.bytes], [0, 1, ...new Array(14).fill(0)]);
    assert.deepEqual([...parseIpAddress('64:ff9b::192.0.2.33')!.bytes].slice(12), [192, 0, 2, 33]);
  });

  test('an IPv4-mapped IPv6 address, as a dual-stack socket reports it, is the IPv4 address', () => {
    assert.deepEqual(parseIpAddress('::ffff:192.0.2.10'), { family: 4, bytes: Uint8Array.from([192, 0, 2, 10]) });
    assert.deepEqual(parseIpAddress('::ffff:c000:20a'), { family: 4, bytes: Uint8Array.from([192, 0, 2, 10]) });
  });

  test('a zone is dropped from a link-local source address', () => {
    assert.deepEqual(parseIpAddress('fe80::1%eth0'), parseIpAddress('fe80::1'));
  });

  test('what is not an IP literal is refused', () => {
    for (const text of ['', 'example.com', '192.0.2', '192.0.2.256', '1:2:3:4:5:6:7:8:9', '::g', '192.0.2.1/24']) {
      assert.equal(parseIpAddress(text), undefined, text);
    }
  });

  test('addresses are formatted in their usual compressed form', () => {
    for (const text of ['192.0.2.10', '2001:db8::1', '::', '1::', '::1', '2001:db8:0:1:1:1:1:1', '2001:db8::1:0:0:1']) {
      assert.equal(formatIpAddress(parseIpAddress(text)!), text);
    }
  });
});

describe('blocks', () => {
  test('a bare address is a block of one', () => {
    assert.equal(block('192.0.2.10').prefix, 32);
    assert.equal(block('2001:db8::1').prefix, 128);
    assert.equal(contains('192.0.2.10', '192.0.2.10'), true);
    assert.equal(contains('192.0.2.10', '192.0.2.11'), false);
  });

  test('an IPv4 block contains exactly the addresses sharing its prefix', () => {
    assert.equal(contains('192.0.2.0/24', '192.0.2.0'), true);
    assert.equal(contains('192.0.2.0/24', '192.0.2.255'), true);
    assert.equal(contains('192.0.2.0/24', '192.0.3.0'), false);
    assert.equal(contains('192.0.2.128/25', '192.0.2.127'), false);
    assert.equal(contains('192.0.2.128/25', '192.0.2.129'), true);
    assert.equal(contains('10.0.0.0/7', '11.255.255.255'), true);
    assert.equal(contains('10.0.0.0/7', '12.0.0.0'), false);
    assert.equal(contains('0.0.0.0/0', '203.0.113.9'), true);
  });

  test('an IPv6 block contains exactly the addresses sharing its prefix', () => {
    assert.equal(contains('2001:db8::/32', '2001:db8:ffff::1'), true);
    assert.equal(contains('2001:db8::/32', '2001:db9::1'), false);
    assert.equal(contains('2001:db8:0:8000::/49', '2001:db8:0:8001::'), true);
    assert.equal(contains('2001:db8:0:8000::/49', '2001:db8:0:7fff::'), false);
    assert.equal(contains('::/0', '2001:db8::1'), true);
  });

  test('families never match each other, except through IPv4-mapped addresses', () => {
    assert.equal(contains('::/0', '192.0.2.1'), false);
    assert.equal(contains('0.0.0.0/0', '2001:db8::1'), false);
    assert.equal(contains('192.0.2.0/24', '::ffff:192.0.2.77'), true);
    assert.deepEqual(block('::ffff:192.0.2.0/120'), block('192.0.2.0/24'));
  });

  const refused: Array<[string, RegExp]> = [
    ['192.0.2.1/24', /bits set past the \/24 prefix \(did you mean 192\.0\.2\.0\/24\?\)/],
    ['2001:db8::1/32', /did you mean 2001:db8::\/32\?/],
    ['192.0.2.0/33', /prefix length must be a whole number from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['192.0.2.0/', /prefix length/],
    ['192.0.2.0/+8', /prefix length/],
    ['192.0.2.0/8.5', /prefix length/],
    ['::ffff:192.0.2.0/64', /at least \/96/],
    ['fe80::1%eth0', /zone/],
    ['carrier.example', /not an IPv4 or IPv6 address/],
    ['192.0.2.0/24/8', /prefix length/],
  ];
  for (const [text, message] of refused) {
    test(`${JSON.stringify(text)} is refused with a reason`, () => {
      const result = parseCidr(text);
      assert.equal(result.cidr, undefined);
      assert.match(result.problem ?? '', message);
    });
  }
});
