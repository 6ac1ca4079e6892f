/**
 * sessionStorage (and localStorage) that never throws. In the cross-site iframe with third-party storage blocked,
 * merely touching `window.sessionStorage` throws "Access is denied for this document"
 * (docs/cif-contract.md §7); then nothing is kept and the pane works from memory and the server.
 */

export interface SafeStorage {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function safeSessionStorage(): SafeStorage {
  return safeStorage(() => window.sessionStorage);
}

/** localStorage, likewise: what outlasts the tab where the browser keeps it. */
export function safeLocalStorage(): SafeStorage {
  return safeStorage(() => window.localStorage);
}

function safeStorage(pick: () => Storage): SafeStorage {
  const storage = (): Storage | undefined => {
    try {
      return pick();
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
