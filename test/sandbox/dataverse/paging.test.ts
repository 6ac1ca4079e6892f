import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import type { QueryResult } from '../../../src/sandbox/dataverse/record-reader.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { expectDataverseError, fixtureDataverse, IDS } from './dataverse-fixture.ts';

const QUERY_ERROR = '0x80060888';

/** Follows next links from `query` to the last page, returning every page. */
function allPages(dataverse: Dataverse, set: string, query: string, maxPageSize?: number): QueryResult[] {
  const pages: QueryResult[] = [];
  let next: string | undefined = query;
  while (next !== undefined) {
    const page = dataverse.retrieveMultiple(set, next, { maxPageSize });
    pages.push(page);
    assert.ok(pages.length <= 1000, 'paging ends');
    next = page.nextQuery;
  }
  return pages;
}

const idsOf = (records: readonly Record<string, unknown>[]) => records.map((record) => String(record.contactid));

describe('paging through the Dataverse class', () => {
  test('odata.maxpagesize=2 answers two rows a page, a next query carrying the same $select and a $skiptoken, and none on the last page', () => {
    const dataverse = fixtureDataverse();
    const pages = allPages(dataverse, 'contacts', '?$select=fullname', 2);
    assert.deepEqual(
      pages.map((page) => page.records.length),
      [2, 2, 1],
    );
    for (const page of pages) assert.deepEqual(page.preferenceApplied, ['odata.maxpagesize=2']);
    const [first, second, last] = pages;
    // Dataverse's own form: %3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e…
    assert.match(
      first?.nextQuery ?? '',
      /^\?\$select=fullname&\$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e%253ccontactid%2520last%253d%2522%257b[0-9A-F-]{36}%257d%2522.+%22%20istracking=%22False%22%20\/%3E$/,
    );
    assert.match(second?.nextQuery ?? '', /pagenumber=%223%22/);
    assert.equal(last?.nextQuery, undefined);
    const everyRow = idsOf(pages.flatMap((page) => page.records));
    assert.deepEqual(everyRow, idsOf(dataverse.retrieveMultiple('contacts', '?$select=fullname').records));
    assert.equal(new Set(everyRow).size, 5);
    assert.deepEqual(Object.keys(first?.records[0] ?? {}), ['@odata.etag', 'fullname', 'contactid']);
    dataverse.close();
  });

  test('pages follow $orderby through ties and nulls, ascending and descending, at every page size', () => {
    const dataverse = fixtureDataverse();
    dataverse.create('contacts', { contactid: 'cccccccc-0000-4000-8000-000000000010', firstname: 'Bea', lastname: 'Baker', telephone1: '1' });
    dataverse.create('contacts', { contactid: 'cccccccc-0000-4000-8000-000000000011', firstname: 'Cy', lastname: 'baker' });
    dataverse.create('contacts', { contactid: 'cccccccc-0000-4000-8000-000000000012', firstname: 'No Lastname' });
    for (const orderby of ['lastname', 'lastname desc', 'telephone1 desc,lastname', 'telephone1,createdon desc', 'fullname desc']) {
      const whole = idsOf(dataverse.retrieveMultiple('contacts', `?$select=lastname&$orderby=${orderby}`).records);
      assert.equal(whole.length, 8);
      for (let size = 1; size <= 8; size += 1) {
        const paged = idsOf(allPages(dataverse, 'contacts', `?$select=lastname&$orderby=${orderby}`, size).flatMap((page) => page.records));
        assert.deepEqual(paged, whole, `$orderby=${orderby}, ${size} a page`);
      }
    }
    dataverse.close();
  });

  test('a row created before the cursor while paging neither repeats a row nor shifts the rest', () => {
    const dataverse = fixtureDataverse();
    const whole = idsOf(dataverse.retrieveMultiple('contacts', '?$select=fullname').records);
    const first = dataverse.retrieveMultiple('contacts', '?$select=fullname', { maxPageSize: 2 });
    dataverse.create('contacts', { contactid: 'cccccccc-0000-4000-8000-000000000000', lastname: 'Early' });
    const rest = allPages(dataverse, 'contacts', first.nextQuery ?? '', 2).flatMap((page) => page.records);
    assert.deepEqual([...idsOf(first.records), ...idsOf(rest)], whole);
    dataverse.close();
  });

  test('without the preference a page holds 5000 rows and links to the rest; a page size over 5000 is ignored', () => {
    const dataverse = fixtureDataverse();
    for (let i = 0; i < 5000; i += 1) dataverse.create('contacts', { lastname: `Bulk ${i}` });
    for (const maxPageSize of [undefined, 5001, 0]) {
      const first = dataverse.retrieveMultiple('contacts', '?$select=lastname', { maxPageSize });
      assert.equal(first.records.length, 5000);
      assert.deepEqual(first.preferenceApplied, [], 'nothing applied');
      const second = dataverse.retrieveMultiple('contacts', first.nextQuery ?? '', { maxPageSize });
      assert.equal(second.records.length, 5);
      assert.equal(second.nextQuery, undefined);
    }
    dataverse.close();
  });

  test('$top limits an answer without the preference and is ignored with it', () => {
    const dataverse = fixtureDataverse();
    const top = dataverse.retrieveMultiple('contacts', '?$select=fullname&$top=3');
    assert.equal(top.records.length, 3);
    assert.equal(top.nextQuery, undefined);
    const paged = allPages(dataverse, 'contacts', '?$select=fullname&$top=3', 2);
    assert.deepEqual(
      paged.map((page) => page.records.length),
      [2, 2, 1],
    );
    dataverse.close();
  });

  test('$count=true counts every matching row on every page', () => {
    const dataverse = fixtureDataverse();
    const pages = allPages(dataverse, 'contacts', `?$select=fullname&$count=true&$filter=${encodeURIComponent("contains(telephone1,'415')")}`, 1);
    assert.deepEqual(
      pages.map((page) => [page.records.length, page.count]),
      [
        [1, 2],
        [1, 2],
      ],
    );
    dataverse.close();
  });

  test('a $skiptoken that was edited, cut, or written for another table or order is refused', () => {
    const dataverse = fixtureDataverse();
    const next = dataverse.retrieveMultiple('contacts', '?$select=fullname', { maxPageSize: 2 }).nextQuery ?? '';
    const token = new URLSearchParams(next.slice(1)).get('$skiptoken') ?? '';
    assert.match(token, /^<cookie pagenumber="2" pagingcookie="[^"]+" istracking="False" \/>$/);
    const alex = IDS.alex.toUpperCase();
    assert.ok(decodeURIComponent(token).includes(`<contactid last="{`), 'the cookie names the primary key in braces');
    const edited = token.replace('pagenumber="2"', 'pagenumber="3"');
    const tokenOf = (query: string) => `?$select=fullname&$skiptoken=${encodeURIComponent(query)}`;
    for (const bad of [
      edited,
      token.slice(0, -4),
      'abc',
      `<cookie pagenumber="2" pagingcookie="${encodeURIComponent(`<cookie page="1"><contactid last="${alex}" /></cookie>`)}" istracking="False" />`,
    ]) {
      expectDataverseError(() => dataverse.retrieveMultiple('contacts', tokenOf(bad), { maxPageSize: 2 }), 400, QUERY_ERROR, /\$skiptoken/);
    }
    expectDataverseError(
      () => dataverse.retrieveMultiple('accounts', `?$select=name&$skiptoken=${encodeURIComponent(token)}`, { maxPageSize: 2 }),
      400,
      QUERY_ERROR,
      /\$skiptoken/,
    );
    expectDataverseError(() => dataverse.retrieveMultiple('contacts', `${tokenOf(token)}&$orderby=lastname`, { maxPageSize: 2 }), 400, QUERY_ERROR, /\$skiptoken/);
    dataverse.close();
  });
});

describe('paging over HTTP', () => {
  let dataverse: Dataverse;
  let server: FastifyInstance;
  let root: string;

  before(async () => {
    dataverse = fixtureDataverse();
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

  test('each page names the page size in Preference-Applied and links to the next with an absolute @odata.nextLink after its rows', async () => {
    const fullnames: string[] = [];
    let url: string | undefined = `${root}contacts?$select=fullname`;
    let pages = 0;
    while (url !== undefined) {
      const response = await get(url, 'odata.maxpagesize=2');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('preference-applied'), 'odata.maxpagesize=2');
      const body = (await response.json()) as { '@odata.context': string; value: { fullname: string }[]; '@odata.nextLink'?: string };
      assert.equal(body['@odata.context'], `${root}$metadata#contacts(fullname)`);
      assert.deepEqual(Object.keys(body), body['@odata.nextLink'] === undefined ? ['@odata.context', 'value'] : ['@odata.context', 'value', '@odata.nextLink']);
      if (body['@odata.nextLink'] !== undefined) assert.ok(body['@odata.nextLink'].startsWith(`${root}contacts?$select=fullname&$skiptoken=`));
      fullnames.push(...body.value.map((row) => row.fullname));
      url = body['@odata.nextLink'];
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      fullnames.toSorted(),
      dataverse
        .retrieveMultiple('contacts', '?$select=fullname')
        .records.map((row) => String(row.fullname))
        .toSorted(),
    );
  });

  test("the next link carries the request's $filter and $orderby intact, quotes, spaces and plus signs included", async () => {
    const filter = encodeURIComponent("startswith(telephone1,'+') and lastname ne 'x y'");
    const first = (await (await get(`${root}contacts?$select=telephone1&$filter=${filter}&$orderby=telephone1 desc`, 'odata.maxpagesize=2')).json()) as {
      value: { telephone1: string }[];
      '@odata.nextLink': string;
    };
    const second = (await (await get(first['@odata.nextLink'], 'odata.maxpagesize=2')).json()) as { value: { telephone1: string }[]; '@odata.nextLink'?: string };
    assert.deepEqual(
      [...first.value, ...second.value].map((row) => row.telephone1),
      ['+86 10 6552 9988', '+44 20 7946 0958 x123', '+1 (415) 555-0100'],
    );
    assert.equal(second['@odata.nextLink'], undefined);
  });

  test('a tampered $skiptoken is refused with the Dataverse error body', async () => {
    const first = (await (await get(`${root}contacts?$select=fullname`, 'odata.maxpagesize=2')).json()) as { '@odata.nextLink': string };
    const response = await get(first['@odata.nextLink'].replace('pagenumber=%222%22', 'pagenumber=%225%22'), 'odata.maxpagesize=2');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, QUERY_ERROR);
    assert.match(body.error.message, /\$skiptoken/);
  });
});
