/**
 * Reads call quality out of an rtpengine ng `query` reply (as rtpengine 10.5 writes it; see
 * rtpengine https://github.com/sipwise/rtpengine/blob/master/docs/ng_control_protocol.md, "query Message", and daemon/call_interfaces.c):
 *
 * - `tags.{TAG}.medias[].streams[]`: one entry per local port; `stats.packets`/`stats.bytes`
 *   count what rtpengine RECEIVED on that port, i.e. what the party TAG sent. A stream's `SSRC`
 *   is the RTP SSRC seen from that party. Streams flagged `RTP` carry RTP (and RTCP when muxed);
 *   streams flagged only `RTCP` are a separate RTCP port and are not counted as media.
 * - `SSRC.{ssrc}`: present only once RTCP receiver reports came in (RFC 3550 §6.4.2). rtpengine
 *   files a report under the SSRC of the party that SENT it, so the entry of a receiver X
 *   describes the media X received: `cumulative loss` (packets), and `average MOS` with `MOS`
 *   (×10: 43 means 4.3), `jitter` (ms) and `packet loss` (percent).
 *
 * A leg here is one direction: the media of party Y as the relay received it (packets, bytes),
 * with the loss, jitter and MOS its receivers reported for it (Y's `subscribers`, the parties
 * rtpengine forwards Y's media to). Without RTCP those stay undefined, as the contract says.
 *
 * Seen with Debian's rtpengine 10.5: when codecs pass through untouched, it discards receiver
 * reports ("No payload type known for RTCP RR": its outgoing payload tracker is fed only on the
 * transcoding path), so `SSRC` stays empty and a leg has packets and bytes only.
 */
import type { NgDictionary, NgValue } from './ng/bencode.ts';
import { isDictionary, text } from './ng/ng-client.ts';
import type { MediaCallStats, MediaLegStats } from './media-relay.ts';

interface Reception {
  packetsLost?: number;
  jitterMs?: number;
  mos?: number;
}

export function callStatsFromQuery(reply: NgDictionary): MediaCallStats {
  const tags = isDictionary(reply.tags) ? reply.tags : {};
  const reports = isDictionary(reply.SSRC) ? reply.SSRC : {};
  const legs: MediaLegStats[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (!isDictionary(value)) continue;
    const tag = text(value.tag) || key;
    const streams = mediaStreams(value);
    if (streams.length === 0) continue;
    const leg: MediaLegStats = { tag, packets: 0, bytes: 0 };
    for (const stream of streams) {
      const stats = isDictionary(stream.stats) ? stream.stats : {};
      leg.packets += integer(stats.packets) ?? 0;
      leg.bytes += integer(stats.bytes) ?? 0;
    }
    const reception = receptionOf(value, tags, reports);
    if (reception.packetsLost !== undefined) leg.packetsLost = reception.packetsLost;
    if (reception.jitterMs !== undefined) leg.jitterMs = reception.jitterMs;
    if (reception.mos !== undefined) leg.mos = reception.mos;
    legs.push(leg);
  }
  return { legs };
}

/** The RTP-carrying streams of a tag that have a local port (a deleted branch has none). */
function mediaStreams(tag: NgDictionary): NgDictionary[] {
  const streams: NgDictionary[] = [];
  for (const media of list(tag.medias)) {
    if (!isDictionary(media)) continue;
    for (const stream of list(media.streams)) {
      if (!isDictionary(stream)) continue;
      if (!integer(stream['local port'])) continue;
      const flags = list(stream.flags).map((flag) => text(flag));
      if (flags.length > 0 && !flags.includes('RTP')) continue;
      streams.push(stream);
    }
  }
  return streams;
}

/** What the receivers of `sender`'s media reported about it in RTCP; the worst one when several. */
function receptionOf(sender: NgDictionary, tags: NgDictionary, reports: NgDictionary): Reception {
  const reception: Reception = {};
  for (const subscriber of list(sender.subscribers)) {
    const receiverTag = isDictionary(subscriber) ? text(subscriber.tag) : '';
    const receiver = tags[receiverTag];
    if (!isDictionary(receiver)) continue;
    for (const stream of mediaStreams(receiver)) {
      const ssrc = integer(stream.SSRC);
      const report = ssrc === undefined ? undefined : reports[String(ssrc)];
      if (!isDictionary(report)) continue;
      const lost = integer(report['cumulative loss']);
      if (lost !== undefined) reception.packetsLost = Math.max(reception.packetsLost ?? 0, lost);
      const average = isDictionary(report['average MOS']) ? report['average MOS'] : undefined;
      if (!average) continue;
      const jitter = integer(average.jitter);
      if (jitter !== undefined) reception.jitterMs = Math.max(reception.jitterMs ?? 0, jitter);
      const mos = integer(average.MOS);
      // rtpengine writes MOS × 10 and 0 when it could not compute one (no round-trip time yet).
      if (mos !== undefined && mos >= 10 && mos <= 50) reception.mos = Math.min(reception.mos ?? 5, mos / 10);
    }
  }
  return reception;
}

function list(value: NgValue | undefined): NgValue[] {
  return Array.isArray(value) ? value : [];
}

function integer(value: NgValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
