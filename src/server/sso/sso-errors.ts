/**
 * Why a sign-in through an identity provider ended without a session. The code (listed in
 * src/contract/sso.ts) travels to the pane with the result (sso-result-page.ts) and into the
 * audit line; the message is for people.
 */
import type { SsoErrorCode } from '../../contract/sso.ts';
import { CodedError } from '../../errors/coded-error.ts';

export class SsoError extends CodedError<SsoErrorCode> {
  override readonly name = 'SsoError';
}
