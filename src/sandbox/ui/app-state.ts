/**
 * The page's state outside Preact, shared by the views, the channel panel and the CIF host: the
 * route, the panel's mode and width, click-to-act, whether the open form has unsaved changes,
 * and a data version that lists and timelines reload on after writes made through CIF.
 * Navigation goes through `navigate`, which tells listeners first (onpagenavigate fires before
 * navigation) and settles a pending openForm whose form is left unsaved.
 */
import { parseRoute, routeUrl, type Route } from './route.ts';

/** CIF 1.0 panel modes: 0 minimized, 1 docked (2, hidden, is CIF 2.0 only). */
export type PanelMode = 0 | 1;

export interface SavedEntityReference {
  entityType: string;
  id: string;
  name: string;
}

export interface Toast {
  id: number;
  text: string;
}

type Listener = () => void;

/** The Dynamics default width of the channel panel, in pixels. */
export const DEFAULT_PANEL_WIDTH = 340;

export class AppState {
  route: Route;
  mode: PanelMode = 1;
  width = DEFAULT_PANEL_WIDTH;
  clickToAct: boolean;
  dirty = false;
  dataVersion = 0;
  toasts: Toast[] = [];
  private readonly appId: string;
  private readonly listeners = new Set<Listener>();
  private readonly navigateListeners = new Set<(url: string) => void>();
  private pendingForm: { resolve: (saved: SavedEntityReference[]) => void } | undefined;
  private nextToast = 0;

  constructor(options: { appId: string; clickToAct: boolean; search: string }) {
    this.appId = options.appId;
    this.clickToAct = options.clickToAct;
    this.route = parseRoute(options.search);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told the absolute URL of every navigation before it happens. */
  onNavigate(listener: (url: string) => void): void {
    this.navigateListeners.add(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  urlOf(route: Route): string {
    return routeUrl(route, this.appId);
  }

  navigate(route: Route, options: { replace?: boolean } = {}): void {
    const url = this.urlOf(route);
    for (const listener of this.navigateListeners) listener(new URL(url, location.href).href);
    this.settleForm([]);
    if (options.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.route = route;
    this.dirty = false;
    this.changed();
  }

  /** Back and forward buttons: the browser has moved already. */
  followHistory(): void {
    for (const listener of this.navigateListeners) listener(location.href);
    this.settleForm([]);
    this.route = parseRoute(location.search);
    this.dirty = false;
    this.changed();
  }

  /** openForm for a new record: resolves with the saved reference, or with none when the form is left. */
  awaitFormSave(): Promise<SavedEntityReference[]> {
    this.settleForm([]);
    return new Promise((resolve) => (this.pendingForm = { resolve }));
  }

  /** The open new-record form was saved. */
  formSaved(reference: SavedEntityReference): void {
    this.settleForm([reference]);
  }

  setDirty(dirty: boolean): void {
    if (this.dirty === dirty) return;
    this.dirty = dirty;
    this.changed();
  }

  dataChanged(): void {
    this.dataVersion++;
    this.changed();
  }

  toast(text: string): void {
    const toast = { id: ++this.nextToast, text };
    this.toasts = [...this.toasts, toast];
    this.changed();
    setTimeout(() => {
      this.toasts = this.toasts.filter((t) => t !== toast);
      this.changed();
    }, 4000);
  }

  private settleForm(saved: SavedEntityReference[]): void {
    const pending = this.pendingForm;
    this.pendingForm = undefined;
    pending?.resolve(saved);
  }
}
