/**
 * The agent's settings: loaded from the server on sign-in, applied at once when changed (the
 * pane's language, click-to-act), saved as a whole and rolled back when the server refuses.
 */
import type { ApiClient } from '../api/api-client.ts';
import type { PaneSettings } from '../api/api-types.ts';
import { languageOf } from '../i18n/i18n.ts';
import type { PaneEnvironment } from './pane-environment.ts';
import type { PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

export interface SettingsControllerOptions {
  store: Store<PaneState>;
  api: Pick<ApiClient, 'settings' | 'saveSettings'>;
  env: Pick<PaneEnvironment, 'languages' | 'setDocumentLanguage'>;
  /** Click-to-call was turned on or off: Dynamics 365 is told (cif-controller.ts). */
  onClickToCallChange(): void;
}

export class SettingsController {
  readonly #o: SettingsControllerOptions;

  constructor(options: SettingsControllerOptions) {
    this.#o = options;
  }

  /** The signed-in agent's settings; the defaults stay when the server cannot say. */
  async load(): Promise<void> {
    const settings = await this.#o.api.settings();
    if (settings.ok) this.apply(settings.value);
  }

  /** Saves the whole settings object; applied at once, and undone when the server refuses. */
  async save(settings: PaneSettings): Promise<boolean> {
    const { store, api } = this.#o;
    const previous = store.state.settings;
    this.apply(settings);
    const result = await api.saveSettings(settings);
    if (!result.ok) {
      this.apply(previous);
      store.update({ notice: { kind: 'error', key: 'saveFailed', values: { message: result.error.message } } });
      return false;
    }
    this.apply(result.value);
    return true;
  }

  /** Shows `settings`; "Dynamics' language" follows the Dynamics user, then the browser. */
  apply(settings: PaneSettings): void {
    const { store, env } = this.#o;
    const before = store.state.settings;
    const language = languageOf(settings.language, store.state.environment?.userLcid, env.languages());
    store.update({ settings, language });
    env.setDocumentLanguage(language);
    if (before.clickToCall !== settings.clickToCall) this.#o.onClickToCallChange();
  }

  /** Applies the current settings again (the Dynamics user's language just became known). */
  reapply(): void {
    this.apply(this.#o.store.state.settings);
  }
}
