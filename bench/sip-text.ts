/**
 * Reading SIP messages as text, for the call load generator: a load generator that parsed every
 * message fully would measure itself, so it looks only for the few fields it needs with string
 * searches. Header names are matched case-insensitively, with their compact forms (RFC 3261 §7.3.3).
 */

const COMPACT: Record<string, string> = {
  via: 'v',
  from: 'f',
  to: 't',
  'call-id': 'i',
  contact: 'm',
  'content-length': 'l',
  'content-type': 'c',
};

/** The header lines of a message (start line and body left out). */
export function headerLines(text: string): string[] {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  return head.split('\r\n').slice(1);
}

/** Every value of header `name` in `lines`, in order (one entry per header line). */
export function headerValues(lines: readonly string[], name: string): string[] {
  const long = name.toLowerCase();
  const short = COMPACT[long];
  const values: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    if (field === long || field === short) values.push(line.slice(colon + 1).trim());
  }
  return values;
}

/** The first value of header `name`, or undefined. */
export function headerValue(lines: readonly string[], name: string): string | undefined {
  return headerValues(lines, name)[0];
}

/** The `tag` parameter of a From or To value, outside any angle brackets. */
export function tagParam(value: string): string | undefined {
  const close = value.lastIndexOf('>');
  const match = /;\s*tag=([^;,\s]+)/i.exec(close === -1 ? value : value.slice(close));
  return match === null ? undefined : match[1];
}

/** The URI inside `<…>` of a name-addr, or the whole value up to its parameters. */
export function uriOf(value: string): string {
  const open = value.indexOf('<');
  if (open !== -1) return value.slice(open + 1, value.indexOf('>', open));
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim();
}

/** Splits a list header (Record-Route) at commas outside angle brackets and quotes. */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((part) => part.length > 0);
}

/** The branch of a Via carrying `prefix` (ours), found anywhere in the message. */
export function findBranch(text: string, prefix: string): string | undefined {
  const at = text.indexOf(`branch=${prefix}`);
  if (at === -1) return undefined;
  const start = at + 7;
  let end = start + prefix.length;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    // Stops at ';', ',', space, tab, CR.
    if (c === 59 || c === 44 || c === 32 || c === 9 || c === 13) break;
    end++;
  }
  return text.slice(start, end);
}

export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** p50, p99 and max of a list of latencies in milliseconds (NaN when empty). */
export function latencySummary(values: readonly number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = Float64Array.from(values).sort();
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? Number.NaN };
}
