/**
 * Turns the header lines of a message into the Header list (RFC 3261 §7.3): folding undone,
 * `name : value` with LWS around the colon, compact names made canonical, list headers split into
 * one entry per element.
 */
import type { Header } from './types.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { canonicalHeaderName, isListHeader } from './header-names.ts';
import { splitTopLevelCommas } from './list-split.ts';
import { TOKEN, allChars, isWsp, trimWsp } from './syntax.ts';

export interface HeaderSection {
  headers: Header[];
  /** The first malformed line; the headers that could be read are still in `headers`. */
  error?: SipParseError;
}

/** Reads `lines[from…]` (line ends already removed). Keeps going past a bad line so `headers` is complete. */
export function readHeaderSection(lines: string[], from: number): HeaderSection {
  const section: HeaderSection = { headers: [] };
  let name: string | undefined;
  let value = '';
  for (const line of lines.slice(from)) {
    if (isWsp(line.charCodeAt(0))) {
      // A continuation line: RFC 3261 §7.3.1 folding, replaced by a single SP.
      const more = trimWsp(line);
      if (name === undefined) {
        if (section.headers.length === 0) fault(section, 'a header line cannot start with whitespace', line);
        continue;
      }
      if (more.length > 0) value = value.length === 0 ? more : `${value} ${more}`;
      continue;
    }
    if (name !== undefined) addHeader(section, name, value);
    name = undefined;
    const colon = line.indexOf(':');
    if (colon < 0) {
      fault(section, 'a header line needs a colon', line);
      continue;
    }
    let nameEnd = colon;
    while (nameEnd > 0 && isWsp(line.charCodeAt(nameEnd - 1))) nameEnd--;
    if (!allChars(line, TOKEN, 0, nameEnd)) {
      fault(section, 'the header name must be a token', line);
      continue;
    }
    name = line.slice(0, nameEnd);
    // One slice for the value, LWS around it dropped.
    let start = colon + 1;
    let end = line.length;
    while (start < end && isWsp(line.charCodeAt(start))) start++;
    while (end > start && isWsp(line.charCodeAt(end - 1))) end--;
    value = line.slice(start, end);
  }
  if (name !== undefined) addHeader(section, name, value);
  return section;
}

function fault(section: HeaderSection, why: string, line: string): void {
  section.error ??= new SipParseError(SipParseErrorCode.BAD_HEADER, `bad header line ${quoteForError(line)}: ${why}`);
}

function addHeader(section: HeaderSection, rawName: string, value: string): void {
  const name = canonicalHeaderName(rawName);
  if (!isListHeader(name) || value.indexOf(',') < 0) {
    section.headers.push({ name, value });
    return;
  }
  const parts = splitTopLevelCommas(value);
  if (parts.includes('')) {
    // RFC 3261 §7.3.1 lists have no empty elements (RFC 4475 §3.1.2.1).
    fault(section, `empty element in the ${name} list`, `${rawName}: ${value}`);
    section.headers.push({ name, value });
    return;
  }
  for (const part of parts) section.headers.push({ name, value: part });
}
