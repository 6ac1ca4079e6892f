import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callQualityOf, POOR_AUDIO } from '../../../src/pbx/calls/call-quality.ts';

describe("the quality of a call from the media relay's figures", () => {
  test('names each direction by the party that sent it and computes the loss ratio', () => {
    const quality = callQualityOf(
      {
        legs: [
          { tag: 'caller-tag', packets: 990, bytes: 158_400, packetsLost: 10, jitterMs: 4.26, mos: 4.318 },
          { tag: 'callee-tag', packets: 1000, bytes: 160_000, packetsLost: 0, jitterMs: 1 },
        ],
      },
      'caller-tag',
    );
    assert.deepEqual(quality, {
      poor: false,
      legs: [
        { party: 'caller', packets: 990, packetsLost: 10, lossRatio: 0.01, jitterMs: 4.3, mos: 4.32 },
        { party: 'callee', packets: 1000, packetsLost: 0, lossRatio: 0, jitterMs: 1, mos: null },
      ],
    });
  });

  test('keeps what can be known when a phone sends no RTCP: no loss, jitter or MOS', () => {
    const quality = callQualityOf({ legs: [{ tag: 'a', packets: 300, bytes: 48_000 }] }, 'a');
    assert.deepEqual(quality?.legs, [{ party: 'caller', packets: 300, packetsLost: null, lossRatio: null, jitterMs: null, mos: null }]);
    assert.equal(quality?.poor, false);
  });

  test('is poor when any direction crosses a limit: MOS, loss or jitter', () => {
    const leg = { tag: 'a', packets: 1000, bytes: 1 };
    assert.equal(callQualityOf({ legs: [{ ...leg, mos: POOR_AUDIO.mosBelow - 0.01 }] }, 'a')?.poor, true);
    assert.equal(callQualityOf({ legs: [{ ...leg, mos: POOR_AUDIO.mosBelow }] }, 'a')?.poor, false);
    assert.equal(callQualityOf({ legs: [{ ...leg, packets: 970, packetsLost: 30 }] }, 'a')?.poor, true);
    assert.equal(callQualityOf({ legs: [{ ...leg, packets: 971, packetsLost: 29 }] }, 'a')?.poor, false);
    assert.equal(callQualityOf({ legs: [{ ...leg, jitterMs: POOR_AUDIO.jitterMsFrom }] }, 'a')?.poor, true);
    assert.equal(
      callQualityOf(
        {
          legs: [
            { tag: 'a', packets: 1000, bytes: 1, jitterMs: 1 },
            { tag: 'b', packets: 10, bytes: 1, packetsLost: 990 },
          ],
        },
        'a',
      )?.poor,
      true,
    );
  });

  test('is nothing when no media flowed', () => {
    assert.equal(callQualityOf({ legs: [{ tag: 'a', packets: 0, bytes: 0 }] }, 'a'), undefined);
    assert.equal(callQualityOf({ legs: [] }, 'a'), undefined);
  });
});
