/**
 * The identity the PBX asserts (RFC 3325): who a caller or callee is, as this PBX authenticated
 * it. A phone or a trunk does not decide what the other side displays: their
 * P-Asserted-Identity, P-Preferred-Identity (RFC 3325 §9.2) and Remote-Party-ID (the draft that
 * preceded RFC 3325, still read by many phones) never pass; where the PBX knows who is calling
 * it adds its own P-Asserted-Identity (§9.1). No trunk is inside our trust domain, so a trunk's
 * assertion is dropped too (§5: a proxy removes or replaces an untrusted element's), and never
 * reaches another trunk.
 */
import { removeHeader } from '../../sip/message/index.ts';
import type { SipMessage } from '../../sip/message/types.ts';

export const IDENTITY_HEADERS: readonly string[] = ['P-Asserted-Identity', 'P-Preferred-Identity', 'Remote-Party-ID'];

/** Removes every identity header from `message` (a copy the caller owns). */
export function dropIdentity(message: SipMessage): void {
  for (const name of IDENTITY_HEADERS) removeHeader(message, name);
}
