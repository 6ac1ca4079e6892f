/**
 * What the pane's phone engine (JsSIP underneath, run in Node) creates each call's
 * RTCPeerConnection with: the ICE servers and transport policy of the credentials it registered
 * with, and after a renewal those of the renewed ones — the TURN credential expires with the SIP
 * one. The browser's WebRTC and DOM are stand-ins that record what they are given; the SIP side
 * never connects (its WebSocket points at a closed port), which placing a call does not need.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { SipCredentials } from '../../../src/widget/api/api-types.ts';
import { JsSipEngine } from '../../../src/widget/phone/jssip-engine.ts';
import { freePort } from '../../support/ports.ts';

const created: RTCConfiguration[] = [];

class RecordingPeerConnection extends EventTarget {
  constructor(configuration: RTCConfiguration) {
    super();
    created.push(structuredClone(configuration));
  }
  getReceivers(): RTCRtpReceiver[] {
    return [];
  }
  getSenders(): RTCRtpSender[] {
    return [];
  }
  addTrack(): void {}
  /** Never settles: the call stays where the peer connection was made. */
  createOffer(): Promise<RTCSessionDescriptionInit> {
    return new Promise(() => {});
  }
  close(): void {}
}

const fakeElement = { autoplay: false, hidden: false, srcObject: null, play: () => Promise.resolve(), remove: () => {} };
Object.assign(globalThis, {
  window: globalThis,
  RTCPeerConnection: RecordingPeerConnection,
  MediaStream: class {},
  document: { createElement: () => ({ ...fakeElement }), body: { append: () => {} } },
});

const engine = new JsSipEngine();
after(() => engine.unregister());

const microphone = { getTracks: () => [] } as unknown as MediaStream;

async function credentials(iceServers: RTCIceServer[], iceTransportPolicy: RTCIceTransportPolicy): Promise<SipCredentials> {
  return {
    wsUrl: `ws://127.0.0.1:${await freePort()}/sip`,
    uri: 'sip:1001@127.0.0.1',
    authorizationUser: '1001.4102444800.0123456789abcdef',
    password: 'pane-credential',
    expiresAt: new Date(4102444800_000).toISOString(),
    expiresInSeconds: 1200,
    displayName: 'Alice',
    registrarServer: 'sip:127.0.0.1',
    iceServers,
    iceTransportPolicy,
  };
}

const FIRST_TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:1001', credential: 'first' };
const RENEWED_TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700003600:1001', credential: 'renewed' };

test("a call's peer connection gets the STUN and TURN servers and the relay-only policy the server handed out", async () => {
  engine.register(await credentials([{ urls: ['stun:127.0.0.1:3478'] }, FIRST_TURN], 'relay'));
  engine.call('1002', microphone);
  assert.deepEqual(created.at(-1), { iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, FIRST_TURN], iceTransportPolicy: 'relay' });
});

test('after the credentials are renewed, the next call uses the renewed TURN credential', async () => {
  engine.renewCredentials(await credentials([RENEWED_TURN], 'relay'));
  engine.call('1002', microphone);
  assert.deepEqual(created.at(-1), { iceServers: [RENEWED_TURN], iceTransportPolicy: 'relay' });
});

test('credentials without ICE servers (an older server) leave every candidate allowed and no server named', async () => {
  const plain = await credentials([], 'all');
  delete plain.iceTransportPolicy;
  engine.register(plain);
  engine.call('1002', microphone);
  assert.deepEqual(created.at(-1), { iceServers: [], iceTransportPolicy: 'all' });
});
