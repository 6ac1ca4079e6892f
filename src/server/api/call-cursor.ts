/**
 * The `before` cursor of GET /api/calls: the last record of a page (start time and id) as
 * base64url JSON. Opaque to clients, so the ordering can change without breaking them.
 */
import { z } from 'zod';
import type { CallRecordCursor } from '../../store/call-record-repository.ts';

const CursorShape = z.tuple([z.number().int().nonnegative(), z.string().min(1).max(100)]);

export function encodeCallCursor(cursor: CallRecordCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAt, cursor.id])).toString('base64url');
}

/** Undefined when `text` is not a cursor this API handed out. */
export function decodeCallCursor(text: string): CallRecordCursor | undefined {
  try {
    const parsed = CursorShape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? { startedAt: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}
