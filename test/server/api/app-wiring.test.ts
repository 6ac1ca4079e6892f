/**
 * Call tracking as `callpane start` wires it: events published on `context.calls` become call
 * records readable through /api/calls and are pushed on /api/events; records a previous run
 * left open are closed at start-up.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCallpane } from '../../../src/app.ts';
import { loadConfig, type Config } from '../../../src/config/load-config.ts';
import type { CallEvent } from '../../../src/pbx/calls/call-event.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { createCallRecordRepository, SERVER_RESTART_REASON } from '../../../src/store/call-record-repository.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { connectChannel } from './event-channel-client.ts';
import { itemAt } from '../../support/item-at.ts';

const logger = createLogger({ level: 'silent', pretty: false });
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-wiring-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function testConfig(): Config {
  return loadConfig({
    env: { CALLPANE_DATA_DIR: dataDir, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_HTTP_PORT: '0', CALLPANE_SIP_HOST: '127.0.0.1', CALLPANE_SIP_PORT: '0' },
    cwd: dataDir,
    interfaces: {},
  });
}

test('call records left open by the previous run are closed as failed at start-up', async () => {
  const db = openDatabase(dataDir);
  const calls = createCallRecordRepository(db);
  const common = { direction: 'internal' as const, from: { number: '1001', name: null }, to: { number: '1002', name: null }, trunk: null, extensions: ['1001'] };
  calls.open({ ...common, id: 'cut-off', startedAt: 1000 });
  calls.answer('cut-off', 2000, '1002');
  calls.open({ ...common, id: 'finished', startedAt: 500 });
  calls.end('finished', { endedAt: 900, disposition: 'missed', talkSeconds: 0, reason: null });
  db.close();

  const before = Date.now();
  const running = await startCallpane({ config: testConfig(), logger });
  try {
    const cutOff = running.context.repositories.calls.get('cut-off');
    assert.equal(cutOff?.disposition, 'failed');
    assert.equal(cutOff?.endReason, SERVER_RESTART_REASON);
    assert.ok(cutOff.endedAt !== null && cutOff.endedAt >= before);
    assert.equal(running.context.repositories.calls.get('finished')?.disposition, 'missed');
  } finally {
    await running.close();
  }
});

test('events on context.calls become records on /api/calls and live messages on /api/events', async () => {
  const running = await startCallpane({ config: testConfig(), logger });
  try {
    const demo = running.demoExtensions.find((d) => d.number === '1001');
    assert.ok(demo);
    const login = await fetch(`${running.httpUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: '1001', password: demo.password }),
    });
    assert.equal(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    const client = await connectChannel(`${running.httpUrl.replace(/^http/, 'ws')}/api/events`);
    client.send({ type: 'auth', token });
    assert.equal((await client.next()).type, 'ready');

    const base = {
      callId: '0b7a4c1e-9d2f-4a6b-8c3d-5e7f9a1b2c3d',
      direction: 'internal' as const,
      from: { number: '1002', extension: '1002' },
      to: { number: '1001', extension: '1001' },
      extensions: ['1001', '1002'],
    };
    const events: CallEvent[] = [
      { ...base, type: 'ringing', at: 10_000 },
      { ...base, type: 'answered', answeredBy: '1001', at: 12_000 },
      { ...base, type: 'ended', disposition: 'answered', startedAt: 10_000, answeredAt: 12_000, at: 42_000 },
    ];
    for (const event of events) running.context.calls.publish(event);
    for (const event of events) assert.deepEqual(await client.next(), { type: 'call', event });

    const list = await fetch(`${running.httpUrl}/api/calls`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await list.json()) as { calls: Array<Record<string, unknown>>; nextCursor: string | null };
    assert.equal(body.calls.length, 1);
    assert.deepEqual(
      [itemAt(body.calls, 0).id, itemAt(body.calls, 0).disposition, itemAt(body.calls, 0).talkSeconds, itemAt(body.calls, 0).startedAt, itemAt(body.calls, 0).endedAt],
      [base.callId, 'answered', 30, 10_000, 42_000],
    );
    assert.equal(body.nextCursor, null);
  } finally {
    await running.close();
  }
});
