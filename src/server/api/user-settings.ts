/**
 * The server's check of the pane's Dynamics integration settings (docs/settings.md §2; the shape,
 * words and defaults are the contract's, src/contract/user-settings.ts): what a PUT must be, and
 * how a stored document is read back. Zod stays here, on the server: in the pane's bundle it
 * would weigh about as much as the whole pane. Reading is forgiving on purpose: each setting that the stored document lacks or that no
 * longer validates (an older version wrote it) reads as its default, the others as saved.
 */
import { z } from 'zod';
import {
  APPLY_TO,
  defaultUserSettings,
  LANGUAGE_CHOICES,
  MAX_REMEMBERED_CHOICES,
  MAX_SUBJECT_TEMPLATE,
  OPEN_RECORD_WHEN,
  SEVERAL_MATCHES,
  UNKNOWN_NUMBER_ACTIONS,
  type UserSettings,
} from '../../contract/user-settings.ts';
import { CRM_ENTITIES, crmEntity, recordReference } from './crm-record-ref.ts';

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
  openRecord: z.enum(OPEN_RECORD_WHEN),
  applyTo: z.enum(APPLY_TO),
  searchIn,
  severalMatches: z.enum(SEVERAL_MATCHES),
  unknownNumber: z.enum(UNKNOWN_NUMBER_ACTIONS),
  log: z.strictObject({
    answeredInbound: z.boolean(),
    missedInbound: z.boolean(),
    answeredOutbound: z.boolean(),
    unansweredOutbound: z.boolean(),
  }),
  subjectTemplate,
  clickToCall: z.boolean(),
  language: z.enum(LANGUAGE_CHOICES),
  rememberedChoices,
} satisfies { [Key in keyof UserSettings]: z.ZodType<UserSettings[Key]> };

/** PUT /api/settings: the whole object, every key present, no other key. */
export const UserSettingsSchema = z.strictObject(FIELDS);

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
