/**
 * The demo out of the box: with the sandbox on and no org configured, Callpane's server-side path
 * connects to the sandbox as its org, so a call that ended with no pane open is journaled on the
 * caller's timeline, and the phone index answers from the sandbox's records.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { activityIdForCall } from '../../src/crm/activity-id.ts';
import { DEMO_DYNAMICS_FILE } from '../../src/sandbox/demo-dynamics.ts';
import { SEED } from '../../src/sandbox/dataverse/seed-ids.ts';
import { startSandboxService, type SandboxService } from '../../src/sandbox/sandbox-service.ts';
import { freePort } from '../support/ports.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';

let callpane: TestCallpane;
let sandbox: SandboxService;

before(async () => {
  callpane = await startTestCallpane({
    env: { CALLPANE_SANDBOX_PORT: String(await freePort()), CALLPANE_DYNAMICS_JOURNAL_GRACE_SECONDS: '0' },
    services: [async (context) => (sandbox = await startSandboxService(context))],
  });
});
after(async () => {
  await callpane.remove();
});

/** The sandbox's Web API as its own pages read it (same origin, no token). */
async function sandboxGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/api/data/v9.2/${path}`, { headers: { origin: new URL(sandbox.url).origin, accept: 'application/json' } });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

test('the demo keeps its Dynamics client secret private in the data directory', () => {
  assert.equal(statSync(join(callpane.dataDir, DEMO_DYNAMICS_FILE)).mode & 0o777, 0o600);
});

test('a call that ended with no pane open appears, completed, on the one matching contact, owned by the agent who took it', async () => {
  const { calls } = callpane.running.context.repositories;
  const callId = randomUUID();
  const startedAt = Date.now() - 60_000;
  // Alex Baker's mobile: the only record holding the number, found through the phone index.
  calls.open({
    id: callId,
    direction: 'inbound',
    from: { number: '+16195550129', name: null },
    to: { number: '1001', name: null },
    trunk: 'demo-carrier',
    startedAt,
    extensions: ['1001'],
  });
  calls.answer(callId, startedAt + 5_000, '1001');
  calls.end(callId, { endedAt: startedAt + 50_000, disposition: 'answered', talkSeconds: 45, reason: null });

  const path = `phonecalls(${activityIdForCall(callId)})?$select=subject,phonenumber,statecode,directioncode,_regardingobjectid_value,_ownerid_value`;
  let found = await sandboxGet(path);
  for (let attempt = 0; (found.status !== 200 || found.body.statecode !== 1) && attempt < 300; attempt++) {
    await sleep(50);
    found = await sandboxGet(path);
  }
  assert.equal(found.status, 200);
  assert.equal(found.body.statecode, 1, 'completed');
  assert.equal(found.body.directioncode, false, 'incoming');
  assert.equal(found.body.phonenumber, '+16195550129');
  assert.equal(found.body._regardingobjectid_value, SEED.contactAlexBaker);
  // Demo extension 1001 is the sandbox's Alex Agent, found by e-mail (src/server/demo-extensions.ts).
  assert.equal(found.body._ownerid_value, SEED.agentEnglish);
});
