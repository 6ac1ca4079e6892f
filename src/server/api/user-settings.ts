/**
 * The pane's Dynamics integration settings (docs/settings.md §2), per user: the shape
 * a PUT must have, the defaults a user who never saved gets, and how a stored document is read
 * back. Reading is forgiving on purpose: each setting that the stored document lacks or that no
 * longer validates (an older version wrote it) reads as its default, the others as saved.
 */
import { z } from 'zod';
import { CRM_ENTITIES, crmEntity, recordReference } from './crm-record-ref.ts';

export const DEFAULT_SUBJECT_TEMPLATE = '{direction} call {name|number}';
/** A pane remembering a choice per number must stop somewhere; it drops old ones itself. */
export const MAX_REMEMBERED_CHOICES = 500;
/** Dynamics' phonecall subject holds 200 characters (docs/dataverse.md §2). */
export const MAX_SUBJECT_TEMPLATE = 200;

/** E.164 (ITU-T E.164: + and at most 15 digits, no leading zero). */
const E164 = /^\+[1-9]\d{1,14}$/;

const searchIn = z
  .array(z.strictObject({ entity: crmEntity(), enabled: z.boolean() }))
  .length(CRM_ENTITIES.length, `must list ${CRM_ENTITIES.join(', ')} once each`)
  .refine((list) => new Set(list.map((item) => item.entity)).size === CRM_ENTITIES.length, `must list ${CRM_ENTITIES.join(', ')} once each`);

/** No control characters: the subject goes into Dynamics as it is. */
const subjectTemplate = z
  .string()
  .min(1)
  .max(MAX_SUBJECT_TEMPLATE)
  .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters');

const rememberedChoices = z
  .record(z.string().regex(E164, 'must be an E.164 number such as +14155550100'), recordReference())
  .refine((choices) => Object.keys(choices).length <= MAX_REMEMBERED_CHOICES, `must hold at most ${MAX_REMEMBERED_CHOICES} numbers`);

const FIELDS = {
  openRecord: z.enum(['ringing', 'answered', 'never']),
  applyTo: z.enum(['inbound', 'both']),
  searchIn,
  severalMatches: z.enum(['choose', 'search-page']),
  unknownNumber: z.enum(['nothing', 'new-contact-form', 'new-lead-form', 'create-contact', 'create-lead']),
  log: z.strictObject({
    answeredInbound: z.boolean(),
    missedInbound: z.boolean(),
    answeredOutbound: z.boolean(),
    unansweredOutbound: z.boolean(),
  }),
  subjectTemplate,
  clickToCall: z.boolean(),
  language: z.enum(['dynamics', 'en', 'zh-CN']),
  rememberedChoices,
};

/** PUT /api/settings: the whole object, every key present, no other key. */
export const UserSettingsSchema = z.strictObject(FIELDS);

export type UserSettings = z.output<typeof UserSettingsSchema>;

export function defaultUserSettings(): UserSettings {
  return {
    openRecord: 'ringing',
    applyTo: 'inbound',
    searchIn: CRM_ENTITIES.map((entity) => ({ entity, enabled: true })),
    severalMatches: 'choose',
    unknownNumber: 'nothing',
    log: { answeredInbound: true, missedInbound: true, answeredOutbound: true, unansweredOutbound: true },
    subjectTemplate: DEFAULT_SUBJECT_TEMPLATE,
    clickToCall: true,
    language: 'dynamics',
    rememberedChoices: {},
  };
}

/** A stored document (or none) as the settings now read: valid keys as saved, the rest defaults. */
export function readUserSettings(stored: unknown): UserSettings {
  const settings = defaultUserSettings() as Record<keyof UserSettings, unknown>;
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return settings as UserSettings;
  for (const key of Object.keys(FIELDS) as (keyof UserSettings)[]) {
    const parsed = FIELDS[key].safeParse((stored as Record<string, unknown>)[key]);
    if (parsed.success) settings[key] = parsed.data;
  }
  return settings as UserSettings;
}
