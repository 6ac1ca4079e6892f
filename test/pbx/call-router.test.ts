import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallRouter, type CallerIdentity } from '../../src/pbx/call-router.ts';
import { LocationService } from '../../src/pbx/location-service.ts';
import type { Routes } from '../../src/pbx/routing/routes.ts';
import type { Trunk } from '../../src/pbx/routing/trunk.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';

const CARRIER: Trunk = { name: 'carrier', host: '127.0.0.9', port: 5060, transport: 'udp', match: { addresses: ['127.0.0.9/32'] }, country: 'US', maxCalls: 1 };
const ROUTES: Routes = {
  inbound: [{ did: '+14155550199', extension: '1002' }],
  outbound: [{ pattern: '_9NXXNXXXXXX', trunk: 'carrier', strip: 1, prepend: '+1', callerId: '+14155550199' }],
  callerIds: {},
};
const ALICE: CallerIdentity = { kind: 'extension', number: '1001', displayName: 'Alice Agent' };

function router(options: { registered?: string[]; active?: number } = {}) {
  const location = new LocationService(new MemoryBindingStore());
  for (const aor of options.registered ?? []) {
    location.save({
      aor,
      contact: `<sip:${aor}@127.0.0.1:5070>`,
      contactUri: `sip:${aor}@127.0.0.1:5070`,
      expiresAt: Date.now() + 60_000,
      callId: aor,
      cseq: 1,
      transport: 'UDP',
      sourceAddress: '127.0.0.1',
      sourcePort: 5070,
    });
  }
  return new CallRouter({
    isExtension: (number) => ['1001', '1002'].includes(number),
    location,
    trunks: [CARRIER],
    routes: ROUTES,
    activeCallsOn: () => options.active ?? 0,
    displayNameOf: (number) => ({ '1001': 'Alice Agent', '1002': 'Bob Agent' })[number],
  });
}

describe('the call router', () => {
  it('rings a registered extension as an internal call between both agents', () => {
    const decision = router({ registered: ['1002'] }).route(ALICE, '1002', { user: '1001' });
    assert.equal(decision.kind, 'extension');
    assert.deepEqual(decision.setup, {
      direction: 'internal',
      from: { number: '1001', displayName: 'Alice Agent', extension: '1001' },
      to: { number: '1002', displayName: 'Bob Agent', extension: '1002' },
      extensions: ['1001', '1002'],
    });
  });

  it('refuses an extension with nothing registered with 480, as a call its owners see', () => {
    const decision = router().route(ALICE, '1002', { user: '1001' });
    assert.deepEqual([decision.kind, decision.kind === 'refuse' && decision.status, decision.setup?.direction], ['refuse', 480, 'internal']);
  });

  it('sends a number an outbound route takes to its trunk, stripped and prefixed, with the route caller id', () => {
    const decision = router().route(ALICE, '94155550123', { user: '1001' });
    assert.ok(decision.kind === 'trunk');
    assert.deepEqual([decision.trunk.name, decision.number, decision.callerId, decision.setup.direction], ['carrier', '+14155550123', '+14155550199', 'outbound']);
  });

  it('refuses a number no route takes: outbound when it is a phone number, internal when it could be an extension', () => {
    const long = router().route(ALICE, '0044207946000', { user: '1001' });
    const short = router().route(ALICE, '4999', { user: '1001' });
    assert.deepEqual([long.kind, long.setup?.direction, short.kind, short.setup?.direction], ['refuse', 'outbound', 'refuse', 'internal']);
  });

  it('refuses a call over a trunk that has its maxCalls with 503', () => {
    const decision = router({ active: 1 }).route(ALICE, '94155550123', { user: '1001' });
    assert.deepEqual([decision.kind, decision.kind === 'refuse' && decision.status], ['refuse', 503]);
  });

  it('rings the extension a DID routes to, presenting the caller in E.164', () => {
    const decision = router({ registered: ['1002'] }).route({ kind: 'trunk', trunk: { ...CARRIER, maxCalls: undefined } }, '+14155550199', {
      user: '4155550100',
      displayName: 'Pat',
    });
    assert.ok(decision.kind === 'extension');
    assert.equal(decision.presentedFrom, '+14155550100');
    assert.deepEqual(
      [decision.setup.direction, decision.setup.from, decision.setup.extensions],
      ['inbound', { number: '+14155550100', displayName: 'Pat', trunk: 'carrier' }, ['1002']],
    );
  });

  it('refuses a DID no inbound route knows, recording nothing', () => {
    const decision = router().route({ kind: 'trunk', trunk: CARRIER }, '+14155550000', { user: '4155550100' });
    assert.deepEqual([decision.kind, decision.kind === 'refuse' && decision.status, decision.setup], ['refuse', 404, undefined]);
  });
});
