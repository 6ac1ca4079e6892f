/**
 * Fixed ids of the sandbox seed: every seed record has one, so tests, demos and the sandbox UI
 * can name records, and a reset brings back the same ids.
 */

const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const userId = (n: number) => id('5e5e0000', n);
export const accountId = (n: number) => id('acc00000', n);
export const contactId = (n: number) => id('c0c00000', n);
export const leadId = (n: number) => id('1ead0000', n);
export const phonecallId = (n: number) => id('ca110000', n);

/** Named seed records the tests and the sandbox UI refer to. */
export const SEED = {
  agentEnglish: userId(1),
  agentChinese: userId(2),
  supervisor: userId(3),
  contosoAccount: accountId(1),
  /** "+1 (415) 555-0100" on telephone1. */
  contactAlexBaker: contactId(1),
  /** Shares "+1 (415) 555-0100" with Alex Baker, on mobilephone. */
  contactJordanLee: contactId(2),
  /** Chinese name, Beijing numbers. */
  contactWangWei: contactId(3),
  /** Only a mobile number. */
  contactMobileOnly: contactId(4),
  leadFirst: leadId(1),
} as const;
