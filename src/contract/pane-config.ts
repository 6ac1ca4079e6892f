/**
 * What the shell page hands the pane: JSON in `<script id="pane-config" type="application/json">`
 * (docs/cif-contract.md §10), read before the pane calls any API.
 */
export const PANE_CONFIG_ELEMENT_ID = 'pane-config';

export interface PaneConfig {
  /** The Dynamics 365 origin from `?base=`, already checked by the server. */
  base: string;
  /** ISO 3166-1 alpha-2 region for national numbers, as configured. */
  defaultRegion: string;
  version: string;
}
