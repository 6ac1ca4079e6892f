import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import type { QueryResult } from '../../../src/sandbox/dataverse/record-reader.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { expectDataverseError, fixtureDataverse, FIXED_NOW, IDS } from './dataverse-fixture.ts';

const QUERY_ERROR = '0x80060888';
const NOT_TRACKED = '0x80072491';
const EXPIRED = '0x80044352';
const DAY_MS = 24 * 60 * 60 * 1000;
const NEW_CONTACT = 'cccccccc-0000-4000-8000-0000000000a1';

/** A fixture whose clock the test moves. */
function clockedDataverse(): { dataverse: Dataverse; advance(ms: number): void } {
  let now = FIXED_NOW.getTime();
  return { dataverse: fixtureDataverse(() => new Date(now)), advance: (ms) => (now += ms) };
}

/** Every page of an answer, following next queries; the last page holds the delta query. */
function readAll(dataverse: Dataverse, set: string, query: string, options: { maxPageSize?: number; trackChanges?: boolean } = {}): QueryResult[] {
  const pages: QueryResult[] = [];
  let next: string | undefined = query;
  while (next !== undefined) {
    const page = dataverse.retrieveMultiple(set, next, options);
    pages.push(page);
    assert.ok(pages.length <= 1000, 'paging ends');
    next = page.nextQuery;
  }
  return pages;
}

const lastOf = (pages: readonly QueryResult[]): QueryResult => {
  const last = pages.at(-1);
  assert.ok(last);
  return last;
};

describe('change tracking through the Dataverse class', () => {
  test('odata.track-changes answers every row and a delta query carrying the same $select and a $deltatoken of version and time', () => {
    const dataverse = fixtureDataverse();
    const answer = dataverse.retrieveMultiple('contacts', '?$select=fullname,telephone1', { trackChanges: true });
    assert.equal(answer.records.length, 5);
    assert.deepEqual(answer.preferenceApplied, ['odata.track-changes']);
    assert.equal(answer.nextQuery, undefined);
    assert.equal(answer.delta, undefined);
    // Dataverse's own form: $deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44
    assert.match(answer.deltaQuery ?? '', /^\?\$select=fullname,telephone1&\$deltatoken=\d+%2106%2f01%2f2025%2012%3a00%3a00$/);
    dataverse.close();
  });

  test('the delta query answers rows created and updated since, oldest change first, then the deleted rows, and a new delta query', () => {
    const dataverse = fixtureDataverse();
    const start = dataverse.retrieveMultiple('contacts', '?$select=fullname,telephone1', { trackChanges: true }).deltaQuery ?? '';
    dataverse.update('contacts', IDS.jordan, { telephone1: '+1 415 555 0111' });
    dataverse.create('contacts', { contactid: NEW_CONTACT, firstname: 'New', lastname: 'Person' });
    dataverse.update('contacts', IDS.alex, { jobtitle: 'Buyer' });
    dataverse.delete('contacts', IDS.wang);
    const changes = dataverse.retrieveMultiple('contacts', start);
    assert.equal(changes.delta, true);
    assert.deepEqual(
      changes.records.map((row) => [row.contactid, row.telephone1]),
      [
        [IDS.jordan, '+1 415 555 0111'],
        [NEW_CONTACT, null],
        [IDS.alex, '+1 (415) 555-0100'],
      ],
    );
    assert.deepEqual(Object.keys(changes.records[0] ?? {}), ['@odata.etag', 'fullname', 'telephone1', 'contactid']);
    assert.deepEqual(changes.deleted, [IDS.wang]);
    assert.ok(changes.deltaQuery?.startsWith('?$select=fullname,telephone1&$deltatoken='));
    assert.notEqual(changes.deltaQuery, start);
    const quiet = dataverse.retrieveMultiple('contacts', changes.deltaQuery ?? '');
    assert.deepEqual([quiet.records, quiet.deleted], [[], []]);
    dataverse.close();
  });

  test('a row created and deleted between two reads comes back as deleted; deleted and created again, as the new row alone', () => {
    const dataverse = fixtureDataverse();
    const start = dataverse.retrieveMultiple('leads', '?$select=fullname', { trackChanges: true }).deltaQuery ?? '';
    const brief = 'eeeeeeee-0000-4000-8000-0000000000b1';
    dataverse.create('leads', { leadid: brief, subject: 'Brief', lastname: 'Brief' });
    dataverse.delete('leads', brief);
    dataverse.delete('leads', IDS.lead);
    dataverse.create('leads', { leadid: IDS.lead, subject: 'Back', lastname: 'Carter' });
    const changes = dataverse.retrieveMultiple('leads', start);
    assert.deepEqual(
      changes.records.map((row) => row.leadid),
      [IDS.lead],
    );
    assert.deepEqual(changes.deleted, [brief]);
    dataverse.close();
  });

  test('a write that reaches a tracked row through a relationship counts as its change', () => {
    const dataverse = fixtureDataverse();
    const start = dataverse.retrieveMultiple('contacts', '?$select=_parentcustomerid_value', { trackChanges: true }).deltaQuery ?? '';
    dataverse.delete('accounts', IDS.account);
    const changes = dataverse.retrieveMultiple('contacts', start);
    assert.deepEqual(
      changes.records.map((row) => [row.contactid, row._parentcustomerid_value]),
      [[IDS.alex, null]],
    );
    dataverse.close();
  });

  test('the first read pages by odata.maxpagesize, links on with a tracking cookie, and only its last page carries the delta query', () => {
    const dataverse = fixtureDataverse();
    const pages = readAll(dataverse, 'contacts', '?$select=fullname', { maxPageSize: 2, trackChanges: true });
    assert.deepEqual(
      pages.map((page) => [page.records.length, page.nextQuery !== undefined, page.deltaQuery !== undefined]),
      [
        [2, true, false],
        [2, true, false],
        [1, false, true],
      ],
    );
    assert.match(decodeURIComponent(pages[0]?.nextQuery ?? ''), /istracking="True"/);
    for (const page of pages) assert.deepEqual(page.preferenceApplied, ['odata.track-changes', 'odata.maxpagesize=2']);
    // A next link followed without the preference still belongs to the tracking answer.
    const unpreferred = dataverse.retrieveMultiple('contacts', pages[0]?.nextQuery ?? '', { maxPageSize: 2 });
    assert.ok(unpreferred.nextQuery !== undefined && unpreferred.deltaQuery === undefined);
    dataverse.close();
  });

  test('a row written while the first read is paged comes back in the next delta', () => {
    const dataverse = fixtureDataverse();
    const first = dataverse.retrieveMultiple('contacts', '?$select=lastname', { maxPageSize: 2, trackChanges: true });
    const seen = first.records.map((row) => row.contactid);
    dataverse.update('contacts', String(seen[0]), { lastname: 'Renamed' });
    const pages = readAll(dataverse, 'contacts', first.nextQuery ?? '', { maxPageSize: 2, trackChanges: true });
    const changes = dataverse.retrieveMultiple('contacts', lastOf(pages).deltaQuery ?? '');
    assert.deepEqual(
      changes.records.map((row) => [row.contactid, row.lastname]),
      [[seen[0], 'Renamed']],
    );
    dataverse.close();
  });

  test('a delta answer pages too: changed rows first, then deletions, each once, the delta query on the last page', () => {
    const dataverse = fixtureDataverse();
    const start = dataverse.retrieveMultiple('contacts', '?$select=lastname', { trackChanges: true }).deltaQuery ?? '';
    for (const id of [IDS.alex, IDS.jordan, IDS.percent]) dataverse.update('contacts', id, { jobtitle: 'Changed' });
    dataverse.delete('contacts', IDS.wang);
    dataverse.delete('contacts', IDS.nophone);
    for (const size of [1, 2, 3, 4, 5, 6]) {
      const pages = readAll(dataverse, 'contacts', start, { maxPageSize: size });
      assert.deepEqual(
        pages.flatMap((page) => page.records.map((row) => row.contactid)),
        [IDS.alex, IDS.jordan, IDS.percent],
        `${size} a page`,
      );
      assert.deepEqual(
        pages.flatMap((page) => page.deleted ?? []),
        [IDS.wang, IDS.nophone],
      );
      for (const page of pages) assert.ok(page.records.length + (page.deleted?.length ?? 0) <= size);
      assert.ok(pages.slice(0, -1).every((page) => page.deltaQuery === undefined && (page.nextQuery ?? '').includes('$deltatoken=')));
      assert.ok(lastOf(pages).deltaQuery !== undefined);
    }
    dataverse.close();
  });

  test('$count=true on a delta counts its changes', () => {
    const dataverse = fixtureDataverse();
    const start = dataverse.retrieveMultiple('contacts', '?$select=lastname&$count=true', { trackChanges: true });
    assert.equal(start.count, 5);
    dataverse.update('contacts', IDS.alex, { jobtitle: 'Changed' });
    dataverse.delete('contacts', IDS.wang);
    assert.equal(dataverse.retrieveMultiple('contacts', start.deltaQuery ?? '', { maxPageSize: 1 }).count, 2);
    dataverse.close();
  });

  test('a table without change tracking is refused, with the preference or a delta token', () => {
    const dataverse = fixtureDataverse();
    expectDataverseError(
      () => dataverse.retrieveMultiple('phonecalls', '?$select=subject', { trackChanges: true }),
      400,
      NOT_TRACKED,
      /^Entity phonecall isn't enabled for change tracking\.$/,
    );
    const token = new URLSearchParams(dataverse.retrieveMultiple('contacts', '', { trackChanges: true }).deltaQuery ?? '').get('$deltatoken') ?? '';
    expectDataverseError(() => dataverse.retrieveMultiple('systemusers', `?$deltatoken=${encodeURIComponent(token)}`), 400, NOT_TRACKED);
    dataverse.close();
  });

  test('$filter, $orderby, $expand and $top are refused with change tracking', () => {
    const dataverse = fixtureDataverse();
    const queries: [string, string][] = [
      ['$filter', `$filter=${encodeURIComponent("lastname eq 'Baker'")}`],
      ['$orderby', '$orderby=lastname'],
      ['$expand', '$expand=parentcustomerid_account($select=name)'],
      ['$top', '$top=2'],
    ];
    for (const [name, query] of queries) {
      const message = new RegExp(`^The "\\${name}" query parameter isn't supported when Change Tracking is enabled\\.$`);
      expectDataverseError(() => dataverse.retrieveMultiple('contacts', `?${query}`, { trackChanges: true }), 400, QUERY_ERROR, message);
    }
    dataverse.close();
  });

  test('a token older than the retention (7 days unless configured) is refused with ExpiredVersionStamp', () => {
    const { dataverse, advance } = clockedDataverse();
    const start = dataverse.retrieveMultiple('contacts', '?$select=lastname', { trackChanges: true }).deltaQuery ?? '';
    advance(7 * DAY_MS);
    assert.ok(dataverse.retrieveMultiple('contacts', start).deltaQuery, 'seven days old is still good');
    advance(1000);
    expectDataverseError(
      () => dataverse.retrieveMultiple('contacts', start),
      400,
      EXPIRED,
      /^Version stamp associated with the client has expired\. Please perform a full sync\.$/,
    );
    dataverse.close();

    let now = FIXED_NOW.getTime();
    const shortLived = new Dataverse({ path: ':memory:', seed: false, now: () => new Date(now), changeTrackingRetentionDays: 1 });
    const token = shortLived.retrieveMultiple('contacts', '', { trackChanges: true }).deltaQuery ?? '';
    now += DAY_MS + 1000;
    expectDataverseError(() => shortLived.retrieveMultiple('contacts', token), 400, EXPIRED);
    shortLived.close();
    assert.throws(
      () => new Dataverse({ path: ':memory:', seed: false, changeTrackingRetentionDays: 366 }),
      /changeTrackingRetentionDays is 366; allowed: a whole number of days from 0 to 365/,
    );
  });

  test('tokens issued before a reset are expired', () => {
    const dataverse = new Dataverse({ path: ':memory:', now: () => FIXED_NOW });
    const start = dataverse.retrieveMultiple('contacts', '?$select=lastname', { trackChanges: true }).deltaQuery ?? '';
    dataverse.reset();
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', start), 400, EXPIRED);
    const fresh = dataverse.retrieveMultiple('contacts', '?$select=lastname', { trackChanges: true }).deltaQuery ?? '';
    assert.deepEqual(dataverse.retrieveMultiple('contacts', fresh).records, []);
    dataverse.close();
  });

  test('a malformed delta token, or one for a version not reached yet, is refused', () => {
    const dataverse = fixtureDataverse();
    for (const token of ['abc', '12!02/30/2025 10:00:00', '999999999!06/01/2025 12:00:00', '']) {
      expectDataverseError(() => dataverse.retrieveMultiple('contacts', `?$deltatoken=${encodeURIComponent(token)}`), 400, QUERY_ERROR, /\$deltatoken/);
    }
    dataverse.close();
  });
});

describe('change tracking over HTTP', () => {
  let dataverse: Dataverse;
  let advance: (ms: number) => void;
  let server: FastifyInstance;
  let root: string;

  before(async () => {
    ({ dataverse, advance } = clockedDataverse());
    // The sandbox server's Web API routes, on a loopback port of their own.
    server = fastify();
    registerDataverseRoutes(server, dataverse);
    root = `${await server.listen({ host: '127.0.0.1', port: 0 })}/api/data/v9.2/`;
  });
  after(async () => {
    await server.close();
    dataverse.close();
  });

  /** A GET as the sandbox's own pages send it. */
  const get = (url: string, prefer?: string) =>
    fetch(url, { headers: { 'sec-fetch-site': 'same-origin', accept: 'application/json', ...(prefer === undefined ? {} : { prefer }) }, signal: AbortSignal.timeout(5000) });

  type Body = { '@odata.context': string; value: Record<string, unknown>[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };

  test('the last page carries an absolute @odata.deltaLink; following it answers changes under a /$delta context and deletions as $deletedEntity entries', async () => {
    let url: string | undefined = `${root}contacts?$select=fullname`;
    let deltaLink: string | undefined;
    while (url !== undefined) {
      const response = await get(url, 'odata.maxpagesize=2, odata.track-changes');
      assert.equal(response.headers.get('preference-applied'), 'odata.track-changes, odata.maxpagesize=2');
      const body = (await response.json()) as Body;
      assert.equal(body['@odata.context'], `${root}$metadata#contacts(fullname)`);
      url = body['@odata.nextLink'];
      deltaLink = body['@odata.deltaLink'];
      assert.ok(url === undefined || deltaLink === undefined, 'a next link or a delta link, never both');
    }
    assert.match(deltaLink ?? '', new RegExp(`^${root.replace(/[.?]/g, '\\$&')}contacts\\?\\$select=fullname&\\$deltatoken=\\d+%21`));

    dataverse.update('contacts', IDS.alex, { firstname: 'Alexandra' });
    dataverse.delete('contacts', IDS.wang);
    const response = await get(deltaLink ?? '');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('preference-applied'), null);
    const body = (await response.json()) as Body;
    assert.deepEqual(Object.keys(body), ['@odata.context', 'value', '@odata.deltaLink']);
    assert.equal(body['@odata.context'], `${root}$metadata#contacts(fullname)/$delta`);
    assert.deepEqual(body.value, [
      { '@odata.etag': body.value[0]?.['@odata.etag'], fullname: 'Alexandra Baker', contactid: IDS.alex },
      { '@odata.context': `${root}$metadata#contacts/$deletedEntity`, id: IDS.wang, reason: 'deleted' },
    ]);
    assert.notEqual(body['@odata.deltaLink'], deltaLink);
  });

  test('an expired token and a table without change tracking answer with the Dataverse error body', async () => {
    const start = (await (await get(`${root}leads?$select=fullname`, 'odata.track-changes')).json()) as Body;
    advance(8 * DAY_MS);
    const expired = await get(start['@odata.deltaLink'] ?? '');
    assert.equal(expired.status, 400);
    assert.deepEqual(await expired.json(), { error: { code: EXPIRED, message: 'Version stamp associated with the client has expired. Please perform a full sync.' } });
    const untracked = await get(`${root}phonecalls?$select=subject`, 'odata.track-changes');
    assert.equal(untracked.status, 400);
    assert.deepEqual(await untracked.json(), { error: { code: NOT_TRACKED, message: "Entity phonecall isn't enabled for change tracking." } });
  });
});
