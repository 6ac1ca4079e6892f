/**
 * Transfers through a trunk are refused by the PBX itself. A REFER (RFC 3515) toward a trunk would
 * ask the carrier to call what the agent chose — an internal extension it cannot call (it would
 * come back as an inbound call for a number that is no DID) — and shows it the extension number;
 * an INVITE with Replaces (RFC 3891) names a dialog by the phone's real Call-ID and tags. Neither
 * can be topology-hidden, so neither crosses: the sender gets 403 and nothing reaches the carrier.
 * Carrying out transfers of trunk calls in the PBX is a later feature (docs/pbx-trunks.md).
 */
import { createResponse, getHeader } from '../../sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../sip/message/types.ts';

export const TRUNK_TRANSFER_REASON = 'Transfer Through A Trunk Not Supported';

/**
 * The PBX's answer to `request` when it is a transfer that would go to a trunk, else undefined.
 * `toTag` tags an out-of-dialog request's To (RFC 3261 §8.2.6.2).
 */
export function trunkTransferRefusal(request: SipRequest, toTag?: string): SipResponse | undefined {
  const transfer = request.method === 'REFER' || (request.method === 'INVITE' && getHeader(request, 'Replaces') !== undefined);
  return transfer ? createResponse(request, 403, { reason: TRUNK_TRANSFER_REASON, toTag }) : undefined;
}
