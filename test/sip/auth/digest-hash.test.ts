import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeHa1, digestResponse, toDigestAlgorithm } from '../../../src/sip/auth/digest-hash.ts';
import { rfc7616 } from './rfc7616-example.ts';

const { username, password, realm, method, uri, nonce, nc, cnonce } = rfc7616;

for (const algorithm of ['MD5', 'SHA-256'] as const) {
  test(`computes the RFC 7616 §3.9.1 ${algorithm} response from the password`, () => {
    const response = digestResponse({ algorithm, username, realm, password, method, uri, nonce, nc, cnonce, qop: 'auth' });
    assert.equal(response, rfc7616.responses[algorithm]);
  });

  test(`computes the same ${algorithm} response from a stored H(A1), in either hex case`, () => {
    const ha1 = computeHa1(algorithm, username, realm, password);
    const fields = { algorithm, username, realm, method, uri, nonce, nc, cnonce, qop: 'auth' } as const;
    assert.equal(digestResponse({ ...fields, ha1 }), rfc7616.responses[algorithm]);
    assert.equal(digestResponse({ ...fields, ha1: ha1.toUpperCase() }), rfc7616.responses[algorithm]);
  });
}

// RFC 2617 §3.5: H(A1) and the response of the older example, still qop=auth MD5.
test('matches the RFC 2617 §3.5 example, H(A1) included', () => {
  const ha1 = computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
  assert.equal(ha1, '939e7578ed9e3c518a452acee763bce9');
  const response = digestResponse({
    algorithm: 'MD5',
    username: 'Mufasa',
    realm: 'testrealm@host.com',
    ha1,
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    nc: '00000001',
    cnonce: '0a4f113b',
    qop: 'auth',
  });
  assert.equal(response, '6629fae49393a05397450978507c4ef1');
});

test('reads the algorithm token case-insensitively, absent as MD5, and refuses the rest', () => {
  assert.equal(toDigestAlgorithm(undefined), 'MD5');
  assert.equal(toDigestAlgorithm('md5'), 'MD5');
  assert.equal(toDigestAlgorithm('sha-256'), 'SHA-256');
  assert.equal(toDigestAlgorithm('MD5-sess'), undefined);
  assert.equal(toDigestAlgorithm('SHA-512-256'), undefined);
});
