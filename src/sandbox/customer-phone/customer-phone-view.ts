/**
 * The customer phone: pick a seed contact's number (or type any number) as caller id, call the
 * company's demo number, hear and be heard through the browser's microphone, hang up. The status
 * line says where the call is; the credentials are fetched from the sandbox server at each call.
 */
import { h, type ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { callerIdUser, CustomerCall, type CallUpdate } from './customer-call.ts';
import { CUSTOMER_PHONE_PATHS } from './customer-phone-page.ts';
import type { CustomerPhoneConfig, CustomerPhoneSetup } from './customer-phone-config.ts';

const STATUS_TEXT: Record<CallUpdate['status'], string> = {
  connecting: 'Connecting to Callpane…',
  calling: 'Calling…',
  ringing: 'Ringing…',
  answered: 'Answered: talk to the agent',
  ended: 'Call ended',
  failed: 'Call failed',
};
const FREE_TEXT = 'other';

async function fetchSetup(): Promise<CustomerPhoneSetup> {
  const response = await fetch(CUSTOMER_PHONE_PATHS.setup, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await response.json().catch(() => ({}))) as CustomerPhoneSetup & { error?: { message?: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `the sandbox answered ${response.status}`);
  return body;
}

export function CustomerPhone({ config }: { config: CustomerPhoneConfig }): ComponentChild {
  const [choice, setChoice] = useState(config.contacts.length > 0 ? '0' : FREE_TEXT);
  const [typed, setTyped] = useState('');
  const [update, setUpdate] = useState<CallUpdate | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const call = useRef<CustomerCall | undefined>(undefined);
  useEffect(() => () => call.current?.hangUp(), []);

  const chosen = choice === FREE_TEXT ? { number: typed, name: '' } : (config.contacts[Number(choice)] ?? { number: '', name: '' });
  const busy = update !== undefined && update.status !== 'ended' && update.status !== 'failed';

  const start = async (event: Event) => {
    event.preventDefault();
    setProblem(undefined);
    const user = callerIdUser(chosen.number);
    if (user === '') {
      setProblem('Type a number to call from.');
      return;
    }
    setUpdate({ status: 'connecting' });
    try {
      const [setup, media] = await Promise.all([fetchSetup(), navigator.mediaDevices.getUserMedia({ audio: true, video: false })]);
      call.current = new CustomerCall(setup, { user, name: chosen.name }, media, setUpdate);
    } catch (error) {
      setUpdate({ status: 'failed', cause: error instanceof Error ? error.message : String(error) });
    }
  };

  return h(
    'form',
    { class: 'customer-phone-card', onSubmit: start },
    h('h1', null, 'Customer phone'),
    h(
      'p',
      null,
      'Call the company at ',
      h('strong', { class: 'customer-did' }, config.did),
      ' as one of the contacts, or as anyone. Agent 1001 is rung; sign it in on the sandbox first.',
    ),
    h(
      'fieldset',
      { class: 'customer-numbers', disabled: busy },
      h('legend', null, 'Call from'),
      config.contacts.map((contact, index) =>
        h(
          'label',
          { key: `${index}`, class: 'customer-number' },
          h('input', { type: 'radio', name: 'from', value: String(index), checked: choice === String(index), onChange: () => setChoice(String(index)) }),
          h('span', { class: 'customer-name' }, contact.name),
          h('span', { class: 'customer-kind' }, contact.kind),
          h('code', null, contact.number),
        ),
      ),
      h(
        'label',
        { class: 'customer-number' },
        h('input', { type: 'radio', name: 'from', value: FREE_TEXT, checked: choice === FREE_TEXT, onChange: () => setChoice(FREE_TEXT) }),
        h('span', { class: 'customer-name' }, 'Another number'),
        h('input', {
          name: 'number',
          type: 'tel',
          placeholder: '+1 202 555 0123',
          'aria-label': 'Another number',
          value: typed,
          onInput: (e: Event) => {
            setTyped((e.currentTarget as HTMLInputElement).value);
            setChoice(FREE_TEXT);
          },
        }),
      ),
    ),
    h(
      'div',
      { class: 'customer-actions' },
      h('button', { type: 'submit', class: 'btn-call', disabled: busy }, 'Call'),
      h('button', { type: 'button', class: 'btn-hangup', disabled: !busy, onClick: () => call.current?.hangUp() }, 'Hang up'),
    ),
    h(
      'p',
      { class: 'customer-status', role: 'status', 'data-status': problem ? 'problem' : (update?.status ?? 'idle') },
      problem ?? (update ? `${STATUS_TEXT[update.status]}${update.cause ? ` (${update.cause})` : ''}` : 'Ready'),
    ),
  );
}
