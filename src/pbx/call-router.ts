/**
 * Where a call goes, decided from who is calling and what they dialled (plain data, no SIP I/O):
 * an extension calls another extension or, through an outbound route, a trunk; a trunk calls an
 * extension through an inbound route. Anything else is refused: this PBX relays for nobody.
 */
import { isShortNumber } from '../crm/numbers/extension-number.ts';
import type { CallParty, CallDirection } from './calls/call-event.ts';
import type { Binding } from './binding.ts';
import type { LocationService } from './location-service.ts';
import { routeInbound } from './routing/inbound-router.ts';
import { routeOutbound } from './routing/outbound-router.ts';
import { presentedNumber } from './routing/presented-number.ts';
import type { Routes } from './routing/routes.ts';
import type { Trunk } from './routing/trunk.ts';

export type CallerIdentity = { kind: 'extension'; number: string; displayName?: string } | { kind: 'trunk'; trunk: Trunk };

/** What the call tracker needs to know of a call from its start. */
export interface CallSetup {
  direction: CallDirection;
  from: CallParty;
  to: CallParty;
  /** The extensions that own the call (and see it in their history). */
  extensions: string[];
}

export type CallDecision =
  | { kind: 'extension'; callee: string; bindings: Binding[]; setup: CallSetup; presentedFrom?: string }
  | { kind: 'trunk'; trunk: Trunk; number: string; callerId: string | undefined; setup: CallSetup }
  /** Refused; with a setup when the refusal is a call someone should see as failed. */
  | { kind: 'refuse'; status: number; reason?: string; setup?: CallSetup };

export interface CallRouterOptions {
  isExtension(number: string): boolean;
  location: LocationService;
  trunks: readonly Trunk[];
  routes: Routes;
  /** Calls in progress on a trunk, for its maxCalls. */
  activeCallsOn(trunk: string): number;
  /** An extension's display name, shown as the called party. */
  displayNameOf?(extension: string): string | undefined;
}

export class CallRouter {
  readonly #options: CallRouterOptions;

  constructor(options: CallRouterOptions) {
    this.#options = options;
  }

  /**
   * `dialled` is the Request-URI user part; `fromUser` and `fromName` what the From header
   * presents (a trunk's caller id).
   */
  route(caller: CallerIdentity, dialled: string | undefined, from: { user: string | undefined; displayName?: string }): CallDecision {
    if (dialled === undefined) return { kind: 'refuse', status: 404 };
    return caller.kind === 'extension' ? this.#fromExtension(caller, dialled) : this.#fromTrunk(caller.trunk, dialled, from);
  }

  #fromExtension(caller: Extract<CallerIdentity, { kind: 'extension' }>, dialled: string): CallDecision {
    const from: CallParty = { number: caller.number, displayName: caller.displayName, extension: caller.number };
    if (this.#options.isExtension(dialled)) {
      const setup: CallSetup = { direction: 'internal', from, to: this.#extensionParty(dialled), extensions: unique(caller.number, dialled) };
      return this.#ring(dialled, setup);
    }
    const outbound = routeOutbound(this.#options.routes, this.#options.trunks, dialled, caller.number);
    if (!outbound) {
      // An unknown short number was meant for a colleague; anything longer was a call out that no
      // route takes (so the pane logs it as an unanswered outbound call).
      const direction = looksExternal(dialled) ? 'outbound' : 'internal';
      return { kind: 'refuse', status: 404, reason: 'No Route', setup: { direction, from, to: { number: dialled }, extensions: [caller.number] } };
    }
    const setup: CallSetup = { direction: 'outbound', from, to: { number: outbound.number, trunk: outbound.trunk.name }, extensions: [caller.number] };
    if (this.#full(outbound.trunk)) return { kind: 'refuse', status: 503, reason: 'Trunk Busy', setup };
    return { kind: 'trunk', trunk: outbound.trunk, number: outbound.number, callerId: outbound.callerId, setup };
  }

  #fromTrunk(trunk: Trunk, dialled: string, presented: { user: string | undefined; displayName?: string }): CallDecision {
    const inbound = routeInbound(this.#options.routes, dialled);
    if (!inbound) return { kind: 'refuse', status: 404 };
    const number = presented.user === undefined ? 'anonymous' : presentedNumber(presented.user, trunk.country);
    const setup: CallSetup = {
      direction: 'inbound',
      from: { number, displayName: presented.displayName, trunk: trunk.name },
      to: this.#extensionParty(inbound.extension),
      extensions: [inbound.extension],
    };
    if (this.#full(trunk)) return { kind: 'refuse', status: 503, reason: 'Trunk Busy', setup };
    const decision = this.#ring(inbound.extension, setup);
    return decision.kind === 'extension' ? { ...decision, presentedFrom: number } : decision;
  }

  #ring(extension: string, setup: CallSetup): CallDecision {
    const bindings = this.#options.location.lookup(extension);
    if (bindings.length === 0) return { kind: 'refuse', status: 480, setup };
    return { kind: 'extension', callee: extension, bindings, setup };
  }

  #extensionParty(number: string): CallParty {
    return { number, displayName: this.#options.displayNameOf?.(number), extension: number };
  }

  #full(trunk: Trunk): boolean {
    return trunk.maxCalls !== undefined && this.#options.activeCallsOn(trunk.name) >= trunk.maxCalls;
  }
}

/** International, or longer than a short number (extension-number.ts): not meant for a colleague. */
function looksExternal(dialled: string): boolean {
  return dialled.startsWith('+') || !isShortNumber(dialled.replace(/\D/g, ''));
}

function unique(...numbers: string[]): string[] {
  return [...new Set(numbers)];
}
