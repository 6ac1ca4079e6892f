import {
  addHeader,
  callIdOf,
  createResponse,
  cseqOf,
  expiresOf,
  formatNameAddr,
  formatUri,
  getHeader,
  getHeaders,
  isSipUri,
  isWildcardContact,
  parseNameAddrList,
  toOf,
} from '../sip/message/index.ts';
import type { NameAddr, SipRequest, SipResponse } from '../sip/message/types.ts';
import type { Flow } from '../sip/transport/flow.ts';
import type { Binding } from './binding.ts';
import type { LocationService } from './location-service.ts';

export interface RegistrarPolicy {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
}

export interface RegisterInput {
  request: SipRequest;
  flow: Flow;
  /** The extension the request authenticated as: its digest username, or the extension a pane credential stands for. */
  authenticatedAs: string;
  /** The web session a pane credential was issued to; stored on the bindings so they end with it. */
  sessionTag?: string;
}

/** The set of extensions the registrar accepts bindings for. */
export interface ExtensionDirectory {
  exists(number: string): boolean;
}

interface ContactChange {
  nameAddr: NameAddr;
  contactUri: string;
  expires: number;
}

/**
 * REGISTER processing per RFC 3261 §10.3 steps 4–8, after the request was found to be for our
 * domain and authenticated (steps 1–3 run earlier in the request route). Either every contact
 * of a request is applied or none is: a rejected REGISTER changes nothing.
 */
export class Registrar {
  readonly #policy: RegistrarPolicy;
  readonly #location: LocationService;
  readonly #extensions: ExtensionDirectory;
  readonly #now: () => number;

  constructor(policy: RegistrarPolicy, location: LocationService, extensions: ExtensionDirectory, now: () => number = Date.now) {
    this.#policy = policy;
    this.#location = location;
    this.#extensions = extensions;
    this.#now = now;
  }

  register({ request, flow, authenticatedAs, sessionTag }: RegisterInput): SipResponse {
    const to = toOf(request);
    // §10.3 step 5; RFC 4475 §3.3.4 (unksm2): a registrar rejects a non-SIP AOR with 400.
    if (!isSipUri(to.uri) || to.uri.user === undefined) {
      return createResponse(request, 400, { reason: 'To Must Be a SIP Address-of-Record' });
    }
    const aor = to.uri.user;
    if (!this.#extensions.exists(aor)) return createResponse(request, 404, { reason: 'Unknown Extension' });
    // §10.3 step 4: the authenticated user may only modify its own bindings.
    if (aor !== authenticatedAs) return createResponse(request, 403, { reason: 'Not Your Extension' });

    const contactValues = getHeaders(request, 'Contact');
    const headerExpires = expiresOf(request);
    const callId = callIdOf(request);
    const cseq = cseqOf(request).seq;
    const now = this.#now();

    if (contactValues.some(isWildcardContact)) {
      // §10.3 step 6: "*" only alone and only with Expires: 0.
      if (contactValues.length !== 1 || headerExpires !== 0) {
        return createResponse(request, 400, { reason: 'Wildcard Contact Needs Expires 0 Alone' });
      }
      // A binding of the same Call-ID with a CSeq not below the request's aborts the whole
      // removal: "the update MUST be aborted and the request fails".
      const bindings = this.#location.lookup(aor);
      if (bindings.some((binding) => binding.callId === callId && binding.cseq >= cseq)) {
        return createResponse(request, 400, { reason: 'Out-of-Order CSeq' });
      }
      for (const binding of bindings) this.#location.remove(aor, binding.contactUri);
      return this.#ok(request, aor);
    }

    const changes: ContactChange[] = [];
    for (const value of contactValues) {
      for (const nameAddr of parseNameAddrList(value)) {
        if (!isSipUri(nameAddr.uri)) return createResponse(request, 400, { reason: 'Contact Must Be a SIP URI' });
        const expires = contactExpires(nameAddr, headerExpires, this.#policy.defaultExpires);
        if (expires !== 0 && expires < this.#policy.minExpires) {
          // §10.3 step 7 / §20.23: 423 carries the smallest interval we accept.
          const tooBrief = createResponse(request, 423);
          addHeader(tooBrief, 'Min-Expires', String(this.#policy.minExpires));
          return tooBrief;
        }
        changes.push({ nameAddr, contactUri: formatUri(nameAddr.uri), expires: Math.min(expires, this.#policy.maxExpires) });
      }
    }

    // §10.3 step 7: a request older than what a binding already holds must not change it.
    for (const change of changes) {
      const existing = this.#location.find(aor, change.contactUri);
      if (existing && existing.callId === callId && existing.cseq >= cseq) {
        return createResponse(request, 400, { reason: 'Out-of-Order CSeq' });
      }
    }

    for (const change of changes) {
      if (change.expires === 0) {
        this.#location.remove(aor, change.contactUri);
        continue;
      }
      const binding = toBinding(aor, change, { callId, cseq, now, flow, userAgent: getHeader(request, 'User-Agent'), sessionTag });
      this.#replaceSameInstance(binding);
      this.#location.save(binding);
    }
    return this.#ok(request, aor);
  }

  /** RFC 5626 §6: a new registration of the same instance and reg-id replaces the old flow. */
  #replaceSameInstance(binding: Binding): void {
    if (binding.instanceId === undefined) return;
    for (const existing of this.#location.lookup(binding.aor)) {
      if (existing.contactUri !== binding.contactUri && existing.instanceId === binding.instanceId && existing.regId === binding.regId) {
        this.#location.remove(binding.aor, existing.contactUri);
      }
    }
  }

  /** §10.3 step 8: 200 listing every current binding with its remaining lifetime. */
  #ok(request: SipRequest, aor: string): SipResponse {
    const response = createResponse(request, 200);
    const now = this.#now();
    for (const binding of this.#location.lookup(aor)) {
      const remaining = Math.max(1, Math.round((binding.expiresAt - now) / 1000));
      addHeader(response, 'Contact', `${binding.contact};expires=${remaining}`);
    }
    addHeader(response, 'Date', new Date(now).toUTCString());
    return response;
  }
}

function contactExpires(nameAddr: NameAddr, headerExpires: number | undefined, defaultExpires: number): number {
  const param = nameAddr.params.get('expires');
  if (param !== undefined && param !== null && /^\d{1,10}$/.test(param)) return Number(param);
  return headerExpires ?? defaultExpires;
}

function toBinding(
  aor: string,
  change: ContactChange,
  context: { callId: string; cseq: number; now: number; flow: Flow; userAgent: string | undefined; sessionTag: string | undefined },
): Binding {
  const params = new Map(change.nameAddr.params);
  params.delete('expires');
  const instance = params.get('+sip.instance');
  const regId = params.get('reg-id');
  const q = params.get('q');
  const { flow } = context;
  const connectionBound = flow.transport === 'WS' || flow.transport === 'WSS';
  return {
    aor,
    contact: formatNameAddr({ ...change.nameAddr, params }),
    contactUri: change.contactUri,
    expiresAt: context.now + change.expires * 1000,
    callId: context.callId,
    cseq: context.cseq,
    transport: flow.transport,
    sourceAddress: flow.remote.address,
    sourcePort: flow.remote.port,
    flowId: connectionBound ? flow.id : undefined,
    instanceId: typeof instance === 'string' ? instance : undefined,
    regId: typeof regId === 'string' && /^\d+$/.test(regId) ? Number(regId) : undefined,
    q: typeof q === 'string' && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q) ? Number(q) : undefined,
    userAgent: context.userAgent,
    sessionTag: context.sessionTag,
  };
}
