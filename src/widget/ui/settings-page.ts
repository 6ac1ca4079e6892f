/**
 * "Dynamics integration settings" (docs/settings.md §2), saved to the server on every change and
 * applied at once; the subject template when the field is left. Plus the audio devices, which
 * stay in this browser, and the call alerts the browser allows (desktop notifications, ringer).
 */
import { useEffect, useState } from 'preact/hooks';
import { unknownSubjectVariables } from '../../crm/subject-template.ts';
import type { LogSettings, PaneSettings } from '../api/api-types.ts';
import type { PaneState } from '../state/pane-state.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { canChooseOutput } from '../phone/microphone.ts';
import { entityLabel, h, usePane, type View } from './view-kit.ts';

type Options<T extends string> = Array<[T, MessageKey | string]>;

function Choice<T extends string>(props: { legend: MessageKey; name: string; value: T; options: Options<T>; onChange: (value: T) => void }): View {
  const { t } = usePane();
  return h(
    'fieldset',
    { class: 'setting' },
    h('legend', null, t(props.legend)),
    props.options.map(([value, label]) =>
      h(
        'label',
        { key: value, class: 'option' },
        h('input', { type: 'radio', name: props.name, value, checked: props.value === value, onChange: () => props.onChange(value) }),
        h('span', null, label.startsWith('opt') ? t(label as MessageKey) : label),
      ),
    ),
  );
}

export function SettingsPage(): View {
  const { state, pane, t } = usePane();
  const settings = state.settings;
  const save = (patch: Partial<PaneSettings>) => void pane.settings.save({ ...settings, ...patch });
  const setLog = (key: keyof LogSettings, value: boolean) => save({ log: { ...settings.log, [key]: value } });
  const move = (index: number, step: number) => {
    const list = [...settings.searchIn];
    const [item] = list.splice(index, 1);
    if (item === undefined) return;
    list.splice(index + step, 0, item);
    save({ searchIn: list });
  };
  const logOptions: Array<[keyof LogSettings, MessageKey]> = [
    ['answeredInbound', 'optAnsweredInbound'],
    ['missedInbound', 'optMissedInbound'],
    ['answeredOutbound', 'optAnsweredOutbound'],
    ['unansweredOutbound', 'optUnansweredOutbound'],
  ];
  const remembered = Object.keys(settings.rememberedChoices).length;
  return h(
    'form',
    { class: 'settings', onSubmit: (event: Event) => event.preventDefault(), 'aria-labelledby': 'settings-title' },
    h('h2', { id: 'settings-title', class: 'title' }, t('settingsTitle')),
    h('p', { class: 'hint' }, t('settingsNote')),
    h(Choice<PaneSettings['openRecord']>, {
      legend: 'setOpenRecord',
      name: 'openRecord',
      value: settings.openRecord,
      options: [
        ['ringing', 'optRinging'],
        ['answered', 'optAnswered'],
        ['never', 'optNever'],
      ],
      onChange: (openRecord) => save({ openRecord }),
    }),
    h(Choice<PaneSettings['applyTo']>, {
      legend: 'setApplyTo',
      name: 'applyTo',
      value: settings.applyTo,
      options: [
        ['inbound', 'optInbound'],
        ['both', 'optBoth'],
      ],
      onChange: (applyTo) => save({ applyTo }),
    }),
    h(
      'fieldset',
      { class: 'setting' },
      h('legend', null, t('setSearchIn')),
      settings.searchIn.map((item, index) => {
        const name = entityLabel(t, item.entity);
        return h(
          'div',
          { key: item.entity, class: 'option order' },
          h(
            'label',
            null,
            h('input', {
              type: 'checkbox',
              checked: item.enabled,
              onChange: () => save({ searchIn: settings.searchIn.map((other) => (other === item ? { ...other, enabled: !other.enabled } : other)) }),
            }),
            h('span', null, name),
          ),
          h('button', { type: 'button', class: 'btn btn-subtle small', disabled: index === 0, 'aria-label': t('moveUp', { name }), onClick: () => move(index, -1) }, '↑'),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-subtle small',
              disabled: index === settings.searchIn.length - 1,
              'aria-label': t('moveDown', { name }),
              onClick: () => move(index, 1),
            },
            '↓',
          ),
        );
      }),
    ),
    h(Choice<PaneSettings['severalMatches']>, {
      legend: 'setSeveral',
      name: 'severalMatches',
      value: settings.severalMatches,
      options: [
        ['choose', 'optChoose'],
        ['search-page', 'optSearchPage'],
      ],
      onChange: (severalMatches) => save({ severalMatches }),
    }),
    h(Choice<PaneSettings['unknownNumber']>, {
      legend: 'setUnknown',
      name: 'unknownNumber',
      value: settings.unknownNumber,
      options: [
        ['nothing', 'optNothing'],
        ['new-contact-form', 'optNewContactForm'],
        ['new-lead-form', 'optNewLeadForm'],
        ['create-contact', 'optCreateContact'],
        ['create-lead', 'optCreateLead'],
      ],
      onChange: (unknownNumber) => save({ unknownNumber }),
    }),
    h(
      'fieldset',
      { class: 'setting' },
      h('legend', null, t('setLog')),
      logOptions.map(([key, label]) =>
        h(
          'label',
          { key, class: 'option' },
          h('input', { type: 'checkbox', checked: settings.log[key], onChange: () => setLog(key, !settings.log[key]) }),
          h('span', null, t(label)),
        ),
      ),
    ),
    h(SubjectField, { value: settings.subjectTemplate, onSave: (subjectTemplate) => save({ subjectTemplate }) }),
    h(
      'fieldset',
      { class: 'setting' },
      h('legend', null, t('setClickToCall')),
      h(
        'label',
        { class: 'option' },
        h('input', { type: 'checkbox', checked: settings.clickToCall, onChange: () => save({ clickToCall: !settings.clickToCall }) }),
        h('span', null, t('setClickToCall')),
      ),
    ),
    h(Choice<PaneSettings['language']>, {
      legend: 'setLanguage',
      name: 'language',
      value: settings.language,
      options: [
        ['dynamics', 'optFollowDynamics'],
        ['en', 'English'],
        ['zh-CN', '简体中文'],
      ],
      onChange: (language) => save({ language }),
    }),
    h(AudioDevices, null),
    h(CallAlerts, null),
    remembered > 0
      ? h(
          'div',
          { class: 'setting' },
          h('span', null, t('remembered', { count: remembered })),
          ' ',
          h('button', { type: 'button', class: 'btn btn-subtle small', onClick: () => save({ rememberedChoices: {} }) }, t('forgetAll')),
        )
      : null,
  );
}

function SubjectField({ value, onSave }: { value: string; onSave: (value: string) => void }): View {
  const { t } = usePane();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const unknown = unknownSubjectVariables(draft);
  const commit = () => {
    const text = draft.trim();
    if (text !== '' && text.length <= 200 && text !== value) onSave(text);
  };
  return h(
    'div',
    { class: 'setting' },
    h('label', { for: 'subject-template', class: 'legend' }, t('setSubject')),
    h('input', {
      id: 'subject-template',
      type: 'text',
      maxLength: 200,
      value: draft,
      'aria-describedby': 'subject-hint',
      'aria-invalid': unknown.length > 0 ? 'true' : undefined,
      onInput: (event: Event) => setDraft((event.target as HTMLInputElement).value),
      onBlur: commit,
      onKeyDown: (event: KeyboardEvent) => event.key === 'Enter' && commit(),
    }),
    h('p', { id: 'subject-hint', class: 'hint' }, t('subjectHint')),
    unknown.length > 0 ? h('p', { class: 'bad', role: 'alert' }, t('unknownVariables', { list: unknown.map((name) => `{${name}}`).join(' ') })) : null,
  );
}

/** Desktop alerts and the ringer: what the browser allows, and what the agent can do about it. */
function CallAlerts(): View {
  const { state, pane, t } = usePane();
  const status: Record<PaneState['alerts'], MessageKey> = { granted: 'alertsOn', default: 'alertsOff', denied: 'alertsBlocked', unsupported: 'alertsUnsupported' };
  return h(
    'fieldset',
    { class: 'setting call-alerts' },
    h('legend', null, t('setAlerts')),
    h('p', { class: 'hint alerts-status' }, t(status[state.alerts])),
    state.alerts === 'default' ? h('button', { type: 'button', class: 'btn btn-secondary small alerts-on', onClick: () => void pane.alerts.enable() }, t('alertsTurnOn')) : null,
    h('p', { class: 'hint ringer-status' }, t(state.ringerAudible ? 'ringerOn' : 'ringerSilent')),
  );
}

function AudioDevices(): View {
  const { state, pane, t } = usePane();
  const inputs = state.devices.filter((device) => device.kind === 'audioinput');
  const outputs = state.devices.filter((device) => device.kind === 'audiooutput');
  const select = (id: string, label: MessageKey, value: string, devices: typeof inputs, onChange: (value: string) => void) =>
    h(
      'label',
      { class: 'field' },
      h('span', null, t(label)),
      h(
        'select',
        { id, value, onChange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
        h('option', { value: '' }, t('systemDefault')),
        devices
          .filter((device) => device.deviceId && device.deviceId !== 'default')
          .map((device, index) => h('option', { key: device.deviceId, value: device.deviceId }, device.label || `${t(label)} ${index + 1}`)),
      ),
    );
  return h(
    'fieldset',
    { class: 'setting' },
    h('legend', null, t('setAudio')),
    select('input-device', 'microphone', state.inputDevice, inputs, (id) => pane.devices.setInput(id)),
    canChooseOutput()
      ? select('output-device', 'speaker', state.outputDevice, outputs, (id) => void pane.devices.setOutput(id))
      : h('p', { class: 'hint' }, t('outputNotSupported')),
  );
}
