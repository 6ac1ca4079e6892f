/**
 * The subject of a call's Phone Call activity, from the user's template (docs/settings.md §3: default
 * `{direction} call {name|number}`). Variables:
 *   {direction}  Inbound / Outbound (呼入 / 外呼 in Chinese), as the sandbox seed's call history writes them
 *   {number}     the external number          {name}      the matched record's name
 *   {extension}  the agent's extension         {duration}  talk time, m:ss or h:mm:ss
 * `{a|b}` is the first of a, b that is not empty: `{name|number}` names the record, or gives the
 * number for an unknown caller. Braces that do not name variables stay as typed; runs of spaces
 * left by empty variables collapse. Dataverse caps `subject` at 200 characters (docs/dataverse.md §2).
 */
import type { Language } from './crm-settings.ts';

export const SUBJECT_VARIABLES = ['direction', 'number', 'name', 'extension', 'duration'] as const;
export type SubjectVariable = (typeof SUBJECT_VARIABLES)[number];
export type SubjectValues = Partial<Record<SubjectVariable, string>>;

export const SUBJECT_MAX_LENGTH = 200;

const DEFAULT_TEMPLATES: Record<Language, string> = {
  en: '{direction} call {name|number}',
  // "呼入 王伟", "外呼 王伟": the direction word already says "call".
  'zh-CN': '{direction} {name|number}',
};

const DIRECTION_WORDS: Record<Language, Record<'inbound' | 'outbound', string>> = {
  en: { inbound: 'Inbound', outbound: 'Outbound' },
  'zh-CN': { inbound: '呼入', outbound: '外呼' },
};

const PLACEHOLDER = /\{([a-z]+(?:\|[a-z]+)*)\}/g;

export function defaultSubjectTemplate(language: Language): string {
  return DEFAULT_TEMPLATES[language];
}

export function directionWord(direction: 'inbound' | 'outbound', language: Language): string {
  return DIRECTION_WORDS[language][direction];
}

/** Talk time as a clock shows it: 0:07, 3:07, 1:03:07. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The subject `template` gives with `values`, at most 200 characters. */
export function renderSubject(template: string, values: SubjectValues): string {
  const text = template.replace(PLACEHOLDER, (whole, names: string) => {
    const list = names.split('|');
    if (!list.every(isSubjectVariable)) return whole;
    return list.map((name) => values[name]?.trim() ?? '').find((value) => value !== '') ?? '';
  });
  return truncate(text.replace(/\s+/g, ' ').trim(), SUBJECT_MAX_LENGTH);
}

/** Names inside braces that are not variables, for the settings form to point at ("{nmae}"). */
export function unknownSubjectVariables(template: string): string[] {
  const unknown = new Set<string>();
  // biome-ignore lint/style/noNonNullAssertion: the group is not optional, so every match has it
  for (const [, names] of template.matchAll(PLACEHOLDER)) for (const name of names!.split('|')) if (!isSubjectVariable(name)) unknown.add(name);
  return [...unknown];
}

function isSubjectVariable(name: string): name is SubjectVariable {
  return (SUBJECT_VARIABLES as readonly string[]).includes(name);
}

/** At most `max` UTF-16 units (Dataverse's length), never splitting a character, with … when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = '';
  for (const char of text) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return `${cut}…`;
}
