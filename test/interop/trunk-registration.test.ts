/**
 * A carrier that takes a trunk only when it registers, played by Kamailio on 127.0.0.1 over UDP
 * and over TCP: it
 * challenges Callpane's REGISTER and its INVITEs (digest, htable passwords), relays a call for
 * one of the account's DIDs to the contact Callpane registered, and a baresip far end behind it
 * takes the calls Callpane sends out through the trunk.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readRegistrationReport } from '../../src/pbx/trunk-registration/registration-report.ts';
import type { RegistrationStatus } from '../../src/pbx/trunk-registration/trunk-registration.ts';
import { BaresipAgent, type BaresipAccount } from '../support/baresip.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createMetaRepository } from '../../src/store/meta-repository.ts';
import { startKamailio, type KamailioServer } from '../support/kamailio.ts';

const WAIT_MS = 8000;
const ACCOUNT = '14155550199';
const FAR_END = '14155550123';

for (const transport of ['udp', 'tcp'] as const)
  describe(`a trunk that registers to its carrier (Kamailio, ${transport})`, () => {
    let kamailio: KamailioServer;
    let callpane: TestCallpane;
    const agents: BaresipAgent[] = [];

    before(async () => {
      kamailio = await startKamailio({
        transports: [transport],
        logRegistrations: true,
        auth: {
          users: [
            { user: ACCOUNT, password: 'trunk-pw' },
            { user: FAR_END, password: 'far-pw' },
          ],
          challengeInvites: true,
        },
        // Two numbers of the account: the main one and a direct dial-in.
        dids: { '14155550180': ACCOUNT },
      });
      callpane = await startTestCallpane({
        file: {
          trunks: [
            {
              name: 'carrier',
              host: '127.0.0.1',
              port: kamailio.port,
              transport,
              outbound: { username: ACCOUNT, password: 'trunk-pw' },
              register: { expires: 120 },
              country: 'US',
            },
            // The same account with a wrong password: refused, and said so.
            { name: 'wrong-password', host: '127.0.0.1', port: kamailio.port, transport, outbound: { username: ACCOUNT, password: 'not-the-password' }, register: {} },
          ],
          routes: {
            inbound: [
              { did: '+14155550180', extension: '1001' },
              { did: `+${ACCOUNT}`, extension: '1002' },
            ],
            outbound: [{ pattern: '_91NXXNXXXXXX', trunk: 'carrier', strip: 1, callerId: ACCOUNT }],
            callerIds: {},
          },
        },
      });
    });
    after(async () => {
      await Promise.all(agents.splice(0).map((agent) => agent.stop()));
      await callpane?.remove();
      await kamailio?.stop();
    });

    async function start(name: string, account: BaresipAccount): Promise<BaresipAgent> {
      const agent = await BaresipAgent.start({ name, account });
      agents.push(agent);
      await agent.waitForRegistered(WAIT_MS);
      return agent;
    }

    function statusOf(trunk: string): RegistrationStatus | undefined {
      return readRegistrationReport(callpane.running.context.repositories.meta)?.trunks.find((status) => status.trunk === trunk);
    }

    it('registers with the trunk credentials after the carrier challenges it, and says so in /metrics and the stored status', async () => {
      const [saved] = [
        await kamailio.waitForLog(
          new RegExp(
            `registrar: saved sip:${ACCOUNT}@127\\.0\\.0\\.1 contact=<sip:(carrier-[0-9a-f]{20})@127\\.0\\.0\\.1:${callpane.sipPort}${transport === 'udp' ? '' : ';transport=tcp'}>`,
          ),
          WAIT_MS,
        ),
      ];
      assert.ok(saved);
      const deadline = Date.now() + WAIT_MS;
      while (statusOf('carrier')?.state !== 'registered') {
        assert.ok(Date.now() < deadline, `not registered: ${JSON.stringify(statusOf('carrier'))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const status = statusOf('carrier');
      assert.equal(status?.expires, 120);
      assert.ok((status?.expiresAt ?? 0) > Date.now() + 100_000, 'the carrier granted the 120 s asked for');
      assert.equal(metricValue(await callpane.metrics(), 'callpane_trunk_registered{trunk="carrier"}'), 1);
    });

    it('reports a trunk whose password the carrier refuses as failed, with the reason and the next attempt', async () => {
      const deadline = Date.now() + WAIT_MS;
      while (statusOf('wrong-password')?.state !== 'failed') {
        assert.ok(Date.now() < deadline, `not failed: ${JSON.stringify(statusOf('wrong-password'))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const status = statusOf('wrong-password');
      assert.match(status?.reason ?? '', /^401 .*credentials refused: check outbound\.username and outbound\.password/);
      assert.ok((status?.nextAttemptAt ?? 0) >= Date.now() + 4_000, 'retried only after a back-off');
      assert.equal(metricValue(await callpane.metrics(), 'callpane_trunk_registered{trunk="wrong-password"}'), 0);
    });

    it('rings the extension of the DID the carrier sends to the registered contact, the number read from To', async () => {
      const alice = await start('alice-reg', { user: '1001', password: callpane.secretOf('1001'), registrar: callpane.registrar, transport, regint: 600 });
      const farEnd = await start('far-end-in', { user: FAR_END, password: 'far-pw', registrar: kamailio.uri, transport, regint: 600 });

      await farEnd.dial(`sip:14155550180@127.0.0.1:${kamailio.port}`);
      const incoming = await alice.waitForEvent('CALL_INCOMING', WAIT_MS);
      assert.match(incoming.peeruri ?? '', new RegExp(`^sip:\\+${FAR_END}@`), 'the caller in E.164 (the trunk is US)');
      await alice.answer();
      await Promise.all([farEnd.waitForEvent('CALL_ESTABLISHED', WAIT_MS), alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
      await farEnd.hangup();
      await alice.waitForEvent('CALL_CLOSED', WAIT_MS);
    });

    it('sends a call out through the trunk, answering the carrier 407 with the trunk credentials', async () => {
      const bob = await start('bob-reg', { user: '1002', password: callpane.secretOf('1002'), registrar: callpane.registrar, transport, regint: 600 });
      const farEnd = await start('far-end-out', { user: FAR_END, password: 'far-pw', registrar: kamailio.uri, transport, regint: 600, answermode: 'manual' });

      await bob.dial(`sip:9${FAR_END}@127.0.0.1:${callpane.sipPort}`);
      const incoming = await farEnd.waitForEvent('CALL_INCOMING', WAIT_MS);
      assert.match(incoming.peeruri ?? '', new RegExp(`^sip:${ACCOUNT}@`));
      await farEnd.answer();
      await Promise.all([bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS), farEnd.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
      await bob.hangup();
      await farEnd.waitForEvent('CALL_CLOSED', WAIT_MS);
    });

    it('removes its binding when it stops, so the carrier no longer has anywhere to send the DID', async () => {
      const farEnd = await start('far-end-after', { user: FAR_END, password: 'far-pw', registrar: kamailio.uri, transport, regint: 600 });
      await callpane.stop();
      // As `callpane trunks status` reads it once the server is gone: from the data directory.
      const db = openDatabase(callpane.dataDir);
      try {
        assert.deepEqual(
          readRegistrationReport(createMetaRepository(db))?.trunks.map((trunk) => trunk.state),
          ['unregistered', 'unregistered'],
        );
      } finally {
        db.close();
      }
      await farEnd.dial(`sip:14155550180@127.0.0.1:${kamailio.port}`);
      assert.match((await farEnd.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^404/);
    });
  });
