/**
 * The sandbox's one channel provider, the `msdyn_ciprovider` record an administrator makes in a
 * real organization (docs/cif-contract.md §8): the landing URL framed in the panel (verbatim), whether
 * click-to-act starts on, the Trusted Domain and the custom parameters getEnvironment returns.
 */
import { originOf } from './cif/cif-protocol.ts';

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
