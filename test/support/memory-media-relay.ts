/**
 * A MediaRelay in memory for the PBX's unit tests: it records every call, rewrites SDP
 * deterministically (the connection address becomes the relay's, and a line names the profile
 * the SDP was rewritten for) and keeps the sessions it holds, so a test sees what would leak.
 * Interop tests use the real rtpengine instead.
 */
import { MediaRelayError, type MediaAnswer, type MediaCallStats, type MediaOffer, type MediaRelay } from '../../src/media/media-relay.ts';

export const RELAY_ADDRESS = '192.0.2.99';

export type RelayCall =
  | ({ op: 'offer' } & Omit<MediaOffer, 'sdp'> & { sdp: string })
  | ({ op: 'answer' } & Omit<MediaAnswer, 'sdp'> & { sdp: string })
  | { op: 'delete'; callId: string; fromTag?: string; toTag?: string; viaBranch?: string }
  | { op: 'query'; callId: string };

export class MemoryMediaRelay implements MediaRelay {
  readonly calls: RelayCall[] = [];
  /** Call-IDs the relay holds a session for. */
  readonly sessions = new Set<string>();
  /** Makes every offer and answer fail until cleared. */
  failWith: MediaRelayError | undefined;
  /** Holds offers and answers until it resolves (an engine that is slow to answer). */
  gate: Promise<void> | undefined;

  async offer(offer: MediaOffer): Promise<Buffer> {
    const { sdp, ...rest } = offer;
    this.calls.push({ op: 'offer', ...rest, sdp: sdp.toString('utf8') });
    await this.gate;
    if (this.failWith) throw this.failWith;
    this.sessions.add(offer.callId);
    return rewrite(sdp, offer.to);
  }

  async answer(answer: MediaAnswer): Promise<Buffer> {
    const { sdp, ...rest } = answer;
    this.calls.push({ op: 'answer', ...rest, sdp: sdp.toString('utf8') });
    await this.gate;
    if (this.failWith) throw this.failWith;
    if (!this.sessions.has(answer.callId)) throw new MediaRelayError('MEDIA_RELAY_REFUSED', `unknown call ${answer.callId}`);
    return rewrite(sdp, answer.to);
  }

  async query(callId: string): Promise<MediaCallStats | undefined> {
    this.calls.push({ op: 'query', callId });
    return this.sessions.has(callId) ? { legs: [] } : undefined;
  }

  async delete(target: { callId: string; fromTag?: string; toTag?: string; viaBranch?: string }): Promise<void> {
    this.calls.push({ op: 'delete', ...target });
    if (target.viaBranch === undefined) this.sessions.delete(target.callId);
  }

  ops(): string[] {
    return this.calls.map((call) => `${call.op}${'viaBranch' in call && call.viaBranch !== undefined ? `@${call.viaBranch}` : ''}`);
  }
}

/** The SDP as the relay would hand it to a party of `profile`. */
export function rewrite(sdp: Buffer, profile: string): Buffer {
  const text = sdp.toString('utf8').replace(/^c=IN IP4 \S+/m, `c=IN IP4 ${RELAY_ADDRESS}`);
  return Buffer.from(`${text}a=x-relayed-for:${profile}\r\n`);
}
