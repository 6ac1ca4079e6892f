/**
 * Agents in Chromium for the pane's journeys, benchmark and preview: Debian's Chromium with a
 * fake microphone and loopback ICE candidates (inside a loopback-only namespace WebRTC gathers
 * none without `--allow-loopback-in-peer-connection`; docs/test-environment.md §2), one browser
 * context per agent, each on the sandbox's main page with the pane in its channel panel. The
 * profile is Chromium's default, which is strict for cross-site frames: the pane gets no
 * third-party storage, only Partitioned cookies.
 *
 * Two test-only observers are installed in every page of an agent's context:
 * - in the sandbox page (window.top), every CIF request the host receives, timestamped on
 *   arrival (`performance.timeOrigin + performance.now()`, comparable with this process's);
 * - in frames, every RTCPeerConnection made, so its statistics can be read.
 */
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { CIF_MARK } from '../../src/sandbox/cif/cif-protocol.ts';
import { CHROMIUM_FLAGS, CHROMIUM_PATH, screenshotPath } from '../e2e/support/chromium.ts';

/** Each step of a journey waits at most this long. */
export const STEP_MS = 10_000;
const MEDIA_FLAGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection'];

export function launchPaneBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS, ...MEDIA_FLAGS], timeout: 30_000 });
}

const EXPECTED_FAILURES = /^Failed to load resource: the server responded with a status of (401|412)\b/;

/** A CIF call as the sandbox host received it. */
export interface HostCall {
  method: string;
  args: unknown[];
  /** Arrival, epoch ms with sub-millisecond digits. */
  at: number;
}

interface Observed {
  __cifCalls?: HostCall[];
  __pcs?: RTCPeerConnection[];
}

function observe(mark: string): void {
  const scope = window as unknown as Observed;
  if (window === window.top) {
    const calls: HostCall[] = [];
    scope.__cifCalls = calls;
    // Registered before the page's own scripts run, so it sees each request first.
    window.addEventListener(
      'message',
      (event) => {
        const data = event.data as { cif?: unknown; type?: unknown; method?: unknown; args?: unknown } | null;
        if (data && data.cif === mark && data.type === 'request' && typeof data.method === 'string') {
          calls.push({ method: data.method, args: Array.isArray(data.args) ? data.args : [], at: performance.timeOrigin + performance.now() });
        }
      },
      true,
    );
    return;
  }
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  const made: RTCPeerConnection[] = [];
  scope.__pcs = made;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
    }
  } as typeof RTCPeerConnection;
}

export interface AgentOptions {
  /** Open another tab in this agent's context instead of a new context. */
  context?: BrowserContext;
  /** The sandbox page to start on (default: main.aspx). */
  path?: string;
  viewport?: { width: number; height: number };
}

export class Agent {
  readonly name: string;
  readonly page: Page;
  readonly paneOrigin: string;
  /**
   * Uncaught errors and console errors in any frame, except Chromium's own line for each failed
   * request: a 401 when the pane checks for a session, a 412 when a reloaded pane finds its
   * activity already created — answers the pane expects and handles.
   */
  readonly problems: string[] = [];
  #pane: Frame | undefined;

  private constructor(name: string, page: Page, paneOrigin: string) {
    this.name = name;
    this.page = page;
    this.paneOrigin = paneOrigin;
    page.on('pageerror', (error) => this.problems.push(`${name} pageerror: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && !EXPECTED_FAILURES.test(text) && !text.includes('autofocus')) this.problems.push(`${name} console: ${text}`);
    });
  }

  /** An agent on the sandbox's main page, its pane loaded (sign-in form or signed in). */
  static async open(browser: Browser, urls: { sandboxUrl: string; paneOrigin: string }, name: string, options: AgentOptions = {}): Promise<Agent> {
    let context = options.context;
    if (!context) {
      context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 820 } });
      context.setDefaultTimeout(STEP_MS);
      await context.addInitScript(observe, CIF_MARK);
    }
    const agent = new Agent(name, await context.newPage(), urls.paneOrigin);
    await agent.page.goto(`${urls.sandboxUrl}${options.path ?? '/main.aspx'}`);
    await agent.findPane();
    return agent;
  }

  /** The pane's frame (found again after a reload or navigation with `findPane`). */
  get pane(): Frame {
    if (!this.#pane) throw new Error(`${this.name}: no pane frame yet`);
    return this.#pane;
  }

  get context(): BrowserContext {
    return this.page.context();
  }

  /** Waits for the channel panel's pane frame and its first view. */
  async findPane(): Promise<Frame> {
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const frame = this.page.frames().find((candidate) => candidate.url().startsWith(`${this.paneOrigin}/dyncrm`));
      if (frame) {
        await frame.waitForSelector('.pane');
        this.#pane = frame;
        return frame;
      }
      if (Date.now() > deadline)
        throw new Error(
          `${this.name}: no pane frame among ${this.page
            .frames()
            .map((f) => f.url())
            .join(', ')}`,
        );
      await this.page.waitForTimeout(50);
    }
  }

  /** Signs in with the extension's web password; resolves once the phone is registered. */
  async signIn(number: string, password: string): Promise<void> {
    await this.pane.fill('input[name=login]', number);
    await this.pane.fill('input[name=password]', password);
    await this.pane.click('button[type=submit]');
    await this.registered();
  }

  registered(): Promise<unknown> {
    return this.pane.waitForSelector('.badge-ok');
  }

  /** Reloads the whole Dynamics page (the pane's iframe with it), as F5 does. */
  async reload(): Promise<void> {
    this.#pane = undefined;
    await this.page.reload();
    await this.findPane();
  }

  /** Screenshot of the page and of the channel panel: test-results/pane-<name>.png and …-panel.png. */
  async shot(name: string): Promise<void> {
    await this.page.screenshot({ path: screenshotPath(`pane-${name}`) });
    const panel = this.page.locator('#channel-panel');
    if (await panel.count()) await panel.screenshot({ path: screenshotPath(`pane-${name}-panel`) });
  }

  /** CIF calls the sandbox host has received from this page's panel since it loaded. */
  hostCalls(method?: string): Promise<HostCall[]> {
    return this.page.evaluate((wanted) => ((window as unknown as Observed).__cifCalls ?? []).filter((call) => !wanted || call.method === wanted), method);
  }

  /** Waits until the host has received `count` calls of `method` since the page loaded. */
  async waitForHostCalls(method: string, count: number): Promise<HostCall[]> {
    await this.page.waitForFunction(([wanted, n]) => ((window as unknown as Observed).__cifCalls ?? []).filter((call) => call.method === wanted).length >= (n as number), [
      method,
      count,
    ] as const);
    return this.hostCalls(method);
  }

  /** Audio bytes the pane's peer connections have received (getStats inbound-rtp). */
  audioBytesReceived(): Promise<number> {
    return this.pane.evaluate(async () => {
      let bytes = 0;
      for (const pc of (window as unknown as Observed).__pcs ?? []) {
        (await pc.getStats()).forEach((report: { type: string; kind?: string; bytesReceived?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio') bytes += report.bytesReceived ?? 0;
        });
      }
      return bytes;
    });
  }

  /** Clicks "Done" on every wrap-up card. */
  async dismissWrapUps(): Promise<void> {
    for (const done of await this.pane.$$('.card.wrap-up .btn-primary')) await done.click();
  }
}
