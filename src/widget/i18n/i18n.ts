/**
 * The pane's two languages, English and Simplified Chinese: catalogues, the translator, and which
 * language applies.
 */
import { resolveLanguage, type Language } from '../../crm/crm-settings.ts';
import { en, type MessageKey } from './messages-en.ts';
import { zhCN } from './messages-zh-cn.ts';

export type { Language };
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;
export type { MessageKey };

const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** The user's choice, else Dynamics' user language (src/crm), else — outside Dynamics — the browser's. */
export function languageOf(choice: 'dynamics' | Language, userLcid: number | undefined, browserLanguages: readonly string[] = []): Language {
  if (choice !== 'dynamics' || (userLcid !== undefined && userLcid > 0)) return resolveLanguage(choice, userLcid);
  const first = browserLanguages[0]?.toLowerCase() ?? '';
  return /^zh(-(cn|sg|hans)\b|$)/.test(first) ? 'zh-CN' : 'en';
}

/** Only the named values are filled in, so texts may show braces of their own ({name|number}). */
export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  return (key, values) => {
    const text = catalogue[key] ?? en[key] ?? key;
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
  };
}

/** The BCP 47 tag for the document and for number/date formatting. */
export function localeOf(language: Language): string {
  return language === 'zh-CN' ? 'zh-CN' : 'en-US';
}
