/**
 * A call between a SIP phone on UDP (baresip) and an agent on SIP over WebSocket, as a browser
 * registers: the agent's Contact is an unreachable `.invalid` host (RFC 7118 §5), so everything
 * the agent gets — the INVITE, the ACK, the BYE — must come down its WebSocket connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallEvent } from '../../src/pbx/calls/call-event.ts';
import { getHeader, isSipUri } from '../../src/sip/message/index.ts';
import { BaresipAgent } from '../support/baresip.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { freePort } from '../support/ports.ts';
import { WsSipPeer } from '../support/ws-sip-peer.ts';
import { itemAt } from '../support/item-at.ts';

const WAIT_MS = 8000;

describe('calls with an agent on SIP over WebSocket', () => {
  let callpane: TestCallpane;
  const events: CallEvent[] = [];

  before(async () => {
    callpane = await startTestCallpane();
    callpane.running.context.calls.subscribe((event) => events.push(event));
  });
  after(async () => {
    await callpane.remove();
  });

  it('carries INVITE, ACK and BYE from a UDP phone down the agent WebSocket, and back', async () => {
    const agent = await WsSipPeer.connect(`${callpane.httpUrl.replace(/^http/, 'ws')}/sip`);
    const phone = await BaresipAgent.start({
      name: 'udp-phone',
      account: { user: '1001', password: callpane.secretOf('1001'), registrar: callpane.registrar, transport: 'udp', regint: 600 },
    });
    try {
      const registered = await agent.register('1002', callpane.secretOf('1002'), callpane.config.sip.domain);
      assert.equal(registered.status, 200);
      await phone.waitForRegistered(WAIT_MS);

      await phone.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
      const invite = await agent.nextRequest('INVITE');
      assert.ok(isSipUri(invite.uri) && invite.uri.host === agent.contactHost, 'the INVITE goes to the registered contact');
      assert.equal(invite.headers.filter((header) => header.name === 'Record-Route').length, 2, 'Callpane stays on the route');
      assert.equal(
        invite.headers.some((header) => header.name === 'Proxy-Authorization'),
        false,
        'the caller credentials stay with Callpane',
      );

      const mediaPort = await freePort();
      const answer = ['v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${mediaPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join(
        '\r\n',
      );
      agent.respond(invite, 180, { toTag: 'agent' });
      agent.respond(invite, 200, { toTag: 'agent', body: answer, contactUser: '1002' });
      await phone.waitForEvent('CALL_ESTABLISHED', WAIT_MS);
      await agent.nextRequest('ACK');

      await phone.hangup();
      const bye = await agent.nextRequest('BYE');
      agent.respond(bye, 200);
      await phone.waitForEvent('CALL_CLOSED', WAIT_MS);
      assert.deepEqual(
        events.map((event) => event.type),
        ['ringing', 'answered', 'ended'],
      );
      assert.equal(getHeader(invite, 'X-Callpane-Call-Id'), itemAt(events, 0).callId, "the agent's pane learns the call id from the INVITE");
    } finally {
      agent.close();
      await phone.stop();
    }
  });
});
