/**
 * SIP over WebSocket clients as the running service counts them: behind a trusted reverse proxy
 * by the address it reports, one address holding a bounded number of sockets, and a socket that
 * never speaks SIP closed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { withDeadline } from '../support/deadline.ts';
import { WsSipPeer } from '../support/ws-sip-peer.ts';

const AUTH_FAILURE_LIMIT = 2;

describe('SIP service over WebSocket', () => {
  let callpane: TestCallpane;
  let url: string;
  const peers: WsSipPeer[] = [];
  const sockets: WebSocket[] = [];

  before(async () => {
    callpane = await startTestCallpane({
      env: {
        CALLPANE_HTTP_TRUST_PROXY: '127.0.0.1',
        CALLPANE_SIP_WS_MAX_CONNECTIONS_PER_ADDRESS: '2',
        CALLPANE_SIP_WS_FIRST_REQUEST_SECONDS: '1',
        CALLPANE_SECURITY_AUTH_FAILURES_LIMIT: String(AUTH_FAILURE_LIMIT),
      },
    });
    url = `${callpane.httpUrl.replace(/^http/, 'ws')}${callpane.config.sip.wsPath}`;
  });
  after(async () => {
    for (const peer of peers) peer.close();
    for (const socket of sockets) socket.terminate();
    await callpane.remove();
  });

  async function behindProxy(client: string): Promise<WsSipPeer> {
    const peer = await WsSipPeer.connect(url, { headers: { 'X-Forwarded-For': client } });
    peers.push(peer);
    return peer;
  }

  /** The arguments of `socket`'s next `event`, within 5 s. */
  function nextEvent(ws: WebSocket, event: string): Promise<unknown[]> {
    return withDeadline(new Promise((resolve) => ws.once(event, (...args: unknown[]) => resolve(args))), 5000, () => new Error(`no ${event} within 5 s`));
  }

  /** A raw socket, for what a SIP peer never shows: the HTTP status, the close code. */
  function socket(headers: Record<string, string>): WebSocket {
    const ws = new WebSocket(url, 'sip', { headers });
    ws.on('error', () => {});
    sockets.push(ws);
    return ws;
  }

  it('bans the client a trusted proxy reports after repeated failures, not the proxy and every pane behind it', async () => {
    const { domain } = callpane.config.sip;
    const guesser = await behindProxy('203.0.113.7');
    for (let attempt = 0; attempt < AUTH_FAILURE_LIMIT; attempt++) {
      assert.equal((await guesser.register('1001', 'wrong', domain)).status, 401);
    }
    const banned = await guesser.register('1001', callpane.secretOf('1001'), domain);
    assert.equal(banned.status, 403, 'the guessing client is banned');

    const agent = await behindProxy('203.0.113.8');
    assert.equal((await agent.register('1002', callpane.secretOf('1002'), domain)).status, 200, 'another client behind the same proxy registers');
  });

  it('refuses a third socket from one client address with 503 and counts it in /metrics', async () => {
    const held = [await behindProxy('198.51.100.9'), await behindProxy('198.51.100.9')];
    const refused = socket({ 'X-Forwarded-For': '198.51.100.9' });
    const [, response] = (await nextEvent(refused, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 503);
    const elsewhere = await behindProxy('198.51.100.10');
    assert.equal(metricValue(await callpane.metrics(), 'callpane_sip_websocket_refused_total{reason="address_limit"}'), 1);
    // Closed before they fall silent for too long: the next test counts the deadline's closes.
    for (const peer of [...held, elsewhere]) peer.close();
  });

  it('closes a socket that sends no SIP request within sip.wsFirstRequestSeconds, and keeps one that registered', async () => {
    const { domain } = callpane.config.sip;
    const registered = await behindProxy('192.0.2.44');
    assert.equal((await registered.register('1001', callpane.secretOf('1001'), domain)).status, 200);
    const silent = socket({ 'X-Forwarded-For': '192.0.2.45' });
    const started = Date.now();
    const [code] = (await nextEvent(silent, 'close')) as [number];
    assert.equal(code, 1008);
    assert.ok(Date.now() - started >= 900, 'not before the deadline');
    assert.equal(metricValue(await callpane.metrics(), 'callpane_sip_websocket_refused_total{reason="no_request"}'), 1);
    const options = await registered.register('1001', callpane.secretOf('1001'), domain);
    assert.equal(options.status, 200, 'the registered socket is still open');
  });
});
