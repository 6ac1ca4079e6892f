import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyMicrophoneError, Microphone, type MicrophoneEnvironment } from '../../../src/widget/phone/microphone.ts';

const named = (name: string) => Object.assign(new Error('x'), { name });

describe('microphone', () => {
  test('a refusal under a policy that forbids the microphone is blamed on the embedding iframe', () => {
    assert.equal(classifyMicrophoneError(named('NotAllowedError'), false), 'not-delegated');
  });

  test('a refusal where the policy allows it is the person or the browser setting', () => {
    assert.equal(classifyMicrophoneError(named('NotAllowedError'), true), 'denied');
    assert.equal(classifyMicrophoneError(named('NotAllowedError'), undefined), 'denied');
  });

  test('missing, busy and unsupported devices are told apart', () => {
    assert.equal(classifyMicrophoneError(named('NotFoundError'), true), 'no-device');
    assert.equal(classifyMicrophoneError(named('NotReadableError'), true), 'in-use');
    assert.equal(classifyMicrophoneError(named('SecurityError'), true), 'unsupported');
    assert.equal(classifyMicrophoneError('weird', true), 'failed');
  });

  test('a frame without delegation is reported without asking the browser', async () => {
    let asked = false;
    const env: MicrophoneEnvironment = {
      mediaDevices: {
        getUserMedia: async () => {
          asked = true;
          return {} as MediaStream;
        },
        enumerateDevices: async () => [],
      },
      policy: { allowsFeature: () => false },
      permissions: undefined,
    };
    const result = await new Microphone(env).acquire();
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, 'not-delegated');
    assert.equal(asked, false);
  });

  test('the stream is asked for once, reused while live and stopped on release', async () => {
    let asks = 0;
    let stopped = 0;
    const track = { readyState: 'live', stop: () => stopped++ };
    const stream = { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
    const env: MicrophoneEnvironment = {
      mediaDevices: {
        getUserMedia: async () => {
          asks++;
          return stream;
        },
        enumerateDevices: async () => [],
      },
      policy: undefined,
      permissions: undefined,
    };
    const microphone = new Microphone(env);
    assert.equal((await microphone.acquire()).ok, true);
    assert.equal((await microphone.acquire()).ok, true);
    assert.equal(asks, 1);
    microphone.release();
    assert.equal(stopped, 1);
    await microphone.acquire();
    assert.equal(asks, 2);
  });

  test('a browser without mediaDevices is unsupported', async () => {
    const result = await new Microphone({ mediaDevices: undefined, policy: undefined, permissions: undefined }).acquire();
    assert.equal(!result.ok && result.problem, 'unsupported');
  });
});
