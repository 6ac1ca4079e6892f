/**
 * SDP bodies as real endpoints write them, for media-relay tests: a Chromium WebRTC offer and
 * answer (Opus + G.711 + telephone-event, ICE on 127.0.0.1, DTLS fingerprint, rtcp-mux, BUNDLE)
 * and a baresip-like plain RTP/AVP offer and answer (G.711 + telephone-event, no ICE, no crypto).
 * Ports are parameters so a test can point them at sockets it owns.
 */

const CRLF = '\r\n';

function lines(...body: string[]): Buffer {
  return Buffer.from(body.join(CRLF) + CRLF, 'utf8');
}

/** Chromium's offer: a=setup:actpass, one audio m-line bundled, host candidates on 127.0.0.1. */
export function chromiumOffer(port = 50100): Buffer {
  return lines(
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 9a2c6a5c-6a5e-4b5e-9d3e-6d0a2f9b1c44',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=candidate:1467250027 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0 network-id 1`,
    'a=ice-ufrag:Xk3q',
    'a=ice-pwd:0p5GzR2e8dqL1bN7uVfT3yWc',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 9B:1F:6C:4E:2A:8D:77:30:C5:E1:0B:9A:44:F2:6D:13:8E:5A:B0:2C:97:D4:61:3F:E8:0A:75:C9:1D:B6:42:F0',
    'a=setup:actpass',
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:9a2c6a5c-6a5e-4b5e-9d3e-6d0a2f9b1c44 1f3e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'a=ssrc:3735928559 cname:q8v2mYk1Lr0pTz7s',
    'a=ssrc:3735928559 msid:9a2c6a5c-6a5e-4b5e-9d3e-6d0a2f9b1c44 1f3e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  );
}

/** Chromium's answer to a WebRTC offer: a=setup:active, PCMU + telephone-event chosen. */
export function chromiumAnswer(port = 50102): Buffer {
  return lines(
    'v=0',
    'o=- 7305817268120931172 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 2c1d0e9f-8a7b-4c6d-9e5f-4a3b2c1d0e9f',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0 101',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=candidate:2999745851 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0 network-id 1`,
    'a=ice-ufrag:b7Lm',
    'a=ice-pwd:Q2w9Ez4Rt6Yu8Io0Pa1Sd3Fg',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 3C:A8:51:0E:96:D2:4B:7F:13:E6:88:2A:C0:5D:F1:39:74:0B:AE:65:D8:12:9F:47:C3:6A:E0:2B:85:1D:F6:5C',
    'a=setup:active',
    'a=mid:0',
    'a=sendrecv',
    'a=msid:2c1d0e9f-8a7b-4c6d-9e5f-4a3b2c1d0e9f 7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
    'a=rtcp-mux',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=ssrc:2864434397 cname:Jf8sLq2wXz5nRt1v',
  );
}

/** baresip's offer (desk phone or carrier): RTP/AVP, G.711 + telephone-event, separate RTCP port. */
export function plainOffer(port = 50200): Buffer {
  return lines(
    'v=0',
    'o=- 2890844526 2890844526 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 101`,
    'b=AS:64',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    'a=sendrecv',
    `a=rtcp:${port + 1}`,
  );
}

/**
 * baresip's answer to an offer of G.711: PCMU + telephone-event, under the payload type the
 * offer gave telephone-event/8000 (RFC 3264 §6.1: the answer keeps the offer's numbers).
 */
export function plainAnswer(port = 50202, telephoneEvent = 101): Buffer {
  return lines(
    'v=0',
    'o=- 3059120912 3059120912 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 ${telephoneEvent}`,
    'b=AS:64',
    'a=rtpmap:0 PCMU/8000',
    `a=rtpmap:${telephoneEvent} telephone-event/8000`,
    `a=fmtp:${telephoneEvent} 0-15`,
    'a=ptime:20',
    'a=sendrecv',
    `a=rtcp:${port + 1}`,
  );
}
