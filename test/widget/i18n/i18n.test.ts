import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { languageOf, translator } from '../../../src/widget/i18n/i18n.ts';
import { en } from '../../../src/widget/i18n/messages-en.ts';
import { zhCN } from '../../../src/widget/i18n/messages-zh-cn.ts';

describe('pane languages', () => {
  test('a Dynamics user with language 2052 gets Simplified Chinese, 1033 English', () => {
    assert.equal(languageOf('dynamics', 2052), 'zh-CN');
    assert.equal(languageOf('dynamics', 1033, ['zh-CN']), 'en');
  });

  test("the user's own choice wins over Dynamics", () => {
    assert.equal(languageOf('en', 2052), 'en');
    assert.equal(languageOf('zh-CN', 1033), 'zh-CN');
  });

  test("outside Dynamics the browser's language decides", () => {
    assert.equal(languageOf('dynamics', undefined, ['zh-CN', 'en']), 'zh-CN');
    assert.equal(languageOf('dynamics', undefined, ['zh-Hans']), 'zh-CN');
    assert.equal(languageOf('dynamics', undefined, ['zh-TW']), 'en');
    assert.equal(languageOf('dynamics', undefined, []), 'en');
  });

  test('every Chinese text is translated, not a copy of the English one', () => {
    const same = Object.keys(en).filter((key) => key !== 'appName' && en[key as keyof typeof en] === zhCN[key as keyof typeof en]);
    assert.deepEqual(same, []);
  });

  test('both catalogues use the same placeholders in each text', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as Array<keyof typeof en>) assert.deepEqual(names(zhCN[key]), names(en[key]), key);
  });

  test('only the values given are filled in, so a text may show braces of its own', () => {
    const t = translator('en');
    assert.equal(t('errGeneric', { message: 'boom' }), 'Something went wrong: boom');
    assert.match(t('subjectHint'), /\{direction\} \{number\}/);
    assert.equal(translator('zh-CN')('matches', { count: 3 }), '3 条匹配记录');
  });
});
