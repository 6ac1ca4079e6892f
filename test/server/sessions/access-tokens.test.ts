import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCESS_TOKEN_LIFETIME_MS, AccessTokens, MAX_TOKENS_PER_SESSION } from '../../../src/server/sessions/access-tokens.ts';
import { itemAt } from '../../support/item-at.ts';

function clock() {
  const time = { now: 1_000_000 };
  return { time, now: () => time.now };
}

test('a token names its session until it expires, never after its session ends', () => {
  const { time, now } = clock();
  const tokens = new AccessTokens(now);
  const long = tokens.issue('s1', time.now + 60 * ACCESS_TOKEN_LIFETIME_MS);
  const short = tokens.issue('s2', time.now + 1000);
  assert.equal(long.expiresAt, time.now + ACCESS_TOKEN_LIFETIME_MS);
  assert.equal(short.expiresAt, time.now + 1000);
  assert.equal(tokens.sessionOf(long.token), 's1');
  time.now += 1000;
  assert.equal(tokens.sessionOf(short.token), undefined);
  time.now += ACCESS_TOKEN_LIFETIME_MS;
  assert.equal(tokens.sessionOf(long.token), undefined);
  assert.equal(tokens.sessionOf('not-a-token'), undefined);
});

test("revoking a session ends its tokens and no other session's", () => {
  const { time, now } = clock();
  const tokens = new AccessTokens(now);
  const mine = [tokens.issue('s1', time.now + 1e9), tokens.issue('s1', time.now + 1e9)];
  const theirs = tokens.issue('s2', time.now + 1e9);
  tokens.revokeSession('s1');
  for (const { token } of mine) assert.equal(tokens.sessionOf(token), undefined);
  assert.equal(tokens.sessionOf(theirs.token), 's2');
});

test('a session holds at most MAX_TOKENS_PER_SESSION live tokens: refreshing in a loop drops the oldest', () => {
  const { time, now } = clock();
  const tokens = new AccessTokens(now);
  const issued = Array.from({ length: MAX_TOKENS_PER_SESSION + 5 }, () => tokens.issue('s1', time.now + 1e9));
  assert.equal(tokens.size, MAX_TOKENS_PER_SESSION);
  assert.equal(tokens.sessionOf(itemAt(issued, 0).token), undefined);
  assert.equal(tokens.sessionOf(issued.at(-1)!.token), 's1');
});

test('expired tokens are swept from memory as new ones are issued', () => {
  const { time, now } = clock();
  const tokens = new AccessTokens(now);
  for (let i = 0; i < 10; i++) tokens.issue(`s${i}`, time.now + 1e9);
  time.now += ACCESS_TOKEN_LIFETIME_MS + 60_000;
  tokens.issue('fresh', time.now + 1e9);
  assert.equal(tokens.size, 1);
});
