/**
 * The little of SDP (RFC 8866) the PBX reads itself: whether a SIP body is a session description,
 * and which audio codecs it names — for the log line that explains a 488 (no common codec).
 * Everything else about SDP is the relay's business.
 */

/**
 * Static RTP payload types that need no rtpmap line (RFC 3551 §6, Table 4): the ones phones
 * and carriers still send without one.
 */
const STATIC_AUDIO: Readonly<Record<string, string>> = {
  '0': 'PCMU/8000',
  '3': 'GSM/8000',
  '4': 'G723/8000',
  '8': 'PCMA/8000',
  '9': 'G722/8000',
  '18': 'G729/8000',
};

/** True when a SIP message's body is an SDP session description (RFC 3264 offers and answers). */
export function isSdpBody(contentType: string | undefined, body: Buffer): boolean {
  if (body.length === 0 || contentType === undefined) return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/sdp';
}

/**
 * The audio codecs of every m=audio section, in the order offered, as `name/rate`
 * (`opus/48000/2`, `PCMU/8000`, `telephone-event/8000`); a payload type without an rtpmap
 * and no static meaning is named by its number. A port of 0 (a refused stream, RFC 3264 §6)
 * names nothing.
 */
export function audioCodecs(sdp: Buffer | string): string[] {
  const lines = (typeof sdp === 'string' ? sdp : sdp.toString('utf8')).split(/\r?\n/);
  const codecs: string[] = [];
  let payloads: string[] | undefined;
  let names = new Map<string, string>();
  const flush = (): void => {
    for (const payload of payloads ?? []) codecs.push(names.get(payload) ?? STATIC_AUDIO[payload] ?? payload);
    payloads = undefined;
    names = new Map();
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      flush();
      const [media, port, , ...formats] = line.slice(2).trim().split(/\s+/);
      if (media === 'audio' && port !== '0') payloads = formats;
      continue;
    }
    const [, payload, name] = /^a=rtpmap:(\d+)\s+(\S+)/.exec(line) ?? [];
    if (payload !== undefined && name !== undefined && payloads !== undefined) names.set(payload, name);
  }
  flush();
  return codecs;
}
