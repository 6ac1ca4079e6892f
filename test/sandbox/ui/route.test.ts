import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOME, parseRoute, routeUrl, type Route } from '../../../src/sandbox/ui/route.ts';
import { itemAt } from '../../support/item-at.ts';

test('pages are main.aspx URLs with appid, pagetype, etn and id, and read back the same', () => {
  const routes: Route[] = [
    { page: 'entitylist', etn: 'lead', search: 'Zh*' },
    { page: 'entityrecord', etn: 'contact', id: 'c0c00000-0000-4000-8000-000000000001', extraqs: {} },
    { page: 'entityrecord', etn: 'phonecall', extraqs: { regardingobjectid: 'c0c00000-0000-4000-8000-000000000001', regardingobjectidtype: 'contact', subject: 'a&b=c' } },
    { page: 'search', etn: 'contact', searchText: '', query: "?$select=fullname&$filter=telephone1 eq '1'" },
    { page: 'search', searchText: '王伟' },
  ];
  for (const route of routes) {
    const url = routeUrl(route, 'app-1');
    assert.match(url, /^\/main\.aspx\?appid=app-1&pagetype=/);
    assert.deepEqual(parseRoute(url.slice('/main.aspx'.length)), route, url);
  }
  assert.equal(routeUrl(itemAt(routes, 1), 'app-1'), '/main.aspx?appid=app-1&pagetype=entityrecord&etn=contact&id=c0c00000-0000-4000-8000-000000000001');
});

test('anything the app has no page for opens the contacts list', () => {
  for (const search of ['', '?pagetype=dashboard', '?pagetype=entitylist&etn=opportunity', '?pagetype=entityrecord&etn=systemuser&id=x']) {
    assert.deepEqual(parseRoute(search), HOME, search);
  }
});
