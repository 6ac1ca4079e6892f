/**
 * Dialling: a number field that takes typing and pasting (anything; only what can be dialled is
 * kept when calling), a 12-key keypad where a long press on 0 gives `+`, and the call button.
 * The same Keypad sends DTMF during a call.
 */
import { useRef } from 'preact/hooks';
import { isBusy } from '../state/pane-state.ts';
import { h, icon, iconButton, usePane, type View } from './view-kit.ts';

const KEYS: Array<[string, string]> = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

const LONG_PRESS_MS = 600;

export function Keypad({ onKey, label }: { onKey: (key: string) => void; label: string }): View {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const longPressed = useRef(false);
  return h(
    'div',
    { class: 'keypad', role: 'group', 'aria-label': label },
    KEYS.map(([key, letters]) =>
      h(
        'button',
        {
          key,
          type: 'button',
          class: 'key',
          'aria-label': key === '0' ? '0, +' : letters ? `${key} ${letters}` : key,
          onPointerDown: () => {
            longPressed.current = false;
            if (key !== '0') return;
            timer.current = setTimeout(() => {
              longPressed.current = true;
              onKey('+');
            }, LONG_PRESS_MS);
          },
          onPointerUp: () => clearTimeout(timer.current),
          onPointerLeave: () => clearTimeout(timer.current),
          onClick: () => {
            if (!longPressed.current) onKey(key);
            longPressed.current = false;
          },
        },
        h('span', { class: 'digit' }, key),
        h('span', { class: 'letters', 'aria-hidden': 'true' }, letters),
      ),
    ),
  );
}

export function DialPad(): View {
  const { state, pane, t } = usePane();
  const input = useRef<HTMLInputElement>(null);
  const busy = isBusy(state);
  const setDial = (dial: string) => pane.navigation.setDial(dial);
  const call = () => void pane.navigation.dialTyped();
  return h(
    'div',
    { class: 'dial' },
    h(
      'div',
      { class: 'dial-field' },
      h('label', { class: 'sr-only', for: 'dial-input' }, t('numberLabel')),
      h('input', {
        id: 'dial-input',
        ref: input,
        type: 'tel',
        inputMode: 'tel',
        autocomplete: 'off',
        placeholder: t('numberPlaceholder'),
        value: state.dial,
        onInput: (event: Event) => setDial((event.target as HTMLInputElement).value),
        onKeyDown: (event: KeyboardEvent) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            call();
          }
        },
      }),
      state.dial
        ? iconButton({
            name: 'backspace',
            label: t('backspace'),
            onClick: () => {
              setDial(state.dial.slice(0, -1));
              input.current?.focus();
            },
          })
        : null,
    ),
    // During a call the card's own keypad sends tones; this one would only crowd the panel.
    busy
      ? null
      : h(Keypad, {
          label: t('keypad'),
          onKey: (key) => {
            setDial(state.dial + key);
            input.current?.focus();
          },
        }),
    h('button', { type: 'button', class: 'btn btn-success call-button', onClick: call }, icon('call'), h('span', null, t('call'))),
    state.microphoneProblem || busy ? null : h('p', { class: 'hint' }, t('micHint')),
  );
}
