/**
 * A real SIP user agent for interop tests: baresip (Debian `baresip-core`, 1.0.0 on Debian 12),
 * configured in a temporary folder (see baresip-config.ts), bound to 127.0.0.1 only and driven
 * over ctrl_tcp (see baresip-ctrl.ts for its commands and events).
 *
 * - Accounts from the `accounts` file register before ctrl_tcp can have a client, so their
 *   REGISTER_OK would be lost. The agent instead creates its account over ctrl_tcp (`uanew`,
 *   which registers at once), so every registration event reaches it; no accounts file is
 *   written and account.so is not loaded.
 * - Call commands (`hold`, `resume`, `sndcode`, `reinvite`, `transfer`, …) exist only while a
 *   call does. 1.0.0 has no unregister command: deleting the user agent (`uadel`) sends the
 *   REGISTER with Expires 0.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTP_PORT_COUNT, accountAor, formatAccountLine, formatBaresipConfig, moduleList, type BaresipAccount, type BaresipMediaOptions } from './baresip-config.ts';
import { BaresipCtrlClient, type BaresipEvent, type BaresipResponse } from './baresip-ctrl.ts';
import { withDeadline } from './deadline.ts';
import { ManagedProcess, type LineWaitOptions } from './managed-process.ts';
import { freePort, freePortBlock } from './ports.ts';

export type { BaresipEvent, BaresipResponse } from './baresip-ctrl.ts';
export { formatAccountLine, type BaresipAccount, type SipTransportName } from './baresip-config.ts';

export const BARESIP_BINARY = '/usr/bin/baresip';

export interface BaresipStartOptions extends BaresipMediaOptions {
  /** Names the agent in errors and diagnostics. */
  name: string;
  account: BaresipAccount;
  /**
   * The loopback address its SIP and RTP use, e.g. 127.0.0.3 for a carrier a trunk matches by
   * address apart from the phones on 127.0.0.1; 127.0.0.1 when omitted. ctrl_tcp stays on 127.0.0.1.
   */
  address?: string;
  /** SIP port on `address` (UDP and TCP, and TLS on the next one); free ports when omitted. */
  sipPort?: number;
  ctrlPort?: number;
  /** Prints every SIP message sent and received into the log (`baresip -s`). */
  sipTrace?: boolean;
  /** Bound on start-up (process, ctrl_tcp, account creation); 10 s when omitted. */
  startTimeoutMs?: number;
}

export type EventMatcher = string | ((event: BaresipEvent) => boolean);

const START_ATTEMPTS = 3;
const COMMAND_TIMEOUT_MS = 5000;

export class BaresipAgent {
  readonly name: string;
  readonly dir: string;
  readonly sipPort: number;
  readonly ctrlPort: number;
  /** The account's address of record, as baresip names it in events (`sip:user@host:port`). */
  readonly aor: string;
  readonly accountLine: string;
  /** Every event received, oldest first, for diagnostics. */
  readonly events: BaresipEvent[] = [];
  readonly #process: ManagedProcess;
  readonly #unclaimed: BaresipEvent[] = [];
  readonly #eventWaiters = new Set<(event: BaresipEvent | Error) => boolean>();
  #ctrl: BaresipCtrlClient | undefined;
  #ctrlError: Error | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(fields: { name: string; dir: string; sipPort: number; ctrlPort: number; aor: string; accountLine: string; process: ManagedProcess }) {
    this.name = fields.name;
    this.dir = fields.dir;
    this.sipPort = fields.sipPort;
    this.ctrlPort = fields.ctrlPort;
    this.aor = fields.aor;
    this.accountLine = fields.accountLine;
    this.#process = fields.process;
    void this.#process.exited.then(() => this.#failWaiters(this.#process.error('baresip exited')));
  }

  /**
   * Starts baresip, connects to ctrl_tcp and creates the account (which starts registering
   * unless `regint` is 0: wait for it with `waitForRegistered`). With ports left to it, retries
   * on fresh ports when one was taken meanwhile.
   */
  static async start(options: BaresipStartOptions): Promise<BaresipAgent> {
    const aor = accountAor(options.account);
    const accountLine = formatAccountLine(options);
    const modules = moduleList(options);
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const sipPort = options.sipPort ?? (await freePortBlock(2));
      const ctrlPort = options.ctrlPort ?? (await freePort());
      const rtpFirst = await freePortBlock(RTP_PORT_COUNT, { udp: true });
      const dir = await mkdtemp(join(tmpdir(), `callpane-baresip-${sanitizeForPath(options.name)}-`));
      await writeFile(join(dir, 'config'), formatBaresipConfig({ address: options.address, sipPort, ctrlPort, rtpFirst, modules }));
      const args = ['-f', dir, '-v', ...(options.sipTrace === true ? ['-s'] : [])];
      const child = await ManagedProcess.start({ name: `baresip ${options.name}`, command: BARESIP_BINARY, args }).catch(async (error: unknown) => {
        await rm(dir, { recursive: true, force: true });
        throw error;
      });
      const agent = new BaresipAgent({ name: options.name, dir, sipPort, ctrlPort, aor, accountLine, process: child });
      try {
        await agent.#boot(timeoutMs);
        return agent;
      } catch (error) {
        lastError = error as Error;
        await agent.stop();
        const portTaken = agent.#process.recentLines(400).some((line) => line.includes('Address already in use'));
        if (!portTaken || options.sipPort !== undefined || options.ctrlPort !== undefined) break;
      }
    }
    throw lastError ?? new Error(`baresip ${options.name}: did not start`);
  }

  async #boot(timeoutMs: number): Promise<void> {
    const started = Date.now();
    await this.#process.waitForLine(/^baresip is ready\.$/, timeoutMs);
    // Without this line another process may own the port and we would talk to it instead.
    const listening = `ctrl_tcp: TCP socket listening on 127.0.0.1:${this.ctrlPort}`;
    if (!this.#process.recentLines(400).includes(listening)) throw this.#process.error(`ready, but never printed "${listening}"`);
    this.#ctrl = await BaresipCtrlClient.connect(
      this.ctrlPort,
      Math.max(1, timeoutMs - (Date.now() - started)),
      {
        onEvent: (event) => this.#receiveEvent(event),
        onClose: (error) => {
          this.#ctrlError = error;
          this.#failWaiters(this.#process.error(`ctrl_tcp connection lost: ${error?.message ?? 'closed'}`));
        },
      },
      () => this.#process.exitStatus !== undefined,
    ).catch((error: Error) => {
      throw this.#process.error(error.message);
    });
    const created = await this.command('uanew', this.accountLine);
    if (!created.ok) throw this.#process.error(`uanew refused the account line ${this.accountLine}: ${created.data}`);
  }

  /** Sends a ctrl_tcp command (a long menu command without the slash); resolves whatever `ok` says. */
  async command(command: string, params = '', timeoutMs = COMMAND_TIMEOUT_MS): Promise<BaresipResponse> {
    if (this.#ctrl === undefined) throw this.#process.error(`not connected to ctrl_tcp (command "${command}")`);
    try {
      return await this.#ctrl.command(command, params, timeoutMs);
    } catch (error) {
      throw this.#process.error((error as Error).message);
    }
  }

  /** Like `command`, but rejects (with the last log lines) when baresip answers `ok: false`. */
  async commandOk(command: string, params = ''): Promise<string> {
    const response = await this.command(command, params);
    if (!response.ok) throw this.#process.error(`command "${command}${params === '' ? '' : ` ${params}`}" failed: ${response.data}`);
    return response.data;
  }

  /**
   * The oldest event not yet returned by a wait that matches (a `type` name or a predicate),
   * else the next one to arrive. Each event is returned once, so consecutive waits for
   * CALL_CLOSED see consecutive calls. Rejects after `timeoutMs`, or when baresip exits.
   */
  waitForEvent(matcher: EventMatcher, timeoutMs: number): Promise<BaresipEvent> {
    const matches = typeof matcher === 'string' ? (event: BaresipEvent) => event.type === matcher : matcher;
    const index = this.#unclaimed.findIndex(matches);
    const [claimed] = index === -1 ? [] : this.#unclaimed.splice(index, 1);
    if (claimed !== undefined) return Promise.resolve(claimed);
    const failure = this.#deadError();
    if (failure !== undefined) return Promise.reject(failure);
    let waiter: ((event: BaresipEvent | Error) => boolean) | undefined;
    const found = new Promise<BaresipEvent>((resolve, reject) => {
      waiter = (event) => {
        if (event instanceof Error) {
          reject(event);
          return true;
        }
        if (!matches(event)) return false;
        resolve(event);
        return true;
      };
      this.#eventWaiters.add(waiter);
    });
    const described = typeof matcher === 'string' ? matcher : 'an event matching the predicate';
    return withDeadline(found, timeoutMs, () => this.#process.error(`no ${described} within ${timeoutMs} ms; events so far: ${this.#eventSummary()}`)).finally(() => {
      if (waiter !== undefined) this.#eventWaiters.delete(waiter);
    });
  }

  /** Resolves on REGISTER_OK for this account; rejects at once on REGISTER_FAIL, with its reason. */
  async waitForRegistered(timeoutMs = 5000): Promise<BaresipEvent> {
    const event = await this.waitForEvent((e) => (e.type === 'REGISTER_OK' || e.type === 'REGISTER_FAIL') && e.accountaor === this.aor, timeoutMs);
    if (event.type === 'REGISTER_FAIL') throw this.#process.error(`registration of ${this.aor} failed: ${event.param ?? 'no reason'}`);
    return event;
  }

  /** The first log line (from `since`, see `logLineCount`) matching `pattern`, or the next one. */
  waitForLog(pattern: RegExp, timeoutMs: number, options: LineWaitOptions = {}): Promise<RegExpMatchArray> {
    return this.#process.waitForLine(pattern, timeoutMs, options);
  }

  get logLineCount(): number {
    return this.#process.lineCount;
  }

  recentLog(lines = 40): string[] {
    return this.#process.recentLines(lines);
  }

  /** Places a call; `target` is a SIP URI or a user baresip completes with the account's domain. */
  async dial(target: string): Promise<void> {
    await this.commandOk('dial', target);
  }

  /** Accepts the current incoming call (`accept`). */
  async answer(): Promise<void> {
    await this.commandOk('accept');
  }

  /** Hangs up the current call, or rejects it (486) while it rings. */
  async hangup(): Promise<void> {
    await this.commandOk('hangup');
  }

  /** Puts the current call on hold with a re-INVITE (a=sendonly). */
  async hold(): Promise<void> {
    await this.commandOk('hold');
  }

  async resume(): Promise<void> {
    await this.commandOk('resume');
  }

  /** Sends each digit as RFC 4733 telephone-events on the current call (`sndcode`). */
  async sendDtmf(digits: string): Promise<void> {
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw new Error(`sendDtmf: not DTMF digits: ${JSON.stringify(digits)}`);
    for (const digit of digits) await this.commandOk('sndcode', digit);
  }

  /** Removes the account (`uadel`), which unregisters it (REGISTER with Expires: 0). */
  async unregister(): Promise<void> {
    await this.commandOk('uadel', this.aor);
  }

  /** Re-creates the account after `unregister`, which registers it again. */
  async register(): Promise<void> {
    await this.commandOk('uanew', this.accountLine);
  }

  /**
   * Quits baresip (`quit`), SIGKILLs it if it has not exited within `graceMs`, closes ctrl_tcp
   * and removes its folder. Safe to call more than once and after a failed start.
   */
  stop(graceMs = 3000): Promise<void> {
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    const ctrl = this.#ctrl;
    await this.#process.stop({
      graceMs,
      requestExit: ctrl === undefined || this.#ctrlError !== undefined ? undefined : () => void ctrl.command('quit', '', graceMs).catch(() => undefined),
    });
    ctrl?.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  #receiveEvent(event: BaresipEvent): void {
    this.events.push(event);
    for (const waiter of this.#eventWaiters) {
      if (waiter(event)) {
        this.#eventWaiters.delete(waiter);
        return;
      }
    }
    this.#unclaimed.push(event);
  }

  #failWaiters(error: Error): void {
    for (const waiter of this.#eventWaiters) waiter(error);
    this.#eventWaiters.clear();
  }

  #deadError(): Error | undefined {
    if (this.#process.exitStatus !== undefined) return this.#process.error('baresip has exited');
    if (this.#ctrlError !== undefined) return this.#process.error(`ctrl_tcp connection lost: ${this.#ctrlError.message}`);
    return undefined;
  }

  #eventSummary(): string {
    const recent = this.events.slice(-15).map((e) => (e.param === undefined ? e.type : `${e.type}(${e.param})`));
    return recent.length === 0 ? 'none' : recent.join(', ');
  }
}

function sanitizeForPath(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
}
