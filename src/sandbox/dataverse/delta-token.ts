/**
 * The `$deltatoken` of an `@odata.deltaLink`, in Dataverse's form: the row version the changes
 * start after, "!", and when the token was issued (UTC, `MM/dd/yyyy HH:mm:ss`), e.g.
 * `919042!08/22/2017 08:10:44` (sent URL-encoded: `919042%2108%2f22%2f2017%2008%3a10%3a44`)
 * (https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems).
 * Plain data in and out; change-tracking.ts decides whether a token is still good.
 */

export interface DeltaToken {
  /** Changes with a higher row version are newer than the token. */
  version: number;
  /** When the token was issued, to the second: the retention counts from here. */
  issuedAt: Date;
}

const TOKEN = /^(\d{1,15})!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

export function formatDeltaToken(token: DeltaToken): string {
  const at = token.issuedAt;
  const two = (value: number) => String(value).padStart(2, '0');
  const date = `${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}/${at.getUTCFullYear()}`;
  return `${token.version}!${date} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
}

/** A $deltatoken in a URL as Dataverse writes it: every reserved character encoded, in lower-case hex (`%21`, `%2f`, `%3a`). */
export function encodeDeltaToken(token: string): string {
  return encodeURIComponent(token)
    .replace(/!/g, '%21')
    .replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** The token's version and time, or undefined when the text is not a delta token. */
export function parseDeltaToken(text: string): DeltaToken | undefined {
  const match = TOKEN.exec(text);
  if (!match) return undefined;
  const [, version = '', month = '', day = '', year = '', hours = '', minutes = '', seconds = ''] = match;
  const issuedAt = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds)));
  const token = { version: Number(version), issuedAt };
  // Date.UTC rolls 02/30 over into March: a date that does not round-trip is not a date.
  return formatDeltaToken(token) === text ? token : undefined;
}
