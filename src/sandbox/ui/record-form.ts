/**
 * A record form: header with the record's name, a command bar (Save, Mark Complete for an open
 * phone call, New, Refresh), the fields in sections — phone fields with their click-to-act icon —
 * and, for contacts, accounts and leads, the timeline. A new form starts from the openForm
 * parameters (carried in `extraqs`) and, once saved, settles that openForm with the saved
 * reference. Completed and canceled phone calls are read-only (docs/dataverse.md §7).
 */
import { useEffect, useState } from 'preact/hooks';
import { columnLabel, entityLabel } from '../entity-labels.ts';
import { ENTITY_VIEWS, displayValue, entityView } from './entity-views.ts';
import { fromInput, lookupBinds, toInput } from './form-values.ts';
import { pageEntity, type PageColumn, type PageEntity } from './page-config.ts';
import { phoneInput } from './phone-field.ts';
import { Timeline } from './timeline.ts';
import type { UiContext } from './ui-context.ts';
import { h, useLoad, type View } from './view-kit.ts';
import { create, retrieve, update, type ApiRecord } from './web-api.ts';

const TIMELINE_ENTITIES = new Set(['contact', 'account', 'lead']);
const STATE_COLUMNS = new Set(['statecode', 'statuscode']);

export function RecordForm({ ui, etn, id, extraqs }: { ui: UiContext; etn: string; id?: string; extraqs: Record<string, string> }): View {
  const entity = pageEntity(ui.config, etn);
  const loaded = useLoad(() => (id ? retrieve(entity.setName, id) : Promise.resolve(undefined)), [etn, id, ui.state.dataVersion]);
  if (id && loaded.error) return h('section', { class: 'page' }, h('h1', null, 'Record is unavailable'), h('p', { class: 'error' }, loaded.error.message));
  if (id && !loaded.data) return h('section', { class: 'page' }, h('p', null, 'Loading…'));
  return h(FormBody, { ui, entity, record: loaded.data, extraqs, key: `${etn}:${id ?? 'new'}:${String(loaded.data?.['@odata.etag'] ?? '')}` });
}

function initialValues(entity: PageEntity, record: ApiRecord | undefined, extraqs: Record<string, string>): Record<string, string> {
  if (!record) return { ...extraqs };
  const values: Record<string, string> = {};
  for (const column of entity.columns) values[column.name] = toInput(column, record[column.name]);
  return values;
}

function FormBody({ ui, entity, record, extraqs }: { ui: UiContext; entity: PageEntity; record: ApiRecord | undefined; extraqs: Record<string, string> }): View {
  const etn = entity.logicalName;
  const view = entityView(etn);
  const label = entityLabel(etn);
  const id = record?.[entity.primaryKey] as string | undefined;
  const [initial] = useState(() => initialValues(entity, record, extraqs));
  const [values, setValues] = useState(initial);
  const [message, setMessage] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const edited = entity.columns.filter((column) => (values[column.name] ?? '') !== (initial[column.name] ?? ''));
  // An update sends what was edited; a create everything filled in, openForm's parameters included.
  const toSend = record ? edited : entity.columns.filter((column) => (values[column.name] ?? '') !== '');
  const readOnly = etn === 'phonecall' && record !== undefined && record.statecode !== 0;
  const title = record ? String(record[entity.primaryName] ?? '') || '(No name)' : `New ${label.displayName}`;

  useEffect(() => ui.state.setDirty(edited.length > 0), [edited.length]);

  const save = async () => {
    const missing = view.required.filter((name) => !(values[name] ?? '').trim());
    if (missing.length > 0) return setMessage(`Required fields must be filled in: ${missing.map((name) => columnLabel(etn, name)).join(', ')}.`);
    setSaving(true);
    try {
      const body: ApiRecord = {};
      for (const column of toSend) if (!column.readOnly && column.name !== entity.primaryKey) body[column.name] = fromInput(column, values[column.name] ?? '');
      if (record && id) {
        await update(entity.setName, id, body);
        ui.state.toast(`${label.displayName} saved.`);
        ui.state.dataChanged();
        return;
      }
      const newId = await create(entity.setName, { ...body, ...lookupBinds(entity, ui.config.entities, values) });
      const saved = await retrieve(entity.setName, newId, `?$select=${entity.primaryName}`);
      ui.state.formSaved({ entityType: etn, id: newId, name: String(saved[entity.primaryName] ?? '') });
      ui.state.navigate({ page: 'entityrecord', etn, id: newId, extraqs: {} }, { replace: true });
      ui.state.dataChanged();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };

  const markComplete = async () => {
    if (!id) return;
    try {
      // Completed: statecode 1 with statuscode 2 Made (outgoing) or 4 Received (incoming), both at once.
      await update(entity.setName, id, { statecode: 1, statuscode: record?.directioncode ? 2 : 4 });
      ui.state.dataChanged();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };

  const commands = [
    h('button', { type: 'button', class: 'command primary', disabled: readOnly || saving || (record !== undefined && edited.length === 0), onClick: save }, 'Save'),
    etn === 'phonecall' && record && !readOnly ? h('button', { type: 'button', class: 'command', onClick: markComplete }, '✓ Mark Complete') : null,
    h('button', { type: 'button', class: 'command', onClick: () => ui.state.navigate({ page: 'entityrecord', etn, extraqs: {} }) }, '+ New'),
    record ? h('button', { type: 'button', class: 'command', onClick: () => ui.state.dataChanged() }, '⟳ Refresh') : null,
  ];

  const field = (name: string) => formField(ui, entity, { name, record, values, readOnly, title, id: id ?? '', set: (value) => setValues({ ...values, [name]: value }) });
  return h(
    'section',
    { class: 'page form-page' },
    h('div', { class: 'command-bar' }, commands),
    h(
      'header',
      { class: 'form-header' },
      h('div', { class: 'avatar' }, initials(title)),
      h('div', null, h('h1', null, title, ui.state.dirty ? h('span', { class: 'unsaved' }, ' - Unsaved') : null), h('div', { class: 'form-entity' }, label.displayName)),
    ),
    message ? h('div', { class: 'notification error', role: 'alert' }, message) : null,
    readOnly ? h('div', { class: 'notification info' }, 'Read-only: this activity is closed.') : null,
    h(
      'div',
      { class: 'form-columns' },
      h(
        'div',
        { class: 'form-sections' },
        view.sections.map((section) => h('fieldset', { key: section.title, class: 'form-section' }, h('legend', null, section.title), section.fields.map(field))),
      ),
      id && TIMELINE_ENTITIES.has(etn) ? h(Timeline, { ui, etn, id, title }) : null,
    ),
  );
}

interface FieldProps {
  name: string;
  record: ApiRecord | undefined;
  values: Record<string, string>;
  readOnly: boolean;
  title: string;
  id: string;
  set: (value: string) => void;
}

function formField(ui: UiContext, entity: PageEntity, props: FieldProps): View {
  const etn = entity.logicalName;
  const { name, record, values } = props;
  const inputId = `field-${name}`;
  const row = (control: View) => h('div', { key: name, class: 'form-field' }, h('label', { for: inputId }, columnLabel(etn, name)), control);
  const lookup = entity.lookups.find((l) => l.name === name);
  if (lookup) {
    const lookupId = record ? (record[`_${name}_value`] as string | null) : values[name];
    const type = record ? (record[`_${name}_value@Microsoft.Dynamics.CRM.lookuplogicalname`] as string | undefined) : values[`${name}type`];
    const text = record ? displayValue(etn, `_${name}_value`, record) : (values[`${name}name`] ?? lookupId ?? '');
    if (!lookupId || !type || !ENTITY_VIEWS[type]) return row(h('span', { id: inputId, class: 'lookup-value' }, text || '---'));
    const route = { page: 'entityrecord', etn: type, id: lookupId, extraqs: {} } as const;
    return row(
      h(
        'a',
        {
          id: inputId,
          class: 'lookup-value',
          href: ui.state.urlOf(route),
          onClick: (event: Event) => {
            event.preventDefault();
            ui.state.navigate(route);
          },
        },
        text || lookupId,
      ),
    );
  }
  const column = entity.columns.find((c) => c.name === name) as PageColumn;
  const value = values[name] ?? '';
  const readOnly = props.readOnly || column.readOnly === true || STATE_COLUMNS.has(name);
  if (readOnly && STATE_COLUMNS.has(name)) return row(h('span', { id: inputId, class: 'read-only-value' }, record ? displayValue(etn, name, record) : 'Open'));
  if (entityLabel(etn).phoneFields.includes(name)) {
    return row(
      phoneInput(ui, { id: inputId, readOnly, onInput: props.set, source: { value, name, entityLogicalName: etn, entityId: props.id, recordTitle: record ? props.title : '' } }),
    );
  }
  if (readOnly && value === '') return row(h('span', { id: inputId, class: 'read-only-value' }, '---'));
  const onInput = (event: Event) => props.set((event.currentTarget as HTMLInputElement).value);
  if (column.type === 'bool') {
    const options = etn === 'phonecall' && name === 'directioncode' ? ['Incoming', 'Outgoing'] : ['No', 'Yes'];
    return row(
      h(
        'select',
        { id: inputId, value, disabled: readOnly, onChange: onInput },
        h('option', { value: '' }, '---'),
        h('option', { value: 'false' }, options[0]),
        h('option', { value: 'true' }, options[1]),
      ),
    );
  }
  if (name === 'description') return row(h('textarea', { id: inputId, value, readOnly, rows: 4, maxLength: column.maxLength, onInput }));
  const type = column.type === 'datetime' ? 'datetime-local' : column.type === 'int' ? 'number' : name.startsWith('emailaddress') ? 'email' : 'text';
  return row(h('input', { id: inputId, type, value, readOnly, maxLength: column.maxLength, onInput }));
}

function initials(title: string): string {
  const words = title.replace(/[()]/g, '').trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return '?';
  const last = rest.at(-1);
  return last === undefined ? [...first].slice(0, 2).join('').toUpperCase() : (first.charAt(0) + last.charAt(0)).toUpperCase();
}
