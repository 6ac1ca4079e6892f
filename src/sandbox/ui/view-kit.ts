/**
 * Small helpers the views share: re-rendering on state changes, loading data with a version to
 * reload on, and the phone icon.
 */
import { h, type ComponentChild, type ComponentChildren } from 'preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import type { AppState } from './app-state.ts';

export { h };
/** What a view function returns. */
export type View = ComponentChild;
export type { ComponentChildren };

/** Re-renders the calling component whenever the state changes. */
export function useAppState(state: AppState): void {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => state.subscribe(() => force(undefined)), [state]);
}

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

/** Runs `load` whenever a key changes; a newer load wins over an older one still running. */
export function useLoad<T>(load: () => Promise<T>, keys: readonly unknown[]): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ loading: true });
  useEffect(() => {
    let current = true;
    setResult((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setResult({ data, loading: false }),
      (error: unknown) => current && setResult({ error: error instanceof Error ? error : new Error(String(error)), loading: false }),
    );
    return () => {
      current = false;
    };
  }, keys);
  return result;
}

/** A handset, as Dynamics draws next to phone fields. */
export function phoneIcon(): View {
  return h(
    'svg',
    { class: 'icon', viewBox: '0 0 24 24', width: 16, height: 16, 'aria-hidden': 'true' },
    h('path', {
      fill: 'currentColor',
      d: 'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25c1.12.37 2.33.57 3.6.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
    }),
  );
}

export function formatDateTime(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}
