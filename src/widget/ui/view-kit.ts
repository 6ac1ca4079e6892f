/**
 * What every view shares: Preact's `h` (no JSX, no build configuration), the pane's controllers and the
 * translator through a context, a hook that re-renders on store changes, the few icons, and
 * formatting helpers.
 */
import { createContext, h, type ComponentChild } from 'preact';
import { useContext, useEffect, useReducer } from 'preact/hooks';
import type { CrmEntity } from '../api/api-types.ts';
import { localeOf, translator, type MessageKey, type Translate } from '../i18n/i18n.ts';
import type { Pane } from '../state/pane.ts';
import type { PaneState } from '../state/pane-state.ts';

export { h };
export type View = ComponentChild;

export interface PaneContextValue {
  /** The controllers, one per job (state/pane.ts). */
  pane: Pane;
  state: PaneState;
  t: Translate;
  locale: string;
}

export const PaneContext = createContext<PaneContextValue>(undefined as unknown as PaneContextValue);

export function usePane(): PaneContextValue {
  return useContext(PaneContext);
}

/** The pane's state, re-rendering the caller on every change. */
export function usePaneState(pane: Pane): PaneContextValue {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => pane.store.subscribe(() => force(undefined)), [pane]);
  const state = pane.store.state;
  return { pane, state, t: translator(state.language), locale: localeOf(state.language) };
}

/** Re-renders the caller every second (call timers). */
export function useTick(active: boolean): void {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => force(undefined), 1000);
    return () => clearInterval(timer);
  }, [active]);
}

const ENTITY_LABELS: Record<CrmEntity, MessageKey> = { contact: 'entityContact', account: 'entityAccount', lead: 'entityLead' };

export function entityLabel(t: Translate, entity: string): string {
  return entity in ENTITY_LABELS ? t(ENTITY_LABELS[entity as CrmEntity]) : entity;
}

/** 0:07, 3:07, 1:03:07. */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** Fluent-style 20 px outline icons, drawn in currentColor. */
const ICONS = {
  call: 'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25c1.1.37 2.3.57 3.6.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
  hangup:
    'M12 9c-1.6 0-3.15.25-4.6.72v3.1c0 .39-.23.74-.56.9-.98.49-1.87 1.12-2.66 1.85a1 1 0 0 1-1.4-.01L.29 13.08a1 1 0 0 1 0-1.41C3.34 8.78 7.46 7 12 7s8.66 1.78 11.71 4.67a1 1 0 0 1 0 1.41l-2.48 2.48a1 1 0 0 1-1.4.01 11.3 11.3 0 0 0-2.67-1.85 1 1 0 0 1-.56-.9v-3.1A15 15 0 0 0 12 9z',
  mic: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z',
  micOff:
    'M19 11h-2c0 .74-.16 1.43-.43 2.05l1.5 1.5A6.9 6.9 0 0 0 19 11zm-4 .16V5a3 3 0 0 0-5.9-.76zM4.27 3 3 4.27l6 6V11a3 3 0 0 0 4.5 2.6l1.66 1.66A5 5 0 0 1 7 11H5a7 7 0 0 0 6 6.92V21h2v-3.08a6.9 6.9 0 0 0 3.3-1.34L19.73 21 21 19.73z',
  pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
  play: 'M8 5v14l11-7z',
  keypad:
    'M6 3a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM6 9a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM6 15a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm6 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4z',
  transfer: 'M16 3l5 5-5 5v-3.5H9v-3h7zM8 11v3.5h7v3H8V21l-5-5z',
  close: 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
  backspace:
    'M22 3H7c-.7 0-1.2.35-1.6.88L0 12l5.4 8.1c.4.53.9.9 1.6.9h15a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm-3 12.6L17.6 17 14 13.4 10.4 17 9 15.6l3.6-3.6L9 8.4 10.4 7l3.6 3.6L17.6 7 19 8.4 15.4 12z',
  open: 'M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3zm5 16H5V5h7V3H5a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h14a2 2 0 0 0 2-2v-7h-2z',
  person: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4z',
  signOut: 'M10 17l1.4-1.4L8.8 13H18v-2H8.8l2.6-2.6L10 7l-5 5zM4 5h7V3H4a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h7v-2H4z',
} as const;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName, size = 20): View {
  return h(
    'svg',
    { class: 'icon', viewBox: '0 0 24 24', width: size, height: size, 'aria-hidden': 'true', focusable: 'false' },
    h('path', { fill: 'currentColor', d: ICONS[name] }),
  );
}

/** A round call control with its label written under it (the label also names the button). */
export function control(props: { name: IconName; label: string; onClick: () => void; pressed?: boolean; disabled?: boolean; danger?: boolean }): View {
  return h(
    'div',
    { class: 'control' },
    iconButton({ name: props.name, label: props.label, onClick: props.onClick, pressed: props.pressed, disabled: props.disabled, kind: props.danger ? 'danger' : 'toggle' }),
    h('span', { class: 'control-label', 'aria-hidden': 'true' }, props.label),
  );
}

/** A button with an icon and a visible or screen-reader-only label. */
export function iconButton(props: {
  name: IconName;
  label: string;
  onClick: () => void;
  kind?: 'primary' | 'danger' | 'success' | 'subtle' | 'toggle';
  pressed?: boolean;
  showLabel?: boolean;
  disabled?: boolean;
  class?: string;
}): View {
  const kind = props.kind ?? 'subtle';
  return h(
    'button',
    {
      type: 'button',
      class: `btn btn-${kind}${props.class ? ` ${props.class}` : ''}`,
      onClick: props.onClick,
      'aria-label': props.showLabel ? undefined : props.label,
      title: props.label,
      'aria-pressed': props.pressed === undefined ? undefined : String(props.pressed),
      disabled: props.disabled,
    },
    icon(props.name),
    props.showLabel ? h('span', null, props.label) : null,
  );
}
