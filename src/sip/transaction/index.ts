export { createAckForFailure } from './ack.ts';
export { createCancel } from './cancel.ts';
export { InviteClientTransaction } from './invite-client-transaction.ts';
export type { InviteClientState } from './invite-client-transaction.ts';
export { DEFAULT_TRYING_DELAY_MS, InviteServerTransaction } from './invite-server-transaction.ts';
export type { InviteServerState } from './invite-server-transaction.ts';
export { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
export type { NonInviteClientState } from './non-invite-client-transaction.ts';
export { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
export type { NonInviteServerState } from './non-invite-server-transaction.ts';
export { TransactionStateError } from './state-machine.ts';
export { DEFAULT_TIMER_CONFIG, systemClock, TIMER_D_UNRELIABLE } from './timers.ts';
export type { Clock, TimerConfig, TimerHandle } from './timers.ts';
export type { TransactionKind } from './transaction.ts';
export { TransactionLayer } from './transaction-layer.ts';
export type { TransactionCounts, TransactionLayerOptions, TransactionStats } from './transaction-layer.ts';
export type { SentBy, TransactionFlow, TransactionTransport } from './transaction-transport.ts';
export type {
  ClientTransaction,
  ClientTransactionUser,
  ServerTransaction,
  ServerTransactionUser,
  TransactionUser,
} from './transaction-user.ts';
export { MAGIC_COOKIE, newBranch } from './via.ts';
