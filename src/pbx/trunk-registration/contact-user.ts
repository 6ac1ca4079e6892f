/**
 * The user part of the Contact Callpane registers to a trunk, and how an incoming request is
 * recognised by it.
 *
 * A registrar routes calls for the account to the registered Contact, Request-URI and all
 * (RFC 3261 §10.3 step 7, §16.5: the proxy's location service "retargets" to it). So a request
 * whose Request-URI names this contact was sent by whoever holds the binding: the trunk. The
 * user part names the trunk and carries a MAC of its name under the trunk's outbound password,
 * so it is stable across restarts (a re-REGISTER updates the same binding, §10.2.4) and cannot
 * be guessed or derived without that password: a stranger who sends an INVITE to a guessed
 * contact falls through to the ordinary identification and is challenged.
 *
 * It is a bearer token, not a secret kept: it travels in clear in every REGISTER (Contact) and in
 * every call the carrier sends (Request-URI) unless the trunk uses TLS, and the carrier lists it.
 * Whoever has seen it can send calls that are taken as the trunk's, from anywhere, unless the
 * trunk has match.addresses. Such a call can do what the carrier can: ring the extensions that
 * routes.inbound maps its DIDs to, with any caller number, and count against maxCalls; trunk
 * callers are never routed out (call-router.ts). docs/pbx-trunks.md says why this stays
 * the default and how to close it (match.addresses, transport tls).
 */
import { createHmac } from 'node:crypto';
import { isSipUri } from '../../sip/message/index.ts';
import type { Uri } from '../../sip/message/types.ts';
import type { Trunk } from '../routing/trunk.ts';

/** 80 bits of the MAC: beyond guessing over a network, short enough for a Request-URI. */
const MAC_HEX_DIGITS = 20;

/** `<trunk name>-<MAC>`: readable in a carrier's registration list, unguessable in full. */
export function registrationContactUser(trunk: Trunk): string {
  if (trunk.outbound === undefined) throw new Error(`trunk ${trunk.name}: registering needs outbound.username and outbound.password`);
  const mac = createHmac('sha256', trunk.outbound.password).update(`callpane registration contact\n${trunk.name}`).digest('hex');
  return `${trunk.name}-${mac.slice(0, MAC_HEX_DIGITS)}`;
}

/** The trunks that register, by the contact user they register. */
export class RegisteredContacts {
  readonly #byUser: ReadonlyMap<string, Trunk>;

  constructor(trunks: readonly Trunk[]) {
    this.#byUser = new Map(trunks.filter((trunk) => trunk.register !== undefined).map((trunk) => [registrationContactUser(trunk), trunk]));
  }

  /** The trunk whose registered contact the Request-URI names, if any. */
  trunkOf(requestUri: Uri): Trunk | undefined {
    if (!isSipUri(requestUri) || requestUri.user === undefined) return undefined;
    return this.#byUser.get(requestUri.user);
  }
}
