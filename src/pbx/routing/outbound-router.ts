/**
 * Outbound routes: what an extension dialled → the trunk it goes out on, the number sent there
 * and the caller id presented. First matching route wins. The caller id is the most specific one
 * configured: the extension's own (routes.callerIds), then the route's, then the trunk's; none
 * configured means undefined and the proxy decides (it must not leak the internal extension).
 */
import { matchesDialPattern } from './dial-pattern.ts';
import { cleanDialString } from '../../crm/numbers/dial-string.ts';
import { compiledPattern } from './pattern-cache.ts';
import type { OutboundRoute, Routes } from './routes.ts';
import type { Trunk } from './trunk.ts';

export interface OutboundDestination {
  trunk: Trunk;
  /** The number to put in the Request-URI at the trunk: stripped and prepended. */
  number: string;
  callerId: string | undefined;
  /** The route that matched, for logs. */
  route: OutboundRoute;
}

/**
 * Where `dialled` (separators allowed, `+` kept) goes when `callingExtension` dials it, or
 * undefined when no route matches: the proxy then refuses the call (no open relay).
 */
export function routeOutbound(routes: Routes, trunks: readonly Trunk[], dialled: string, callingExtension: string): OutboundDestination | undefined {
  const number = cleanDialString(dialled);
  if (number === undefined) return undefined;
  for (const route of routes.outbound) {
    const pattern = compiledPattern(route.pattern);
    if (!pattern || !matchesDialPattern(pattern, number)) continue;
    // Every route names a configured trunk once the configuration is validated.
    const trunk = trunks.find((candidate) => candidate.name === route.trunk);
    if (!trunk) continue;
    return {
      trunk,
      number: (route.prepend ?? '') + number.slice(route.strip ?? 0),
      callerId: Object.hasOwn(routes.callerIds, callingExtension) ? routes.callerIds[callingExtension] : (route.callerId ?? trunk.outbound?.callerId),
      route,
    };
  }
  return undefined;
}
