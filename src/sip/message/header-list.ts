/**
 * Reading and editing the ordered header list of any message. Names match case-insensitively and
 * compact forms match their long names (RFC 3261 §7.3.1, §7.3.3); names written are canonical.
 */
import type { Header } from './types.ts';
import { canonicalHeaderName } from './header-names.ts';

export interface HasHeaders {
  headers: Header[];
}

/** True when `header` is named `canonical` (the output of canonicalHeaderName) in any spelling. */
function isNamed(header: Header, canonical: string): boolean {
  const n = header.name;
  if (n === canonical) return true;
  // Only a same-length name (other case) or a one-letter compact form can still match.
  if (n.length === canonical.length) return n.toLowerCase() === canonical.toLowerCase();
  return n.length === 1 && canonicalHeaderName(n) === canonical;
}

function matcher(name: string): (header: Header) => boolean {
  const canonical = canonicalHeaderName(name);
  return (header) => isNamed(header, canonical);
}

/** The first header entry of that name (the object itself, for callers that track identity). */
export function firstHeader(msg: HasHeaders, name: string): Header | undefined {
  const canonical = canonicalHeaderName(name);
  for (const header of msg.headers) if (isNamed(header, canonical)) return header;
  return undefined;
}

/** Value of the first header of that name. */
export function getHeader(msg: HasHeaders, name: string): string | undefined {
  return firstHeader(msg, name)?.value;
}

/** Values of every header of that name, in message order. */
export function getHeaders(msg: HasHeaders, name: string): string[] {
  const matches = matcher(name);
  const values: string[] = [];
  for (const header of msg.headers) if (matches(header)) values.push(header.value);
  return values;
}

/** Replaces every header of that name with one holding `value`, where the first one stood (else at the end). */
export function setHeader(msg: HasHeaders, name: string, value: string): void {
  const matches = matcher(name);
  const canonical = canonicalHeaderName(name);
  const index = msg.headers.findIndex(matches);
  if (index < 0) {
    msg.headers.push({ name: canonical, value });
    return;
  }
  msg.headers[index] = { name: canonical, value };
  removeMatching(msg.headers, matches, index + 1);
}

/** Adds a header before all others or after all others. */
export function addHeader(msg: HasHeaders, name: string, value: string, position: 'first' | 'last' = 'last'): void {
  const header = { name: canonicalHeaderName(name), value };
  if (position === 'first') msg.headers.unshift(header);
  else msg.headers.push(header);
}

/** Removes every header of that name; returns how many were removed. */
export function removeHeader(msg: HasHeaders, name: string): number {
  const matches = matcher(name);
  return removeMatching(msg.headers, matches, 0);
}

/** Removes matching entries at or after `from` in place (callers may hold the array). */
function removeMatching(headers: Header[], matches: (header: Header) => boolean, from: number): number {
  let kept = from;
  for (const header of headers.slice(from)) {
    if (!matches(header)) headers[kept++] = header;
  }
  const removed = headers.length - kept;
  headers.length = kept;
  return removed;
}
