import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/server/metrics.ts';

function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('SIP messages are counted by kind, method, response class and transport', async () => {
  const metrics = createMetrics();
  metrics.sipMessage('in', { kind: 'request', method: 'register', transport: 'UDP' });
  metrics.sipMessage('in', { kind: 'request', method: 'REGISTER', transport: 'udp' });
  metrics.sipMessage('out', { kind: 'response', method: 'REGISTER', status: 401, transport: 'udp' });
  const text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_sip_messages_in_total{kind="request",method="REGISTER",status_class="",transport="udp"}'), 2);
  assert.equal(valueOf(text, 'callpane_sip_messages_out_total{kind="response",method="REGISTER",status_class="4xx",transport="udp"}'), 1);
});

test('invented methods and transports collapse into OTHER and other', async () => {
  const metrics = createMetrics();
  metrics.sipMessage('in', { kind: 'request', method: 'NEWMETHOD', transport: 'sctp' });
  metrics.parseError('carrier-pigeon');
  const text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_sip_messages_in_total{kind="request",method="OTHER",status_class="",transport="other"}'), 1);
  assert.equal(valueOf(text, 'callpane_sip_parse_errors_total{transport="other"}'), 1);
});

test('registrations, live transactions and transactions created are read from their sources at each scrape', async () => {
  const metrics = createMetrics();
  let bindings = 3;
  let created = 5;
  metrics.observeRegistrations(() => bindings);
  metrics.observeTransactions(() => ({ live: { invite_server: 2 }, created: { invite_client: created } }));
  let text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_sip_registrations'), 3);
  assert.equal(valueOf(text, 'callpane_sip_transactions{kind="invite_server"}'), 2);
  assert.equal(valueOf(text, 'callpane_sip_transactions{kind="non_invite_client"}'), 0);
  assert.equal(valueOf(text, 'callpane_sip_transactions_created_total{kind="invite_client"}'), 5);
  assert.equal(valueOf(text, 'callpane_sip_transactions_created_total{kind="non_invite_server"}'), 0);
  bindings = 1;
  created = 9;
  text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_sip_registrations'), 1);
  assert.equal(valueOf(text, 'callpane_sip_transactions_created_total{kind="invite_client"}'), 9);
});

test('register outcomes, auth failures and bans are counted, starting from zero', async () => {
  const metrics = createMetrics();
  let text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_sip_register_total{result="banned"}'), 0);
  metrics.registerResult('challenged');
  metrics.registerResult('ok');
  metrics.authFailure();
  metrics.authFailure();
  metrics.ban();
  text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_sip_register_total{result="challenged"}'), 1);
  assert.equal(valueOf(text, 'callpane_sip_register_total{result="ok"}'), 1);
  assert.equal(valueOf(text, 'callpane_sip_auth_failures_total'), 2);
  assert.equal(valueOf(text, 'callpane_sip_bans_total'), 1);
});

test('each instance has its own registry', async () => {
  const first = createMetrics();
  const second = createMetrics();
  first.ban();
  assert.equal(valueOf(await second.registry.metrics(), 'callpane_sip_bans_total'), 0);
});

test('calls in progress are read at each scrape and ended calls counted by direction and disposition', async () => {
  const metrics = createMetrics();
  let active = 2;
  metrics.observeActiveCalls(() => active);
  metrics.callEnded('inbound', 'missed');
  metrics.callEnded('inbound', 'missed');
  metrics.callEnded('internal', 'answered');
  assert.equal(valueOf(await metrics.registry.metrics(), 'callpane_calls_active'), 2);
  active = 0;
  const text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_calls_active'), 0);
  assert.equal(valueOf(text, 'callpane_calls_total{direction="inbound",disposition="missed"}'), 2);
  assert.equal(valueOf(text, 'callpane_calls_total{direction="internal",disposition="answered"}'), 1);
});

test('call audio quality lands in loss, jitter and MOS histograms, and poor calls are counted', async () => {
  const metrics = createMetrics();
  metrics.callQuality({
    poor: true,
    legs: [
      { party: 'caller', packets: 990, packetsLost: 10, lossRatio: 0.01, jitterMs: 4, mos: 4.3 },
      { party: 'callee', packets: 900, packetsLost: 100, lossRatio: 0.1, jitterMs: 60, mos: null },
    ],
  });
  metrics.callQuality({ poor: false, legs: [{ party: 'caller', packets: 50, packetsLost: null, lossRatio: null, jitterMs: null, mos: null }] });
  const text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_call_audio_loss_ratio_count'), 2);
  assert.equal(valueOf(text, 'callpane_call_audio_loss_ratio_bucket{le="0.01"}'), 1);
  assert.equal(valueOf(text, 'callpane_call_audio_jitter_seconds_bucket{le="0.05"}'), 1);
  assert.equal(valueOf(text, 'callpane_call_audio_jitter_seconds_count'), 2);
  assert.equal(valueOf(text, 'callpane_call_audio_mos_count'), 1);
  assert.equal(valueOf(text, 'callpane_calls_poor_audio_total'), 1);
});

test('the journal outbox depth and oldest age are read at each scrape, and attempts counted by outcome from zero', async () => {
  const metrics = createMetrics();
  let text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_journal_attempts_total{outcome="parked"}'), 0);
  metrics.observeJournalOutbox(() => ({ pending: 4, parked: 1, oldestPendingAgeSeconds: 12.5 }));
  metrics.journalAttempt('created');
  metrics.journalAttempt('created');
  metrics.journalAttempt('retried');
  text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'callpane_journal_outbox{state="pending"}'), 4);
  assert.equal(valueOf(text, 'callpane_journal_outbox{state="parked"}'), 1);
  assert.equal(valueOf(text, 'callpane_journal_oldest_pending_seconds'), 12.5);
  assert.equal(valueOf(text, 'callpane_journal_attempts_total{outcome="created"}'), 2);
  assert.equal(valueOf(text, 'callpane_journal_attempts_total{outcome="retried"}'), 1);
});
