/**
 * The parts of the `Prefer` request header Dataverse acts on: `return=representation` (return
 * the created/updated record) and `odata.include-annotations` (add formatted values and lookup
 * logical names). RFC 7240 preferences, comma-separated.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#prefer-headers
 */

export interface Preferences {
  returnRepresentation: boolean;
  /** The include-annotations value as sent (e.g. `"*"`), or undefined. */
  includeAnnotations?: string;
}

const RETURN_REPRESENTATION = /(?:^|[,;\s])return\s*=\s*"?representation"?(?=$|[,;\s])/i;
const INCLUDE_ANNOTATIONS = /(?:^|[,;\s])odata\.include-annotations\s*=\s*(?:"([^"]*)"|([^,;\s"]+))/i;

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const annotations = INCLUDE_ANNOTATIONS.exec(text);
  return {
    returnRepresentation: RETURN_REPRESENTATION.test(text),
    includeAnnotations: annotations ? (annotations[1] ?? annotations[2]) : undefined,
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
