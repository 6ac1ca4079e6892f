/**
 * The embedded PBX as a running service: SIP transports (UDP, TCP, TLS, WebSocket on the HTTP
 * server), the transaction layer, and the request route with its registrar, location service
 * and digest guard, reporting to the log and /metrics. Registrations made with a pane credential
 * end with the web session it was issued to (session-bound-bindings.ts).
 */
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/load-config.ts';
import type { StructuredLogger } from '../logging/structured-logger.ts';
import type { MediaRelayFailureReason, PbxMetrics, TransactionKind as MetricKind } from './pbx-metrics.ts';
import type { SipServiceContext } from './sip-service-context.ts';
import { getHeader, SipParseError } from '../sip/message/index.ts';
import type { SipRequest } from '../sip/message/types.ts';
import { inTransaction } from '../store/database.ts';
import { PaneCredentials } from '../security/pane-credentials.ts';
import { trustedProxies } from '../security/trusted-proxies.ts';
import { clientKey } from '../net/client-key.ts';
import { createSipCredentialCache } from '../store/sip-credential-cache.ts';
import { TransactionLayer, type ServerTransaction, type TransactionKind } from '../sip/transaction/index.ts';
import {
  clientAddressOf,
  CONNECTION_LIMIT,
  formatSource,
  NO_REQUEST,
  RECEIVE_FAILED,
  TransportLayer,
  type Flow,
  type MessageCount,
  type RequestTarget,
  type TransportLayerConfig,
} from '../sip/transport/index.ts';
import { FailureLockout } from '../security/failure-lockout.ts';
import { DelayedAnswers, MAX_PENDING_DELAYED_ANSWERS, MAX_PENDING_DELAYED_ANSWERS_PER_ACCOUNT } from './delayed-answers.ts';
import { DigestGuard, type GuardOutcome, type ProvenIdentity } from './digest-guard.ts';
import { EXTENSION_ATTACK_POLICY, ExtensionAttackWatch } from './extension-attack-watch.ts';
import { LocationService } from './location-service.ts';
import { Registrar } from './registrar.ts';
import { CallRouter } from './call-router.ts';
import { CallTracker } from './calls/call-tracker.ts';
import { callQualityOf } from './calls/call-quality.ts';
import { CallerIdentification } from './caller-identification.ts';
import { createExtensionRelay } from './extension-relay.ts';
import { callMediaFor, type RelayFailure } from './call-media.ts';
import type { MediaRelay } from '../media/media-relay.ts';
import { FlowTokens } from './proxy/flow-token.ts';
import { Proxy } from './proxy/proxy.ts';
import { failureResponse, RequestRoute } from './request-route.ts';
import { SESSION_SWEEP_INTERVAL_MS, SessionBoundBindings } from './session-bound-bindings.ts';
import { sipListenError } from './sip-listen-error.ts';
import { RegisteredContacts } from './trunk-registration/contact-user.ts';
import { writeRegistrationReport } from './trunk-registration/registration-report.ts';
import { TrunkRegistrations } from './trunk-registration/trunk-registrations.ts';
import { WriteBehindBindingStore } from './write-behind-binding-store.ts';

const RELAY_FAILURE_REASON: Record<RelayFailure['code'], MediaRelayFailureReason> = {
  MEDIA_RELAY_UNAVAILABLE: 'unavailable',
  MEDIA_RELAY_TIMEOUT: 'timeout',
  MEDIA_RELAY_REFUSED: 'refused',
  MEDIA_RELAY_ERROR: 'error',
};

const METRIC_KIND: Record<TransactionKind, MetricKind> = {
  inviteClient: 'invite_client',
  inviteServer: 'invite_server',
  nonInviteClient: 'non_invite_client',
  nonInviteServer: 'non_invite_server',
};

export interface SipService {
  readonly location: LocationService;
  readonly transport: TransportLayer;
  /** The SIP URIs user agents reach the PBX at, for the start banner. */
  sipUris(): string[];
  close(): Promise<void>;
}

export interface SipServiceOptions {
  /** How often bindings of sessions ended elsewhere or by expiry are looked for (tests shorten it). */
  sessionSweepMs?: number;
  /** The media relay every call's SDP is anchored through (unless `media.relay` is `never`). */
  media?: MediaRelay;
}

export async function startSipService(context: SipServiceContext, options: SipServiceOptions = {}): Promise<SipService> {
  const { config, logger, metrics, repositories } = context;
  const log = logger.child({ component: 'sip' });
  const transport = new TransportLayer(transportConfig(config, context, log));
  const bindings = new WriteBehindBindingStore(
    repositories.registrations,
    (work) => inTransaction(context.db, work),
    (err) => log.error({ err }, 'could not store registrations (they stay in memory)'),
  );
  const location = new LocationService(bindings);
  const credentials = createSipCredentialCache(context.db, repositories.extensions);
  const limiter = new FailureLockout({
    limit: config.security.authFailures.limit,
    windowMs: config.security.authFailures.windowSeconds * 1000,
    banMs: config.security.authFailures.banSeconds * 1000,
  });
  const attacks = new ExtensionAttackWatch(EXTENSION_ATTACK_POLICY, {
    onAttackStarted({ account, failures }) {
      log.warn(
        { extension: account, failures, windowMinutes: EXTENSION_ATTACK_POLICY.windowMs / 60_000 },
        'SIP digest guessing against one extension from any addresses: the answers to its failed guesses are delayed until it stops (the right password still gets in at once)',
      );
    },
    onAttackEnded({ account, failures, since }, endedAt) {
      log.info({ extension: account, failures, minutes: Math.round((endedAt - since) / 60_000) }, 'SIP digest guessing against an extension has stopped');
    },
  });
  metrics.observeExtensionsUnderAttack(() => attacks.underAttack);
  const delayed = new DelayedAnswers({
    maxPending: MAX_PENDING_DELAYED_ANSWERS,
    maxPendingPerAccount: MAX_PENDING_DELAYED_ANSWERS_PER_ACCOUNT,
    onError: (err) => log.debug({ err }, 'a delayed challenge could not be sent (its transaction had ended)'),
  });
  metrics.observeDelayedChallenges(() => delayed.pending);
  const paneCredentials = PaneCredentials.load(config.dataDir);
  const guard = new DigestGuard({
    realm: config.sip.domain,
    credentialOf: (username) => ownSecretOf(username) ?? paneCredentialOf(username),
    algorithms: config.sip.digestAlgorithms,
    limiter,
    attacks,
    onBan(address, until) {
      metrics.ban();
      log.warn({ address, until: new Date(until).toISOString() }, 'banned a source address after repeated authentication failures');
    },
  });
  // Trunks that authenticate (or register) do so with their own credentials, never an extension number.
  const trunkSecrets = new Map(config.trunks.flatMap((trunk) => (trunk.match.username && trunk.match.password ? [[trunk.match.username, trunk.match.password] as const] : [])));
  function ownSecretOf(username: string): ProvenIdentity | undefined {
    const password = credentials.sipSecretOf(username) ?? trunkSecrets.get(username);
    return password === undefined ? undefined : { password, user: username };
  }
  /**
   * A pane's short-lived credential proves its extension while the web session it was issued to
   * lives: looked up in the store at every use, so a session ended anywhere (logout, expiry,
   * `callpane sessions revoke` from another process) refuses it at once. One that has expired or
   * outlived its session is still checked (its password is the HMAC of its name), so that the
   * guard refuses a genuine one without counting a guess, and counts a forged one.
   */
  function paneCredentialOf(username: string): ProvenIdentity | undefined {
    const claim = paneCredentials.read(username);
    if (claim === undefined || !credentials.exists(claim.extension)) return undefined;
    const expired = claim.expired || !repositories.sessions.hasLiveWithPrefix(claim.sessionTag, claim.extension, Date.now());
    return { password: claim.password, user: claim.extension, sessionTag: claim.sessionTag, ...(expired ? { expired } : {}) };
  }
  const sessionBindings = new SessionBoundBindings({
    location,
    isLive: (sessionTag, extension, now) => repositories.sessions.hasLiveWithPrefix(sessionTag, extension, now),
    onRemoved(extension, count) {
      log.info({ extension, bindings: count }, 'web session ended: the registrations made with its pane credential are gone');
    },
    onError: (err) => log.error({ err }, 'could not look for ended web sessions (will try again)'),
  });
  const registrar = new Registrar(config.registrar, location, { exists: (aor) => credentials.exists(aor) || trunkSecrets.has(aor) });
  // The transaction user's callbacks reach the route and proxy built below; none runs before listen().
  // The request route is the transaction user; it is built below, once the proxy it relays to
  // (which needs this layer) exists, and no request arrives before listen().
  const transactions = new TransactionLayer<Flow, RequestTarget>({
    transport,
    user: {
      onRequest: (transaction, request) => routeUser.onRequest(transaction, request),
      onCancel: (invite, cancel, cancelTransaction) => routeUser.onCancel(invite, cancel, cancelTransaction),
      onAck: (ack, flow) => routeUser.onAck(ack, flow),
      onStrayResponse: (response, flow) => routeUser.onStrayResponse(response, flow),
    },
  });

  const tracker = new CallTracker({
    publish(event) {
      if (event.type === 'ended') metrics.callEnded(event.direction, event.disposition);
      context.calls.publish(event);
    },
  });
  metrics.observeActiveCalls(() => tracker.activeCalls);
  const callMedia = callMediaFor(
    config.media.relay,
    options.media && {
      relay: options.media,
      onRelayFailure: reportRelayFailure,
      onCodecMismatch({ callId, status, offered, answered }) {
        log.info(
          { callId, status, offered: offered.join(' '), answered: answered.join(' ') || 'none named' },
          `call refused ${status}: no codec both sides accept (offered ${offered.join(', ') || 'none'})`,
        );
      },
      recordIdOf: (invite) => tracker.callIdOf(invite),
      onCallStats({ recordId, callerTag }, stats) {
        const quality = callQualityOf(stats, callerTag);
        if (quality === undefined || recordId === undefined) return;
        metrics.callQuality(quality);
        repositories.calls.saveQuality(recordId, quality);
      },
    },
  );
  const proxy = new Proxy({
    transactions,
    transport,
    tokens: new FlowTokens(),
    media: callMedia,
    onError: (err) => log.error({ err }, 'a SIP message could not go on after the media relay answered'),
    observer: {
      forwarding: (request) => tracker.forwarding(request),
      responding: (request, response) => tracker.responding(request, response),
    },
  });
  const displayNameOf = (number: string) => credentials.displayNameOf(number);
  const route = new RequestRoute<ServerTransaction<Flow>>({
    localHosts: localHosts(config),
    isLocalPort: (port) => transport.protocols.some((protocol) => transport.localVia(protocol).port === port),
    registrar,
    guard,
    identification: new CallerIdentification({
      guard,
      trunks: config.trunks,
      registeredContacts: new RegisteredContacts(config.trunks),
      displayNameOf,
      authenticated: reportAuthentication,
    }),
    router: new CallRouter({
      isExtension: (number) => credentials.exists(number),
      location,
      trunks: config.trunks,
      routes: config.routes,
      activeCallsOn: (trunk) => tracker.activeCallsOn(trunk),
      displayNameOf,
    }),
    delayed,
    relay: createExtensionRelay({
      proxy,
      location,
      domain: config.sip.domain,
      callIdOf: (request) => tracker.callIdOf(request),
      onError: (err, request) => log.error({ err, callId: getHeader(request, 'Call-ID') }, 'a call to a trunk could not be sent; the caller got 500'),
    }),
    events: {
      callRouted: (request, setup) => tracker.begin(request, setup),
      callRefused: (request, response, setup) => tracker.refused(request, response.status, response.reason, setup),
      authenticated: reportAuthentication,
      registered({ aor, status, flow }) {
        metrics.registerResult(status === 200 ? 'ok' : 'failed');
        const fields = { extension: aor, status, transport: flow.transport, address: formatSource(flow) };
        if (status === 200) log.debug(fields, 'REGISTER accepted');
        else log.info(fields, 'REGISTER refused');
      },
    },
  });

  const trunkRegistrations = new TrunkRegistrations({
    trunks: config.trunks,
    transactions,
    localVia: (protocol) => transport.localVia(protocol),
    log: log.child({ component: 'trunk-registration' }),
    onChange(statuses) {
      try {
        writeRegistrationReport(repositories.meta, { pid: process.pid, writtenAt: Date.now(), trunks: statuses });
      } catch (err) {
        log.error({ err }, 'could not store the trunk registration status (callpane trunks status shows an older one)');
      }
    },
  });
  metrics.observeTrunkRegistrations(() => trunkRegistrations.statuses.map((status) => ({ trunk: status.trunk, registered: status.state === 'registered' })));

  function reportRelayFailure({ code, callId, message, cleanup, codecs, error }: RelayFailure): void {
    const err = error instanceof Error ? error.message : String(error);
    if (cleanup) {
      log.debug({ callId, code, err }, "media relay: a call's session could not be deleted (the engine times it out)");
      return;
    }
    metrics.mediaRelayFailure(RELAY_FAILURE_REASON[code]);
    if (code === 'MEDIA_RELAY_REFUSED')
      log.warn({ callId, code, sdpOf: message, codecs: codecs.join(' '), err }, `media relay refused a call's SDP (codecs ${codecs.join(', ') || 'none'}): answered 488`);
    else
      log.warn({ callId, code, sdpOf: message, err }, 'media relay unavailable: the call is refused with 503 Media Relay Unavailable (a browser-to-browser call goes end to end)');
  }

  function reportAuthentication(outcome: GuardOutcome, request: SipRequest, flow: Flow): void {
    if (outcome.ok) return;
    if (outcome.reason === 'challenge' || outcome.reason === 'stale') {
      if (request.method === 'REGISTER') metrics.registerResult('challenged');
      return;
    }
    if (outcome.reason === 'failed') metrics.authFailure();
    if (outcome.reason === 'failed' && outcome.target !== undefined) metrics.extensionAuthFailure();
    if (request.method === 'REGISTER') metrics.registerResult(outcome.reason === 'banned' ? 'banned' : 'failed');
    log.warn({ method: request.method, address: clientAddressOf(flow), transport: flow.transport, reason: outcome.reason }, 'SIP authentication refused');
  }

  const routeUser = route.asTransactionUser({
    failed: reportFailure,
    strayResponse(response, flow) {
      log.debug({ status: response.status, address: formatSource(flow) }, 'stray SIP response dropped');
    },
  });
  transport.on('request', (request, flow) => {
    try {
      transactions.handleRequest(request, flow);
    } catch (err) {
      // Thrown before a server transaction existed (matching it): answered statelessly.
      reportFailure(err, request, flow);
      const response = failureResponse(request, err);
      if (response !== undefined) transport.sendResponse(response, flow).catch(() => undefined);
    }
  });
  transport.on('response', (response, flow) => transactions.handleResponse(response, flow));
  transport.on('flowClosed', (flowId) => {
    const removed = location.flowClosed(flowId);
    if (removed > 0) log.debug({ flowId, bindings: removed }, 'connection closed: its bindings are gone');
  });
  transport.on('messageIn', (message) => metrics.sipMessage('in', summary(message)));
  transport.on('messageOut', (message) => metrics.sipMessage('out', summary(message)));
  transport.on('dropped', (report) => {
    if (report.reason === 'unparseable') metrics.parseError(report.transport);
    if (report.reason === RECEIVE_FAILED) metrics.receiveFailure(report.transport);
    if (report.reason === CONNECTION_LIMIT) {
      metrics.webSocketRefused('address_limit');
      log.warn({ transport: report.transport, detail: report.detail }, 'SIP WebSocket refused: too many connections from one address (sip.wsMaxConnectionsPerAddress)');
    }
    if (report.reason === NO_REQUEST) metrics.webSocketRefused('no_request');
  });
  /** A request that made a stage throw never takes the process down: it is logged and answered (failureResponse). */
  function reportFailure(err: unknown, request: SipRequest, flow: Flow): void {
    if (err instanceof SipParseError) log.info({ address: formatSource(flow), err: err.message }, 'SIP request refused: a header could not be read');
    else log.error({ err, method: request.method, address: formatSource(flow) }, 'SIP request failed');
  }

  metrics.observeTransactions(() => {
    const stats = transactions.stats();
    const byLabel = (counts: Record<TransactionKind, number>) => Object.fromEntries(Object.entries(METRIC_KIND).map(([kind, label]) => [label, counts[kind as TransactionKind]]));
    return { live: byLabel(stats), created: byLabel(stats.created) };
  });

  try {
    await transport.listen();
  } catch (error) {
    throw sipListenError(error, config);
  }
  location.startExpirySweep();
  trunkRegistrations.start();
  sessionBindings.start(options.sessionSweepMs ?? SESSION_SWEEP_INTERVAL_MS);
  // Ends quiet episodes (and logs it) and forgets quiet accounts; a tenth of the window is exact enough.
  const attackSweep = setInterval(() => attacks.sweep(), EXTENSION_ATTACK_POLICY.windowMs / 10);
  attackSweep.unref();
  const stopHearingSessions = context.sessions.onSessionEnded((sessionId) => {
    // The sign-out itself is done: a failure here must not fail it; the sweep tries again.
    try {
      sessionBindings.sessionEnded(sessionId);
    } catch (err) {
      log.error({ err }, 'could not remove the registrations of an ended web session (the sweep will)');
    }
  });

  return {
    location,
    transport,
    sipUris: () => sipUris(config, transport, context),
    async close() {
      // The carriers are told first, while the transports still run (RFC 3261 §10.2.2).
      await trunkRegistrations.stop();
      location.stop();
      stopHearingSessions();
      sessionBindings.stop();
      clearInterval(attackSweep);
      delayed.close();
      proxy.close();
      // An external rtpengine outlives us: the calls still up are deleted there, not left to its timeout.
      await callMedia?.close();
      transactions.shutdown();
      await transport.close();
      bindings.flush();
    },
  };
}

function transportConfig(config: Config, context: SipServiceContext, log: StructuredLogger): TransportLayerConfig {
  const { sip } = config;
  const result: TransportLayerConfig = { advertisedHost: sip.advertisedHost, logger: log };
  if (sip.transports.includes('udp')) result.udp = { host: sip.host, port: sip.port };
  if (sip.transports.includes('tcp')) result.tcp = { host: sip.host, port: sip.port };
  if (sip.transports.includes('tls') && context.tls) {
    result.tls = { host: sip.host, port: sip.tlsPort, cert: context.tls.cert, key: context.tls.key };
  }
  if (sip.transports.includes('ws')) {
    result.ws = {
      server: context.httpServer.server,
      path: sip.wsPath,
      firstRequestTimeoutMs: sip.wsFirstRequestSeconds * 1000,
      maxConnectionsPerClient: sip.wsMaxConnectionsPerAddress,
      // Counted like the web API's per-client limits: an IPv6 client by its /64.
      clientKey,
      // Its own flows (no client forwarded) are never banned: its address is every client's behind it.
      trustedProxies: trustedProxies(config.http.trustProxy),
    };
    context.httpServer.claimUpgradePath(sip.wsPath);
  }
  return result;
}

/**
 * The Request-URI hosts that address this PBX (Kamailio's `myself`): the SIP domain, the
 * advertised host, the public URL's host, and the addresses SIP listens on — every interface
 * address when it listens on a wildcard.
 */
function localHosts(config: Config): string[] {
  const hosts = [config.sip.domain, config.sip.advertisedHost];
  if (config.http.publicUrl) hosts.push(new URL(config.http.publicUrl).hostname);
  if (config.sip.host === '0.0.0.0' || config.sip.host === '::') {
    for (const addresses of Object.values(networkInterfaces())) for (const { address } of addresses ?? []) hosts.push(address);
  } else {
    hosts.push(config.sip.host);
  }
  return [...new Set(hosts)].map((host) => (isIPv6(host) ? `[${host}]` : host));
}

function summary(message: MessageCount): Parameters<PbxMetrics['sipMessage']>[1] {
  if (message.kind === 'request') return message;
  return { kind: 'response', method: message.method, transport: message.transport, status: Number(message.statusClass[0]) * 100 };
}

function sipUris(config: Config, transport: TransportLayer, context: SipServiceContext): string[] {
  const host = config.sip.domain;
  return transport.protocols.map((protocol) => {
    if (protocol === 'WS' || protocol === 'WSS') {
      const address = context.httpServer.address();
      const scheme = protocol === 'WSS' ? 'wss' : 'ws';
      return `${scheme}://${config.sip.advertisedHost}:${address?.port ?? config.http.port}${config.sip.wsPath}`;
    }
    const { port } = transport.localVia(protocol);
    const scheme = protocol === 'TLS' ? 'sips' : 'sip';
    return `${scheme}:${host}:${port};transport=${protocol.toLowerCase()}`;
  });
}
