/**
 * Sign-in with an identity provider (issue 6 §1), OpenID Connect authorization code flow with
 * PKCE (RFC 7636, S256), run in a popup because identity pages refuse to be framed
 * (docs/cif-contract.md §6):
 * - GET /dyncrm/sso/start?provider={id}&handoff={SHA-256 of the pane's secret}: remembers a new
 *   flow (state, nonce, PKCE verifier, handoff) bound to this browser (sso-flows.ts) and
 *   redirects to the provider;
 * - GET /dyncrm/login: the redirect URI administrators register. Takes the flow its `state`
 *   names, has openid-client redeem the code and check the ID token (signature, issuer, audience,
 *   expiry, nonce; the PKCE verifier goes to the token endpoint), checks the organisation and
 *   maps the e-mail address to an extension (sso-identity.ts), and records the outcome under the
 *   flow's handoff, for the pane to claim (sso-handoffs.ts, sso-api-routes.ts): the session
 *   starts in the pane's request, never here. The page it answers shows the outcome and nudges
 *   the pane (sso-result-page.ts). Every failure answers that page with a code and a message.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { SsoProvider } from '../../config/sso-providers.ts';
import type { ExtensionRepository } from '../../store/extension-repository.ts';
import type { SiteOrigin } from '../api/site-origin.ts';
import type { HttpApp } from '../http-server.ts';
import { SsoErrorCode } from '../../contract/sso.ts';
import { clientKey } from '../../net/client-key.ts';
import { FailureLockout, type LockoutPolicy } from '../../security/failure-lockout.ts';
import type { Logger } from '../logger.ts';
import { OidcClients } from './oidc-clients.ts';
import { SsoError } from './sso-errors.ts';
import { bindingCookie, bindingFrom, SsoFlows } from './sso-flows.ts';
import { HANDOFF_SHAPE, type SsoHandoffs } from './sso-handoffs.ts';
import { emailOf } from './sso-identity.ts';
import { renderSsoResult, SSO_RESULT_POLICY, SSO_RESULT_SCRIPT, SSO_RESULT_SCRIPT_PATH, type SsoResultMessage } from './sso-result-page.ts';

export const SSO_START_PATH = '/dyncrm/sso/start';
export const SSO_REDIRECT_PATH = '/dyncrm/login';

/**
 * Sign-ins one address (an IPv6 /64, client-key.ts) may start per 10 minutes. Pending sign-ins are kept in memory (bounded,
 * oldest dropped first), so without a limit one client could push everyone else's out. Generous,
 * because a whole call centre may sit behind one address at the start of a shift.
 */
export const START_POLICY: LockoutPolicy = { limit: 300, windowMs: 10 * 60_000, banMs: 10 * 60_000 };

/** `email` for the mapping; `profile` for a name in the provider's consent screen. */
const SCOPES = 'openid email profile';
/** What of an identity provider's error text reaches the page and the log. */
const MAX_PROVIDER_TEXT = 200;

export interface SsoRouteOptions {
  providers: readonly SsoProvider[];
  extensions: ExtensionRepository;
  /** Where outcomes wait for the pane to claim them. */
  handoffs: SsoHandoffs;
  site: SiteOrigin;
  logger: Logger;
  clients?: OidcClients;
  flows?: SsoFlows;
  startPolicy?: LockoutPolicy;
  now?: () => number;
}

type Query = Record<string, string | string[] | undefined>;

const STATUS: Record<SsoErrorCode, number> = {
  SSO_UNKNOWN_PROVIDER: 404,
  SSO_HANDOFF_INVALID: 400,
  SSO_TOO_MANY_STARTS: 429,
  SSO_PROVIDER_UNAVAILABLE: 502,
  SSO_STATE_MISMATCH: 400,
  SSO_PROVIDER_ERROR: 400,
  SSO_TOKEN_REJECTED: 400,
  SSO_ORGANIZATION_NOT_ALLOWED: 403,
  SSO_EMAIL_MISSING: 403,
  SSO_NO_EXTENSION: 403,
};

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sendResult(reply: FastifyReply, status: number, result: SsoResultMessage): FastifyReply {
  return reply
    .code(status)
    .headers({ 'content-security-policy': SSO_RESULT_POLICY, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' })
    .type('text/html; charset=utf-8')
    .send(renderSsoResult(result));
}

function sendFailure(reply: FastifyReply, error: SsoError): FastifyReply {
  return sendResult(reply, STATUS[error.code], { type: 'callpane-sso', ok: false, code: error.code, message: error.message });
}

export function registerSsoRoutes(app: HttpApp, options: SsoRouteOptions): void {
  const clients = options.clients ?? new OidcClients();
  const flows = options.flows ?? new SsoFlows(options.now);
  const logger = options.logger.child({ component: 'sso' });
  const byId = new Map(options.providers.map((provider) => [provider.id, provider]));
  // FailureLockout counts any event per key: here, every start per address.
  const starts = new FailureLockout(options.startPolicy ?? START_POLICY, options.now);

  async function clientFor(provider: SsoProvider): Promise<oidc.Configuration> {
    try {
      return await clients.get(provider);
    } catch (error) {
      logger.error({ err: error, provider: provider.id, issuer: provider.issuer }, 'identity provider discovery failed');
      throw new SsoError(SsoErrorCode.PROVIDER_UNAVAILABLE, `${provider.label} sign-in is not available right now: the identity provider could not be reached. Try again later.`);
    }
  }

  app.get(SSO_RESULT_SCRIPT_PATH, async (_request, reply) =>
    reply.headers({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).type('text/javascript; charset=utf-8').send(SSO_RESULT_SCRIPT),
  );

  app.get(SSO_START_PATH, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    try {
      const requester = clientKey(request.ip);
      if (starts.lockedUntil(requester) !== undefined) {
        throw new SsoError(SsoErrorCode.TOO_MANY_STARTS, 'Too many sign-ins were started from this network. Wait a few minutes and try again.');
      }
      const provider = byId.get(single(request.query.provider) ?? '');
      if (!provider) throw new SsoError(SsoErrorCode.UNKNOWN_PROVIDER, 'This sign-in provider is not configured.');
      // Only the pane may start a sign-in: its popup is navigated by the pane's own script, so the
      // browser says `Sec-Fetch-Site: same-origin`. A link in an e-mail (`none`) or on another
      // site (`cross-site`) must not start one: the victim's browser would sign in silently under
      // a handoff the link's author holds the secret of, and that author would claim the session.
      // https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
      const handoff = single(request.query.handoff);
      if (request.headers['sec-fetch-site'] !== 'same-origin' || handoff === undefined || !HANDOFF_SHAPE.test(handoff)) {
        throw new SsoError(SsoErrorCode.HANDOFF_INVALID, 'Start the sign-in from the Callpane pane: this address does not come from it.');
      }
      const origin = options.site.originFor(request.headers.host);
      if (origin === undefined) throw new SsoError(SsoErrorCode.STATE_MISMATCH, 'The request names no valid host.');
      const client = await clientFor(provider);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const redirectUri = `${origin}${SSO_REDIRECT_PATH}`;
      // One binding per browser, kept across flows, so two popups in a row do not cancel each other.
      const binding = bindingFrom(request.headers.cookie) ?? SsoFlows.newBinding();
      // A handoff names one sign-in only: one already seen (from a URL or history) is refused, so
      // nobody can restart or overwrite the outcome another pane is waiting for.
      if (!options.handoffs.begin(handoff)) {
        throw new SsoError(SsoErrorCode.HANDOFF_INVALID, 'This sign-in was already started. Close this window and sign in again from the pane.');
      }
      flows.start(state, binding, { providerId: provider.id, codeVerifier, nonce, redirectUri, handoff });
      // Counted only once something is kept: refused requests cannot use up a shared address's allowance.
      starts.recordFailure(requester);
      const parameters: Record<string, string> = {
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: SCOPES,
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      };
      // A hint only (the ID token's hd is what counts): Google then offers only that domain's accounts.
      if (provider.hostedDomain !== undefined) parameters.hd = provider.hostedDomain;
      const target = oidc.buildAuthorizationUrl(client, parameters);
      return reply
        .code(302)
        .headers({ location: target.href, 'set-cookie': bindingCookie(binding), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
        .send();
    } catch (error) {
      if (error instanceof SsoError) return sendFailure(reply, error);
      throw error;
    }
  });

  app.get(SSO_REDIRECT_PATH, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const audit = { event: 'login', method: 'sso', address: request.ip };
    let providerId: string | undefined;
    let handoff: string | undefined;
    let email: string | undefined;
    try {
      const state = single(request.query.state);
      const flow = flows.take(state, bindingFrom(request.headers.cookie));
      if (!flow) {
        throw new SsoError(SsoErrorCode.STATE_MISMATCH, 'This sign-in was not started in this browser, has expired or was already used. Close this window and sign in again.');
      }
      providerId = flow.providerId;
      handoff = flow.handoff;
      const provider = byId.get(flow.providerId);
      if (!provider) throw new SsoError(SsoErrorCode.UNKNOWN_PROVIDER, 'This sign-in provider is no longer configured.');
      const providerError = single(request.query.error);
      if (providerError !== undefined) {
        const description = single(request.query.error_description)?.slice(0, MAX_PROVIDER_TEXT);
        throw new SsoError(
          SsoErrorCode.PROVIDER_ERROR,
          `${provider.label} did not sign you in (${providerError.slice(0, MAX_PROVIDER_TEXT)}${description ? `: ${description}` : ''}).`,
        );
      }
      const client = await clientFor(provider);
      const query = request.url.slice(request.url.indexOf('?'));
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(client, new URL(`${flow.redirectUri}${query}`), {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = { ...tokens.claims() };
      } catch (error) {
        // The cause names the failed check (audience, expiry, replayed code…); it goes to the log, not the page.
        logger.warn({ provider: provider.id, reason: (error as Error).message?.slice(0, MAX_PROVIDER_TEXT), code: (error as { code?: unknown }).code }, 'ID token or code refused');
        throw new SsoError(SsoErrorCode.TOKEN_REJECTED, `${provider.label} sign-in could not be verified. Close this window and sign in again.`, { cause: error });
      }
      email = emailOf(provider, claims);
      const extension = options.extensions.getByEmail(email);
      if (!extension) {
        throw new SsoError(SsoErrorCode.NO_EXTENSION, `No extension has the e-mail address ${email}. Ask your administrator to set it on your extension.`);
      }
      options.handoffs.finish(flow.handoff, { status: 'succeeded', extension: extension.number });
      request.log.info({ ...audit, provider: provider.id, login: email, outcome: 'success', reason: 'sso-accepted', extension: extension.number }, 'web login');
      return sendResult(reply, 200, { type: 'callpane-sso', ok: true, extension: { number: extension.number, displayName: extension.displayName } });
    } catch (error) {
      if (!(error instanceof SsoError)) throw error;
      request.log.warn({ ...audit, provider: providerId, login: email, outcome: 'failure', reason: error.code }, 'web login refused');
      if (handoff !== undefined) options.handoffs.finish(handoff, { status: 'failed', code: error.code, message: error.message });
      return sendFailure(reply, error);
    }
  });
}
