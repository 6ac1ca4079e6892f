/** GET /api/sip/credentials: what the pane's SIP user agent registers and places calls with. Never shown, never stored. */

/** A STUN or TURN server, as WebRTC's RTCIceServer names the fields (W3C WebRTC §4.2.4). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface SipCredentials {
  wsUrl: string;
  uri: string;
  authorizationUser: string;
  password: string;
  /** When the credential stops registering (ISO 8601): fetch new ones before. */
  expiresAt: string;
  /** The same, as seconds from this answer: for clients whose clock differs from the server's. */
  expiresInSeconds: number;
  displayName: string;
  registrarServer: string;
  iceServers: IceServer[];
  /** `relay`: the pane offers and accepts TURN-relayed candidates only; absent: `all`. */
  iceTransportPolicy?: 'all' | 'relay';
}
