/**
 * The CIF 1.0 channel provider record (`msdyn_ciprovider`) that puts Callpane's panel into the
 * org's apps, made or brought up to date over the Web API by `callpane dynamics setup`, and the
 * same settings as the form an administrator fills in by hand. Columns as Microsoft's table
 * reference names them (https://learn.microsoft.com/dynamics365/developer/reference/entities/msdyn_ciprovider,
 * https://learn.microsoft.com/dynamics365/channel-integration-framework/v1/develop/reference/entities-attributes/msdyn-ciprovider):
 * msdyn_name (Name), msdyn_label (Label, the panel's title), msdyn_landingurl (Channel URL),
 * msdyn_clicktoact (Enable Outbound Communication), msdyn_ciproviderapiversion (API Version:
 * 0 is 1.0), msdyn_trusteddomain (Trusted Domain), msdyn_sortorder (Channel Order),
 * msdyn_roleselector (the security roles that see the panel: role ids, `;`-separated).
 *
 * Idempotent: the record is found by its Name; only columns that differ are written, and an
 * inactive record is activated again. A new record gets an id derived from the org, and is made
 * by a create-only upsert (`PATCH` with `If-None-Match: *`), so a create the client retried after
 * a lost answer cannot make a second record: the retry finds the first (412) and updates it.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api#limit-upsert-operations
 * The Channel URL is `{Callpane}/dyncrm?base={org URL}`
 * (docs/cif-contract.md §8).
 */
import { nameBasedUuid } from '../../crm/activity-id.ts';
import type { WebApiClient } from '../web-api/web-api-client.ts';
import { odataString } from './odata-string.ts';

/** msdyn_name: how setup finds its record again. */
export const CHANNEL_PROVIDER_NAME = 'Callpane';
export const DEFAULT_CHANNEL_LABEL = 'Callpane for Dynamics 365';
/** msdyn_ciproviderapiversion: 0 is "1.0", the CIF version Callpane speaks. */
export const CIF_API_VERSION_1_0 = 0;
export const CHANNEL_PATH = '/dyncrm';
/** Namespace of the record ids setup gives (drawn once at random; changing it would make a second record). */
const RECORD_ID_NAMESPACE = '6b1d3c0e-5a7f-4e21-9c84-0d2f7a9e31b5';

/** The id setup gives the record it makes in the org `orgUrl`. */
export function channelProviderId(orgUrl: string): string {
  return nameBasedUuid(RECORD_ID_NAMESPACE, `msdyn_ciprovider:${new URL(orgUrl).origin}:${CHANNEL_PROVIDER_NAME}`);
}

export interface ChannelProviderSettings {
  channelUrl: string;
  label: string;
  /** Channel Order: the lowest is shown first. */
  order: number;
  /** Ids of the roles whose users see the panel (none: System Administrators only). */
  roleIds: readonly string[];
}

const COLUMNS = [
  'msdyn_name',
  'msdyn_label',
  'msdyn_landingurl',
  'msdyn_clicktoact',
  'msdyn_ciproviderapiversion',
  'msdyn_trusteddomain',
  'msdyn_sortorder',
  'msdyn_roleselector',
] as const;
type Column = (typeof COLUMNS)[number];

/** The record's columns for `settings`. The Trusted Domain is the Channel URL's origin, where the pane itself runs. */
export function channelProviderColumns(settings: ChannelProviderSettings): Record<Column, string | number | boolean> {
  return {
    msdyn_name: CHANNEL_PROVIDER_NAME,
    msdyn_label: settings.label,
    msdyn_landingurl: settings.channelUrl,
    msdyn_clicktoact: true,
    msdyn_ciproviderapiversion: CIF_API_VERSION_1_0,
    msdyn_trusteddomain: new URL(settings.channelUrl).origin,
    msdyn_sortorder: settings.order,
    msdyn_roleselector: settings.roleIds.map((id) => id.toLowerCase()).join(';'),
  };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** Why Dynamics would not show Callpane for `url` in the org `orgUrl`, or undefined. */
export function channelUrlProblem(url: string, orgUrl: string): string | undefined {
  if (!URL.canParse(url)) return `${JSON.stringify(url)} is not an absolute URL`;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname)))
    return `${parsed.origin} is not HTTPS: Dynamics 365 loads a Channel URL only over HTTPS`;
  if (!parsed.pathname.endsWith(CHANNEL_PATH)) return `the path must end in ${CHANNEL_PATH} (Callpane's page for Dynamics), not ${parsed.pathname}`;
  const base = parsed.searchParams.get('base');
  if (base === null) return `the base parameter is missing: ${CHANNEL_PATH}?base=${new URL(orgUrl).origin}`;
  if (!URL.canParse(base) || new URL(base).origin !== new URL(orgUrl).origin) return `base=${base} is not this org (${new URL(orgUrl).origin})`;
  return undefined;
}

/** Whether a landing URL is this Callpane's page for this org. */
export function pointsAtCallpane(landingUrl: string, paneUrl: string, orgUrl: string): boolean {
  if (!URL.canParse(landingUrl) || channelUrlProblem(landingUrl, orgUrl) !== undefined) return false;
  const landing = new URL(landingUrl);
  const pane = new URL(paneUrl);
  return landing.origin === pane.origin && landing.pathname === `${pane.pathname.replace(/\/+$/, '')}${CHANNEL_PATH}`;
}

/** The Channel URL for this Callpane and org. */
export function callpaneChannelUrl(paneUrl: string, orgUrl: string): string {
  return `${paneUrl.replace(/\/+$/, '')}${CHANNEL_PATH}?base=${new URL(orgUrl).origin}`;
}

export interface ChannelProviderResult {
  action: 'created' | 'updated' | 'unchanged';
  id: string;
  /** The columns written (all of them when created). */
  changed: string[];
}

/** Creates the record or brings it to `settings` in the org `orgUrl`; Web API errors (403: the role may not) are the caller's to report. */
export async function applyChannelProvider(client: WebApiClient, orgUrl: string, settings: ChannelProviderSettings, signal?: AbortSignal): Promise<ChannelProviderResult> {
  const wanted = channelProviderColumns(settings);
  const select = `$select=msdyn_ciproviderid,statecode,${COLUMNS.join(',')}`;
  const query = `msdyn_ciproviders?${select}&$filter=${encodeURIComponent(`msdyn_name eq ${odataString(CHANNEL_PROVIDER_NAME)}`)}&$orderby=createdon asc&$top=1`;
  const found = await client.request({ method: 'GET', path: query }, signal);
  let existing = (found.body as { value?: Record<string, unknown>[] } | undefined)?.value?.[0];
  if (existing === undefined) {
    const id = channelProviderId(orgUrl);
    const created = await client.request({ method: 'PATCH', path: `msdyn_ciproviders(${id})`, body: wanted, headers: { 'If-None-Match': '*' }, accept: [412] }, signal);
    if (created.status !== 412) return { action: 'created', id, changed: [...COLUMNS] };
    // Already there under setup's own id (renamed since, or made by an earlier attempt whose answer was lost).
    existing = (await client.request({ method: 'GET', path: `msdyn_ciproviders(${id})?${select}` }, signal)).body as Record<string, unknown>;
  }
  const id = String(existing.msdyn_ciproviderid);
  const changes: Record<string, unknown> = {};
  for (const column of COLUMNS) if (!sameValue(existing[column], wanted[column])) changes[column] = wanted[column];
  if (existing.statecode !== 0) Object.assign(changes, { statecode: 0, statuscode: 1 });
  if (Object.keys(changes).length === 0) return { action: 'unchanged', id, changed: [] };
  await client.request({ method: 'PATCH', path: `msdyn_ciproviders(${id})`, body: changes, headers: { 'If-Match': '*' } }, signal);
  return { action: 'updated', id, changed: Object.keys(changes) };
}

function sameValue(current: unknown, wanted: unknown): boolean {
  // An empty text column reads back as null.
  return current === wanted || ((current === null || current === undefined) && wanted === '');
}

/**
 * The same record by hand, for an administrator who keeps Create/Write on msdyn_ciprovider from
 * the app: https://learn.microsoft.com/dynamics365/channel-integration-framework/v1/administer/configure-channel-provider-channel-integration-framework
 */
export function manualSteps(settings: ChannelProviderSettings, roleNames: readonly string[]): string[] {
  const columns = channelProviderColumns(settings);
  return [
    'In Dynamics 365, open the Channel Integration Framework app, then Channel Providers, then + New, and fill in:',
    `  Name                               ${columns.msdyn_name}`,
    `  Label                              ${columns.msdyn_label}`,
    `  Channel URL                        ${columns.msdyn_landingurl}`,
    '  Enable Outbound Communication      Yes',
    '  API Version                        1.0',
    `  Channel Order                      ${columns.msdyn_sortorder}`,
    `  Trusted Domain                     ${columns.msdyn_trusteddomain}`,
    '  Select Unified Interface Apps      the apps your agents use (e.g. Sales Hub)',
    `  Select the roles for the channel   ${roleNames.length > 0 ? roleNames.join(', ') : "your agents' roles (without any, only System Administrators see the panel)"}`,
    'then Save. Open the app again: the panel with the Channel URL appears on the right.',
  ];
}
