import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { runPhoneMatch } from '../../src/cli/phone-match-command.ts';
import { itemAt } from '../support/item-at.ts';

async function* from(items: string[]): AsyncGenerator<string> {
  yield* items;
}

async function run(args: string[], stdin: AsyncIterable<string> | NodeJS.ReadableStream) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPhoneMatch(args, { stdin, stdout: (line) => out.push(line), stderr: (line) => err.push(line) });
  return { code, out, err, results: () => out.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const pair = (incoming: string, stored: string) => JSON.stringify({ incoming, stored });

describe('callpane phone match', () => {
  test('writes one JSON line per pair with the verdict, the reason and both normalised numbers', async () => {
    const { code, results: read, err } = await run(['--region', 'US'], from([pair('+14155550100', '(415) 555-0100 x140'), pair('1002', '+1 415 555 1002')]));
    const results = read();
    assert.equal(code, 0);
    assert.deepEqual(err, []);
    assert.deepEqual(results[0], {
      line: 1,
      match: true,
      reason: 'same-e164',
      incoming: { kind: 'international', e164: '+14155550100', callingCode: '1', region: 'US', countrySource: 'written', nationalNumber: '4155550100', digits: '14155550100' },
      stored: {
        kind: 'international',
        e164: '+14155550100',
        callingCode: '1',
        region: 'US',
        countrySource: 'default-region',
        nationalNumber: '4155550100',
        digits: '4155550100',
        extension: '140',
      },
      storedRegion: 'US',
    });
    assert.deepEqual([itemAt(results, 1).line, itemAt(results, 1).match, itemAt(results, 1).reason], [2, false, 'extension-vs-external']);
    assert.deepEqual(itemAt(results, 1).incoming, { kind: 'short', digits: '1002' });
  });

  test('reads numbers without a country in the --region given, in either case', async () => {
    const input = () => from([pair('+49301234567', '030 1234567')]);
    assert.equal(itemAt((await run(['--region', 'DE'], input())).results(), 0).reason, 'same-e164');
    assert.equal(itemAt((await run(['--region=de'], input())).results(), 0).reason, 'same-e164');
    assert.equal(itemAt((await run([], input())).results(), 0).reason, 'same-national-number');
  });

  /** [a sentence, the JSON line, the match, the reason] */
  const RECORDS: [string, Record<string, string>, boolean, string][] = [
    [
      'a US 207-123-4567 on a US record is not the UK’s +44 20 7123 4567',
      { incoming: '+44 20 7123 4567', stored: '207-123-4567', country: 'United States' },
      false,
      'different-number',
    ],
    ['the same digits with the right country match', { incoming: '+1 207 123 4567', stored: '207-123-4567', country: 'USA' }, true, 'same-e164'],
    ['a German record’s number is read in Germany whatever --region says', { incoming: '+49 171 2345678', stored: 'Mob: 0171 2345678', country: 'Deutschland' }, true, 'same-e164'],
    ['a Chinese label and 转 extension are taken apart', { incoming: '+86 10 6552 9988', stored: '电话：010-6552 9988转123', country: 'CN' }, true, 'same-e164'],
    ['any of several numbers in the field matches', { incoming: '+1 415 555 0199', stored: '(415) 555-0100 or (415) 555-0199 (mobile)' }, true, 'same-e164'],
  ];
  for (const [says, line, match, reason] of RECORDS) {
    test(`reads the record’s "country": ${says}`, async () => {
      const { code, results } = await run(['--region', 'US'], from([JSON.stringify(line)]));
      assert.equal(code, 0);
      assert.deepEqual([itemAt(results(), 0).match, itemAt(results(), 0).reason], [match, reason]);
    });
  }

  test('shows each number of a field, the one that decided with its extension, and the region it was read in', async () => {
    const { results } = await run(
      ['--region', 'US'],
      from([JSON.stringify({ incoming: '+49 171 2345678', stored: 'Büro: 030 1234567 / Mobil: 0171 2345678 x5', country: 'Germany' })]),
    );
    const result = itemAt(results() as { stored: { e164: string; extension?: string }; storedNumbers: { e164: string }[]; storedRegion: string }[], 0);
    assert.deepEqual([result.stored.e164, result.stored.extension, result.storedRegion], ['+491712345678', '5', 'DE']);
    assert.deepEqual(
      result.storedNumbers.map((phone) => phone.e164),
      ['+49301234567', '+491712345678'],
    );
  });

  test('refuses a "country" that is not a string', async () => {
    const { code, results } = await run([], from([JSON.stringify({ incoming: '1', stored: '1', country: 49 })]));
    assert.equal(code, 1);
    assert.deepEqual(results(), [{ line: 1, error: 'line 1: "country" must be a string when given' }]);
  });

  test('reads a stream split anywhere, with CRLF line ends, skipping blank lines', async () => {
    const text = `${pair('+86 138 0013 8000', '138-0013-8000')}\r\n\r\n${pair('０３－１２３４－５６７８', '+81 3 1234 5678')}\n`;
    const chunks = [text.slice(0, 7), text.slice(7, 50), text.slice(50)].map((s) => Buffer.from(s));
    const { code, results } = await run(['--region', 'CN'], Readable.from(chunks));
    assert.equal(code, 0);
    assert.deepEqual(
      results().map((r) => [r.line, r.match]),
      [
        [1, true],
        [3, false],
      ],
    );
  });

  test('reads several lines in one item of an async iterable', async () => {
    const { results } = await run(['--region', 'JP'], from([`${pair('03-1234-5678', '０３－１２３４－５６７８')}\n${pair('1', '2')}`]));
    assert.deepEqual(
      results().map((r) => [r.line, r.reason]),
      [
        [1, 'same-e164'],
        [2, 'different-number'],
      ],
    );
  });

  test('answers a bad line with an error naming it, goes on, and exits 1', async () => {
    const { code, results, err } = await run([], from(['not json', '[1,2]', '{"incoming":"+1"}', '{"incoming":1,"stored":"2"}', pair('1002', '1002'), 'null']));
    assert.equal(code, 1);
    assert.deepEqual(results(), [
      { line: 1, error: 'line 1: not JSON' },
      { line: 2, error: 'line 2: not a JSON object' },
      { line: 3, error: 'line 3: "stored" must be a string' },
      { line: 4, error: 'line 4: "incoming" must be a string' },
      { line: 5, match: true, reason: 'same-short-number', incoming: { kind: 'short', digits: '1002' }, stored: { kind: 'short', digits: '1002' } },
      { line: 6, error: 'line 6: not a JSON object' },
    ]);
    assert.match(err.join('\n'), /5 of 6 lines refused/);
  });

  test('exits 2 with the usage on wrong arguments, reading nothing', async () => {
    for (const args of [['--region', 'XX'], ['--region', 'Germany'], ['--region'], ['--region='], ['--country', 'US'], ['extra']]) {
      const { code, out, err } = await run(args, from([pair('1', '1')]));
      assert.equal(code, 2, args.join(' '));
      assert.deepEqual(out, []);
      assert.match(err.join('\n'), /Usage: callpane phone match \[--region CC\]/);
    }
    assert.match((await run(['--region', 'XX'], from([]))).err.join('\n'), /--region must be an ISO 3166-1 alpha-2 country code/);
  });

  test('shows the usage on --help and exits 0', async () => {
    const { code, out } = await run(['--help'], from([]));
    assert.equal(code, 0);
    assert.match(out.join('\n'), /^Usage: callpane phone match/);
  });

  test('exits 0 on empty input', async () => {
    const { code, out, err } = await run([], from([]));
    assert.deepEqual({ code, out, err }, { code: 0, out: [], err: [] });
  });
});
