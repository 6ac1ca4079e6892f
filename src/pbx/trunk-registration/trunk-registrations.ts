/**
 * Every trunk with a `register` block, registered to its host for as long as the PBX runs
 * (trunk-registration.ts does one): the REGISTERs run in client transactions of the PBX's own
 * transaction layer, so the carrier's responses and retransmissions are matched like any other.
 * Status changes go to the log (changes of state only), /metrics (read at each scrape) and the
 * database for `callpane trunks status` (registration-report.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import { createResponse, formatUri } from '../../sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../sip/message/types.ts';
import type { TransactionLayer } from '../../sip/transaction/index.ts';
import type { Flow, RequestTarget, TransportProtocol } from '../../sip/transport/index.ts';
import type { Trunk } from '../routing/trunk.ts';
import { registrationContactUser } from './contact-user.ts';
import type { RegistrationDialog } from './register-request.ts';
import { TrunkRegistration, type RegistrationClock, type RegistrationStatus } from './trunk-registration.ts';

const TRANSPORT: Record<Trunk['transport'], TransportProtocol> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS', ws: 'WS' };
/** How long shutdown waits for the carrier to confirm the unREGISTERs before it goes on. */
export const UNREGISTER_WAIT_MS = 2000;

export interface TrunkRegistrationsOptions {
  trunks: readonly Trunk[];
  transactions: Pick<TransactionLayer<Flow, RequestTarget>, 'createClientTransaction'>;
  /** Our advertised host and port for a transport (the Contact's host part). */
  localVia(protocol: TransportProtocol): { host: string; port: number };
  log: StructuredLogger;
  /** Every change of any trunk's status, all of them (for the database). */
  onChange?(statuses: RegistrationStatus[]): void;
  resolveHost?: (host: string) => Promise<string>;
  clock?: RegistrationClock;
}

const systemClock: RegistrationClock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    // A pending renewal must not keep a stopping process alive.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class TrunkRegistrations {
  #registrations: TrunkRegistration[] = [];
  readonly #options: TrunkRegistrationsOptions;
  readonly #clock: RegistrationClock;

  constructor(options: TrunkRegistrationsOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  get statuses(): RegistrationStatus[] {
    return this.#registrations.map((registration) => registration.status);
  }

  /** Registers every trunk with a `register` block; once the transports listen (the Contact names their ports). */
  start(): void {
    const options = this.#options;
    const clock = this.#clock;
    const resolveHost = options.resolveHost ?? (async (host: string) => (await lookup(host)).address);
    this.#registrations = options.trunks.flatMap((trunk) => {
      if (trunk.register === undefined || trunk.outbound === undefined || trunk.host === undefined) return [];
      const { host } = trunk;
      const protocol = TRANSPORT[trunk.transport];
      return [
        new TrunkRegistration({
          trunk: trunk.name,
          dialog: dialogOf(trunk, options.localVia(protocol)),
          credentials: { username: trunk.outbound.username, password: trunk.outbound.password },
          expires: trunk.register.expires,
          clock,
          send: async (request) => {
            const address =
              isIP(host) === 0
                ? await resolveHost(host).catch((err: unknown) => Promise.reject(new Error(`host ${host} does not resolve (${(err as { code?: string }).code ?? err})`)))
                : host;
            return this.#send(request, { transport: protocol, host: address, port: trunk.port });
          },
          onStatus: (status, previous) => this.#changed(status, previous),
        }),
      ];
    });
    for (const registration of this.#registrations) registration.start();
  }

  /** Removes every binding at the carriers, waiting at most `waitMs` for them to confirm. */
  async stop(waitMs = UNREGISTER_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([Promise.all(this.#registrations.map((registration) => registration.stop())), waited]);
    clearTimeout(timer);
  }

  #send(request: SipRequest, target: RequestTarget): Promise<SipResponse> {
    return new Promise((resolve) => {
      this.#options.transactions.createClientTransaction(request, target, {
        onResponse(response) {
          if (response.status >= 200) resolve(response);
        },
        onTimeout: (response) => resolve(response),
        // RFC 3261 §8.1.3.1: a transport failure counts as a 503 from the next hop.
        onTransportError: () => resolve(createResponse(request, 503, { reason: 'Transport Failed' })),
      });
    });
  }

  #changed(status: RegistrationStatus, previous: RegistrationStatus): void {
    const { log } = this.#options;
    if (status.state !== previous.state) {
      const fields = { trunk: status.trunk, state: status.state, previous: previous.state };
      if (status.state === 'failed') {
        const retryInSeconds = Math.round(((status.nextAttemptAt ?? 0) - this.#clock.now()) / 1000);
        log.warn({ ...fields, reason: status.reason, retryInSeconds }, 'trunk registration failed: calls from the carrier may not reach Callpane');
      } else if (status.state === 'registered') {
        log.info({ ...fields, expiresAt: new Date(status.expiresAt ?? 0).toISOString() }, 'trunk registered to its carrier');
      } else {
        log.info(fields, status.state === 'unregistered' ? 'trunk registration removed' : 'trunk registering');
      }
    }
    this.#options.onChange?.(this.statuses.map((current) => (current.trunk === status.trunk ? status : current)));
  }
}

/** The REGISTER's fixed parts: where it goes, the account, and the Contact naming this trunk. */
function dialogOf(trunk: Trunk, local: { host: string; port: number }): RegistrationDialog {
  const host = isIP(trunk.host ?? '') === 6 ? `[${trunk.host}]` : (trunk.host ?? '');
  const defaultPort = trunk.transport === 'tls' ? 5061 : 5060;
  const transportParam = trunk.transport === 'udp' ? '' : `;transport=${trunk.transport}`;
  const domain = trunk.outbound?.fromDomain ?? host;
  const user = trunk.register?.user ?? trunk.outbound?.username ?? '';
  return {
    registrarUri: `sip:${host}${trunk.port === defaultPort ? '' : `:${trunk.port}`}${transportParam}`,
    // formatUri %-escapes the user part as RFC 3261 §25.1 requires (an account name with '@' or a space).
    addressOfRecord: formatUri({ scheme: 'sip', user, host: domain, params: new Map(), headers: new Map() }),
    contact: `sip:${registrationContactUser(trunk)}@${local.host}:${local.port}${transportParam}`,
    callId: `${randomUUID()}@callpane`,
    fromTag: randomBytes(8).toString('hex'),
  };
}
