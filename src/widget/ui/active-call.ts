/**
 * A call in progress: who, how long, and the controls — mute, hold/resume, DTMF keypad (also from
 * the keyboard), transfer (blind, or consult first and then complete or cancel), hang up — and
 * the notes that go into the call's activity.
 */
import { useState } from 'preact/hooks';
import type { CallView } from '../state/pane-state.ts';
import { callerTitle } from './call-area.ts';
import { Keypad } from './dial-pad.ts';
import { RecordLine } from './record-line.ts';
import { clock, control, h, usePane, useTick, type View } from './view-kit.ts';

export function ActiveCall({ call }: { call: CallView }): View {
  const { pane, t } = usePane();
  const [keypad, setKeypad] = useState(false);
  const phone = call.phone;
  const id = phone.id;
  const calls = pane.calls;
  useTick(phone.state === 'active');
  let status: string;
  if (phone.state === 'dialing') status = phone.ringing ? t('ringingRemote') : t('calling');
  else if (phone.held) status = `${t('onHold')} · ${clock((Date.now() - (phone.answeredAt ?? Date.now())) / 1000)}`;
  else status = clock((Date.now() - (phone.answeredAt ?? Date.now())) / 1000);
  const title = callerTitle(call, t('unknownCaller'), calls);
  const number = calls.display(call.serverNumber ?? phone.remoteNumber);
  if (phone.consultFor) {
    return h(
      'article',
      { class: 'card consult', 'aria-label': t('consulting', { number }) },
      h('div', { class: 'card-kicker' }, t('consulting', { number: title })),
      h('div', { class: 'call-status', role: 'timer', 'aria-live': 'off' }, status),
      h('div', { class: 'controls' }, control({ name: 'hangup', label: t('hangUp'), danger: true, onClick: () => calls.hangup(id) })),
    );
  }
  // Mute, hold, the keypad and transfer act on a connected call; until it is, only hang-up does.
  const whenConnected = (props: Parameters<typeof control>[0]) => control({ ...props, disabled: phone.state !== 'active' });
  const onKeyDown = (event: KeyboardEvent) => {
    if (!keypad || !/^[0-9*#]$/.test(event.key) || (event.target as HTMLElement).tagName === 'TEXTAREA' || (event.target as HTMLElement).tagName === 'INPUT') return;
    calls.dtmf(id, event.key);
  };
  return h(
    'article',
    { class: `card active${phone.held ? ' held' : ''}`, 'aria-labelledby': `active-${id}`, onKeyDown },
    h('div', { class: 'caller', id: `active-${id}` }, title),
    h('div', { class: 'caller-number' }, title === number ? '' : number),
    h('div', { class: 'call-status', role: 'timer', 'aria-label': t('callDuration') }, status),
    h(RecordLine, { call }),
    h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': title },
      whenConnected({
        name: phone.muted ? 'micOff' : 'mic',
        label: phone.muted ? t('unmute') : t('mute'),
        pressed: phone.muted,
        onClick: () => calls.toggleMute(id),
      }),
      whenConnected({
        name: phone.held ? 'play' : 'pause',
        label: phone.held ? t('resume') : t('hold'),
        pressed: phone.held,
        onClick: () => calls.toggleHold(id),
      }),
      whenConnected({ name: 'keypad', label: t('keypad'), pressed: keypad, onClick: () => setKeypad(!keypad) }),
      whenConnected({
        name: 'transfer',
        label: t('transfer'),
        pressed: call.transfer !== undefined,
        onClick: () => (call.transfer ? calls.transfer.cancel(id) : calls.transfer.start(id)),
      }),
      control({ name: 'hangup', label: t('hangUp'), danger: true, onClick: () => calls.hangup(id) }),
    ),
    keypad ? h(Keypad, { label: t('keypad'), onKey: (key) => calls.dtmf(id, key) }) : null,
    call.transfer ? h(TransferPanel, { call }) : null,
    h(Notes, { call }),
  );
}

function TransferPanel({ call }: { call: CallView }): View {
  const { pane, t } = usePane();
  const transfer = call.transfer;
  const id = call.phone.id;
  if (!transfer) return null;
  if (transfer.stage === 'consulting') {
    return h(
      'div',
      { class: 'transfer' },
      h('div', { class: 'hint' }, t('consulting', { number: pane.calls.display(transfer.target) })),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-primary', onClick: () => void pane.calls.transfer.complete(id) }, t('completeTransfer')),
        h('button', { type: 'button', class: 'btn btn-secondary', onClick: () => pane.calls.transfer.cancel(id) }, t('cancel')),
      ),
    );
  }
  return h(
    'form',
    {
      class: 'transfer',
      onSubmit: (event: Event) => {
        event.preventDefault();
        void pane.calls.transfer.blind(id);
      },
    },
    h(
      'label',
      { class: 'field' },
      h('span', null, t('transferTo')),
      h('input', {
        type: 'tel',
        autoFocus: true,
        value: transfer.target,
        onInput: (event: Event) => pane.calls.transfer.setTarget(id, (event.target as HTMLInputElement).value),
      }),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', disabled: transfer.target.trim() === '' }, t('blindTransfer')),
      h('button', { type: 'button', class: 'btn btn-secondary', disabled: transfer.target.trim() === '', onClick: () => void pane.calls.transfer.consult(id) }, t('consult')),
    ),
  );
}

export function Notes({ call }: { call: CallView }): View {
  const { pane, t } = usePane();
  const fieldId = `notes-${call.phone.id}`;
  return h(
    'div',
    { class: 'notes' },
    h('label', { for: fieldId }, t('notes')),
    h('textarea', {
      id: fieldId,
      rows: 3,
      maxLength: 2000,
      placeholder: t('notesPlaceholder'),
      value: call.notes,
      onInput: (event: Event) => pane.calls.setNotes(call.phone.id, (event.target as HTMLTextAreaElement).value),
    }),
  );
}
