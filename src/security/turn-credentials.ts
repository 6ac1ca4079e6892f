/**
 * The ICE servers the pane's RTCPeerConnection is given: the configured STUN servers, and the TURN
 * servers with a short-lived credential for the pane's extension. The credential follows the
 * TURN REST API scheme (draft-uberti-behave-turn-rest-00 §2.2) that coturn checks with
 * `use-auth-secret` / `static-auth-secret`: the username is `{expiry in Unix seconds}:{extension}`
 * and the password is base64(HMAC-SHA1(secret, username)). coturn recomputes the password from
 * the username and refuses the credential once its moment is past, so nothing is stored here and
 * the secret itself never leaves the server. The pane gets a new one with each SIP credential
 * (src/server/api/sip-credential-routes.ts), so it always holds one that works.
 */
import { createHmac } from 'node:crypto';
import type { IceConfig } from '../config/ice-config.ts';

export interface TurnCredential {
  username: string;
  /** Named as RTCIceServer names it. */
  credential: string;
  /** Epoch milliseconds, a whole second. */
  expiresAt: number;
}

/** The TURN REST API credential for `extension` that expires at `expiresAtSeconds`. */
export function turnCredential(secret: string, extension: string, expiresAtSeconds: number): TurnCredential {
  const username = `${expiresAtSeconds}:${extension}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64'), expiresAt: expiresAtSeconds * 1000 };
}

export class PaneIceServers {
  readonly #ice: IceConfig;
  readonly #now: () => number;

  constructor(ice: IceConfig, now: () => number = Date.now) {
    this.#ice = ice;
    this.#now = now;
  }

  get transportPolicy(): IceConfig['transportPolicy'] {
    return this.#ice.transportPolicy;
  }

  /**
   * STUN, then TURN with a credential for `extension` that lasts the configured time but never
   * past `notAfter` (epoch ms: the web session's end), like the SIP credential it comes with.
   */
  for(extension: string, notAfter: number): RTCIceServer[] {
    const servers: RTCIceServer[] = [];
    if (this.#ice.stun.length > 0) servers.push({ urls: [...this.#ice.stun] });
    const turn = this.#ice.turn;
    if (turn !== undefined) {
      const expiresAtSeconds = Math.floor(Math.min(this.#now() + turn.ttlSeconds * 1000, notAfter) / 1000);
      const { username, credential } = turnCredential(turn.secret, extension, expiresAtSeconds);
      servers.push({ urls: [...turn.urls], username, credential });
    }
    return servers;
  }
}
