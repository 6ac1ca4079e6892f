/**
 * The host side of CIF 1.0, as the Unified Interface page (window.top) plays it: it accepts
 * messages only from the channel provider's origins — the landing URL's plus the Trusted Domain
 * (docs/cif-contract.md §6) — answers each call with exactly one response to the window that asked, and
 * sends events to the channel panel's frame only, addressed to the origin that initialised the
 * library there. Anything from another origin is refused without an answer, as a real host
 * gives none. DOM-free: the page passes message events in, so tests can drive it directly.
 */
import { CifArgumentError, parseCall, type CifCall } from './cif-arguments.ts';
import { CifErrorCode, CifRejection, cifError } from './cif-error.ts';
import {
  CIF_2_ONLY_METHODS,
  CIF_MARK,
  isCifMethod,
  isMarked,
  type CallOutcome,
  type CifEvent,
  type EventMessage,
  type HostMessage,
  type InitResultMessage,
  type ResponseMessage,
} from './cif-protocol.ts';

/** What the host posts to: a window (WindowProxy) or a test double. */
export interface MessageTarget {
  postMessage(message: unknown, targetOrigin: string): void;
}

/** The parts of a MessageEvent the host reads. */
export interface IncomingMessage {
  origin: string;
  source: unknown;
  data: unknown;
}

export type RefusalReason = 'untrusted-origin' | 'no-source';

export type HandleOutcome =
  /** Not a CIF message: left for other listeners. */
  | 'ignored'
  /** A CIF message from an origin the provider does not trust (or without a window to answer). */
  | 'refused'
  /** A CIF message from a trusted origin that is not a valid init or request; answered with an error when it carried an id. */
  | 'malformed'
  | 'initialized'
  | 'answered';

export interface CifHostOptions {
  /** Origins allowed to call: the landing URL's and the Trusted Domain's. */
  trustedOrigins: readonly string[];
  /** Carries out a checked call; throws CifRejection to reject it with that JSON string. */
  execute: (call: CifCall) => Promise<unknown>;
  /** The channel panel's frame (its contentWindow), where events go. */
  panel: () => MessageTarget | null | undefined;
  /** Told about every refused message (the page logs it to the console). */
  onRefused?: (origin: string, reason: RefusalReason) => void;
}

const MAX_ID_LENGTH = 100;

export class CifHost {
  private readonly trusted: ReadonlySet<string>;
  private readonly options: CifHostOptions;
  /** The origin of the library in the panel frame, once it has initialised; events go there. */
  private channelOrigin: string | undefined;

  constructor(options: CifHostOptions) {
    this.options = options;
    this.trusted = new Set(options.trustedOrigins);
  }

  /** The origin events are addressed to, once the panel's library has initialised. */
  get connectedOrigin(): string | undefined {
    return this.channelOrigin;
  }

  /** Handles one message event; resolves once any answer has been posted. */
  async handleMessage(event: IncomingMessage): Promise<HandleOutcome> {
    const { data, origin } = event;
    if (!isMarked(data)) return 'ignored';
    if (!this.trusted.has(origin)) return this.refuse(origin, 'untrusted-origin');
    const source = asTarget(event.source);
    if (!source) return this.refuse(origin, 'no-source');

    if (data.type === 'init') {
      // A (re)loaded library in the panel: events follow the frame to its current origin.
      if (source === this.options.panel()) this.channelOrigin = origin;
      post(source, { cif: CIF_MARK, type: 'initResult' } satisfies InitResultMessage, origin);
      return 'initialized';
    }
    if (data.type !== 'request') return 'malformed';
    const { id, method, args } = data as { id?: unknown; method?: unknown; args?: unknown };
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) return 'malformed';
    const answer = (message: CallOutcome) => post(source, { cif: CIF_MARK, type: 'response', id, ...message } satisfies ResponseMessage, origin);
    if (typeof method !== 'string' || !Array.isArray(args)) {
      answer({ ok: false, error: cifError(CifErrorCode.InvalidArgument, 'A CIF request needs a method name and an argument list.') });
      return 'malformed';
    }
    answer(await this.run(method, args));
    return 'answered';
  }

  /** Sends an event to the panel's library; false when no library has initialised there yet. */
  emit(name: CifEvent, payload: Record<string, unknown>): boolean {
    const panel = this.options.panel();
    if (!panel || this.channelOrigin === undefined) return false;
    post(panel, { cif: CIF_MARK, type: 'event', name, payload: JSON.stringify(payload) } satisfies EventMessage, this.channelOrigin);
    return true;
  }

  private async run(method: string, args: unknown[]): Promise<CallOutcome> {
    if (!isCifMethod(method)) {
      const code = (CIF_2_ONLY_METHODS as readonly string[]).includes(method) ? CifErrorCode.NotSupported : CifErrorCode.InvalidArgument;
      const message =
        code === CifErrorCode.NotSupported
          ? `${method} is part of Channel Integration Framework 2.0; this channel provider uses version 1.0.`
          : `${method} is not a Channel Integration Framework API.`;
      return { ok: false, error: cifError(code, message) };
    }
    try {
      return { ok: true, result: await this.options.execute(parseCall(method, args)) };
    } catch (error) {
      if (error instanceof CifRejection) return { ok: false, error: error.json };
      if (error instanceof CifArgumentError) return { ok: false, error: cifError(error.code, error.message) };
      return { ok: false, error: cifError(CifErrorCode.Failed, error instanceof Error ? error.message : String(error)) };
    }
  }

  private refuse(origin: string, reason: RefusalReason): HandleOutcome {
    this.options.onRefused?.(origin, reason);
    return 'refused';
  }
}

function asTarget(source: unknown): MessageTarget | undefined {
  return typeof source === 'object' && source !== null && typeof (source as MessageTarget).postMessage === 'function' ? (source as MessageTarget) : undefined;
}

function post(target: MessageTarget, message: HostMessage, origin: string): void {
  target.postMessage(message, origin);
}
