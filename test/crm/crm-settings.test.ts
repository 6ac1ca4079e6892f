import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CRM_SETTINGS, resolveLanguage } from '../../src/crm/crm-settings.ts';

test('defaults are the first choice of each setting in the product brief', () => {
  assert.deepEqual(DEFAULT_CRM_SETTINGS, {
    openRecord: 'ringing',
    applyTo: 'inbound',
    searchIn: ['contact', 'account', 'lead'],
    severalMatches: 'choose',
    unknownNumber: 'nothing',
    logCalls: { answeredInbound: true, missedInbound: true, answeredOutbound: true, unansweredOutbound: true },
    subjectTemplate: null,
    clickToCall: true,
    language: 'dynamics',
  });
});

test('the language follows the Dynamics user language unless the user chose one', () => {
  assert.equal(resolveLanguage('dynamics', 2052), 'zh-CN');
  assert.equal(resolveLanguage('dynamics', 4100), 'zh-CN');
  assert.equal(resolveLanguage('dynamics', 1033), 'en');
  assert.equal(resolveLanguage('dynamics', 1028), 'en', 'Traditional Chinese is not spoken');
  assert.equal(resolveLanguage('dynamics', undefined), 'en');
  assert.equal(resolveLanguage('en', 2052), 'en');
  assert.equal(resolveLanguage('zh-CN', 1033), 'zh-CN');
});
