/**
 * What a call's audio was like, from what the media relay measured per leg at its end: packets,
 * loss, jitter and MOS where the relay could compute one (it needs RTCP from the endpoints;
 * browsers send it, some phones do not — then the figures that can be known are kept). This is
 * what a supervisor asks when a customer complains, so it goes on the call record.
 *
 * "Poor" follows the usual VoIP planning limits, with room: the ITU-T G.107 E-model rates a MOS
 * below 3.6 (R below 70) as "many users dissatisfied"; loss beyond a few percent and jitter
 * beyond what a jitter buffer absorbs (tens of milliseconds) are heard as gaps and robotic voice.
 */
import type { MediaCallStats } from '../../media/media-relay.ts';

export const POOR_AUDIO = {
  /** ITU-T G.107: MOS below 3.6 is "many users dissatisfied". */
  mosBelow: 3.6,
  /** A lost packet is 20 ms of speech; 3 % and more is heard even with loss concealment. */
  lossRatioFrom: 0.03,
  /** Beyond what browsers' and phones' adaptive jitter buffers absorb without audible artefacts. */
  jitterMsFrom: 50,
} as const;

/** Whose media a leg's figures describe: what the caller sent, or what the callee sent. */
export type QualityParty = 'caller' | 'callee';

export interface LegQuality {
  party: QualityParty;
  packets: number;
  packetsLost: number | null;
  /** packetsLost / (packets + packetsLost), when the loss is known. */
  lossRatio: number | null;
  jitterMs: number | null;
  mos: number | null;
}

export interface CallQuality {
  legs: LegQuality[];
  /** True when any leg was beyond one of the POOR_AUDIO limits. */
  poor: boolean;
}

/**
 * The quality of a call from the relay's statistics; `callerTag` is the caller's SIP From tag.
 * Undefined when the relay measured nothing (no media flowed: a call never answered).
 */
export function callQualityOf(stats: MediaCallStats, callerTag: string): CallQuality | undefined {
  const legs = stats.legs
    .filter((leg) => leg.packets > 0 || (leg.packetsLost ?? 0) > 0)
    .map((leg): LegQuality => {
      const packetsLost = leg.packetsLost ?? null;
      const expected = leg.packets + (packetsLost ?? 0);
      return {
        party: leg.tag === callerTag ? 'caller' : 'callee',
        packets: leg.packets,
        packetsLost,
        lossRatio: packetsLost === null || expected === 0 ? null : round(packetsLost / expected, 4),
        jitterMs: leg.jitterMs === undefined ? null : round(leg.jitterMs, 1),
        mos: leg.mos === undefined ? null : round(leg.mos, 2),
      };
    });
  if (legs.length === 0) return undefined;
  return { legs, poor: legs.some(isPoor) };
}

function isPoor(leg: LegQuality): boolean {
  return (
    (leg.mos !== null && leg.mos < POOR_AUDIO.mosBelow) ||
    (leg.lossRatio !== null && leg.lossRatio >= POOR_AUDIO.lossRatioFrom) ||
    (leg.jitterMs !== null && leg.jitterMs >= POOR_AUDIO.jitterMsFrom)
  );
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
