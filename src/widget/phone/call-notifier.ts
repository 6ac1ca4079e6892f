/**
 * A desktop notification for a call that rings while the agent is elsewhere (the Dynamics 365
 * tab in the background, the window minimized): the Notification API, shown only while the page
 * is hidden, closed as soon as the call stops ringing; clicking it brings the tab forward and
 * answers the call.
 *
 * Permission is the browser's, never asked on load: the agent asks for it with a click in the
 * pane, which says why (request()). In a cross-site iframe — the pane inside Dynamics 365 —
 * Chromium and Firefox apply the permission of the top-level site (Dynamics) and let no frame
 * ask for it: the frame sees `granted` when the agent (or a policy such as Chrome's
 * NotificationsAllowedForUrls) allowed notifications for the Dynamics site, else `denied`, and
 * the pane then says how to allow them. The pane opened on its own (outside Dynamics) can ask.
 */

export type AlertPermission = 'unsupported' | 'default' | 'granted' | 'denied';

/** What the pane needs of a Notification (the DOM's, or a test's). */
export interface NotificationLike {
  onclick: ((event: Event) => void) | null;
  close(): void;
}

export interface NotificationConstructor {
  new (title: string, options: NotificationOptions): NotificationLike;
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
}

export interface NotifierEnvironment {
  /** Undefined where the browser has no Notification API. */
  Notification: NotificationConstructor | undefined;
  /** Whether the page is hidden now (document.visibilityState). */
  hidden(): boolean;
  /** Calls `listener` whenever the page is hidden or shown. */
  onVisibilityChange(listener: () => void): void;
  /** Brings this tab (and the Dynamics 365 page around the pane) forward. */
  focus(): void;
}

/** A ringing call as the notification shows it. */
export interface RingingCall {
  id: string;
  title: string;
  body: string;
}

export function browserNotifierEnvironment(): NotifierEnvironment {
  return {
    Notification: typeof Notification === 'function' ? (Notification as unknown as NotificationConstructor) : undefined,
    hidden: () => document.visibilityState === 'hidden',
    onVisibilityChange: (listener) => document.addEventListener('visibilitychange', listener),
    focus: () => {
      window.focus();
      // The pane is a frame inside Dynamics 365: its top window is another site's, whose focus()
      // is one of the few things a frame may call on it (HTML, "cross-origin properties").
      try {
        window.top?.focus();
      } catch {
        // a browser that refuses: the notification click has already raised the tab
      }
    },
  };
}

export class CallNotifier {
  readonly #env: NotifierEnvironment;
  readonly #onAnswer: (id: string) => void;
  readonly #ringing = new Map<string, RingingCall>();
  readonly #shown = new Map<string, NotificationLike>();
  readonly #listeners = new Set<(permission: AlertPermission) => void>();

  constructor(env: NotifierEnvironment, onAnswer: (id: string) => void) {
    this.#env = env;
    this.#onAnswer = onAnswer;
    // A call that started ringing while the agent was looking still needs them once they look away.
    env.onVisibilityChange(() => {
      if (env.hidden()) for (const call of this.#ringing.values()) this.#show(call);
    });
  }

  get permission(): AlertPermission {
    return this.#env.Notification?.permission ?? 'unsupported';
  }

  onPermission(listener: (permission: AlertPermission) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks the browser; call it from the click that asked for alerts (browsers want a gesture). */
  async request(): Promise<AlertPermission> {
    const api = this.#env.Notification;
    if (api?.permission !== 'default') return this.permission;
    try {
      await api.requestPermission();
    } catch {
      // An old callback-style API or a refused frame: the permission says what came of it.
    }
    for (const listener of [...this.#listeners]) listener(this.permission);
    return this.permission;
  }

  /** `call` rings: notified now if the page is hidden, else as soon as it is. */
  ring(call: RingingCall): void {
    this.#ringing.set(call.id, call);
    if (this.#env.hidden()) this.#show(call);
  }

  /** The call stopped ringing (answered, declined, ended): its notification goes away. */
  stop(id: string): void {
    this.#ringing.delete(id);
    this.#shown.get(id)?.close();
    this.#shown.delete(id);
  }

  #show(call: RingingCall): void {
    const api = this.#env.Notification;
    if (api?.permission !== 'granted' || this.#shown.has(call.id)) return;
    let notification: NotificationLike;
    try {
      // One per call (tag), staying until acted on, with the system's sound (not silent).
      notification = new api(call.title, { body: call.body, tag: `callpane-call-${call.id}`, requireInteraction: true, silent: false });
    } catch {
      return;
    }
    notification.onclick = () => {
      this.#env.focus();
      this.stop(call.id);
      this.#onAnswer(call.id);
    };
    this.#shown.set(call.id, notification);
  }
}
