/**
 * A user's "Dynamics integration settings" as src/crm applies them. The words and the defaults are
 * the contract's (src/contract/user-settings.ts), the same the server stores and the pane shows;
 * CrmSettings only reads the table list and the template the way the decisions here use them.
 */
import { defaultUserSettings, DEFAULT_SUBJECT_TEMPLATE, searchedTables, type LanguageChoice, type LogSettings, type UserSettings } from '../contract/user-settings.ts';
import type { CrmEntity } from './crm-entities.ts';

export type { ApplyTo, LanguageChoice, OpenRecordWhen, SeveralMatches, UnknownNumberAction } from '../contract/user-settings.ts';
/** The languages Callpane speaks. */
export type Language = 'en' | 'zh-CN';

/** Which finished calls become Phone Call activities. */
export type CallLogSettings = LogSettings;

export interface CrmSettings extends Pick<UserSettings, 'openRecord' | 'applyTo' | 'severalMatches' | 'unknownNumber' | 'clickToCall' | 'language'> {
  /** The tables searched, in order; a table switched off is left out. */
  searchIn: readonly CrmEntity[];
  logCalls: CallLogSettings;
  /** The activity subject template; null means the default of the pane's language (subject-template.ts). */
  subjectTemplate: string | null;
}

/** The settings as src/crm reads them. */
export function crmSettings(settings: UserSettings): CrmSettings {
  return {
    openRecord: settings.openRecord,
    applyTo: settings.applyTo,
    searchIn: searchedTables(settings),
    severalMatches: settings.severalMatches,
    unknownNumber: settings.unknownNumber,
    logCalls: settings.log,
    subjectTemplate: settings.subjectTemplate === DEFAULT_SUBJECT_TEMPLATE ? null : settings.subjectTemplate,
    clickToCall: settings.clickToCall,
    language: settings.language,
  };
}

export const DEFAULT_CRM_SETTINGS: Readonly<CrmSettings> = crmSettings(defaultUserSettings());

/**
 * The language to speak: the user's choice, else Dynamics' user language — `userLcid` from
 * getEnvironment (docs/cif-contract.md §2): 2052 zh-CN and 4100 zh-SG are Simplified Chinese, anything
 * else English.
 */
export function resolveLanguage(choice: LanguageChoice, userLcid: number | undefined): Language {
  if (choice !== 'dynamics') return choice;
  return userLcid === 2052 || userLcid === 4100 ? 'zh-CN' : 'en';
}
