/**
 * A user's "Dynamics integration settings" (docs/settings.md §2), as the server stores
 * them and the pane applies them. Defaults are the table's first choices.
 */
import type { CrmEntity } from './crm-entities.ts';

export type OpenRecordWhen = 'ringing' | 'answered' | 'never';
export type ScreenPopDirections = 'inbound' | 'inbound-and-outbound';
export type SeveralMatches = 'choose-in-pane' | 'search-page';
export type UnknownNumber = 'nothing' | 'new-contact-form' | 'new-lead-form' | 'create-contact' | 'create-lead';
export type LanguageChoice = 'dynamics' | 'en' | 'zh-CN';
/** The languages Callpane speaks. */
export type Language = 'en' | 'zh-CN';

/** Which finished calls become Phone Call activities. */
export interface CallLogSettings {
  answeredInbound: boolean;
  missedInbound: boolean;
  answeredOutbound: boolean;
  unansweredOutbound: boolean;
}

export interface CrmSettings {
  openRecord: OpenRecordWhen;
  applyTo: ScreenPopDirections;
  /** The tables searched, in order; a table left out is off. */
  searchIn: readonly CrmEntity[];
  severalMatches: SeveralMatches;
  unknownNumber: UnknownNumber;
  logCalls: CallLogSettings;
  /** The activity subject template; null means the default of the pane's language (subject-template.ts). */
  subjectTemplate: string | null;
  clickToCall: boolean;
  language: LanguageChoice;
}

export const DEFAULT_CRM_SETTINGS: Readonly<CrmSettings> = {
  openRecord: 'ringing',
  applyTo: 'inbound',
  searchIn: ['contact', 'account', 'lead'],
  severalMatches: 'choose-in-pane',
  unknownNumber: 'nothing',
  logCalls: { answeredInbound: true, missedInbound: true, answeredOutbound: true, unansweredOutbound: true },
  subjectTemplate: null,
  clickToCall: true,
  language: 'dynamics',
};

/**
 * The language to speak: the user's choice, else Dynamics' user language — `userLcid` from
 * getEnvironment (docs/cif-contract.md §2): 2052 zh-CN and 4100 zh-SG are Simplified Chinese, anything
 * else English.
 */
export function resolveLanguage(choice: LanguageChoice, userLcid: number | undefined): Language {
  if (choice !== 'dynamics') return choice;
  return userLcid === 2052 || userLcid === 4100 ? 'zh-CN' : 'en';
}
