/**
 * Which of the pane's calls a server call event is about. The PBX gives each call a UUID that
 * the pane needs (for the activity id and /api/calls/:id/crm), but the SIP messages the browser
 * sees carry only SIP's own Call-ID. Unless the PBX names its id in a header, the pane matches an
 * event to the call with the same direction and far-end number (digits compared, since the PBX
 * may present E.164 where the agent dialled national digits), nearest in time; when the numbers
 * do not agree (a dial prefix removed by the route) but exactly one call of that direction is
 * waiting for its id, that one.
 */
import type { CallEvent } from '../api/api-types.ts';

export interface CorrelationCandidate {
  id: string;
  direction: 'inbound' | 'outbound';
  remoteNumber: string;
  startedAt: number;
  serverCallId?: string;
}

/** How far apart (ms) a local call's start and the server's event may be. */
const WINDOW_MS = 120_000;

/** The id of the local call `event` belongs to, or undefined. */
export function correlate(event: CallEvent, extension: string, candidates: readonly CorrelationCandidate[]): string | undefined {
  const known = candidates.find((candidate) => candidate.serverCallId === event.callId);
  if (known) return known.id;
  const side = sideOf(event, extension);
  if (!side) return undefined;
  const waiting = candidates.filter(
    (candidate) => candidate.serverCallId === undefined && candidate.direction === side.direction && Math.abs(candidate.startedAt - event.at) <= WINDOW_MS,
  );
  const sameNumber = waiting.filter((candidate) => sameDigits(candidate.remoteNumber, side.remote));
  const pool = sameNumber.length > 0 ? sameNumber : waiting.length === 1 ? waiting : [];
  return pool.sort((a, b) => Math.abs(a.startedAt - event.at) - Math.abs(b.startedAt - event.at))[0]?.id;
}

/** This extension's side of the call: calls it placed are outbound here, calls it got inbound. */
function sideOf(event: CallEvent, extension: string): { direction: 'inbound' | 'outbound'; remote: string } | undefined {
  if (event.from.extension === extension && event.to.extension !== extension) return { direction: 'outbound', remote: event.to.number };
  if (event.to.extension === extension && event.from.extension !== extension) return { direction: 'inbound', remote: event.from.number };
  if (event.direction === 'outbound') return { direction: 'outbound', remote: event.to.number };
  if (event.direction === 'inbound') return { direction: 'inbound', remote: event.from.number };
  return undefined;
}

/**
 * Whether two presentations of a number have the same digits: equal, or one ends with the
 * other where the shorter keeps at least 7 digits (a country code or trunk prefix added or
 * removed). Short numbers (extensions) must be equal.
 */
export function sameDigits(a: string, b: string): boolean {
  const x = a.replace(/\D/g, '');
  const y = b.replace(/\D/g, '');
  if (x === '' || y === '') return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.length >= 7 && long.endsWith(short.replace(/^0+/, ''));
}
