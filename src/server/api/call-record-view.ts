/**
 * A stored call record as the API answers it (src/contract/call-record.ts). Field by field on
 * purpose: a column added to or renamed in the store changes nothing on the wire until it is
 * mapped here, and the compiler points here when a mapped one goes.
 */
import type { CallRecord } from '../../contract/call-record.ts';
import type { CallRecord as StoredCallRecord } from '../../store/call-record-repository.ts';

export function callRecordView(row: StoredCallRecord): CallRecord {
  return {
    id: row.id,
    direction: row.direction,
    from: { number: row.from.number, name: row.from.name },
    to: { number: row.to.number, name: row.to.name },
    trunk: row.trunk,
    startedAt: row.startedAt,
    answeredAt: row.answeredAt,
    answeredBy: row.answeredBy,
    endedAt: row.endedAt,
    talkSeconds: row.talkSeconds,
    disposition: row.disposition,
    endReason: row.endReason,
    crm: {
      entity: row.crm.entity,
      recordId: row.crm.recordId,
      recordName: row.crm.recordName,
      activityId: row.crm.activityId,
      logState: row.crm.logState,
      notes: row.crm.notes,
    },
    quality:
      row.quality === null
        ? null
        : {
            legs: row.quality.legs.map((leg) => ({
              party: leg.party,
              packets: leg.packets,
              packetsLost: leg.packetsLost,
              lossRatio: leg.lossRatio,
              jitterMs: leg.jitterMs,
              mos: leg.mos,
            })),
            poor: row.quality.poor,
          },
    extensions: [...row.extensions],
  };
}
