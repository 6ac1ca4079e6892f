/**
 * The one vocabulary of call events every PBX backend emits (the embedded proxy today, external
 * PBX connectors later) and every consumer reads: the call records, the pane's event channel
 * (/api/events sends them as they are, so this is wire format).
 */

export type CallDirection = 'inbound' | 'outbound' | 'internal';
export type CallDisposition = 'answered' | 'missed' | 'busy' | 'failed' | 'canceled';

export interface CallParty {
  /** An extension number, or the external number as presented (E.164 when known). */
  number: string;
  displayName?: string;
  /** Set when the party is one of our extensions. */
  extension?: string;
  /** Set when the party is reached through (or came from) a trunk. */
  trunk?: string;
}

interface CallEventBase {
  /** A UUID, the same on every leg of the call and in every event. */
  callId: string;
  direction: CallDirection;
  from: CallParty;
  to: CallParty;
  /**
   * The agents the call belongs to: the calling extension of an internal or outbound call, the
   * called extension of an internal or inbound call. An event reaches only these extensions.
   */
  extensions: string[];
  /** When the event happened, epoch milliseconds. */
  at: number;
}

export type CallEvent =
  | (CallEventBase & { type: 'ringing' })
  | (CallEventBase & { type: 'answered'; answeredBy: string })
  | (CallEventBase & { type: 'held'; by: string })
  | (CallEventBase & { type: 'resumed'; by: string })
  | (CallEventBase & { type: 'transferred'; kind: 'blind' | 'attended'; by: string; target: string })
  | (CallEventBase & { type: 'ended'; disposition: CallDisposition; reason?: string; startedAt: number; answeredAt?: number });

export type CallEventType = CallEvent['type'];
