/**
 * `callpane phone match [--region CC]`: for administrators checking why a caller's number did or
 * did not find a CRM record. Reads JSON lines `{"incoming": "...", "stored": "...", "country": "..."}`
 * (the number a call presents, the phone field as Dynamics stores it, optionally the record's
 * address country) and writes one JSON line for each:
 *   {"line":1,"match":true,"reason":"same-e164","incoming":{…normalised…},"stored":{…}}
 * with the same rules the pane uses (src/crm/phone-match.ts). A line that is not such an object
 * gets `{"line":n,"error":"line n: …"}` in its place and makes the exit code 1; blank lines are
 * skipped. Exit codes: 0 all lines read, 1 some line refused, 2 wrong arguments (usage shown).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { comparePhones } from '../crm/phone-match.ts';
import { isCountryCode, libphonenumberReader } from '../crm/numbers/phone-number.ts';

export const PHONE_MATCH_USAGE = `Usage: callpane phone match [--region CC]

Reads JSON lines {"incoming": "<number a call presents>", "stored": "<phone field as stored in Dynamics>"}
on standard input, optionally with "country": "<the record's address country>" (a name such as
Germany or Deutschland, or a code such as DE), and writes one JSON line each: match (true/false),
reason, and both numbers as Callpane reads them (kind, e164, nationalNumber, digits, extension).
A stored field may hold labels ("Mob: ..."), several numbers ("... / ...") and an extension
("x12", "转12"): "storedNumbers" lists each, "stored" is the one that decided, and "storedRegion"
the region numbers without a country were read in (the record's country, else --region).

Options:
  --region CC    default region for numbers written without a country: an ISO 3166-1 alpha-2 code
                 such as US or DE (the server uses crm.defaultRegion)
  -h, --help     show this help

Exit codes: 0 every line read, 1 some line was not {"incoming","stored"[,"country"]} strings, 2 wrong arguments.
`;

export interface PhoneMatchIo {
  /** A stream is read as text and split into lines; an async iterable yields lines (an item may hold several). */
  stdin: AsyncIterable<string> | NodeJS.ReadableStream;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** Runs the command; resolves to the exit code. */
export async function runPhoneMatch(args: string[], io: PhoneMatchIo): Promise<number> {
  let region: string | undefined;
  try {
    const parsed = parseArgs({ args, options: { region: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
    if (parsed.values.help) {
      io.stdout(PHONE_MATCH_USAGE.trimEnd());
      return 0;
    }
    region = parsed.values.region?.toUpperCase();
    if (region !== undefined && !isCountryCode(region))
      throw new Error(`--region must be an ISO 3166-1 alpha-2 country code such as US or DE, not ${JSON.stringify(parsed.values.region)}`);
  } catch (error) {
    io.stderr(`callpane phone match: ${(error as Error).message}\n\n${PHONE_MATCH_USAGE.trimEnd()}`);
    return 2;
  }

  let refused = 0;
  let number = 0;
  for await (const line of lines(io.stdin)) {
    number += 1;
    if (line.trim() === '') continue;
    const pair = readPair(line);
    if (typeof pair === 'string') {
      refused += 1;
      io.stdout(JSON.stringify({ line: number, error: `line ${number}: ${pair}` }));
      continue;
    }
    const result = comparePhones(libphonenumberReader, pair.incoming, pair.stored, { defaultRegion: region, storedCountry: pair.country });
    const { storedNumbers, storedRegion } = result;
    io.stdout(JSON.stringify({ line: number, match: result.match, reason: result.reason, incoming: result.incoming, stored: result.stored, storedNumbers, storedRegion }));
  }
  if (refused > 0) io.stderr(`callpane phone match: ${refused} of ${number} lines refused`);
  return refused > 0 ? 1 : 0;
}

/** The pair on `line`, or why it is not one. */
function readPair(line: string): { incoming: string; stored: string; country?: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { incoming, stored, country } = value as Record<string, unknown>;
  if (typeof incoming !== 'string') return '"incoming" must be a string';
  if (typeof stored !== 'string') return '"stored" must be a string';
  if (country !== undefined && typeof country !== 'string') return '"country" must be a string when given';
  return { incoming, stored, ...(country === undefined ? {} : { country }) };
}

async function* lines(input: AsyncIterable<string> | NodeJS.ReadableStream): AsyncGenerator<string> {
  if (isStream(input)) {
    yield* createInterface({ input, crlfDelay: Infinity });
    return;
  }
  for await (const item of input) yield* item.replace(/\r?\n$/, '').split(/\r?\n/);
}

function isStream(input: AsyncIterable<string> | NodeJS.ReadableStream): input is NodeJS.ReadableStream {
  return typeof (input as NodeJS.ReadableStream).pipe === 'function';
}
