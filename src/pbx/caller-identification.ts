/**
 * Who sent an out-of-dialog request that is not a REGISTER: a trunk recognised by its source
 * address (no challenge: carriers do not answer them), a trunk or an extension proven by digest
 * credentials (RFC 3261 §22.3, 407). An extension may only call as itself.
 */
import { createResponse, fromOf, isSipUri } from '../sip/message/index.ts';
import type { SipRequest, SipResponse } from '../sip/message/types.ts';
import { clientAddressOf, type Flow } from '../sip/transport/index.ts';
import type { CallerIdentity } from './call-router.ts';
import type { DigestGuard, GuardOutcome } from './digest-guard.ts';
import { identifyTrunk } from './routing/trunk-matcher.ts';
import type { Trunk } from './routing/trunk.ts';

/** `delayMs`: answer only after this long (a failed guess at an extension under attack, digest-guard.ts). */
export type Identification = { ok: true; caller: CallerIdentity } | { ok: false; response: SipResponse; delayMs?: number };

export interface CallerIdentificationOptions {
  guard: DigestGuard;
  trunks: readonly Trunk[];
  displayNameOf(extension: string): string | undefined;
  /** Every digest outcome, for metrics and the log. */
  authenticated?(outcome: GuardOutcome, request: SipRequest, flow: Flow): void;
}

export class CallerIdentification {
  readonly #options: CallerIdentificationOptions;

  constructor(options: CallerIdentificationOptions) {
    this.#options = options;
  }

  identify(request: SipRequest, flow: Flow): Identification {
    const { trunks, guard } = this.#options;
    const sourceAddress = flow.remote.address;
    const byAddress = identifyTrunk(trunks, { sourceAddress });
    if (byAddress !== undefined) return { ok: true, caller: { kind: 'trunk', trunk: byAddress } };

    // Failures count against the client, behind a trusted reverse proxy too; trunks match by peer.
    const outcome = guard.authenticate(request, clientAddressOf(flow), 'proxy');
    this.#options.authenticated?.(outcome, request, flow);
    if (!outcome.ok) return { ok: false, response: outcome.response, delayMs: outcome.delayMs };

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
}
