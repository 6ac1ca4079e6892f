/**
 * A user's Dynamics integration settings (docs/settings.md §2): GET/PUT /api/settings carries this
 * object whole, the server stores it, and the pane and src/crm apply it in these same words. The
 * defaults, each setting's first choice, are here once: the server answers them to a user who
 * never saved, and the pane uses them until that answer comes. The server's validation of a PUT
 * is src/server/api/user-settings.ts (zod, kept out of the pane's bundle).
 */
import { CRM_ENTITY_NAMES, type CrmEntity, type RecordRef } from './crm-record.ts';

export const OPEN_RECORD_WHEN = ['ringing', 'answered', 'never'] as const;
/** Which calls pop a record: inbound only, or inbound and outbound. */
export const APPLY_TO = ['inbound', 'both'] as const;
/** Several records match: a chooser in the pane, or Dynamics' search page. */
export const SEVERAL_MATCHES = ['choose', 'search-page'] as const;
export const UNKNOWN_NUMBER_ACTIONS = ['nothing', 'new-contact-form', 'new-lead-form', 'create-contact', 'create-lead'] as const;
/** `dynamics`: the Dynamics user's own language. */
export const LANGUAGE_CHOICES = ['dynamics', 'en', 'zh-CN'] as const;

export type OpenRecordWhen = (typeof OPEN_RECORD_WHEN)[number];
export type ApplyTo = (typeof APPLY_TO)[number];
export type SeveralMatches = (typeof SEVERAL_MATCHES)[number];
export type UnknownNumberAction = (typeof UNKNOWN_NUMBER_ACTIONS)[number];
export type LanguageChoice = (typeof LANGUAGE_CHOICES)[number];

/** Which finished calls become Phone Call activities. */
export interface LogSettings {
  answeredInbound: boolean;
  missedInbound: boolean;
  answeredOutbound: boolean;
  unansweredOutbound: boolean;
}

export interface UserSettings {
  openRecord: OpenRecordWhen;
  applyTo: ApplyTo;
  /** Every table once, in search order; a table switched off is not searched. */
  searchIn: Array<{ entity: CrmEntity; enabled: boolean }>;
  severalMatches: SeveralMatches;
  unknownNumber: UnknownNumberAction;
  log: LogSettings;
  /** The activity subject; DEFAULT_SUBJECT_TEMPLATE stands for the default of the pane's language. */
  subjectTemplate: string;
  clickToCall: boolean;
  language: LanguageChoice;
  /** The record the user chose for a number matching several, keyed by E.164 number. */
  rememberedChoices: Record<string, RecordRef>;
}

export const DEFAULT_SUBJECT_TEMPLATE = '{direction} call {name|number}';
/** A pane remembering a choice per number must stop somewhere; it drops old ones itself. */
export const MAX_REMEMBERED_CHOICES = 500;
/** Dynamics' phonecall subject holds 200 characters (docs/dataverse.md §2). */
export const MAX_SUBJECT_TEMPLATE = 200;

/** The settings of a user who never saved: each setting's first choice. */
export function defaultUserSettings(): UserSettings {
  return {
    openRecord: 'ringing',
    applyTo: 'inbound',
    searchIn: CRM_ENTITY_NAMES.map((entity) => ({ entity, enabled: true })),
    severalMatches: 'choose',
    unknownNumber: 'nothing',
    log: { answeredInbound: true, missedInbound: true, answeredOutbound: true, unansweredOutbound: true },
    subjectTemplate: DEFAULT_SUBJECT_TEMPLATE,
    clickToCall: true,
    language: 'dynamics',
    rememberedChoices: {},
  };
}

/** The tables to search, in order: those switched on. */
export function searchedTables(settings: Pick<UserSettings, 'searchIn'>): CrmEntity[] {
  return settings.searchIn.filter((item) => item.enabled).map((item) => item.entity);
}
