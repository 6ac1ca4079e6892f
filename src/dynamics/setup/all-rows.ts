/**
 * Every row of a Web API query, page after page: Dataverse answers at most `odata.maxpagesize`
 * rows (5000 at most) and names the rest by `@odata.nextLink`, which is followed as it is
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results).
 */
import type { WebApiClient } from '../web-api/web-api-client.ts';

const PAGE_SIZE = 5000;

export async function allRows(client: WebApiClient, path: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const answer = await client.request({ method: 'GET', path: next, headers: { Prefer: `odata.maxpagesize=${PAGE_SIZE}` } }, signal);
    const body = answer.body as { value?: Record<string, unknown>[]; '@odata.nextLink'?: string } | undefined;
    rows.push(...(body?.value ?? []));
    next = body?.['@odata.nextLink'];
  }
  return rows;
}
