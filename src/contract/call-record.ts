/**
 * A call as /api/calls answers it (GET /api/calls, /api/calls/:id, and the PUTs that change its
 * notes or CRM report), and what the pane reports of the Phone Call activity it wrote. The server
 * maps its stored rows to this shape in the route (src/server/api/call-record-view.ts), so a
 * change to the database does not change the API.
 */
import type { CallDirection, CallDisposition } from './call-event.ts';
import type { RecordRef } from './crm-record.ts';

/** What became of the call's Phone Call activity, as the pane reports it. */
export const LOG_STATES = ['logged', 'failed', 'skipped'] as const;
export type LogState = (typeof LOG_STATES)[number];

export interface CallRecordParty {
  number: string;
  name: string | null;
}

export interface CallRecordCrm {
  /** Logical name of the matched record's table, e.g. `contact`. */
  entity: string | null;
  recordId: string | null;
  /** The matched record's name as the pane reported it. */
  recordName: string | null;
  /** The Phone Call activity logged for this call. */
  activityId: string | null;
  /** A LogState once the pane reported; null before. */
  logState: string | null;
  notes: string | null;
}

/** What the media relay measured of one direction of a call's audio. */
export interface CallRecordLegQuality {
  party: 'caller' | 'callee';
  packets: number;
  packetsLost: number | null;
  lossRatio: number | null;
  jitterMs: number | null;
  mos: number | null;
}

export interface CallRecordQuality {
  legs: CallRecordLegQuality[];
  poor: boolean;
}

export interface CallRecord {
  /** The call's UUID. */
  id: string;
  direction: CallDirection;
  from: CallRecordParty;
  to: CallRecordParty;
  /** The trunk the call came in from or went out to; null for internal calls. */
  trunk: string | null;
  /** Epoch milliseconds. */
  startedAt: number;
  answeredAt: number | null;
  /** The extension that answered. */
  answeredBy: string | null;
  endedAt: number | null;
  /** Whole seconds from answer to end; 0 when never answered; null while in progress. */
  talkSeconds: number | null;
  disposition: CallDisposition | null;
  endReason: string | null;
  crm: CallRecordCrm;
  /** The audio as the media relay measured it; null when it relayed none (or no relay ran). */
  quality: CallRecordQuality | null;
  /** The extensions the call belongs to, in numeric order. */
  extensions: string[];
}

/** GET /api/calls: newest first; `nextCursor` asks for the page after (`?before=`), null at the end. */
export interface CallPage {
  calls: CallRecord[];
  nextCursor: string | null;
}

/** PUT /api/calls/:id/crm. */
export interface CrmLogReport {
  activityId: string;
  logState: LogState;
  matched?: RecordRef;
  notes?: string;
}
