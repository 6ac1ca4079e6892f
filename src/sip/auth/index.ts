export { DigestError } from './digest-error.ts';
export { DigestErrorCode } from '../sip-errors.ts';
export {
  parseDigestCredentials,
  parseDigestChallenge,
  formatDigestChallenge,
  formatDigestCredentials,
  type DigestCredentials,
  type DigestChallenge,
} from './digest-header.ts';
export { digestResponse, computeHa1, toDigestAlgorithm, type DigestAlgorithm, type DigestResponseInput } from './digest-hash.ts';
export { NonceManager, type NonceManagerOptions, type NonceValidity, type NonceCheck } from './nonce-manager.ts';
export {
  DigestAuthenticator,
  type DigestAuthenticatorOptions,
  type DigestChallengeOptions,
  type DigestChallengeHeaders,
  type DigestRequest,
  type DigestSecret,
  type DigestSecretLookup,
  type VerifyFailureReason,
  type VerifyResult,
} from './digest-server.ts';
export {
  answerChallenge,
  selectChallenge,
  DigestClientSession,
  type DigestAnswerOptions,
  type DigestRequestLine,
  type DigestUserCredentials,
} from './digest-client.ts';
