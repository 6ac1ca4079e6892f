/**
 * A 2xx the proxy cannot pass on — the media relay could not anchor its SDP (the caller was
 * answered 503), another branch of the fork answered first, or it crossed the 487 the caller
 * already got — leaves a dialog that exists at the callee only. Nobody upstream will ever ACK
 * or end it, so the proxy does what the caller's UA would have done: it ACKs the 2xx (RFC 3261
 * §13.2.2.4), which stops its retransmissions, and sends a BYE (§15.1.1), which frees the
 * callee's line at once instead of after 64·T1 and a failed BYE of its own. The BYE's Reason
 * (RFC 3326) says why.
 */
import { cseqOf, formatNameAddr, getHeader, getHeaders, parseNameAddr, parseNameAddrList, setHeader, tagOf, toOf } from '../../sip/message/index.ts';
import type { NameAddr, SipRequest, SipResponse } from '../../sip/message/types.ts';

/** Why the callee's dialog is ended: the Reason header of the BYE (RFC 3326 §2). */
export interface AbandonReason {
  cause: number;
  text: string;
}

/** Another branch of the fork answered first (the text RFC 3326 §2 gives as its example). */
export const COMPLETED_ELSEWHERE: AbandonReason = { cause: 200, text: 'Call completed elsewhere' };

/**
 * The ACK and the BYE that end the callee's side of a dialog its 2xx (`answer`) started, built
 * from the INVITE as this proxy sent it on the callee's leg (`sent`, our Via not yet added).
 * `isOurs` tells our own Record-Route entries: only those above them — proxies between us and
 * the callee — become the Route, in reverse, as the UAC's route set would have them (§12.1.2).
 */
export function endOfAbandonedDialog(sent: SipRequest, answer: SipResponse, isOurs: (entry: NameAddr) => boolean, reason: AbandonReason): { ack: SipRequest; bye: SipRequest } {
  const toTag = tagOf(toOf(answer));
  const to = parseNameAddr(getHeader(sent, 'To') ?? '');
  if (toTag !== undefined) to.params.set('tag', toTag);
  const contact = getHeaders(answer, 'Contact').flatMap((value) => parseNameAddrList(value))[0];
  const downstream: NameAddr[] = [];
  for (const entry of getHeaders(answer, 'Record-Route').flatMap((value) => parseNameAddrList(value))) {
    if (isOurs(entry)) break;
    downstream.push(entry);
  }
  const routes = downstream.reverse().map((entry) => ({ name: 'Route', value: formatNameAddr(entry) }));
  const { seq } = cseqOf(sent);
  const request = (method: 'ACK' | 'BYE', cseq: number): SipRequest => {
    const headers = [
      { name: 'Max-Forwards', value: '70' },
      ...routes,
      { name: 'From', value: getHeader(sent, 'From') ?? '' },
      { name: 'To', value: formatNameAddr(to) },
      { name: 'Call-ID', value: getHeader(sent, 'Call-ID') ?? '' },
      { name: 'CSeq', value: `${cseq} ${method}` },
      { name: 'Content-Length', value: '0' },
    ];
    const message: SipRequest = { type: 'request', method, uri: contact?.uri ?? sent.uri, headers, body: Buffer.alloc(0) };
    if (method === 'BYE') setHeader(message, 'Reason', `SIP;cause=${reason.cause};text="${reason.text.replaceAll('"', '')}"`);
    return message;
  };
  return { ack: request('ACK', seq), bye: request('BYE', seq + 1) };
}
