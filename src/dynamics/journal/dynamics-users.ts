/**
 * Who an agent is in Dynamics, for the activities the server writes on their behalf: the enabled
 * `systemuser` whose primary e-mail (`internalemailaddress`) or user name (`domainname`, the
 * Entra ID sign-in name) is the extension's e-mail, found by one query
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/systemuser).
 * The answer, found or not, is kept for a while: every call of a busy agent would otherwise cost
 * a query against the service protection limits (docs/dataverse.md §10), and a user added in
 * Dynamics is seen once the entry expires.
 *
 * The user's language lives in `usersettings.uilanguageid`, asked only when the agent's setting
 * says "Dynamics' language" (unknown when the role may not read it). The application user the server signs in as comes from WhoAmI.
 */
import { normalizeGuid } from '../../crm/crm-entities.ts';
import type { WebApiClient } from '../web-api/web-api-client.ts';

export interface DynamicsUser {
  /** Lower-case GUID. */
  id: string;
  fullName: string;
}

export interface DynamicsUsersOptions {
  /** How long an answer is kept (default 10 minutes). */
  ttlMs?: number;
  now?: () => number;
}

interface Cached<T> {
  value: T;
  expiresAt: number;
}

const DEFAULT_TTL_MS = 10 * 60_000;

/** An OData string literal: single quotes doubled (OData URL conventions §5.1.1.6.1). */
export function odataString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export class DynamicsUsers {
  readonly #client: WebApiClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #byEmail = new Map<string, Cached<DynamicsUser | undefined>>();
  readonly #languages = new Map<string, Cached<number | undefined>>();
  #applicationUser: string | undefined;

  constructor(client: WebApiClient, options: DynamicsUsersOptions = {}) {
    this.#client = client;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The enabled Dynamics user with this e-mail; undefined when there is none. */
  async byEmail(email: string, signal?: AbortSignal): Promise<DynamicsUser | undefined> {
    const key = email.trim().toLowerCase();
    return this.#cached(this.#byEmail, key, async () => {
      const address = odataString(email.trim());
      const filter = `(internalemailaddress eq ${address} or domainname eq ${address}) and isdisabled eq false`;
      const answer = await this.#client.request({ method: 'GET', path: `systemusers?$select=systemuserid,fullname&$filter=${encodeURIComponent(filter)}&$top=2` }, signal);
      const rows = (answer.body as { value?: Array<{ systemuserid?: unknown; fullname?: unknown }> } | undefined)?.value ?? [];
      // Two enabled users with one address: which is the agent is unknown, so neither is chosen.
      const [only, second] = rows;
      if (!only || second || typeof only.systemuserid !== 'string') return undefined;
      return { id: normalizeGuid(only.systemuserid, 'systemuserid'), fullName: typeof only.fullname === 'string' ? only.fullname : '' };
    });
  }

  /** The user's UI language as an LCID (1033 English, 2052 Chinese…); undefined when not set. */
  async language(userId: string, signal?: AbortSignal): Promise<number | undefined> {
    return this.#cached(this.#languages, userId, async () => {
      // 403: the application user's role need not read other users' settings (prvReadUserSettings);
      // the language then is the default one, which is no reason to hold the call back.
      const answer = await this.#client.request(
        { method: 'GET', path: `usersettingscollection(${normalizeGuid(userId, 'systemuserid')})?$select=uilanguageid`, accept: [403, 404] },
        signal,
      );
      const lcid = (answer.body as { uilanguageid?: unknown } | undefined)?.uilanguageid;
      return answer.status === 200 && typeof lcid === 'number' ? lcid : undefined;
    });
  }

  /** The systemuserid the server's own requests run as (WhoAmI); asked once. */
  async applicationUser(signal?: AbortSignal): Promise<string> {
    if (this.#applicationUser === undefined) {
      const answer = await this.#client.request({ method: 'GET', path: 'WhoAmI' }, signal);
      const userId = (answer.body as { UserId?: unknown } | undefined)?.UserId;
      if (typeof userId !== 'string') throw new TypeError('WhoAmI answered without a UserId');
      this.#applicationUser = normalizeGuid(userId, 'WhoAmI UserId');
    }
    return this.#applicationUser;
  }

  async #cached<T>(cache: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = await load();
    cache.set(key, { value, expiresAt: now + this.#ttlMs });
    return value;
  }
}
