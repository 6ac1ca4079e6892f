/**
 * The channel provider the panel shows, read from the `msdyn_ciprovider` records an administrator
 * (or `callpane dynamics setup`) makes, as Dynamics reads them (docs/cif-contract.md §8): the
 * active records the user's security roles select, CIF 1.0 ones, for the app or for every app,
 * lowest Channel Order first. None, and there is no panel. The record gives the landing URL
 * framed in the panel (verbatim), whether click-to-act starts on, the Trusted Domain, the custom
 * parameters getEnvironment returns and extra iframe sandbox tokens.
 */
import { originOf } from './cif/cif-protocol.ts';
import { SALESPERSON, SYSTEM_ADMINISTRATOR, type Dataverse } from './dataverse/index.ts';
import { PANEL_FRAME_SANDBOX } from './ui/channel-panel.ts';

export interface ChannelProvider {
  /** msdyn_label: the panel's title. */
  label: string;
  /** msdyn_landingurl: the Channel URL, put into the iframe as it is. */
  landingUrl: string;
  /** msdyn_clicktoact ("Enable Outbound Communication"): click-to-act at page load. */
  clickToAct: boolean;
  /** msdyn_trusteddomain: a further origin the host accepts messages from. */
  trustedDomain?: string;
  /** msdyn_customparams: returned by getEnvironment as `customParams`. */
  customParams?: string;
  /** msdyn_sandboxconfiguration: sandbox tokens the iframe gets besides Dynamics' own. */
  sandboxConfiguration?: string;
}

/** The record registerChannelProvider writes (one per sandbox, so a restart updates it). */
export const SANDBOX_PROVIDER_ID = 'c1f00000-0000-4000-8000-000000000001';

/** msdyn_ciproviderapiversion: 0 is CIF 1.0, the only version the sandbox plays. */
const CIF_1_0 = 0;
const SANDBOX_TOKEN = /^allow-[a-z-]+$/;

/**
 * The provider the user `userId` sees in the app `appId`, or undefined. A record is for the users
 * holding a role its Role Selector names (role ids, matched as the CIF solution matches them, by
 * containment); System Administrators see every record, as Microsoft's CIF FAQ says
 * (https://learn.microsoft.com/dynamics365/channel-integration-framework/v1/administer/faq-channel-integration-framework). An App Selector
 * that is set must name the app.
 */
export function channelProviderFor(dataverse: Dataverse, userId: string, appId: string): ChannelProvider | undefined {
  const roles = dataverse.rolesOf(userId);
  const administrator = roles.includes(SYSTEM_ADMINISTRATOR.id);
  const includes = (list: unknown, id: string) => typeof list === 'string' && list.toLowerCase().includes(id.toLowerCase());
  const records = dataverse.retrieveMultiple('msdyn_ciproviders', { $filter: 'statecode eq 0', $orderby: 'msdyn_sortorder asc,createdon asc' }).records;
  const record = records.find(
    (row) =>
      (row.msdyn_ciproviderapiversion ?? CIF_1_0) === CIF_1_0 &&
      (administrator || roles.some((role) => includes(row.msdyn_roleselector, role))) &&
      (row.msdyn_appselector === null || row.msdyn_appselector === '' || includes(row.msdyn_appselector, appId)),
  );
  if (!record) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const provider: ChannelProvider = {
    label: text(record.msdyn_label) ?? text(record.msdyn_name) ?? '',
    landingUrl: text(record.msdyn_landingurl) ?? '',
    clickToAct: record.msdyn_clicktoact === true,
  };
  const optional = { trustedDomain: record.msdyn_trusteddomain, customParams: record.msdyn_customparams, sandboxConfiguration: record.msdyn_sandboxconfiguration };
  for (const [key, value] of Object.entries(optional)) if (text(value) !== undefined) provider[key as keyof typeof optional] = value as string;
  return provider;
}

/**
 * Creates or updates the sandbox's channel provider record as an administrator fills it in
 * (docs/cif-contract.md §8): CIF 1.0, first in order, for the agents' and administrators' roles.
 */
export function registerChannelProvider(dataverse: Dataverse, provider: ChannelProvider): void {
  dataverse.upsert('msdyn_ciproviders', SANDBOX_PROVIDER_ID, {
    msdyn_name: 'Callpane',
    msdyn_label: provider.label,
    msdyn_landingurl: provider.landingUrl,
    msdyn_clicktoact: provider.clickToAct,
    msdyn_sortorder: 0,
    msdyn_ciproviderapiversion: CIF_1_0,
    msdyn_roleselector: [SALESPERSON.id, SYSTEM_ADMINISTRATOR.id].join(';'),
    msdyn_trusteddomain: provider.trustedDomain ?? null,
    msdyn_customparams: provider.customParams ?? null,
    msdyn_sandboxconfiguration: provider.sandboxConfiguration ?? null,
  });
}

/** The iframe's sandbox attribute: Dynamics' tokens plus the well-formed `allow-…` tokens of the Sandbox Configuration. */
export function panelFrameSandbox(provider: ChannelProvider): string {
  const tokens = PANEL_FRAME_SANDBOX.split(' ');
  for (const token of (provider.sandboxConfiguration ?? '').split(/[\s,;]+/)) if (SANDBOX_TOKEN.test(token) && !tokens.includes(token)) tokens.push(token);
  return tokens.join(' ');
}

export const DEFAULT_PROVIDER_LABEL = 'Callpane for Dynamics 365';

/** The Channel URL an administrator pastes for Callpane: `{pane}/dyncrm?base={org URL}` (docs/cif-contract.md §8). */
export function callpaneChannelUrl(paneUrl: string, crmOrigin: string): string {
  return `${paneUrl.replace(/\/+$/, '')}/dyncrm?base=${crmOrigin}`;
}

/** The origins the host takes calls from: the landing URL's plus the Trusted Domain's (docs/cif-contract.md §6). */
export function trustedOrigins(provider: ChannelProvider): string[] {
  const origins = new Set<string>();
  const landing = originOf(provider.landingUrl);
  if (landing) origins.add(landing);
  if (provider.trustedDomain) {
    // Administrators type either a URL or a bare host name; a host name means HTTPS.
    const trusted = originOf(provider.trustedDomain) ?? originOf(`https://${provider.trustedDomain}`);
    if (trusted) origins.add(trusted);
  }
  return [...origins];
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Why Dynamics would not load this landing URL, or undefined. Dynamics wants HTTPS
 * (docs/cif-contract.md §6); plain HTTP is let through for loopback hosts only, which browsers treat as secure
 * contexts, so the local demo and tests can run without certificates.
 */
export function landingUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `The Channel URL ${JSON.stringify(url)} is not an absolute URL.`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.test(parsed.hostname)) return undefined;
  return `Dynamics 365 loads a Channel URL only over HTTPS; ${parsed.origin} is not (plain HTTP is allowed here for localhost and 127.0.0.1 only).`;
}
