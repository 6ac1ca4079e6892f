/**
 * Structured values parseMessage already parsed while validating, handed to the first accessor
 * that asks, so that a freshly parsed message is not parsed twice on its way through the stack.
 * Each value is given out once: the caller owns it and may edit it, and later calls parse the
 * header text again. A value is given out only for the very header object, with the very text,
 * it was parsed from, so edits to the header list never serve a stale value.
 */
import type { CSeq, Header, NameAddr, Via } from './types.ts';

interface ParsedKinds {
  Via: Via;
  From: NameAddr;
  To: NameAddr;
  CSeq: CSeq;
}

export type ParsedKind = keyof ParsedKinds;

export type ParsedRecord = { [K in ParsedKind]?: { header: Header; value: string; parsed: ParsedKinds[K] } };

const byMessage = new WeakMap<object, ParsedRecord>();

export function rememberParsed(msg: object, record: ParsedRecord): void {
  byMessage.set(msg, record);
}

export function takeParsed<K extends ParsedKind>(msg: object, kind: K, header: Header): ParsedKinds[K] | undefined {
  const record = byMessage.get(msg);
  const entry = record?.[kind];
  if (record === undefined || entry === undefined) return undefined;
  record[kind] = undefined;
  return entry.header === header && entry.value === header.value ? entry.parsed : undefined;
}
