/**
 * The relay behind the request route: rewrites what the other side must see (the caller as the
 * extension it authenticated as, a trunk's caller in E.164, our caller id towards a trunk), asserts
 * the identity the PBX vouches for (RFC 3325 §9.1: P-Asserted-Identity; whatever a phone or trunk
 * asserted is dropped) and has the proxy fork to the registered contacts of an extension or send
 * the call to a trunk (topology-hidden, see proxy/topology-hiding.ts).
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseDigestCredentials } from '../sip/auth/index.ts';
import { createResponse, formatNameAddr, fromOf, parseUri, setHeader } from '../sip/message/index.ts';
import type { Header, NameAddr, SipRequest, SipUri } from '../sip/message/types.ts';
import type { ServerTransaction } from '../sip/transaction/index.ts';
import type { Flow, TransportProtocol } from '../sip/transport/index.ts';
import type { Binding } from './binding.ts';
import { dropIdentity } from './proxy/asserted-identity.ts';
import type { LocationService } from './location-service.ts';
import type { FlowTarget } from './proxy/flow-token.ts';
import { trunkTransferRefusal } from './proxy/trunk-transfer.ts';
import type { ForwardTarget, Proxy } from './proxy/proxy.ts';
import { HANDED_OVER, type Answered, type ExtensionCall, type Relay, type TrunkCall } from './request-route.ts';
import { trunkMedia, type Trunk } from './routing/trunk.ts';

export interface ExtensionRelayOptions {
  proxy: Proxy;
  location: LocationService;
  /** Our SIP domain and digest realm: the From host of calls to a trunk without its own fromDomain. */
  domain: string;
  resolveHost?: (host: string) => Promise<string>;
  /** The call id the tracker gave this INVITE: told to our own agents' panes, never to a trunk. */
  callIdOf?: (request: SipRequest) => string | undefined;
  /** A fault of ours while sending a call to a trunk (the caller got 500): for the log. */
  onError?: (error: unknown, request: SipRequest) => void;
}

/**
 * Carries the call id to the panes of both agents on an INVITE and its responses, so a pane
 * knows which server-side call (events, record, journal) its SIP call is.
 */
export const CALL_ID_HEADER = 'X-Callpane-Call-Id';

const TRANSPORT: Record<Trunk['transport'], TransportProtocol> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS', ws: 'WS' };

export function createExtensionRelay(options: ExtensionRelayOptions): Relay<ServerTransaction<Flow>> {
  const { proxy, location, domain } = options;
  const callIdHeaders = (request: SipRequest): Record<string, string> => {
    const callId = request.method === 'INVITE' ? options.callIdOf?.(request) : undefined;
    return callId === undefined ? {} : { [CALL_ID_HEADER]: callId };
  };
  const resolveHost = options.resolveHost ?? (async (host: string) => (await lookup(host)).address);

  async function trunkTargets(trunk: Trunk, number: string): Promise<ForwardTarget[]> {
    if (trunk.host === undefined) {
      // A trunk that registers is reached at the contact it registered, like a phone; the
      // number it is to call travels in To.
      return location.lookup(trunk.match.username ?? '').map(targetOf);
    }
    const address = isIP(trunk.host) === 0 ? await resolveHost(trunk.host) : trunk.host;
    const leg: FlowTarget = { transport: TRANSPORT[trunk.transport], address, port: trunk.port };
    return [{ uri: parseUri(`sip:${number}@${hostPart(trunk.host)}:${trunk.port}`), leg }];
  }

  /** The identity the PBX asserts for an extension (RFC 3325 §9.1), display name included. */
  function extensionIdentity(number: string, displayName?: string): string {
    return formatNameAddr({ displayName, uri: parseUri(`sip:${number}@${domain}`), params: new Map() });
  }

  /** The call as the trunk gets it: our caller id (or anonymous), the number it is to call. */
  function sendToTrunk(request: SipRequest, flow: Flow, server: ServerTransaction<Flow>, call: TrunkCall, targets: ForwardTarget[]): void {
    if (targets.length === 0) {
      proxy.refuse(server, request, createResponse(request, 480, { reason: 'Trunk Not Registered', toTag: randomUUID() }));
      return;
    }
    const fromHost = call.trunk.outbound?.fromDomain ?? domain;
    const from = fromOf(request);
    const identity: NameAddr =
      call.callerId === undefined
        ? // RFC 3323 §4.1.1.3: anonymous, never the internal extension number.
          { displayName: 'Anonymous', uri: parseUri('sip:anonymous@anonymous.invalid'), params: from.params }
        : { uri: parseUri(`sip:${call.callerId}@${fromHost}`), params: from.params };
    // The caller id is what the PBX asserts to the trunk (RFC 3325 §9.1); without one there is
    // nothing to assert, and Privacy: id asks the carrier to withhold any it adds (RFC 3325 §9.3).
    const asserted: Record<string, string> = call.callerId === undefined ? { Privacy: 'id' } : { 'P-Asserted-Identity': `<sip:${call.callerId}@${fromHost}>` };
    const to = `<sip:${call.number}@${call.trunk.host === undefined ? domain : hostPart(call.trunk.host)}>`;
    const { outbound } = call.trunk;
    const credentials = outbound ? { username: outbound.username, password: outbound.password } : undefined;
    proxy.forward(
      server,
      rewritten(request, { From: formatNameAddr(identity), To: to, ...asserted }, domain),
      flow,
      targets.map((target) => ({ ...target, credentials, trunk: true, media: trunkMedia(call.trunk) })),
      {
        responseHeaders: callIdHeaders(request),
      },
    );
  }

  return {
    toExtension(request, flow, server, call: ExtensionCall): Answered {
      const from = fromOf(request);
      const presented: NameAddr =
        call.caller.kind === 'extension'
          ? { ...from, displayName: call.caller.displayName ?? from.displayName }
          : { ...from, uri: call.presentedFrom !== undefined && from.uri.scheme !== 'tel' ? withUser(from.uri as SipUri, call.presentedFrom) : from.uri };
      const tagged = callIdHeaders(request);
      if (call.caller.kind === 'trunk') {
        // A trunk's assertion is not ours to vouch for (no trunk is in our trust domain).
        proxy.forward(server, rewritten(request, { From: formatNameAddr(presented), ...tagged }, domain), flow, call.bindings.map(targetOf), {
          fromTrunk: true,
          callerMedia: trunkMedia(call.caller.trunk),
        });
        return HANDED_OVER;
      }
      // Between extensions the PBX says who is calling, and who answered (connected identity).
      // Only a configured name: the one a phone puts in From is its own claim.
      const asserted = { 'P-Asserted-Identity': extensionIdentity(call.caller.number, call.caller.displayName) };
      const upstream = { ...tagged, 'P-Asserted-Identity': extensionIdentity(call.callee) };
      proxy.forward(server, rewritten(request, { From: formatNameAddr(presented), ...tagged, ...asserted }, domain), flow, call.bindings.map(targetOf), {
        responseHeaders: upstream,
      });
      return HANDED_OVER;
    },

    toTrunk(request, flow, server, call: TrunkCall): Answered {
      const refusal = trunkTransferRefusal(request, randomUUID());
      if (refusal !== undefined) {
        proxy.refuse(server, request, refusal);
        return HANDED_OVER;
      }
      // Whatever goes wrong after the lookup is answered here: a rejection nobody handles would
      // end the process (Node's default since 15).
      const failed = (error: unknown): void => {
        options.onError?.(error, request);
        try {
          proxy.refuse(server, request, createResponse(request, 500, { reason: 'Trunk Call Failed', toTag: randomUUID() }));
        } catch (answering) {
          options.onError?.(answering, request);
        }
      };
      trunkTargets(call.trunk, call.number).then(
        (targets) => {
          try {
            sendToTrunk(request, flow, server, call, targets);
          } catch (error) {
            failed(error);
          }
        },
        () => {
          try {
            proxy.refuse(server, request, createResponse(request, 503, { reason: 'Trunk Host Unresolvable', toTag: randomUUID() }));
          } catch (error) {
            failed(error);
          }
        },
      );
      // The trunk's address is being looked up: the proxy, or `failed`, answers once it is known.
      return HANDED_OVER;
    },

    inDialog(request, flow, server): Answered | undefined {
      return proxy.forwardInDialog(server, request, flow) ? HANDED_OVER : undefined;
    },

    cancel(invite) {
      proxy.cancel(invite);
    },

    ack(ack, flow) {
      proxy.forwardAck(ack, flow);
    },
  };
}

/**
 * The request as the next hop gets it: header values replaced, the sender's identity headers
 * dropped (the PBX asserts its own in `values`), and the credentials that answered our own
 * challenge removed — they are nobody else's business; credentials for another realm stay for the
 * proxy they are meant for (RFC 3261 §22.3).
 */
function rewritten(request: SipRequest, values: Record<string, string>, realm: string): SipRequest {
  const copy: SipRequest = {
    ...request,
    headers: request.headers.filter((header) => !isOurCredentials(header, realm) && !isCallIdHeader(header)).map((header) => ({ ...header })),
  };
  dropIdentity(copy);
  for (const [name, value] of Object.entries(values)) setHeader(copy, name, value);
  return copy;
}

/** Only Callpane names its calls: a caller's own X-Callpane-Call-Id never passes. */
function isCallIdHeader(header: Header): boolean {
  return header.name.toLowerCase() === CALL_ID_HEADER.toLowerCase();
}

function isOurCredentials(header: Header, realm: string): boolean {
  if (header.name !== 'Proxy-Authorization') return false;
  try {
    return parseDigestCredentials(header.value).realm === realm;
  } catch {
    // Unreadable credentials help nobody downstream either.
    return true;
  }
}

/** A binding is reached where its REGISTER came from (RFC 5626 flow), never at its Contact host. */
function targetOf(binding: Binding): ForwardTarget {
  return {
    uri: parseUri(binding.contactUri),
    leg: { transport: binding.transport, address: binding.sourceAddress, port: binding.sourcePort, flowId: binding.flowId },
  };
}

function withUser(uri: SipUri, user: string): SipUri {
  return { ...uri, user, params: new Map(uri.params), headers: new Map(uri.headers) };
}

function hostPart(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
