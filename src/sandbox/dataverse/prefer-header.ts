/**
 * The parts of the `Prefer` request header Dataverse acts on: `return=representation` (return
 * the created/updated record), `odata.include-annotations` (add formatted values and lookup
 * logical names), `odata.maxpagesize` (paging.ts) and `odata.track-changes` (change-tracking.ts).
 * RFC 7240 preferences, comma-separated.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#prefer-headers
 */

export interface Preferences {
  returnRepresentation: boolean;
  /** The include-annotations value as sent (e.g. `"*"`), or undefined. */
  includeAnnotations?: string;
  /** odata.maxpagesize as sent, when it is a whole number (paging.ts decides whether it applies). */
  maxPageSize?: number;
  /** odata.track-changes was asked for. */
  trackChanges: boolean;
}

const RETURN_REPRESENTATION = /(?:^|[,;\s])return\s*=\s*"?representation"?(?=$|[,;\s])/i;
const INCLUDE_ANNOTATIONS = /(?:^|[,;\s])odata\.include-annotations\s*=\s*(?:"([^"]*)"|([^,;\s"]+))/i;
const MAX_PAGE_SIZE_PREFERENCE = /(?:^|[,;\s])odata\.maxpagesize\s*=\s*"?(\d{1,9})"?(?=$|[,;\s])/i;
const TRACK_CHANGES = /(?:^|[,;\s])odata\.track-changes(?=$|[,;\s])/i;

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const annotations = INCLUDE_ANNOTATIONS.exec(text);
  const pageSize = MAX_PAGE_SIZE_PREFERENCE.exec(text)?.[1];
  return {
    returnRepresentation: RETURN_REPRESENTATION.test(text),
    includeAnnotations: annotations ? (annotations[1] ?? annotations[2]) : undefined,
    maxPageSize: pageSize === undefined ? undefined : Number(pageSize),
    trackChanges: TRACK_CHANGES.test(text),
  };
}

/** True when the include-annotations pattern covers the lookup and formatted-value annotations. */
export function wantsLookupAnnotations(preferences: Preferences): boolean {
  const value = preferences.includeAnnotations?.trim();
  if (!value) return false;
  return value.split(',').some((pattern) => {
    const p = pattern.trim();
    return p === '*' || p === 'Microsoft.Dynamics.CRM.*' || p === 'OData.Community.Display.V1.*' || p.endsWith('lookuplogicalname') || p.endsWith('FormattedValue');
  });
}
