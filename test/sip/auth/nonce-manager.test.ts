import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonceManager } from '../../../src/sip/auth/nonce-manager.ts';
import { itemAt } from '../../support/item-at.ts';

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

/** The same nonce with one character changed to another base64url character. */
function tamper(nonce: string, index: number): string {
  const replacement = nonce[index] === 'A' ? 'B' : 'A';
  return nonce.slice(0, index) + replacement + nonce.slice(index + 1);
}

test('issues distinct URL-safe nonces it accepts', () => {
  const nonces = new NonceManager();
  const a = nonces.issue();
  const b = nonces.issue();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]+$/);
  assert.equal(nonces.check(a, 1), 'ok');
  assert.equal(nonces.check(b, 1), 'ok');
});

test('accepts the same nonce again only with a strictly higher nonce-count', () => {
  const nonces = new NonceManager();
  const nonce = nonces.issue();
  assert.equal(nonces.check(nonce, 1), 'ok');
  assert.equal(nonces.check(nonce, 1), 'replay');
  assert.equal(nonces.check(nonce, 2), 'ok');
  assert.equal(nonces.check(nonce, 7), 'ok');
  assert.equal(nonces.check(nonce, 5), 'replay');
  assert.equal(nonces.check(nonce, 8), 'ok');
});

test('treats nonce-count 0 as a replay and impossible counts as invalid', () => {
  const nonces = new NonceManager();
  assert.equal(nonces.check(nonces.issue(), 0), 'replay');
  assert.equal(nonces.check(nonces.issue(), -1), 'invalid');
  assert.equal(nonces.check(nonces.issue(), 1.5), 'invalid');
  assert.equal(nonces.check(nonces.issue(), 0x1_0000_0000), 'invalid');
});

test('calls a nonce stale once it is older than its lifetime', () => {
  const time = clock();
  const nonces = new NonceManager({ lifetimeMs: 60_000, now: time.now });
  const nonce = nonces.issue();
  assert.equal(nonces.check(nonce, 1), 'ok');
  time.advance(60_000);
  assert.equal(nonces.validate(nonce), 'ok');
  time.advance(1);
  assert.equal(nonces.validate(nonce), 'stale');
  assert.equal(nonces.check(nonce, 2), 'stale');
});

test('calls a tampered, truncated or foreign nonce invalid', () => {
  const nonces = new NonceManager();
  const nonce = nonces.issue();
  for (const index of [0, 5, 20, 40, nonce.length - 2]) {
    assert.equal(nonces.check(tamper(nonce, index), 1), 'invalid', `changed at ${index}`);
  }
  assert.equal(nonces.check(nonce.slice(0, -1), 1), 'invalid');
  assert.equal(nonces.check(`${nonce}A`, 1), 'invalid');
  assert.equal(nonces.check(`${nonce.slice(0, -1)}=`, 1), 'invalid');
  assert.equal(nonces.check('', 1), 'invalid');
  assert.equal(nonces.check(new NonceManager().issue(), 1), 'invalid');
});

test('accepts only the canonical spelling of a nonce, so its count cannot be reset', () => {
  const nonces = new NonceManager();
  const nonce = nonces.issue();
  assert.equal(nonces.check(nonce, 1), 'ok');
  // 56 bytes leave two spare bits in the last base64url character: flip them.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(nonce.at(-1) ?? '');
  const twin = nonce.slice(0, -1) + alphabet[last ^ 1];
  assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(nonce, 'base64url'));
  assert.equal(nonces.check(twin, 1), 'invalid');
});

test('shares nonces between managers that share the secret', () => {
  const secret = Buffer.alloc(32, 7);
  const nonce = new NonceManager({ secret }).issue();
  assert.equal(new NonceManager({ secret }).check(nonce, 1), 'ok');
});

test('validate records nothing', () => {
  const nonces = new NonceManager();
  const nonce = nonces.issue();
  assert.equal(nonces.validate(nonce), 'ok');
  assert.equal(nonces.size, 0);
  assert.equal(nonces.check(nonce, 1), 'ok');
  assert.equal(nonces.size, 1);
});

test('forgets nonce-counts once their nonces expire', () => {
  const time = clock();
  const nonces = new NonceManager({ lifetimeMs: 1_000, now: time.now });
  for (let i = 0; i < 100; i += 1) nonces.check(nonces.issue(), 1);
  assert.equal(nonces.size, 100);
  time.advance(1_001);
  assert.equal(nonces.check(nonces.issue(), 1), 'ok');
  assert.equal(nonces.size, 1);
});

test('keeps the seen-nonce map bounded under 100k issued nonces', () => {
  const time = clock();
  const nonces = new NonceManager({ now: time.now });
  const issued: string[] = [];
  for (let i = 0; i < 100_000; i += 1) {
    const nonce = nonces.issue();
    issued.push(nonce);
    assert.equal(nonces.check(nonce, 1), 'ok');
    if (i % 100 === 0) time.advance(1);
  }
  assert.ok(nonces.size <= nonces.maxTracked, `${nonces.size} > ${nonces.maxTracked}`);
  assert.ok(nonces.maxTracked < 100_000);
  // An evicted nonce is not forgotten into acceptance: its replay is refused (as stale, so an
  // honest client re-authenticates with a fresh nonce).
  assert.equal(nonces.check(itemAt(issued, 0), 1), 'stale');
  assert.equal(nonces.check(itemAt(issued, 0), 2), 'stale');
  // The most recent ones are still tracked precisely.
  assert.equal(nonces.check(issued.at(-1) ?? '', 1), 'replay');
  assert.equal(nonces.check(issued.at(-1) ?? '', 2), 'ok');
});

test('a small cap still never accepts a replay of an evicted nonce', () => {
  const time = clock();
  const nonces = new NonceManager({ maxTracked: 3, now: time.now });
  const first = nonces.issue();
  assert.equal(nonces.check(first, 1), 'ok');
  for (let i = 0; i < 3; i += 1) {
    time.advance(1);
    assert.equal(nonces.check(nonces.issue(), 1), 'ok');
  }
  assert.equal(nonces.size, 3);
  assert.equal(nonces.check(first, 1), 'stale');
  time.advance(1);
  assert.equal(nonces.check(nonces.issue(), 1), 'ok');
});

test('refuses a nonsensical configuration', () => {
  assert.throws(() => new NonceManager({ lifetimeMs: 0 }), RangeError);
  assert.throws(() => new NonceManager({ maxTracked: 0 }), RangeError);
});
