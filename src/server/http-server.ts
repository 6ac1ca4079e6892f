/**
 * The HTTP(S) server: fastify with /healthz and /metrics. It is created first and listens
 * later (`listen()`), so that the rest of Callpane can add routes and attach to the underlying
 * Node server's `upgrade` event (SIP over WebSocket at /sip, RFC 7118) before requests arrive.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import { fastify, LogController, type FastifyInstance } from 'fastify';
import { trustedProxies } from '../security/trusted-proxies.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { upgradeUrl } from '../net/upgrade-url.ts';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  /** HTTPS (and so WSS) when given. */
  tls?: TlsMaterial;
  /**
   * The reverse proxies (addresses, CIDR blocks; `http.trustProxy`) whose X-Forwarded-For sets
   * `request.ip`, and whose X-Forwarded-Host and -Proto set `request.host` and `request.protocol`.
   * Unset or `false`: `request.ip` is the TCP peer. Deliberately no `true`: see the key in
   * src/config/schema.ts.
   */
  trustProxy?: false | readonly string[];
  logger: Logger;
  metrics: Metrics;
  /**
   * http.publicUrl is https://: browsers reach us over HTTPS through a proxy that ends TLS, so
   * every answer carries HSTS even when the request arrived here as plain HTTP.
   */
  publicHttps?: boolean;
  /** For /healthz uptime; defaults to the time of creation. */
  startedAt?: number;
  now?: () => number;
}

/** Fastify typed with our pino logger; an HTTPS instance is an HTTP one to route handlers. */
export type HttpApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

export interface HttpServer {
  /** Add routes here before `listen()`. */
  readonly app: HttpApp;
  /** The Node server underneath: attach `upgrade` handlers here. HTTPS servers are http.Server too. */
  readonly server: Server;

  readonly https: boolean;
  /** Starts listening; resolves with the URL of the bound address (the real port when 0 was asked). */
  listen(): Promise<string>;
  /** The bound address, once listening. */
  address(): { host: string; port: number } | undefined;
  /**
   * Adds a part to /healthz: its detail appears under `name`, and an unhealthy part makes the
   * status `degraded`. The answer stays 200: Callpane serves, and a restart would not mend a part.
   */
  addHealthCheck(name: string, check: () => HealthCheck): void;
  /** Upgrades for `path` are answered by another listener (SIP over WebSocket): not 404 here. */
  claimUpgradePath(path: string): void;
  close(): Promise<void>;
}

export interface HealthCheck {
  healthy: boolean;
  detail: unknown;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

const claimedUpgradePaths = new WeakMap<Server, Set<string>>();

/**
 * Says that an `upgrade` handler on `server` serves `path`. Upgrades to any other path are
 * answered 404 at once: an unanswered one hangs, and Chromium opens one WebSocket to a host at a
 * time, so it would stall the pane's event channel too.
 */
export function claimUpgradePath(server: Server, path: string): void {
  let paths = claimedUpgradePaths.get(server);
  if (!paths) {
    paths = new Set();
    claimedUpgradePaths.set(server, paths);
  }
  paths.add(path);
}

/** A URL a person on this machine can open: wildcard binds are shown as localhost. */
export function localUrl(host: string, port: number, https: boolean): string {
  const shown = WILDCARDS.has(host) ? 'localhost' : isIPv6(host) ? `[${host}]` : host;
  return `${https ? 'https' : 'http'}://${shown}:${port}`;
}

/**
 * Sent with every response, pages, API answers and 404s alike. No Referer leaves for another site
 * (the pane's URLs carry the CRM's origin), no browser guesses a content type, and once a browser
 * has reached us over HTTPS it uses nothing else for a year (HSTS, RFC 6797; only over HTTPS,
 * where a browser honours it). The pane adds its own Content-Security-Policy (src/server/pane).
 */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    ...(https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  const https = options.tls !== undefined;
  const app: HttpApp = fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    // proxy-addr walks X-Forwarded-For from the right and stops at the first address that is not a
    // listed proxy: a client cannot slip its own entries past the proxy that appends the real one.
    // The same matcher SIP over WebSocket gets (security/trusted-proxies.ts): one list, one client.
    ...(options.trustProxy && options.trustProxy.length > 0 ? { trustProxy: trustedProxies(options.trustProxy) } : {}),
    loggerInstance: options.logger.child({ component: 'http' }),
    // Per-request lines would drown the log in health checks and scrapes; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // request.protocol is 'https' over our own TLS, or when a trusted proxy says so (X-Forwarded-Proto).
  app.addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(securityHeaders(https || options.publicHttps === true || request.protocol === 'https'))) reply.header(name, value);
  });

  const healthChecks = new Map<string, () => HealthCheck>();
  app.get('/healthz', async () => {
    const parts = [...healthChecks].map(([name, check]) => [name, check()] as const);
    const status = parts.every(([, part]) => part.healthy) ? 'ok' : 'degraded';
    return { status, uptimeSeconds: Math.floor((now() - startedAt) / 1000), ...Object.fromEntries(parts.map(([name, part]) => [name, part.detail])) };
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });

  // The claimers (SIP over WebSocket, the event channel) listen for their own paths; every other
  // upgrade, and one whose target cannot be read, is answered here.
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const url = upgradeUrl(request);
    if (url === undefined) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (claimedUpgradePaths.get(app.server)?.has(url.pathname)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  let bound: { host: string; port: number } | undefined;
  return {
    app,
    server: app.server,
    https,
    addHealthCheck(name, check) {
      healthChecks.set(name, check);
    },
    claimUpgradePath(path) {
      claimUpgradePath(app.server, path);
    },
    async listen() {
      try {
        await app.listen({ host: options.host, port: options.port });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
        throw new Error(`cannot listen for HTTP on ${options.host}:${options.port}: ${reason} (set http.port / CALLPANE_HTTP_PORT)`, { cause: error });
      }
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the HTTP server has no TCP address');
      bound = { host: options.host, port: address.port };
      return localUrl(bound.host, bound.port, https);
    },
    address: () => bound,
    close: () => app.close(),
  };
}
