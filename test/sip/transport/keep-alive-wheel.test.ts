import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeepAliveWheel } from '../../../src/sip/transport/keep-alive-wheel.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { itemAt } from '../../support/item-at.ts';

function wheelOf(count: number, intervalMs: number) {
  const clock = new FakeClock();
  const visits: number[][] = [];
  let tick: number[] = [];
  const wheel = new KeepAliveWheel<number>({ intervalMs, visit: (item) => tick.push(item), timers: clock });
  for (let item = 0; item < count; item++) wheel.add(item);
  wheel.start();
  const turn = () => {
    tick = [];
    clock.advance(wheel.tickMs);
    visits.push(tick);
  };
  return { wheel, clock, visits, turn };
}

describe('KeepAliveWheel', () => {
  test('visits 10,000 items once per 30 s interval, at most a three-hundredth of them per tick', () => {
    const { wheel, visits, turn } = wheelOf(10_000, 30_000);
    assert.equal(wheel.slotCount, 300);
    assert.equal(wheel.tickMs, 100);
    for (let i = 0; i < wheel.slotCount; i++) turn();
    assert.ok(Math.max(...visits.map((tick) => tick.length)) <= Math.ceil(10_000 / 300));
    const all = visits.flat().sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 10_000 }, (_, i) => i),
      'every item exactly once',
    );
  });

  test('visits an item again one interval later', () => {
    const { wheel, visits, turn } = wheelOf(3, 30_000);
    for (let i = 0; i < 2 * wheel.slotCount; i++) turn();
    const ticksOf = (item: number) => visits.flatMap((tick, index) => (tick.includes(item) ? [index] : []));
    for (const item of [0, 1, 2]) {
      const ticks = ticksOf(item);
      assert.equal(itemAt(ticks, 1) - itemAt(ticks, 0), wheel.slotCount);
    }
  });

  test('visits a deleted item no more', () => {
    const { wheel, visits, turn } = wheelOf(5, 1000);
    wheel.delete(3);
    for (let i = 0; i < wheel.slotCount; i++) turn();
    assert.deepEqual(visits.flat().sort(), [0, 1, 2, 4]);
  });

  test('puts a new item into the least loaded slot', () => {
    const { wheel, visits, turn } = wheelOf(10, 1000);
    assert.equal(wheel.slotCount, 10, 'one item in each slot');
    wheel.add(100);
    for (let i = 0; i < wheel.slotCount; i++) turn();
    assert.equal(Math.max(...visits.map((tick) => tick.length)), 2);
    assert.equal(visits.filter((tick) => tick.length === 2).length, 1);
  });

  test('is a single slot when the interval is shorter than two ticks', () => {
    const { wheel, visits, turn } = wheelOf(4, 150);
    assert.equal(wheel.slotCount, 1);
    turn();
    assert.equal(itemAt(visits, 0).length, 4);
  });

  test('stops turning when stopped', () => {
    const { wheel, clock, visits } = wheelOf(2, 1000);
    wheel.stop();
    clock.advance(10_000);
    assert.equal(clock.pending, 0);
    assert.deepEqual(visits, []);
  });
});
