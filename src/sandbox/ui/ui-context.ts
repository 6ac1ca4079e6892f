/** What every view gets: the page configuration, the state and the way to raise click-to-act. */
import type { AppState } from './app-state.ts';
import type { PageConfig } from './page-config.ts';

/** The record and field a click-to-act comes from (the payload's keys but `format`). */
export interface ClickToActSource {
  value: string;
  name: string;
  entityLogicalName: string;
  entityId: string;
  recordTitle: string;
}

export interface UiContext {
  config: PageConfig;
  state: AppState;
  raiseClickToAct(source: ClickToActSource): void;
}
