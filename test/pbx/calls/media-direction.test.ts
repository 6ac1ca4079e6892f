import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offeredDirection } from '../../../src/pbx/calls/media-direction.ts';

const sdp = (...lines: string[]): string => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', ...lines, ''].join('\r\n');

describe('the media direction of an offer', () => {
  it('is active for sendrecv or no direction attribute at all', () => {
    assert.equal(offeredDirection(sdp('m=audio 4000 RTP/AVP 0', 'a=sendrecv')), 'active');
    assert.equal(offeredDirection(sdp('m=audio 4000 RTP/AVP 0')), 'active');
  });

  it('is held when every stream in use is sendonly or inactive (RFC 3264 §8.4)', () => {
    assert.equal(offeredDirection(sdp('m=audio 4000 RTP/AVP 0', 'a=sendonly')), 'held');
    assert.equal(offeredDirection(sdp('m=audio 4000 RTP/AVP 0', 'a=inactive', 'm=video 0 RTP/AVP 96')), 'held');
    assert.equal(offeredDirection(sdp('m=audio 4000 RTP/AVP 0', 'a=sendonly', 'm=video 5000 RTP/AVP 96', 'a=sendrecv')), 'active');
  });

  it('applies a session-level attribute to streams without their own', () => {
    assert.equal(offeredDirection(sdp('a=sendonly', 'm=audio 4000 RTP/AVP 0')), 'held');
    assert.equal(offeredDirection(sdp('a=sendonly', 'm=audio 4000 RTP/AVP 0', 'a=sendrecv')), 'active');
  });

  it('counts the RFC 2543 hold address 0.0.0.0 as held', () => {
    assert.equal(offeredDirection(sdp('m=audio 4000 RTP/AVP 0', 'c=IN IP4 0.0.0.0')), 'held');
  });

  it('is unknown without any stream in use', () => {
    assert.equal(offeredDirection(''), 'unknown');
    assert.equal(offeredDirection(sdp('m=audio 0 RTP/AVP 0')), 'unknown');
  });
});
