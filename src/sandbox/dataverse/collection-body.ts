/**
 * The JSON body of a collection GET, in the order Dataverse writes it: `@odata.context`,
 * `@odata.count`, `value`, then `@odata.nextLink` (paging) or, on a change tracking answer's last
 * page, `@odata.deltaLink`. An answer to a delta link has `/$delta` at the end of its context and
 * ends its `value` with the deleted rows:
 *   { "@odata.context": "{org}/api/data/v9.2/$metadata#accounts/$deletedEntity", "id": "…", "reason": "deleted" }
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results,
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems
 */
import type { QueryResult } from './record-reader.ts';

/**
 * `serviceRoot` is `{org}/api/data/v9.2/`; `context` the `@odata.context` of the rows
 * (`{serviceRoot}$metadata#contacts(fullname)`), which a delta answer extends.
 */
export function collectionBody(serviceRoot: string, set: string, context: string, result: QueryResult): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': result.delta ? `${context}/$delta` : context };
  if (result.count !== undefined) body['@odata.count'] = result.count;
  const deleted = (result.deleted ?? []).map((id) => ({ '@odata.context': `${serviceRoot}$metadata#${set}/$deletedEntity`, id, reason: 'deleted' }));
  body.value = [...result.records, ...deleted];
  if (result.nextQuery !== undefined) body['@odata.nextLink'] = `${serviceRoot}${set}${result.nextQuery}`;
  if (result.deltaQuery !== undefined) body['@odata.deltaLink'] = `${serviceRoot}${set}${result.deltaQuery}`;
  return body;
}
