/**
 * The pane as Dynamics 365 loads it (docs/cif-contract.md §10):
 * - GET /dyncrm?base={org origin}: the shell, when `base` is an allowed origin; otherwise a 400
 *   page naming the allowed patterns, and nothing of the pane loads;
 * - GET /dyncrm/assets/pane.<hash>.js and pane.<hash>.css: the widget, built in memory and
 *   compressed once (pane-bundle.ts). The shell names the current hashes and is never stored, so
 *   the assets can be cached for a year as immutable; any other name (an old build's) is a 404.
 *   Brotli or gzip as Accept-Encoding asks (content-coding.ts), with `Vary: Accept-Encoding`.
 * /dyncrm/login is left to the SSO issue (it is the identity providers' redirect URI).
 */
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SiteOrigin } from '../api/site-origin.ts';
import type { HttpApp } from '../http-server.ts';
import type { Logger } from '../logger.ts';
import { negotiateContentCoding } from '../content-coding.ts';
import type { AllowedCrmOrigins } from './allowed-crm-origins.ts';
import { refusalPolicy, shellPolicy } from './content-security-policy.ts';
import { loadPaneBundle, PANE_SOURCES, type PaneBundle, type PaneSources } from './pane-bundle.ts';
import { PANE_ASSETS_PATH, REFUSAL_STYLE_HASH, renderBaseRefusal, renderPaneShell } from './pane-page.ts';

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
/** A content-hashed name never changes meaning: a year, and no revalidation (RFC 8246). */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const CONTENT_TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

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
        {
          paneJsBytes: bundle.js.bytes,
          paneJsGzipBytes: bundle.js.gzipBytes,
          paneJsBrotliBytes: bundle.js.brotliBytes,
          paneCssGzipBytes: bundle.css.gzipBytes,
          buildMs: bundle.buildMs,
        },
        'pane bundle built',
      ),
    (error: unknown) => logger.error({ err: error }, 'the pane could not be built: /dyncrm and /dyncrm/assets answer 503 until it can'),
  );
}

function unavailable(reply: FastifyReply): FastifyReply {
  return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('The pane is not available: it could not be built (see the server log).\n');
}

export function registerPaneRoutes(app: HttpApp, options: PaneRouteOptions): void {
  const sources = options.sources ?? PANE_SOURCES;
  const logger = options.logger.child({ component: 'pane' });
  prepareBundle(sources, logger);
  const bundle = async (): Promise<PaneBundle | undefined> => {
    try {
      return await loadPaneBundle(sources);
    } catch (error) {
      logger.error({ err: error }, 'the pane could not be built');
      return undefined;
    }
  };

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
    // The shell names the assets by their hashes, so it waits for the first build.
    const built = await bundle();
    if (!built) return unavailable(reply);
    return reply
      .header('content-security-policy', shellPolicy({ base: checked.origin, webSocketOrigin: options.site.webSocketOriginFor(request.headers.host) }))
      .send(renderPaneShell({ base: checked.origin, defaultRegion: options.defaultRegion, version: PANE_VERSION }, { js: built.js.fileName, css: built.css.fileName }));
  });

  app.get(`${PANE_ASSETS_PATH}/:file`, async (request: FastifyRequest<{ Params: { file: string } }>, reply) => {
    reply.headers(COMMON_HEADERS);
    const built = await bundle();
    if (!built) return unavailable(reply);
    const kind = (['js', 'css'] as const).find((name) => built[name].fileName === request.params.file);
    if (!kind) {
      // Not cached: during a rolling update another server may already know this name.
      return reply
        .code(404)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('No such pane asset: the pane was updated since this page loaded; reload it.\n');
    }
    const asset = built[kind];
    const coding = negotiateContentCoding(request.headers['accept-encoding']);
    // RFC 9110 §8.8.3: each coding is its own representation, with its own strong tag.
    const etag = coding === 'identity' ? asset.etag : `${asset.etag.slice(0, -1)}-${coding}"`;
    reply.header('cache-control', IMMUTABLE).header('vary', 'accept-encoding').header('etag', etag);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    if (coding !== 'identity') reply.header('content-encoding', coding);
    return reply.type(CONTENT_TYPES[kind]).send(asset.encoded[coding]);
  });
}
