/**
 * The `$skiptoken` of an `@odata.nextLink`, written the way Dataverse writes it: a `<cookie>`
 * element whose `pagingcookie` attribute holds a second, URL-encoded cookie naming the first and
 * last row of the page just returned, by the columns the rows are sorted on and the primary key
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results):
 *
 *   <cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e%3ccontactid%20last%3d%22%7bD5026A4D-…%7d%22%20first%3d…%2f%3e%3c%2fcookie%3e" istracking="False" />
 *
 * Clients treat it as opaque. The sandbox reads back only what it wrote: anything else (edited,
 * truncated, a cookie of another table or query) is undefined here and refused by paging.ts.
 * Plain data in and out.
 */

export interface PagingCookie {
  /** The page the link asks for (2 for the first next link). */
  pageNumber: number;
  /** Set on the pages of a change tracking answer (`istracking="True"`). */
  tracking: boolean;
  /** Further attributes of the inner cookie (what a change tracking answer needs to carry on). */
  attributes: Readonly<Record<string, string>>;
  /** Per sort column, then the primary key: its value in the last and first row of the page (null for null). */
  keys: readonly CookieKey[];
}

export interface CookieKey {
  name: string;
  last: string | null;
  first: string | null;
}

const OUTER = /^<cookie pagenumber="(\d{1,9})" pagingcookie="([^"<>\s]*)" istracking="(True|False)" \/>$/;
const INNER = /^<cookie page="(\d{1,9})"((?: [a-z]+="[^"<>]*")*)>((?:<[A-Za-z_]\w*(?: (?:last|first)="[^"<>]*")* \/>)+)<\/cookie>$/;
const ATTRIBUTE = / ([a-z]+)="([^"<>]*)"/g;
const ELEMENT = /<([A-Za-z_]\w*)((?: (?:last|first)="[^"<>]*")*) \/>/g;

export function formatSkipToken(cookie: PagingCookie): string {
  const attributes = Object.entries(cookie.attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const keys = cookie.keys.map((key) => `<${key.name}${valueAttribute('last', key.last)}${valueAttribute('first', key.first)} />`).join('');
  const inner = `<cookie page="${cookie.pageNumber - 1}"${attributes}>${keys}</cookie>`;
  // The inner cookie is percent-encoded in lower-case hex, as Dataverse writes it.
  const encoded = encodeURIComponent(inner).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  return `<cookie pagenumber="${cookie.pageNumber}" pagingcookie="${encoded}" istracking="${cookie.tracking ? 'True' : 'False'}" />`;
}

/** The cookie a $skiptoken holds, or undefined when it is not one the sandbox wrote. */
export function parseSkipToken(text: string): PagingCookie | undefined {
  const outer = OUTER.exec(text);
  if (!outer) return undefined;
  const [, pageText = '', encoded = '', tracking] = outer;
  let innerText: string;
  try {
    innerText = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  const inner = INNER.exec(innerText);
  if (!inner) return undefined;
  const [, innerPage = '', attributeText = '', keyText = ''] = inner;
  const pageNumber = Number(pageText);
  if (pageNumber < 2 || Number(innerPage) !== pageNumber - 1) return undefined;
  const attributes: Record<string, string> = {};
  for (const [, name = '', value = ''] of attributeText.matchAll(ATTRIBUTE)) {
    if (name === 'page' || name in attributes) return undefined;
    attributes[name] = unescapeXml(value);
  }
  const keys: CookieKey[] = [];
  for (const [, name = '', values = ''] of keyText.matchAll(ELEMENT)) {
    const found: Record<string, string> = {};
    for (const [, attribute = '', value = ''] of values.matchAll(ATTRIBUTE)) {
      if (attribute in found) return undefined;
      found[attribute] = unescapeXml(value);
    }
    keys.push({ name, last: found.last ?? null, first: found.first ?? null });
  }
  return { pageNumber, tracking: tracking === 'True', attributes, keys };
}

/** A null value is written as a missing attribute. */
function valueAttribute(name: string, value: string | null): string {
  return value === null ? '' : ` ${name}="${escapeXml(value)}"`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(value: string): string {
  return value.replace(/&(quot|lt|gt|amp);/g, (_, entity: string) => ({ quot: '"', lt: '<', gt: '>', amp: '&' })[entity] ?? '');
}
