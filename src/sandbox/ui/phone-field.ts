/**
 * Phone numbers as Dynamics shows them: the number with a phone icon that, when click-to-act is
 * on, hands the number to the channel provider instead of dialling (docs/cif-contract.md §3).
 */
import type { ClickToActSource, UiContext } from './ui-context.ts';
import { h, phoneIcon, type View } from './view-kit.ts';

/** The number in a list cell or a read-only form field. */
export function phoneLink(ui: UiContext, source: ClickToActSource): View {
  if (!source.value) return h('span', null);
  return h(
    'button',
    { type: 'button', class: 'phone-link', title: `Call ${source.value}`, 'data-phone-field': source.name, onClick: () => ui.raiseClickToAct(source) },
    phoneIcon(),
    h('span', null, source.value),
  );
}

/** An editable phone field with its icon. */
export function phoneInput(ui: UiContext, props: { source: ClickToActSource; id: string; readOnly: boolean; onInput: (value: string) => void }): View {
  const { source } = props;
  return h(
    'div',
    { class: 'phone-input' },
    h('input', {
      id: props.id,
      type: 'tel',
      value: source.value,
      readOnly: props.readOnly,
      onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value),
    }),
    h(
      'button',
      {
        type: 'button',
        class: 'phone-icon',
        title: source.value ? `Call ${source.value}` : 'No number',
        'aria-label': `Call ${source.value}`,
        'data-phone-field': source.name,
        disabled: source.value.trim() === '',
        onClick: () => ui.raiseClickToAct(source),
      },
      phoneIcon(),
    ),
  );
}
