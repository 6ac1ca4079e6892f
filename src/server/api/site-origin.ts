/**
 * The origin a browser reached Callpane at, for what must name it: the pane's CSP
 * (`connect-src` for the WebSockets), the SIP WebSocket URL handed to the pane, and the event
 * channel's check that a cookie-carrying handshake comes from our own pages.
 *
 * The host is the request's Host header (the name the browser used), checked to be a plain
 * host[:port] so nothing else can slip into a header or a policy. The scheme is https when this
 * server speaks TLS, or when http.publicUrl is https for that very host (TLS ended at a reverse
 * proxy in front of us).
 */

export interface SiteOriginOptions {
  /** This server speaks HTTPS itself. */
  https: boolean;
  /** config.http.publicUrl. */
  publicUrl: string | undefined;
}

/** A host name (underscores allowed: container names have them), an IPv4 address or a bracketed IPv6 address, with an optional port. */
const HOST_HEADER = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i;

export interface SiteOrigin {
  /** `http(s)://host[:port]` for this Host header; undefined when it is missing or malformed. */
  originFor(host: string | undefined): string | undefined;
  /** `ws(s)://host[:port]`, the same origin for WebSockets. */
  webSocketOriginFor(host: string | undefined): string | undefined;
}

export function createSiteOrigin({ https, publicUrl }: SiteOriginOptions): SiteOrigin {
  const publicOrigin = publicUrl === undefined ? undefined : new URL(publicUrl);
  const originFor = (host: string | undefined): string | undefined => {
    if (host === undefined || !HOST_HEADER.test(host)) return undefined;
    const name = host.toLowerCase();
    const secure = https || (publicOrigin?.protocol === 'https:' && publicOrigin.host === name);
    // Through URL, so a default port (":443" on https) is dropped as browsers drop it in Origin;
    // what URL refuses (port 99999, a bracketed non-address) is no host of ours.
    try {
      return new URL(`${secure ? 'https' : 'http'}://${name}`).origin;
    } catch {
      return undefined;
    }
  };
  return {
    originFor,
    webSocketOriginFor(host) {
      return originFor(host)?.replace(/^http/, 'ws');
    },
  };
}
