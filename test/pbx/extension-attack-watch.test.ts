import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXTENSION_ATTACK_POLICY, ExtensionAttackWatch, type AttackEpisode, type ExtensionAttackPolicy } from '../../src/pbx/extension-attack-watch.ts';

const POLICY: ExtensionAttackPolicy = { threshold: 5, windowMs: 600_000, firstDelayMs: 1_000, maxDelayMs: 8_000, maxTrackedUnknown: 50 };

function watchAt(policy: ExtensionAttackPolicy = POLICY) {
  const clock = { now: 1_000_000 };
  const started: AttackEpisode[] = [];
  const ended: Array<{ episode: AttackEpisode; endedAt: number }> = [];
  const watch = new ExtensionAttackWatch(
    policy,
    { onAttackStarted: (episode) => started.push(episode), onAttackEnded: (episode, endedAt) => ended.push({ episode, endedAt }) },
    () => clock.now,
  );
  return { watch, clock, started, ended };
}

test('failures below the threshold are answered at once and start no episode', () => {
  const { watch, started } = watchAt();
  for (let i = 0; i < POLICY.threshold - 1; i++) assert.equal(watch.failure('1001', true), 0);
  assert.deepEqual(started, []);
  assert.equal(watch.underAttack, 0);
});

test('the failure that reaches the threshold starts an episode, reported once, and every failure in it is delayed', () => {
  const { watch, clock, started } = watchAt();
  for (let i = 0; i < POLICY.threshold - 1; i++) watch.failure('1001', true);
  assert.equal(watch.failure('1001', true), POLICY.firstDelayMs);
  assert.deepEqual(started, [{ account: '1001', since: clock.now, failures: POLICY.threshold }]);
  clock.now += 1_000;
  assert.equal(watch.failure('1001', true), POLICY.firstDelayMs);
  assert.equal(started.length, 1);
  assert.equal(watch.underAttack, 1);
  // Another extension is not slowed down by it.
  assert.equal(watch.failure('1002', true), 0);
});

test('the delay doubles for every further threshold of failures in the window, up to the cap', () => {
  const { watch } = watchAt();
  const delays: number[] = [];
  for (let i = 1; i <= 6 * POLICY.threshold; i++) delays.push(watch.failure('1001', true));
  // Failures 5-9: 1 s, 10-14: 2 s, 15-19: 4 s, then 8 s (the cap) from 20 on.
  assert.deepEqual([delays[4], delays[9], delays[14], delays[19], delays[29]], [1_000, 2_000, 4_000, 8_000, 8_000]);
  assert.ok(delays.slice(0, 4).every((delay) => delay === 0));
});

test('failures older than the window stop counting', () => {
  const { watch, clock, started } = watchAt();
  for (let i = 0; i < POLICY.threshold - 1; i++) {
    watch.failure('1001', true);
    clock.now += POLICY.windowMs / 4;
  }
  // Spread over a window and a half: never threshold failures within one window.
  assert.equal(watch.failure('1001', true), 0);
  assert.deepEqual(started, []);
});

test('an episode ends after a whole window without a failure, reported once; the next failures count from zero', () => {
  const { watch, clock, ended, started } = watchAt();
  for (let i = 0; i < POLICY.threshold; i++) watch.failure('1001', true);
  const since = clock.now;
  clock.now += POLICY.windowMs - 1;
  watch.sweep();
  assert.equal(watch.underAttack, 1);
  assert.deepEqual(ended, []);
  clock.now += 1;
  assert.equal(watch.underAttack, 0);
  watch.sweep();
  watch.sweep();
  assert.deepEqual(ended, [{ episode: { account: '1001', since, failures: POLICY.threshold }, endedAt: since + POLICY.windowMs }]);
  assert.equal(watch.tracked, 0);
  assert.equal(watch.failure('1001', true), 0);
  assert.equal(started.length, 1);
});

test('an episode found quiet at the next failure is ended before that failure counts', () => {
  const { watch, clock, ended } = watchAt();
  for (let i = 0; i < POLICY.threshold; i++) watch.failure('1001', true);
  clock.now += POLICY.windowMs;
  assert.equal(watch.failure('1001', true), 0);
  assert.equal(ended.length, 1);
});

test('usernames that are no account are delayed alike, so the delay tells no scanner which extensions exist, and are never reported', () => {
  const { watch, started, ended, clock } = watchAt();
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 2 * POLICY.threshold; i++) {
    known.push(watch.failure('1001', true));
    unknown.push(watch.failure('1009', false));
  }
  assert.deepEqual(unknown, known);
  assert.deepEqual(
    started.map((episode) => episode.account),
    ['1001'],
  );
  assert.equal(watch.underAttack, 1);
  clock.now += POLICY.windowMs;
  watch.sweep();
  assert.deepEqual(
    ended.map(({ episode }) => episode.account),
    ['1001'],
  );
});

test('keeps a bounded number of unknown usernames under a flood of invented ones, forgetting the longest quiet', () => {
  const { watch } = watchAt();
  for (let i = 0; i < POLICY.threshold - 1; i++) watch.failure('target', false);
  for (let i = 0; i < 10_000; i++) {
    watch.failure(`scan-${i}`, false);
    if (i % 10 === 0) watch.failure('target', false);
  }
  assert.equal(watch.tracked, POLICY.maxTrackedUnknown);
  // 'target' kept failing, so it stayed tracked and is well past the threshold.
  assert.ok(watch.failure('target', false) > 0);
  assert.equal(watch.failure(`very-long-${'x'.repeat(10_000)}`, false), 0);
});

test('the default policy: 30 failures in 10 minutes, 1 s doubling to at most 16 s', () => {
  const { watch } = watchAt(EXTENSION_ATTACK_POLICY);
  const delays = Array.from({ length: 200 }, () => watch.failure('1001', true));
  assert.equal(delays[28], 0);
  assert.equal(delays[29], 1_000);
  assert.equal(delays[59], 2_000);
  assert.equal(Math.max(...delays), 16_000);
});

test('refuses a policy it cannot apply', () => {
  assert.throws(() => new ExtensionAttackWatch({ ...POLICY, threshold: 0 }), RangeError);
  assert.throws(() => new ExtensionAttackWatch({ ...POLICY, maxDelayMs: 10 }), RangeError);
});
