/**
 * Canonical forms of the Edm values the sandbox stores: GUIDs in lower case without braces, and
 * DateTimeOffset values in UTC to the second ("2024-05-01T09:30:00Z"), which is how the Web API
 * returns them.
 */

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The GUID in canonical form, or undefined when the text is not a bare GUID. */
export function parseGuid(text: string): string | undefined {
  return GUID.test(text) ? text.toLowerCase() : undefined;
}

/** UTC to the second, or undefined when the text is not an ISO 8601 date-time with an offset. */
export function normalizeDateTime(text: string): string | undefined {
  if (!ISO_DATETIME.test(text)) return undefined;
  const time = Date.parse(text);
  if (Number.isNaN(time)) return undefined;
  return formatDateTime(new Date(time));
}

export function formatDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
