/**
 * Header names: compact forms (RFC 3261 §7.3.3 and the extensions that define one), canonical
 * spelling of known headers, and which headers are comma-separated lists (RFC 3261 §7.3.1).
 */

const KNOWN = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Accept-Resource-Priority',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Answer-Mode',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Diversion',
  'Error-Info',
  'Event',
  'Expires',
  'Flow-Timer',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Join',
  'Max-Breadth',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-Sub',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Resource-Priority',
  'Retry-After',
  'Route',
  'RSeq',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Target-Dialog',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

/** RFC 3261 §7.3.3 plus RFC 3265 (o, u), RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 8224 (y), RFC 3841 (a, j, d). */
const COMPACT: Record<string, string> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  r: 'Refer-To',
  b: 'Referred-By',
  u: 'Allow-Events',
  x: 'Session-Expires',
  y: 'Identity',
  a: 'Accept-Contact',
  j: 'Reject-Contact',
  d: 'Request-Disposition',
};

const byLowerName = new Map<string, string>();
for (const name of KNOWN) byLowerName.set(name.toLowerCase(), name);
for (const [short, long] of Object.entries(COMPACT)) byLowerName.set(short, long);

const knownNames = new Set(KNOWN);

/** True for the canonical spelling of a header this module knows. */
export function isKnownHeaderName(name: string): boolean {
  return knownNames.has(name);
}

/**
 * Headers whose value is a comma-separated list that may be split into one entry per element.
 * Never the authentication headers (their challenge/credentials parameters are comma-separated
 * within ONE value), never Date (its value contains a comma), never unknown headers.
 */
const LIST_HEADERS = new Set([
  'Via',
  'Contact',
  'Route',
  'Record-Route',
  'Path',
  'Service-Route',
  'Allow',
  'Supported',
  'Require',
  'Proxy-Require',
  'Unsupported',
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Content-Encoding',
  'Allow-Events',
  'Warning',
  'In-Reply-To',
  'Call-Info',
  'Alert-Info',
  'Error-Info',
]);

/** Spellings seen so far of known names, so that the usual ones skip lower-casing; bounded. */
const bySpelling = new Map<string, string>();
const MAX_SPELLINGS = 2048;

/** Long canonical name for a compact form, canonical case for a known header, else the name as written. */
export function canonicalHeaderName(name: string): string {
  const seen = bySpelling.get(name);
  if (seen !== undefined) return seen;
  const canonical = byLowerName.get(name.toLowerCase());
  if (canonical === undefined) return name;
  if (bySpelling.size < MAX_SPELLINGS) bySpelling.set(name, canonical);
  return canonical;
}

/** True for a canonical header name whose values may be split at top-level commas. */
export function isListHeader(canonicalName: string): boolean {
  return LIST_HEADERS.has(canonicalName);
}

/** Case-insensitive identity of a header name, compact forms folded onto their long name. */
export function headerKey(name: string): string {
  return canonicalHeaderName(name).toLowerCase();
}
