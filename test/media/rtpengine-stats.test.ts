import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, type NgDictionary, type NgInput } from '../../src/media/ng/bencode.ts';
import { callStatsFromQuery } from '../../src/media/rtpengine-stats.ts';

/** A reply as it arrives: encoded and decoded again, so strings are Buffers as on the wire. */
function reply(dictionary: NgInput): NgDictionary {
  return decode(encode(dictionary)) as NgDictionary;
}

function stream(localPort: number, flags: string[], packets: number, bytes: number, ssrc?: number): NgInput {
  return { 'local port': localPort, flags, stats: { packets, bytes, errors: 0 }, ...(ssrc === undefined ? {} : { SSRC: ssrc }) };
}

/**
 * The shape rtpengine 10.5 writes (daemon/call_interfaces.c, ng_call_stats and ng_stats_ssrc):
 * the browser's (pane) media arrives muxed with its RTCP, the phone's on separate RTP and RTCP
 * ports; the phone sent RTCP receiver reports about the pane's media, so the phone's SSRC has
 * MOS figures; the '' tag is a dialog side that has not signalled a tag and has no port.
 */
const query = reply({
  result: 'ok',
  created: 1796617355,
  SSRC: {
    '4369': {
      'cumulative loss': 7,
      'average MOS': { MOS: 41, 'round-trip time': 12000, 'round-trip time leg': 6000, jitter: 18, 'packet loss': 2, samples: 3 },
      'lowest MOS': { MOS: 38, jitter: 30, 'packet loss': 5, 'reported at': 1796617360 },
    },
  },
  tags: {
    pane: {
      tag: 'pane',
      label: 'webrtc',
      subscribers: [{ tag: 'phone', type: 'offer/answer' }],
      medias: [
        {
          index: 1,
          type: 'audio',
          protocol: 'UDP/TLS/RTP/SAVPF',
          streams: [stream(40000, ['RTP', 'RTCP', 'filled', 'ICE'], 300, 51600, 3735928559), stream(0, ['RTCP', 'fallback RTCP'], 0, 0)],
        },
      ],
    },
    phone: {
      tag: 'phone',
      label: 'rtp',
      subscribers: [{ tag: 'pane', type: 'offer/answer' }],
      medias: [{ index: 1, type: 'audio', protocol: 'RTP/AVP', streams: [stream(40010, ['RTP', 'filled'], 298, 51256, 4369), stream(40011, ['RTCP', 'filled'], 6, 312, 4369)] }],
    },
    '': { tag: '', medias: [{ index: 1, streams: [stream(0, ['RTP'], 0, 0)] }] },
  },
  totals: { RTP: { packets: 598, bytes: 102856, errors: 0 }, RTCP: { packets: 6, bytes: 312, errors: 0 } },
});

describe('callStatsFromQuery', () => {
  it('gives each party the packets and bytes the relay received from it, RTCP ports aside', () => {
    const legs = callStatsFromQuery(query).legs;
    assert.deepEqual(
      legs.map(({ tag, packets, bytes }) => ({ tag, packets, bytes })),
      [
        { tag: 'pane', packets: 300, bytes: 51600 },
        { tag: 'phone', packets: 298, bytes: 51256 },
      ],
    );
  });

  it("gives a party's media the loss, jitter and MOS its receiver reported in RTCP, MOS scaled to 1.0–5.0", () => {
    const pane = callStatsFromQuery(query).legs.find((leg) => leg.tag === 'pane');
    assert.equal(pane?.packetsLost, 7);
    assert.equal(pane?.jitterMs, 18);
    assert.equal(pane?.mos, 4.1);
  });

  it('leaves loss, jitter and MOS unknown where no receiver reported them', () => {
    const phone = callStatsFromQuery(query).legs.find((leg) => leg.tag === 'phone');
    assert.ok(phone);
    assert.equal('packetsLost' in phone, false);
    assert.equal('jitterMs' in phone, false);
    assert.equal('mos' in phone, false);
  });

  it('ignores a MOS of 0, which rtpengine writes when it lacked a round-trip time', () => {
    const withoutMos = reply({
      result: 'ok',
      SSRC: { '7': { 'cumulative loss': 1, 'average MOS': { MOS: 0, jitter: 4, 'packet loss': 0 } } },
      tags: {
        a: { tag: 'a', subscribers: [{ tag: 'b' }], medias: [{ streams: [stream(1000, ['RTP'], 5, 860, 8)] }] },
        b: { tag: 'b', subscribers: [{ tag: 'a' }], medias: [{ streams: [stream(1002, ['RTP'], 5, 860, 7)] }] },
      },
    });
    const a = callStatsFromQuery(withoutMos).legs.find((leg) => leg.tag === 'a');
    assert.deepEqual(a, { tag: 'a', packets: 5, bytes: 860, packetsLost: 1, jitterMs: 4 });
  });

  it('gives no legs for a reply without tags', () => {
    assert.deepEqual(callStatsFromQuery(reply({ result: 'ok' })), { legs: [] });
  });
});
