import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { translator } from '../../../src/widget/i18n/i18n.ts';
import { describeAudioQuality } from '../../../src/widget/ui/audio-quality.ts';

const quality = {
  poor: true,
  legs: [
    { party: 'caller' as const, packets: 1500, packetsLost: 16, lossRatio: 0.0106, jitterMs: 3.6, mos: 4.27 },
    { party: 'callee' as const, packets: 1400, packetsLost: null, lossRatio: null, jitterMs: null, mos: null },
  ],
};

describe("the poor-audio marker's figures", () => {
  test('name each direction and only the figures the relay could know', () => {
    assert.equal(describeAudioQuality(quality, translator('en'), 'en-US'), 'Caller: 1,500 packets, 1.1 % lost, jitter 4 ms, MOS 4.3 · Callee: 1,400 packets');
  });

  test("speak the pane's language", () => {
    assert.equal(describeAudioQuality(quality, translator('zh-CN'), 'zh-CN'), '主叫: 1,500 个包, 丢包 1.1%, 抖动 4 毫秒, MOS 评分 4.3 · 被叫: 1,400 个包');
  });
});
