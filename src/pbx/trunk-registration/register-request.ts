/**
 * The REGISTER Callpane sends to a trunk (RFC 3261 §10.2): Request-URI the registrar's domain,
 * To and From the account's address-of-record, one Call-ID and rising CSeq numbers for all the
 * registrations of a run (§10.2.4: the registrar orders refreshes by them), the Contact that
 * leads back to Callpane, and Expires (0 removes the binding, §10.2.2).
 */
import { parseUri } from '../../sip/message/index.ts';
import type { SipRequest } from '../../sip/message/types.ts';

export interface RegistrationDialog {
  /** `sip:host[:port][;transport=…]`, where the REGISTER goes. */
  registrarUri: string;
  /** `sip:user@domain`, the account registered. */
  addressOfRecord: string;
  /** `sip:user@host:port;transport=…`, where the carrier is to send calls. */
  contact: string;
  callId: string;
  fromTag: string;
}

export function buildRegister(dialog: RegistrationDialog, cseq: number, expires: number): SipRequest {
  const headers = [
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: `<${dialog.addressOfRecord}>;tag=${dialog.fromTag}` },
    { name: 'To', value: `<${dialog.addressOfRecord}>` },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${cseq} REGISTER` },
    { name: 'Contact', value: `<${dialog.contact}>` },
    { name: 'Expires', value: String(expires) },
  ];
  return { type: 'request', method: 'REGISTER', uri: parseUri(dialog.registrarUri), headers, body: Buffer.alloc(0) };
}
