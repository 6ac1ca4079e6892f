/**
 * The Phone Call activity id of a call: a name-based UUID (version 5, SHA-1; RFC 9562 §5.5) of
 * the call id in Callpane's own namespace. Every path that logs a call — the pane, a reloaded pane
 * resuming its wrap-up, a later server-side writer — computes the same id, and Dataverse refuses
 * a second create with the same key (docs/dataverse.md §6), so a call is logged exactly once.
 *
 * The namespace was drawn once at random (a version 4 UUID) for Callpane. It must never change:
 * every activity id already written depends on it.
 *
 * Synchronous and pure (sha1.ts), so the browser and Node give the same answer without
 * node:crypto or the asynchronous Web Crypto API.
 */
import { CrmError, CrmErrorCode } from './crm-error.ts';
import { sha1 } from './sha1.ts';

export const CALLPANE_CALL_NAMESPACE = 'd5101c49-59e4-4743-9154-8a8ecaa4bf0c';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The activityid for the call `callId`, exactly as call events carry it (lower-case, no braces). */
export function activityIdForCall(callId: string): string {
  if (callId.trim() === '' || callId !== callId.trim()) throw new CrmError(CrmErrorCode.INVALID_CALL, 'call id must be non-empty without surrounding spaces');
  return nameBasedUuid(CALLPANE_CALL_NAMESPACE, callId);
}

/** RFC 9562 UUIDv5: SHA-1 of the namespace's 16 bytes then the name's UTF-8, version and variant bits set. */
export function nameBasedUuid(namespace: string, name: string): string {
  if (!UUID.test(namespace)) throw new CrmError(CrmErrorCode.INVALID_GUID, `namespace is not a UUID: ${JSON.stringify(namespace.slice(0, 60))}`);
  const space = Uint8Array.from(namespace.replace(/-/g, '').match(/../g) as string[], (pair) => parseInt(pair, 16));
  const text = new TextEncoder().encode(name);
  const input = new Uint8Array(space.length + text.length);
  input.set(space);
  input.set(text, space.length);
  const bytes = sha1(input).subarray(0, 16);
  const fields = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  fields.setUint8(6, (fields.getUint8(6) & 0x0f) | 0x50);
  fields.setUint8(8, (fields.getUint8(8) & 0x3f) | 0x80);
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
