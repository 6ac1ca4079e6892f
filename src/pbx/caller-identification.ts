/**
 * Who sent an out-of-dialog request that is not a REGISTER: a trunk recognised by its source
 * address (no challenge: carriers do not answer them), a trunk or an extension proven by digest
 * credentials (RFC 3261 §22.3, 407). An extension may only call as itself.
 */
import { createResponse, fromOf, isSipUri, toOf } from '../sip/message/index.ts';
import type { SipRequest, SipResponse, Uri } from '../sip/message/types.ts';
import { clientAddressOf, type Flow } from '../sip/transport/index.ts';
import type { CallerIdentity } from './call-router.ts';
import type { DigestGuard, GuardOutcome } from './digest-guard.ts';
import { identifyTrunk } from './routing/trunk-matcher.ts';
import type { Trunk } from './routing/trunk.ts';
import type { RegisteredContacts } from './trunk-registration/contact-user.ts';

/**
 * `delayMs`: answer only after this long (a failed guess at `delayAccount`, an extension under attack, digest-guard.ts).
 * `calledNumber`: the number called when the Request-URI does not carry it (a registered contact).
 */
export type Identification = { ok: true; caller: CallerIdentity; calledNumber?: string } | { ok: false; response: SipResponse; delayMs?: number; delayAccount?: string };

export interface CallerIdentificationOptions {
  guard: DigestGuard;
  trunks: readonly Trunk[];
  /** Trunks Callpane registers to, recognised by the contact they send calls to. */
  registeredContacts?: RegisteredContacts;
  displayNameOf(extension: string): string | undefined;
  /** Every digest outcome, for metrics and the log. */
  authenticated?(outcome: GuardOutcome, request: SipRequest, flow: Flow): void;
}

export class CallerIdentification {
  readonly #options: CallerIdentificationOptions;

  constructor(options: CallerIdentificationOptions) {
    this.#options = options;
  }

  /** Whether the URI is a contact Callpane registered to a trunk. */
  namesRegisteredContact(uri: Uri): boolean {
    return this.#options.registeredContacts?.trunkOf(uri) !== undefined;
  }

  identify(request: SipRequest, flow: Flow): Identification {
    const { trunks, guard } = this.#options;
    const sourceAddress = flow.remote.address;
    const byContact = this.#options.registeredContacts?.trunkOf(request.uri);
    if (byContact !== undefined) return this.#fromRegisteredContact(request, byContact, sourceAddress);
    const byAddress = identifyTrunk(trunks, { sourceAddress });
    if (byAddress !== undefined) return { ok: true, caller: { kind: 'trunk', trunk: byAddress } };

    // Failures count against the client, behind a trusted reverse proxy too (never against the
    // proxy itself); trunks match by peer.
    const outcome = guard.authenticate(request, clientAddressOf(flow), 'proxy', flow.trustedProxy === true);
    this.#options.authenticated?.(outcome, request, flow);
    if (!outcome.ok) return { ok: false, response: outcome.response, delayMs: outcome.delayMs, delayAccount: outcome.delayAccount };

    const trunk = trunks.find((candidate) => candidate.match.username === outcome.user);
    if (trunk !== undefined) {
      // A trunk with addresses and credentials must satisfy both.
      if (identifyTrunk(trunks, { sourceAddress, digestUsername: outcome.user }) !== trunk) {
        return { ok: false, response: createResponse(request, 403, { reason: 'Not From The Trunk Addresses' }) };
      }
      return { ok: true, caller: { kind: 'trunk', trunk } };
    }
    const from = fromOf(request).uri;
    if (!isSipUri(from) || from.user !== outcome.user) {
      // The caller is who authenticated: a From naming anyone else is a spoofing attempt.
      return { ok: false, response: createResponse(request, 403, { reason: 'From Is Not Your Extension' }) };
    }
    return { ok: true, caller: { kind: 'extension', number: outcome.user, displayName: this.#options.displayNameOf(outcome.user) } };
  }

  /**
   * A request to the contact Callpane registered to a trunk comes from that trunk (its registrar
   * retargeted it there, RFC 3261 §16.5), without a challenge: carriers do not answer them. The
   * Request-URI then names the contact, so the number called is the To user, which the carrier
   * leaves as the caller dialled it (§8.1.1.2, §16.5 changes only the Request-URI). With
   * `match.addresses`, the request must also come from there; without, the contact user (seen by
   * anyone on the trunk's path when it is not TLS) is all that admits it (contact-user.ts).
   */
  #fromRegisteredContact(request: SipRequest, trunk: Trunk, sourceAddress: string): Identification {
    if (trunk.match.addresses !== undefined && identifyTrunk([trunk], { sourceAddress, digestUsername: trunk.match.username }) !== trunk) {
      return { ok: false, response: createResponse(request, 403, { reason: 'Not From The Trunk Addresses' }) };
    }
    const to = toOf(request).uri;
    return { ok: true, caller: { kind: 'trunk', trunk }, calledNumber: isSipUri(to) ? to.user : undefined };
  }
}
