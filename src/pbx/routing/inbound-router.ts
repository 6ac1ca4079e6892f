/**
 * Inbound routes: the called number (DID) a trunk sends → the extension that rings. First match
 * wins. A leading `+` is ignored on both sides because carriers differ in sending it; national
 * and international spellings are not equated (write both, or a pattern, if a carrier mixes them).
 */
import { matchesDialPattern } from './dial-pattern.ts';
import { cleanDialString } from '../../crm/numbers/dial-string.ts';
import { compiledPattern } from './pattern-cache.ts';
import type { InboundRoute, Routes } from './routes.ts';

export interface InboundDestination {
  extension: string;
  /** The route that matched, for logs. */
  route: InboundRoute;
}

/** The DID as the inbound matcher sees it: `+4930…` → `4930…`, `_+49X.` → `_49X.`. */
export function withoutPlus(did: string): string {
  if (did.startsWith('+')) return did.slice(1);
  if (did.startsWith('_+')) return `_${did.slice(2)}`;
  return did;
}

/** The extension for `calledNumber` (the Request-URI user part, separators allowed), if any route matches. */
export function routeInbound(routes: Pick<Routes, 'inbound'>, calledNumber: string): InboundDestination | undefined {
  const cleaned = cleanDialString(calledNumber);
  if (cleaned === undefined) return undefined;
  const number = withoutPlus(cleaned);
  for (const route of routes.inbound) {
    const pattern = compiledPattern(withoutPlus(route.did));
    if (pattern && matchesDialPattern(pattern, number)) return { extension: route.extension, route };
  }
  return undefined;
}
