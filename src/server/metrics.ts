/**
 * The Prometheus metrics Callpane exposes at /metrics, in a registry of its own (so tests and
 * several instances in one process never share counters). The SIP side reports through the
 * typed methods below; label values are normalised to a closed set so that a peer sending
 * invented methods or transports cannot grow the number of series without bound.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type {
  MediaRelayFailureReason,
  PbxMetrics,
  RegisterResult,
  SipMessageDirection,
  SipMessageSummary,
  TransactionKind,
  TransactionTotals,
  TrunkRegistrationGauge,
  WebSocketRefusal,
} from '../pbx/pbx-metrics.ts';
import { JOURNAL_OUTCOMES, type JournalMetrics, type JournalOutboxGauges } from '../dynamics/journal/journal-metrics.ts';

export type { MediaRelayFailureReason, RegisterResult, SipMessageDirection, SipMessageSummary, TransactionKind, TransactionTotals, TrunkRegistrationGauge, WebSocketRefusal };

export const TRANSACTION_KINDS: readonly TransactionKind[] = ['invite_client', 'invite_server', 'non_invite_client', 'non_invite_server'];
const REGISTER_RESULTS: readonly RegisterResult[] = ['ok', 'challenged', 'failed', 'banned'];
const WEBSOCKET_REFUSALS: readonly WebSocketRefusal[] = ['address_limit', 'no_request'];
const MEDIA_RELAY_FAILURES: readonly MediaRelayFailureReason[] = ['unavailable', 'timeout', 'refused', 'error'];
// RFC 3261 plus the extension methods a PBX meets (RFC 3262, 3265, 3311, 3428, 3515, 3903, 6086).
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);
const KNOWN_TRANSPORTS = new Set(['udp', 'tcp', 'tls', 'ws', 'wss']);

export interface Metrics extends PbxMetrics, JournalMetrics {
  readonly registry: Registry;
}

function methodLabel(method: string): string {
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : 'OTHER';
}

function transportLabel(transport: string): string {
  const lower = transport.toLowerCase();
  return KNOWN_TRANSPORTS.has(lower) ? lower : 'other';
}

function statusClass(status: number): string {
  return status >= 100 && status <= 699 ? `${Math.floor(status / 100)}xx` : 'other';
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const messageLabels = ['kind', 'method', 'status_class', 'transport'] as const;
  const messagesIn = new Counter({
    name: 'callpane_sip_messages_in_total',
    help: 'SIP messages received, by kind, method (the CSeq method for responses), response class and transport',
    labelNames: messageLabels,
    registers: [registry],
  });
  const messagesOut = new Counter({
    name: 'callpane_sip_messages_out_total',
    help: 'SIP messages sent, by kind, method (the CSeq method for responses), response class and transport',
    labelNames: messageLabels,
    registers: [registry],
  });
  let registrationCount: () => number = () => 0;
  new Gauge({
    name: 'callpane_sip_registrations',
    help: 'Active registrar bindings (contacts)',
    registers: [registry],
    collect() {
      this.set(registrationCount());
    },
  });
  const registers = new Counter({
    name: 'callpane_sip_register_total',
    help: 'REGISTER requests by outcome: ok, challenged (401 sent), failed (refused), banned (source address banned)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  let transactionCounts: () => TransactionTotals = () => ({ live: {}, created: {} });
  new Gauge({
    name: 'callpane_sip_transactions',
    help: 'Live SIP transactions by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const { live } = transactionCounts();
      for (const kind of TRANSACTION_KINDS) this.set({ kind }, live[kind] ?? 0);
    },
  });
  // The transaction layer keeps the totals; the counter shows them at each scrape (they only grow).
  new Counter({
    name: 'callpane_sip_transactions_created_total',
    help: 'SIP transactions created, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const { created } = transactionCounts();
      this.reset();
      for (const kind of TRANSACTION_KINDS) this.inc({ kind }, created[kind] ?? 0);
    },
  });
  const authFailures = new Counter({
    name: 'callpane_sip_auth_failures_total',
    help: 'Failed SIP digest authentications (wrong answers; a right one with an expired pane credential is not counted)',
    registers: [registry],
  });
  const bans = new Counter({ name: 'callpane_sip_bans_total', help: 'Source addresses banned after repeated authentication failures', registers: [registry] });
  // Per extension without a label per extension: a scanner names any username, and even real
  // extensions are thousands of series; the log names the extension of each episode.
  const extensionAuthFailures = new Counter({
    name: 'callpane_sip_extension_auth_failures_total',
    help: 'Failed SIP digest authentications that named an extension (or trunk account) of this PBX, from any address (the rest of callpane_sip_auth_failures_total named no account)',
    registers: [registry],
  });
  let extensionsUnderAttack: () => number = () => 0;
  new Gauge({
    name: 'callpane_sip_extensions_under_attack',
    help: 'Extensions whose failed digest authentications from any addresses reached the attack threshold; the answers to their failed guesses are delayed',
    registers: [registry],
    collect() {
      this.set(extensionsUnderAttack());
    },
  });
  let delayedChallenges: () => number = () => 0;
  new Gauge({
    name: 'callpane_sip_delayed_challenges',
    help: 'Challenges to failed guesses at an extension under attack, waiting to be sent',
    registers: [registry],
    collect() {
      this.set(delayedChallenges());
    },
  });
  const parseErrors = new Counter({
    name: 'callpane_sip_parse_errors_total',
    help: 'SIP messages that could not be parsed, by transport',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const receiveFailures = new Counter({
    name: 'callpane_sip_receive_failures_total',
    help: 'Received SIP bytes whose handling raised an error, by transport: that connection was closed (on UDP, the datagram dropped)',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const webSocketRefusals = new Counter({
    name: 'callpane_sip_websocket_refused_total',
    help: 'SIP WebSocket connections refused: address_limit (upgrade refused, the client address holds sip.wsMaxConnectionsPerAddress), no_request (closed, no SIP request within sip.wsFirstRequestSeconds)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  let activeCalls: () => number = () => 0;
  new Gauge({
    name: 'callpane_calls_active',
    help: 'Calls in progress through the embedded PBX',
    registers: [registry],
    collect() {
      this.set(activeCalls());
    },
  });
  const callsEnded = new Counter({
    name: 'callpane_calls_total',
    help: 'Calls ended, by direction (inbound, outbound, internal) and disposition (answered, missed, busy, failed, canceled)',
    labelNames: ['direction', 'disposition'] as const,
    registers: [registry],
  });

  const mediaRelayFailures = new Counter({
    name: 'callpane_media_relay_failures_total',
    help: 'Offers and answers the media relay could not anchor, by reason: unavailable or timeout (the caller got 503 Media Relay Unavailable, or a browser-to-browser call went end to end), refused (488), error',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  const lossRatio = new Histogram({
    name: 'callpane_call_audio_loss_ratio',
    help: 'Share of RTP packets lost per call direction, as the media relay measured it at the end of the call',
    buckets: [0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5],
    registers: [registry],
  });
  const jitter = new Histogram({
    name: 'callpane_call_audio_jitter_seconds',
    help: 'Interarrival jitter (RFC 3550) per call direction, as the media relay measured it at the end of the call',
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
    registers: [registry],
  });
  const mos = new Histogram({
    name: 'callpane_call_audio_mos',
    help: 'Mean opinion score per call direction where the media relay could compute one (needs RTCP)',
    buckets: [1.5, 2, 2.5, 3, 3.3, 3.6, 3.9, 4.1, 4.3, 4.5],
    registers: [registry],
  });
  const poorAudio = new Counter({
    name: 'callpane_calls_poor_audio_total',
    help: 'Calls whose audio crossed a poor-audio limit (MOS below 3.6, 3 % loss or 50 ms jitter) in either direction',
    registers: [registry],
  });

  // Known label sets start at 0 so that rates and alerts work before the first event.
  for (const reason of MEDIA_RELAY_FAILURES) mediaRelayFailures.inc({ reason }, 0);
  for (const result of REGISTER_RESULTS) registers.inc({ result }, 0);
  for (const transport of KNOWN_TRANSPORTS) receiveFailures.inc({ transport }, 0);
  for (const reason of WEBSOCKET_REFUSALS) webSocketRefusals.inc({ reason }, 0);
  let trunkRegistrations: () => readonly TrunkRegistrationGauge[] = () => [];
  new Gauge({
    name: 'callpane_trunk_registered',
    help: 'Trunks Callpane registers to: 1 while the carrier accepts the registration, 0 otherwise (callpane trunks status says why)',
    labelNames: ['trunk'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { trunk, registered } of trunkRegistrations()) this.set({ trunk }, registered ? 1 : 0);
    },
  });

  let journalOutbox: () => JournalOutboxGauges = () => ({ pending: 0, parked: 0, oldestPendingAgeSeconds: 0 });
  new Gauge({
    name: 'callpane_journal_outbox',
    help: 'Calls whose Phone Call the server still owes Dynamics, by state: pending (waiting for the grace period or a retry), parked (refused by Dataverse; callpane journal list --failed)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { pending, parked } = journalOutbox();
      this.set({ state: 'pending' }, pending);
      this.set({ state: 'parked' }, parked);
    },
  });
  new Gauge({
    name: 'callpane_journal_oldest_pending_seconds',
    help: 'How long the oldest pending journal entry has been due (0 when none is due)',
    registers: [registry],
    collect() {
      this.set(journalOutbox().oldestPendingAgeSeconds);
    },
  });
  const journalAttempts = new Counter({
    name: 'callpane_journal_attempts_total',
    help: 'Journal entries handled, by outcome: created, completed (a pane had created it), already_complete, skipped (a pane logged it, or the log settings leave it out), parked, retried',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of JOURNAL_OUTCOMES) journalAttempts.inc({ outcome }, 0);

  return {
    registry,
    journalAttempt: (outcome) => journalAttempts.inc({ outcome }),
    observeJournalOutbox(read) {
      journalOutbox = read;
    },
    sipMessage(direction, message) {
      const counter = direction === 'in' ? messagesIn : messagesOut;
      counter.inc({
        kind: message.kind,
        method: methodLabel(message.method),
        status_class: message.kind === 'response' ? statusClass(message.status) : '',
        transport: transportLabel(message.transport),
      });
    },
    registerResult: (result) => registers.inc({ result }),
    authFailure: () => authFailures.inc(),
    ban: () => bans.inc(),
    extensionAuthFailure: () => extensionAuthFailures.inc(),
    observeExtensionsUnderAttack(count) {
      extensionsUnderAttack = count;
    },
    observeDelayedChallenges(count) {
      delayedChallenges = count;
    },
    parseError: (transport) => parseErrors.inc({ transport: transportLabel(transport) }),
    webSocketRefused: (reason) => webSocketRefusals.inc({ reason }),
    receiveFailure: (transport) => receiveFailures.inc({ transport: transportLabel(transport) }),
    observeRegistrations(count) {
      registrationCount = count;
    },
    observeTransactions(counts) {
      transactionCounts = counts;
    },
    observeActiveCalls(count) {
      activeCalls = count;
    },
    callEnded: (direction, disposition) => callsEnded.inc({ direction, disposition }),
    callQuality(quality) {
      for (const leg of quality.legs) {
        if (leg.lossRatio !== null) lossRatio.observe(leg.lossRatio);
        if (leg.jitterMs !== null) jitter.observe(leg.jitterMs / 1000);
        if (leg.mos !== null) mos.observe(leg.mos);
      }
      if (quality.poor) poorAudio.inc();
    },
    mediaRelayFailure: (reason) => mediaRelayFailures.inc({ reason }),
    observeTrunkRegistrations(states) {
      trunkRegistrations = states;
    },
  };
}
