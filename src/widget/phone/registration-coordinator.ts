/**
 * One SIP registration per user per browser. Every Dynamics tab runs its own pane, and if each
 * registered, every tab would ring. The panes agree over a BroadcastChannel (named per
 * extension) which one holds the registration: in the cross-site iframe Web Locks and storage
 * may throw (docs/cif-contract.md §7), BroadcastChannel works, and it is partitioned like the pane, so only
 * the panes inside the same Dynamics site talk to each other.
 *
 * The protocol: a new pane asks `hello`; a holder answers `holder`. With no answer the pane
 * `claim`s an epoch one above any seen; competing claims of one epoch go to the lowest id. The
 * holder repeats `holder` as a heartbeat, and says `release` when its page goes away (pagehide),
 * so a follower takes over at once. Background tabs' timers are throttled to a minute, so
 * silence alone never deposes a holder: a follower that has heard nothing for a while sends
 * `probe`, which a living holder answers from its message handler (messages are not throttled),
 * and only a probe left unanswered lets it claim. A `takeover` (a person pressing "Use this
 * tab") makes the holder release unless a call is in progress (`busy`). Two holders (a frozen
 * tab waking up) resolve by epoch, then id.
 */

export type CoordinatorRole = 'undecided' | 'holder' | 'follower';

export type CoordinatorMessage =
  | { v: 1; type: 'hello' | 'probe' | 'claim' | 'holder' | 'release'; from: string; epoch: number }
  | { v: 1; type: 'takeover'; from: string; epoch: number }
  | { v: 1; type: 'busy'; from: string; epoch: number; to: string };

/** The BroadcastChannel surface used (a stand-in in tests). */
export interface CoordinationChannel {
  postMessage(message: CoordinatorMessage): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface CoordinatorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type TakeoverOutcome = 'taken' | 'busy';

export interface CoordinatorOptions {
  /** undefined when BroadcastChannel is missing: the pane then simply holds its own registration. */
  channel: CoordinationChannel | undefined;
  id: string;
  clock?: CoordinatorClock;
  /** Whether this pane has a call in progress (a holder in a call refuses a takeover). */
  isBusy(): boolean;
  onRoleChange(role: CoordinatorRole): void;
}

export const COORDINATION_TIMING = {
  /** How long a new pane waits for a holder to answer its hello. */
  helloWaitMs: 400,
  /** How long a claim waits for a competing claim or a holder. */
  claimWaitMs: 300,
  heartbeatMs: 5000,
  /** Silence after which a follower probes the holder. */
  silenceMs: 12_000,
  /** How long a probed holder has to answer. */
  probeWaitMs: 2000,
  /** How long a takeover waits for the holder's release before taking anyway. */
  takeoverWaitMs: 2000,
} as const;

export function coordinationChannelName(extension: string): string {
  return `callpane-registration:${extension}`;
}

export class RegistrationCoordinator {
  readonly #options: CoordinatorOptions;
  readonly #clock: CoordinatorClock;
  readonly #onMessage = (event: { data: unknown }) => this.#receive(event.data);
  #role: CoordinatorRole = 'undecided';
  #epoch = 0;
  #maxEpoch = 0;
  #holderId: string | undefined;
  #lastHeard = 0;
  #timer: unknown;
  #heartbeat: unknown;
  #claiming = false;
  #takeover: ((outcome: TakeoverOutcome) => void) | undefined;
  #started = false;

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? { now: () => Date.now(), setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as number) };
  }

  get role(): CoordinatorRole {
    return this.#role;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const channel = this.#options.channel;
    if (!channel) {
      this.#become('holder');
      return;
    }
    channel.addEventListener('message', this.#onMessage);
    this.#post('hello');
    this.#wait(COORDINATION_TIMING.helloWaitMs, () => this.#claim());
  }

  /** Leaves the group: a holder releases so a follower takes over at once. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    if (this.#role === 'holder') this.#post('release');
    this.#clock.clearTimeout(this.#timer);
    this.#clock.clearTimeout(this.#heartbeat);
    this.#options.channel?.removeEventListener('message', this.#onMessage);
    this.#role = 'undecided';
  }

  /** Asks the holder to hand the registration to this pane. */
  takeOver(): Promise<TakeoverOutcome> {
    if (this.#role === 'holder' || !this.#options.channel) return Promise.resolve('taken');
    this.#takeover?.('busy');
    return new Promise((resolve) => {
      this.#takeover = resolve;
      this.#epoch = this.#maxEpoch + 1;
      this.#maxEpoch = this.#epoch;
      this.#post('takeover');
      this.#wait(COORDINATION_TIMING.takeoverWaitMs, () => this.#finishTakeover('taken'));
    });
  }

  #finishTakeover(outcome: TakeoverOutcome): void {
    const resolve = this.#takeover;
    this.#takeover = undefined;
    if (outcome === 'taken') this.#becomeHolder(this.#epoch);
    else this.#follow(this.#holderId);
    resolve?.(outcome);
  }

  #receive(data: unknown): void {
    const message = readMessage(data);
    if (!message || message.from === this.#options.id || !this.#started) return;
    this.#maxEpoch = Math.max(this.#maxEpoch, message.epoch);
    switch (message.type) {
      case 'hello':
      case 'probe':
        if (this.#role === 'holder') this.#post('holder');
        return;
      case 'holder':
        if (this.#role === 'holder' && !outranks(message, this.#epoch, this.#options.id)) {
          this.#post('holder');
          return;
        }
        if (this.#takeover && message.epoch < this.#epoch) return;
        this.#claiming = false;
        this.#follow(message.from);
        return;
      case 'claim':
        if (this.#role === 'holder') this.#post('holder');
        else if (this.#claiming && outranks(message, this.#epoch, this.#options.id)) {
          this.#claiming = false;
          this.#follow(undefined);
        }
        return;
      case 'release':
        if (this.#takeover) this.#finishTakeover('taken');
        else if (this.#role === 'follower' && (this.#holderId === undefined || message.from === this.#holderId)) this.#claim();
        return;
      case 'takeover':
        if (this.#role !== 'holder') return;
        if (this.#options.isBusy()) {
          this.#options.channel?.postMessage({ v: 1, type: 'busy', from: this.#options.id, epoch: this.#epoch, to: message.from });
          return;
        }
        this.#post('release');
        this.#follow(message.from);
        return;
      case 'busy':
        if (message.to === this.#options.id && this.#takeover) {
          this.#holderId = message.from;
          this.#finishTakeover('busy');
        }
        return;
    }
  }

  #claim(): void {
    if (!this.#started) return;
    this.#claiming = true;
    this.#epoch = this.#maxEpoch + 1;
    this.#maxEpoch = this.#epoch;
    this.#post('claim');
    this.#wait(COORDINATION_TIMING.claimWaitMs, () => {
      if (this.#claiming) this.#becomeHolder(this.#epoch);
    });
  }

  #becomeHolder(epoch: number): void {
    this.#claiming = false;
    this.#epoch = epoch;
    this.#holderId = this.#options.id;
    this.#clock.clearTimeout(this.#timer);
    this.#post('holder');
    this.#beat();
    this.#become('holder');
  }

  #beat(): void {
    this.#clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = this.#clock.setTimeout(() => {
      if (this.#role !== 'holder' || !this.#started) return;
      this.#post('holder');
      this.#beat();
    }, COORDINATION_TIMING.heartbeatMs);
  }

  #follow(holderId: string | undefined): void {
    this.#holderId = holderId;
    this.#lastHeard = this.#clock.now();
    this.#clock.clearTimeout(this.#heartbeat);
    this.#watch();
    this.#become('follower');
  }

  /** A follower's check that the holder still lives. */
  #watch(): void {
    this.#wait(COORDINATION_TIMING.silenceMs, () => {
      if (this.#role !== 'follower') return;
      const silent = this.#clock.now() - this.#lastHeard;
      if (silent < COORDINATION_TIMING.silenceMs) {
        this.#watch();
        return;
      }
      this.#post('probe');
      this.#wait(COORDINATION_TIMING.probeWaitMs, () => {
        if (this.#role === 'follower' && this.#clock.now() - this.#lastHeard >= COORDINATION_TIMING.silenceMs) this.#claim();
      });
    });
  }

  #become(role: CoordinatorRole): void {
    if (this.#role === role) return;
    this.#role = role;
    this.#options.onRoleChange(role);
  }

  #wait(ms: number, then: () => void): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      then();
    }, ms);
  }

  #post(type: 'hello' | 'probe' | 'claim' | 'holder' | 'release' | 'takeover'): void {
    this.#options.channel?.postMessage({ v: 1, type, from: this.#options.id, epoch: this.#epoch });
  }
}

/** Whether `message` (a holder or claim) beats ours: a higher epoch, or the same and a lower id. */
function outranks(message: { epoch: number; from: string }, epoch: number, id: string): boolean {
  return message.epoch > epoch || (message.epoch === epoch && message.from < id);
}

const TYPES = new Set(['hello', 'probe', 'claim', 'holder', 'release', 'takeover', 'busy']);

function readMessage(data: unknown): CoordinatorMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const message = data as Partial<CoordinatorMessage> & { to?: unknown };
  if (message.v !== 1 || typeof message.type !== 'string' || !TYPES.has(message.type)) return undefined;
  if (typeof message.from !== 'string' || typeof message.epoch !== 'number' || !Number.isFinite(message.epoch)) return undefined;
  if (message.type === 'busy' && typeof message.to !== 'string') return undefined;
  return message as CoordinatorMessage;
}
