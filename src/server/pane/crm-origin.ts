/**
 * The `base` parameter of the Channel URL (`/dyncrm?base={crm-url}`) names the Dynamics 365 org
 * whose CIF library the pane loads and whose page may frame it. It comes from the URL, so anyone
 * can put anything there: only an origin matching an allowed pattern is ever used, and only as an
 * origin (scheme, host, port) — never with credentials, a path, a query or a fragment.
 */

/** Dynamics 365 org hosts: commercial regions (crm, crm2 … crm21) and the sovereign clouds. */
export const DYNAMICS_ORIGIN_PATTERNS: readonly string[] = [
  'https://*.crm.dynamics.com',
  ...Array.from({ length: 20 }, (_, i) => `https://*.crm${i + 2}.dynamics.com`),
  // US Government (GCC High), DoD, China (21Vianet).
  'https://*.crm.microsoftdynamics.us',
  'https://*.crm.appsplatform.us',
  'https://*.crm.dynamics.cn',
];

export type CrmOriginResult = { ok: true; origin: string } | { ok: false; problem: string };

interface OriginPattern {
  protocol: string;
  /** Host labels; `*` stands for exactly one label. */
  labels: string[];
  port: string;
}

/**
 * `scheme://host[:port]` where the host's first label may be `*` (one DNS label: an org name).
 * Throws on a malformed pattern, naming it, so configuration errors surface at start-up.
 */
export function parseOriginPattern(pattern: string): OriginPattern {
  const [, scheme, host, port = ''] = /^(https?):\/\/((?:\*\.)?[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(pattern) ?? [];
  if (scheme === undefined || host === undefined) throw new Error(`"${pattern}" is not an origin pattern like https://*.crm.dynamics.com or http://127.0.0.1:8081`);
  const labels = host.toLowerCase().split('.');
  if (labels.includes('')) throw new Error(`"${pattern}": a host label is empty`);
  return { protocol: `${scheme.toLowerCase()}:`, labels, port };
}

/** The org origin `raw` names, if it is an allowed one. */
export function checkCrmOrigin(raw: string | undefined, patterns: readonly OriginPattern[]): CrmOriginResult {
  if (raw === undefined || raw.trim() === '') return { ok: false, problem: 'the base parameter is missing' };
  if (raw.length > 2048) return { ok: false, problem: 'the base parameter is too long' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'base is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: `base must be an https:// URL, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'base must not carry a user name or password' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return { ok: false, problem: 'base must be the org origin only, without a path, query or fragment' };
  }
  // One concrete origin, whose host holds only what a DNS name or an IP literal can: the URL
  // parser keeps a `*` (even a decoded %2A) in a host, where it would match a pattern's wildcard
  // label and go into frame-ancestors as a wildcard that lets every org frame the pane.
  const stray = /[^a-z0-9.\-[\]:]/.exec(url.hostname);
  if (stray) return { ok: false, problem: `base must be one concrete origin: the host ${url.hostname} holds "${stray[0]}"` };
  const labels = url.hostname.split('.');
  const allowed = patterns.some(
    (pattern) =>
      pattern.protocol === url.protocol &&
      pattern.port === url.port &&
      pattern.labels.length === labels.length &&
      pattern.labels.every((label, index) => {
        const candidate = labels[index];
        return label === candidate || (label === '*' && candidate !== undefined && /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(candidate));
      }),
  );
  if (!allowed) return { ok: false, problem: `${url.origin} is not an allowed Dynamics 365 origin` };
  return { ok: true, origin: url.origin };
}
