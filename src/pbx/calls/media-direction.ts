/**
 * Whether an SDP offer puts the call on hold (RFC 3264 §8.4): every media stream in use is
 * `sendonly` or `inactive` (a session-level attribute applies to streams without their own), or
 * has the RFC 2543 style connection address 0.0.0.0. Streams with port 0 are not in use (§8.2).
 */
export type MediaDirection = 'held' | 'active' | 'unknown';

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

interface Stream {
  disabled: boolean;
  direction: string | undefined;
  nullAddress: boolean;
}

export function offeredDirection(sdp: string): MediaDirection {
  let sessionDirection: string | undefined;
  let sessionNullAddress = false;
  const streams: Stream[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      streams.push({ disabled: /^m=\S+ 0[ /]/.test(line), direction: undefined, nullAddress: sessionNullAddress });
      continue;
    }
    const current = streams.at(-1);
    const attribute = /^a=([a-z]+)\s*$/.exec(line)?.[1];
    if (attribute !== undefined && DIRECTIONS.has(attribute)) {
      if (current) current.direction = attribute;
      else sessionDirection = attribute;
    } else if (/^c=IN IP4 0\.0\.0\.0\s*$/.test(line)) {
      if (current) current.nullAddress = true;
      else sessionNullAddress = true;
    }
  }
  const used = streams.filter((stream) => !stream.disabled);
  if (used.length === 0) return 'unknown';
  const held = used.every((stream) => {
    const direction = stream.direction ?? sessionDirection ?? 'sendrecv';
    return direction === 'sendonly' || direction === 'inactive' || stream.nullAddress;
  });
  return held ? 'held' : 'active';
}
