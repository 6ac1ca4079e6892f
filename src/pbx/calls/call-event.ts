/**
 * The one vocabulary of call events every PBX backend emits (the embedded proxy today, external
 * PBX connectors later) and every consumer reads: the call records, the pane's event channel.
 */

import type { CallEvent } from '../../contract/call-event.ts';

// The vocabulary is the pane's wire format too, so it is defined once in the contract.
export type { CallDirection, CallDisposition, CallEvent, CallEventType, CallParty } from '../../contract/call-event.ts';

export type CallEventListener = (event: CallEvent) => void;
