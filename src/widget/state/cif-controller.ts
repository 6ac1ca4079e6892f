/**
 * The connection to Dynamics 365 through CIF 1.0: the library loaded from the Dynamics origin
 * (or a plain softphone without it), the user's environment and the panel's mode, click-to-act
 * turned on as the settings say and its clicks dialled, knowledge articles added to the call's
 * notes, and the panel docked open when a call needs the agent.
 */
import type { PaneConfig, RecordRef } from '../api/api-types.ts';
import { CifClient } from '../cif/cif-client.ts';
import { isPhoneFormat, type ClickToActEvent } from '../cif/cif-values.ts';
import type { CallController } from './call-controller.ts';
import type { PaneEnvironment } from './pane-environment.ts';
import type { PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

/** The panel modes of CIF 1.0 setMode/getMode (Microsoft Learn, "setMode (CIF JavaScript API Reference)"). */
const MINIMIZED = 0;
const DOCKED = 1;

export interface CifControllerOptions {
  store: Store<PaneState>;
  config: Pick<PaneConfig, 'base'>;
  env: Pick<PaneEnvironment, 'loadCif'>;
  calls: Pick<CallController, 'dial' | 'addArticle'>;
  /** The Dynamics user (and so, maybe, the pane's language) became known. */
  onEnvironment(): void;
  /** Connected: what waited for Dynamics 365 (the log catch-up) may run. */
  onConnected(): void;
}

export class CifController {
  readonly #o: CifControllerOptions;
  #client = new CifClient(undefined);

  constructor(options: CifControllerOptions) {
    this.#o = options;
  }

  /** The CIF client; without Dynamics 365 one that answers `unavailable` to everything. */
  get client(): CifClient {
    return this.#client;
  }

  start(): void {
    this.#o.env.loadCif({
      base: this.#o.config.base,
      onReady: (framework) => void this.connect(new CifClient(framework)),
      onUnavailable: () => this.#o.store.update({ cif: 'unavailable' }),
    });
  }

  async connect(client: CifClient): Promise<void> {
    const { store } = this.#o;
    this.#client = client;
    store.update({ cif: 'connected' });
    const [environment, mode] = await Promise.all([client.getEnvironment(), client.getMode()]);
    if (environment.ok) store.update({ environment: environment.value });
    if (mode.ok) store.update({ panelMode: mode.value });
    this.#o.onEnvironment();
    await client.listen({
      onClickToAct: (event) => void this.#clickToAct(event),
      onModeChanged: (panelMode) => store.update({ panelMode }),
      onSendKbArticle: (article) => this.#o.calls.addArticle(article.title, article.link),
    });
    void this.applyClickToAct();
    this.#o.onConnected();
  }

  /** Tells Dynamics 365 whether phone fields should call through the pane (signed in only). */
  async applyClickToAct(): Promise<void> {
    const { store } = this.#o;
    if (!this.#client.available || !store.state.session) return;
    await this.#client.setClickToAct(store.state.settings.clickToCall);
  }

  /** Signed out: phone fields stop offering the pane. */
  clickToActOff(): void {
    if (this.#client.available) void this.#client.setClickToAct(false);
  }

  /** Opens the panel when it is minimized, so the agent sees the call. */
  async dock(): Promise<void> {
    if (!this.#client.available) return;
    const mode = await this.#client.getMode();
    if (mode.ok && mode.value === MINIMIZED) {
      const docked = await this.#client.setMode(DOCKED);
      if (docked.ok) this.#o.store.update({ panelMode: DOCKED });
    }
  }

  async #clickToAct(event: ClickToActEvent): Promise<void> {
    const { store } = this.#o;
    if (!isPhoneFormat(event.format) || !store.state.session || !store.state.settings.clickToCall) return;
    const entity = event.entityLogicalName;
    const record: RecordRef | undefined =
      (entity === 'contact' || entity === 'account' || entity === 'lead') && event.entityId ? { entity, id: event.entityId, name: event.recordTitle ?? '' } : undefined;
    await this.#o.calls.dial(event.value, record);
  }
}
