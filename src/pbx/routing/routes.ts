/**
 * Inbound and outbound routes as the configuration describes them (see
 * docs/pbx-trunks.md and ./dial-pattern.ts for the number and pattern syntax).
 * First match wins in both lists.
 */

export interface InboundRoute {
  /** The called number (DID): exact, or a `_` pattern; a leading `+` is ignored on both sides. */
  did: string;
  /** The extension that rings. */
  extension: string;
}

export interface OutboundRoute {
  /** The dialled number: exact, or a `_` pattern. */
  pattern: string;
  /** Name of the trunk the call goes out on. */
  trunk: string;
  /** Characters removed from the start of the dialled number (a leading `+` counts). */
  strip?: number;
  /** Put in front of what is left after stripping. */
  prepend?: string;
  /** Caller id for calls on this route, unless the extension has its own. */
  callerId?: string;
}

export interface Routes {
  inbound: InboundRoute[];
  outbound: OutboundRoute[];
  /** Outbound caller id per extension number; wins over the route's and the trunk's. */
  callerIds: Record<string, string>;
}
