/**
 * The channel panel on the right, built once per page load outside the Preact views, so no
 * navigation can re-create (and so reload) its iframe. The iframe gets the landing URL verbatim
 * and the attributes Dynamics gives it (docs/cif-contract.md §6). Docked or minimized per the mode, as
 * wide as the width; a person can minimize/dock it and drag its edge, which CIF reports as
 * onmodechanged / onsizechanged (those events are for manual changes, not API calls:
 * https://learn.microsoft.com/dynamics365/channel-integration-framework/v1/develop/reference/microsoft-ciframework/addhandler).
 */
import type { AppState, PanelMode } from './app-state.ts';

/** docs/cif-contract.md §6: what the CIF panel's iframe is created with. */
export const PANEL_FRAME_ALLOW = 'microphone; camera; geolocation';
export const PANEL_FRAME_SANDBOX = 'allow-forms allow-popups allow-scripts allow-same-origin allow-modals allow-downloads';
/** setWidth ignores anything narrower. */
export const MIN_PANEL_WIDTH = 300;

export interface ChannelPanelOptions {
  container: HTMLElement;
  label: string;
  landingUrl: string;
  /** Why Dynamics would not load the landing URL (not HTTPS): shown instead of the iframe. */
  landingUrlProblem: string | null;
  /** The iframe's sandbox attribute: PANEL_FRAME_SANDBOX plus the provider's Sandbox Configuration. */
  frameSandbox: string;
  state: AppState;
  onModeChanged: (mode: PanelMode) => void;
  onSizeChanged: (width: number) => void;
}

export class ChannelPanel {
  /** The channel's iframe; none when Dynamics would refuse the landing URL. */
  readonly frame: HTMLIFrameElement | undefined;
  private readonly container: HTMLElement;
  private readonly state: AppState;
  private readonly toggle: HTMLButtonElement;

  constructor(options: ChannelPanelOptions) {
    const { container, state } = options;
    this.container = container;
    this.state = state;

    const handle = element('div', 'panel-resize');
    handle.title = 'Drag to resize';
    const header = element('div', 'panel-header');
    const title = element('span', 'panel-title');
    title.textContent = options.label;
    this.toggle = element('button', 'panel-toggle') as HTMLButtonElement;
    this.toggle.type = 'button';
    this.toggle.addEventListener('click', () => {
      state.mode = state.mode === 1 ? 0 : 1;
      this.apply();
      options.onModeChanged(state.mode);
    });
    header.append(title, this.toggle);

    const body = element('div', 'panel-body');
    if (options.landingUrlProblem) {
      const notice = element('p', 'panel-notice');
      notice.textContent = options.landingUrlProblem;
      body.append(notice);
    } else {
      const frame = document.createElement('iframe');
      frame.className = 'panel-frame';
      frame.title = options.label;
      frame.setAttribute('allow', PANEL_FRAME_ALLOW);
      frame.setAttribute('sandbox', options.frameSandbox);
      frame.src = options.landingUrl;
      body.append(frame);
      this.frame = frame;
    }
    container.append(handle, header, body);
    this.dragToResize(handle, options.onSizeChanged);
    this.apply();
  }

  /** Shows the state's mode and width. */
  apply(): void {
    const docked = this.state.mode === 1;
    this.container.classList.toggle('docked', docked);
    this.container.classList.toggle('minimized', !docked);
    this.container.style.width = docked ? `${this.state.width}px` : '';
    this.toggle.textContent = docked ? '›' : '‹';
    this.toggle.setAttribute('aria-label', docked ? 'Minimize the channel panel' : 'Expand the channel panel');
  }

  private dragToResize(handle: HTMLElement, onSizeChanged: (width: number) => void): void {
    handle.addEventListener('pointerdown', (down) => {
      if (this.state.mode !== 1) return;
      down.preventDefault();
      handle.setPointerCapture(down.pointerId);
      const startX = down.clientX;
      const startWidth = this.state.width;
      if (this.frame) this.frame.style.pointerEvents = 'none';
      const move = (event: PointerEvent) => {
        const wanted = startWidth + (startX - event.clientX);
        this.state.width = Math.round(Math.min(Math.max(wanted, MIN_PANEL_WIDTH), window.innerWidth / 2));
        this.apply();
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        if (this.frame) this.frame.style.pointerEvents = '';
        if (this.state.width !== startWidth) onSizeChanged(this.state.width);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
  }
}

function element(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}
