/**
 * The pane as Dynamics 365 loads it (pane-contract.md):
 * - GET /dyncrm?base={org origin}: the shell, when `base` is an allowed origin; otherwise a 400
 *   page naming the allowed patterns, and nothing of the pane loads;
 * - GET /dyncrm/assets/pane.js and pane.css: the widget, built in memory (pane-bundle.ts), with
 *   ETags for revalidation.
 * /dyncrm/login is left to the SSO issue (it is the identity providers' redirect URI).
 */
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SiteOrigin } from '../api/site-origin.ts';
import type { HttpApp } from '../http-server.ts';
import type { Logger } from '../logger.ts';
import type { AllowedCrmOrigins } from './allowed-crm-origins.ts';
import { refusalPolicy, shellPolicy } from './content-security-policy.ts';
import { loadPaneBundle, PANE_SOURCES, type PaneAsset, type PaneSources } from './pane-bundle.ts';
import { PANE_ASSET_PATHS, REFUSAL_STYLE_HASH, renderBaseRefusal, renderPaneShell } from './pane-page.ts';

export const PANE_PATH = '/dyncrm';

/** The version the pane reports (package.json), read once. */
export const PANE_VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface PaneRouteOptions {
  origins: AllowedCrmOrigins;
  /** config.crm.defaultRegion. */
  defaultRegion: string;
  site: SiteOrigin;
  logger: Logger;
  /** The widget's sources; the real ones unless a test points elsewhere. */
  sources?: PaneSources;
}

const COMMON_HEADERS = { 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' } as const;

/** RFC 9110 §13.1.2: If-None-Match holds `*` or a list of entity tags; weak ones compare too. */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/** Starts building the bundle now, logging its size, so the first pane load does not wait. */
function prepareBundle(sources: PaneSources, logger: Logger): void {
  loadPaneBundle(sources).then(
    (bundle) =>
      logger.debug(
        { paneJsBytes: bundle.js.bytes, paneJsGzipBytes: bundle.js.gzipBytes, paneCssGzipBytes: bundle.css.gzipBytes, buildMs: bundle.buildMs },
        'pane bundle built',
      ),
    (error: unknown) => logger.error({ err: error }, 'the pane could not be built: /dyncrm/assets answer 503 until it can'),
  );
}

export function registerPaneRoutes(app: HttpApp, options: PaneRouteOptions): void {
  const sources = options.sources ?? PANE_SOURCES;
  const logger = options.logger.child({ component: 'pane' });
  prepareBundle(sources, logger);

  app.get(PANE_PATH, async (request: FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>, reply) => {
    const base = request.query.base;
    const checked = Array.isArray(base) ? { ok: false as const, problem: 'base is given more than once' } : options.origins.check(base);
    reply.headers(COMMON_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (!checked.ok) {
      const patterns = options.origins.patterns();
      return reply
        .code(400)
        .header('content-security-policy', refusalPolicy(REFUSAL_STYLE_HASH, patterns))
        .send(renderBaseRefusal({ problem: checked.problem, patterns, ownOrigin: options.site.originFor(request.headers.host) }));
    }
    return reply
      .header('content-security-policy', shellPolicy({ base: checked.origin, webSocketOrigin: options.site.webSocketOriginFor(request.headers.host) }))
      .send(renderPaneShell({ base: checked.origin, defaultRegion: options.defaultRegion, version: PANE_VERSION }));
  });

  const serveAsset = (pick: (bundle: Awaited<ReturnType<typeof loadPaneBundle>>) => PaneAsset, type: string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      reply.headers(COMMON_HEADERS);
      let asset: PaneAsset;
      try {
        asset = pick(await loadPaneBundle(sources));
      } catch (error) {
        logger.error({ err: error }, 'the pane could not be built');
        return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('The pane is not available: it could not be built (see the server log).\n');
      }
      reply.header('cache-control', 'no-cache').header('etag', asset.etag);
      if (matchesEtag(request.headers['if-none-match'], asset.etag)) return reply.code(304).send();
      return reply.type(type).send(asset.body);
    };
  app.get(PANE_ASSET_PATHS.js, serveAsset((bundle) => bundle.js, 'text/javascript; charset=utf-8'));
  app.get(PANE_ASSET_PATHS.css, serveAsset((bundle) => bundle.css, 'text/css; charset=utf-8'));
}
