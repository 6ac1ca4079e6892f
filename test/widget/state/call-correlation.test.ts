import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallEvent } from '../../../src/widget/api/api-types.ts';
import { correlate, sameDigits, type CorrelationCandidate } from '../../../src/widget/state/call-correlation.ts';

function event(partial: Partial<CallEvent> & Pick<CallEvent, 'from' | 'to' | 'direction'>): CallEvent {
  return { type: 'ringing', callId: 'srv-1', extensions: ['1001'], at: 10_000, ...partial } as CallEvent;
}

describe('call correlation', () => {
  test('an inbound event is matched to the ringing call from the same number', () => {
    const candidates: CorrelationCandidate[] = [
      { id: 'a', direction: 'inbound', remoteNumber: '+14155550199', startedAt: 9000 },
      { id: 'b', direction: 'inbound', remoteNumber: '+14155550100', startedAt: 9500 },
    ];
    const found = correlate(event({ direction: 'inbound', from: { number: '+14155550100', trunk: 't' }, to: { number: '1001', extension: '1001' } }), '1001', candidates);
    assert.equal(found, 'b');
  });

  test('an outbound event matches a call dialled in national form', () => {
    const candidates: CorrelationCandidate[] = [{ id: 'x', direction: 'outbound', remoteNumber: '030 1234567', startedAt: 9900 }];
    const found = correlate(event({ direction: 'outbound', from: { number: '1001', extension: '1001' }, to: { number: '+49301234567', trunk: 't' } }), '1001', candidates);
    assert.equal(found, 'x');
  });

  test('an internal call is inbound for the called extension and outbound for the caller', () => {
    const internal = event({ direction: 'internal', from: { number: '1001', extension: '1001' }, to: { number: '1002', extension: '1002' }, extensions: ['1001', '1002'] });
    assert.equal(correlate(internal, '1002', [{ id: 'in', direction: 'inbound', remoteNumber: '1001', startedAt: 9990 }]), 'in');
    assert.equal(correlate(internal, '1001', [{ id: 'out', direction: 'outbound', remoteNumber: '1002', startedAt: 9990 }]), 'out');
  });

  test('a call that already has its server id keeps it and others are not taken', () => {
    const candidates: CorrelationCandidate[] = [{ id: 'a', direction: 'inbound', remoteNumber: '+14155550100', startedAt: 9000, serverCallId: 'srv-0' }];
    const found = correlate(event({ direction: 'inbound', from: { number: '+14155550100' }, to: { number: '1001', extension: '1001' } }), '1001', candidates);
    assert.equal(found, undefined);
    assert.equal(correlate(event({ callId: 'srv-0', direction: 'inbound', from: { number: 'x' }, to: { number: '1001', extension: '1001' } }), '1001', candidates), 'a');
  });

  test('with numbers that disagree, the only waiting call of that direction is taken', () => {
    const only: CorrelationCandidate[] = [{ id: 'o', direction: 'outbound', remoteNumber: '9 555 0100', startedAt: 10_000 }];
    assert.equal(correlate(event({ direction: 'outbound', from: { number: '1001', extension: '1001' }, to: { number: '+1999' } }), '1001', only), 'o');
    const two: CorrelationCandidate[] = [...only, { id: 'p', direction: 'outbound', remoteNumber: '1003', startedAt: 10_000 }];
    assert.equal(correlate(event({ direction: 'outbound', from: { number: '1001', extension: '1001' }, to: { number: '+1999' } }), '1001', two), undefined);
  });

  test('a call long before the event is not matched', () => {
    const old: CorrelationCandidate[] = [{ id: 'o', direction: 'inbound', remoteNumber: '+14155550100', startedAt: 10_000 - 600_000 }];
    assert.equal(correlate(event({ direction: 'inbound', from: { number: '+14155550100' }, to: { number: '1001', extension: '1001' } }), '1001', old), undefined);
  });

  test('an extension never matches the tail of an external number', () => {
    assert.equal(sameDigits('1002', '+14155551002'), false);
    assert.equal(sameDigits('+49 30 1234567', '0301234567'), true);
    assert.equal(sameDigits('1002', '1002'), true);
    assert.equal(sameDigits('', ''), false);
  });
});
