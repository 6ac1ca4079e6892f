import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSubjectTemplate, directionWord, formatDuration, renderSubject, truncate, unknownSubjectVariables } from '../../src/crm/subject-template.ts';

const values = { direction: 'Inbound', number: '+1 415 555 0100', name: 'Alex Baker', extension: '1002', duration: '3:07' };

test('fills every variable', () => {
  assert.equal(renderSubject('{direction} {number} {name} {extension} {duration}', values), 'Inbound +1 415 555 0100 Alex Baker 1002 3:07');
});

test('takes the first non-empty choice of {a|b}', () => {
  assert.equal(renderSubject('{direction} call {name|number}', values), 'Inbound call Alex Baker');
  assert.equal(renderSubject('{direction} call {name|number}', { ...values, name: undefined }), 'Inbound call +1 415 555 0100');
  assert.equal(renderSubject('{direction} call {name|number}', { ...values, name: '  ' }), 'Inbound call +1 415 555 0100');
  assert.equal(renderSubject('{name|extension|number}', { number: '1', extension: '' }), '1');
});

test('collapses the spaces an empty variable leaves and keeps unknown braces as typed', () => {
  assert.equal(renderSubject('  {direction}  {name}  call ', { direction: 'Outbound' }), 'Outbound call');
  assert.equal(renderSubject('{nmae} {name|nummer} {} {Name} {{direction}}', values), '{nmae} {name|nummer} {} {Name} {Inbound}');
});

test('cuts the subject to Dataverse’s 200 characters without splitting a character', () => {
  const long = renderSubject('{name}', { name: '王'.repeat(150) + '𠀀'.repeat(60) });
  assert.equal(long.length <= 200, true);
  assert.equal(long.endsWith('…'), true);
  assert.equal(truncate('😀😀😀', 4), '😀…');
  assert.equal(truncate('abc', 3), 'abc');
});

test('names unknown variables for the settings form', () => {
  assert.deepEqual(unknownSubjectVariables('{direction} {nmae} {name|nummer} {nmae}'), ['nmae', 'nummer']);
  assert.deepEqual(unknownSubjectVariables(defaultSubjectTemplate('en')), []);
});

test('speaks English and Simplified Chinese', () => {
  assert.equal(defaultSubjectTemplate('en'), '{direction} call {name|number}');
  assert.equal(renderSubject(defaultSubjectTemplate('en'), { direction: directionWord('outbound', 'en'), name: 'Alex Baker' }), 'Outbound call Alex Baker');
  assert.equal(renderSubject(defaultSubjectTemplate('zh-CN'), { direction: directionWord('inbound', 'zh-CN'), name: '王伟' }), '呼入 王伟');
  assert.equal(renderSubject(defaultSubjectTemplate('zh-CN'), { direction: directionWord('outbound', 'zh-CN'), number: '+86 138 0013 8000' }), '外呼 +86 138 0013 8000');
});

test('writes durations as a clock does', () => {
  assert.deepEqual([0, 7, 59.9, 187, 3600, 3787, -5].map(formatDuration), ['0:00', '0:07', '0:59', '3:07', '1:00:00', '1:03:07', '0:00']);
});
