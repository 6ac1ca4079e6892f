/**
 * sessionStorage that never throws. In the cross-site iframe with third-party storage blocked,
 * merely touching `window.sessionStorage` throws "Access is denied for this document"
 * (testing.md); then nothing is kept and the pane works from memory and the server.
 */

export interface SafeStorage {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function safeSessionStorage(): SafeStorage {
  const storage = (): Storage | undefined => {
    try {
      return window.sessionStorage;
    } catch {
      return undefined;
    }
  };
  return {
    get(key) {
      try {
        return storage()?.getItem(key) ?? undefined;
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      try {
        storage()?.setItem(key, value);
      } catch {
        // denied or full: memory only
      }
    },
    remove(key) {
      try {
        storage()?.removeItem(key);
      } catch {
        // denied: nothing was kept
      }
    },
  };
}
