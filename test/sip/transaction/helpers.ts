/**
 * Shared fixtures for the transaction tests: plain-object SIP messages, a transport that records
 * what it was asked to send (and when, by the fake clock), and a TU that records what it heard.
 */
import { FakeClock } from '../../support/fake-clock.ts';
import { TransactionLayer } from '../../../src/sip/transaction/index.ts';
import type {
  ClientTransactionUser,
  InviteServerTransaction,
  NonInviteServerTransaction,
  SentBy,
  ServerTransaction,
  TransactionTransport,
  TransactionUser,
} from '../../../src/sip/transaction/index.ts';
import type { Header, SipRequest, SipResponse, SipUri } from '../../../src/sip/message/types.ts';

export interface TestFlow {
  name: string;
  reliable: boolean;
}

export const UDP: TestFlow = { name: 'udp', reliable: false };
export const TCP: TestFlow = { name: 'tcp', reliable: true };

export interface Sent {
  at: number;
  message: SipRequest | SipResponse;
  to: TestFlow;
}

export class RecordingTransport implements TransactionTransport<TestFlow, TestFlow> {
  readonly sent: Sent[] = [];
  readonly #clock: FakeClock;
  /** When set, every send fails with this error (thrown synchronously). */
  failWith: Error | undefined;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  sendRequest(request: SipRequest, target: TestFlow): void {
    if (this.failWith) throw this.failWith;
    this.sent.push({ at: this.#clock.now(), message: request, to: target });
  }

  sendResponse(response: SipResponse, flow: TestFlow): void {
    if (this.failWith) throw this.failWith;
    this.sent.push({ at: this.#clock.now(), message: response, to: flow });
  }

  isReliable(target: TestFlow): boolean {
    return target.reliable;
  }

  sentBy(target: TestFlow): SentBy {
    return { transport: target.reliable ? 'TCP' : 'UDP', host: '127.0.0.1', port: 5060 };
  }

  requests(method?: string): SipRequest[] {
    return this.sent.flatMap(({ message }) => (message.type === 'request' && (method === undefined || message.method === method) ? [message] : []));
  }

  responses(status?: number): SipResponse[] {
    return this.sent.flatMap(({ message }) => (message.type === 'response' && (status === undefined || message.status === status) ? [message] : []));
  }

  /** Clock times at which requests of `method` were sent. */
  requestTimes(method: string): number[] {
    return this.sent.filter(({ message }) => message.type === 'request' && message.method === method).map(({ at }) => at);
  }

  responseTimes(status: number): number[] {
    return this.sent.filter(({ message }) => message.type === 'response' && message.status === status).map(({ at }) => at);
  }
}

export class RecordingUser implements TransactionUser<TestFlow> {
  readonly requests: { transaction: ServerTransaction<TestFlow>; request: SipRequest }[] = [];
  readonly cancels: { invite: InviteServerTransaction<TestFlow>; cancel: SipRequest; transaction: NonInviteServerTransaction<TestFlow> }[] = [];
  readonly acks: { ack: SipRequest; flow: TestFlow }[] = [];
  readonly strayResponses: SipResponse[] = [];
  readonly serverTimeouts: InviteServerTransaction<TestFlow>[] = [];
  readonly serverTransportErrors: unknown[] = [];

  onRequest(transaction: ServerTransaction<TestFlow>, request: SipRequest): void {
    this.requests.push({ transaction, request });
  }
  onCancel(invite: InviteServerTransaction<TestFlow>, cancel: SipRequest, transaction: NonInviteServerTransaction<TestFlow>): void {
    this.cancels.push({ invite, cancel, transaction });
  }
  onAck(ack: SipRequest, flow: TestFlow): void {
    this.acks.push({ ack, flow });
  }
  onStrayResponse(response: SipResponse): void {
    this.strayResponses.push(response);
  }
  onServerTimeout(transaction: InviteServerTransaction<TestFlow>): void {
    this.serverTimeouts.push(transaction);
  }
  onServerTransportError(error: unknown): void {
    this.serverTransportErrors.push(error);
  }
}

/** Records what one client transaction reported. */
export class RecordingClientUser implements ClientTransactionUser<TestFlow, TestFlow> {
  readonly responses: SipResponse[] = [];
  readonly timeouts: SipResponse[] = [];
  readonly transportErrors: unknown[] = [];

  onResponse(response: SipResponse): void {
    this.responses.push(response);
  }
  onTimeout(response: SipResponse): void {
    this.timeouts.push(response);
  }
  onTransportError(error: unknown): void {
    this.transportErrors.push(error);
  }
}

export function setup(options: { T1?: number; T2?: number; T4?: number; tryingDelayMs?: number } = {}) {
  const clock = new FakeClock();
  const transport = new RecordingTransport(clock);
  const user = new RecordingUser();
  const { tryingDelayMs, ...timers } = options;
  const layer = new TransactionLayer<TestFlow, TestFlow>({ transport, user, clock, timers, tryingDelayMs });
  return { clock, transport, user, layer };
}

/** Lets queued microtasks (deferred transport errors) run. */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

export function sipUri(user: string, host = '127.0.0.1', port?: number): SipUri {
  return { scheme: 'sip', user, host, port, params: new Map(), headers: new Map() };
}

export interface RequestOptions {
  method?: string;
  /** Full top Via value; a client transaction test leaves it out (the layer adds its own). */
  via?: string;
  uri?: SipUri;
  callId?: string;
  cseq?: number;
  fromTag?: string;
  toTag?: string;
  routes?: string[];
}

export function request(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? 'INVITE';
  const headers: Header[] = [];
  if (options.via) headers.push({ name: 'Via', value: options.via });
  headers.push({ name: 'Max-Forwards', value: '70' });
  for (const route of options.routes ?? []) headers.push({ name: 'Route', value: route });
  headers.push(
    { name: 'From', value: `<sip:alice@127.0.0.1>;tag=${options.fromTag ?? 'a1'}` },
    { name: 'To', value: `<sip:bob@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ''}` },
    { name: 'Call-ID', value: options.callId ?? 'call-1@127.0.0.1' },
    { name: 'CSeq', value: `${options.cseq ?? 1} ${method}` },
    { name: 'Contact', value: '<sip:alice@127.0.0.1:5070>' },
  );
  return { type: 'request', method, uri: options.uri ?? sipUri('bob'), headers, body: Buffer.alloc(0) };
}

/** A response to `req` as the far end would build it: Vias, From, Call-ID, CSeq copied, To tagged. */
export function response(req: SipRequest, status: number, toTag?: string): SipResponse {
  const copy = (name: string) => req.headers.filter((h) => h.name === name);
  const to = req.headers.find((h) => h.name === 'To')!.value;
  const headers: Header[] = [
    ...copy('Via'),
    ...copy('From'),
    { name: 'To', value: toTag && !to.includes(';tag=') ? `${to};tag=${toTag}` : to },
    ...copy('Call-ID'),
    ...copy('CSeq'),
  ];
  return { type: 'response', status, reason: REASONS[status] ?? 'Whatever', headers, body: Buffer.alloc(0) };
}

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  404: 'Not Found',
  408: 'Request Timeout',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
};

export function header(message: SipRequest | SipResponse, name: string): string | undefined {
  return message.headers.find((h) => h.name === name)?.value;
}

export function headers(message: SipRequest | SipResponse, name: string): string[] {
  return message.headers.filter((h) => h.name === name).map((h) => h.value);
}

export function clientUser(): RecordingClientUser {
  return new RecordingClientUser();
}
