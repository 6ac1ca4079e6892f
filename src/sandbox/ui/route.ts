/**
 * Where the page is, written the way the Unified Interface writes it: main.aspx with `appid`,
 * `pagetype` (entitylist, entityrecord, search), `etn` and `id`, and `extraqs` for the values a
 * new form starts with. onpagenavigate reports these URLs and getEnvironment their parts.
 * https://learn.microsoft.com/power-apps/developer/model-driven-apps/open-forms-views-dialogs-reports-url
 */

export type Route =
  | { page: 'entitylist'; etn: string; search: string }
  | { page: 'entityrecord'; etn: string; id?: string; extraqs: Record<string, string> }
  /** The search page: categorized search for `searchText`, or the hits of a searchAndOpenRecords `query`. */
  | { page: 'search'; etn?: string; searchText: string; query?: string };

export const HOME: Route = { page: 'entitylist', etn: 'contact', search: '' };
export const LIST_ENTITIES = ['account', 'contact', 'lead', 'phonecall'] as const;

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const etn = params.get('etn') ?? '';
  const known = (LIST_ENTITIES as readonly string[]).includes(etn);
  switch (params.get('pagetype')) {
    case 'entityrecord':
      if (!known) return HOME;
      return { page: 'entityrecord', etn, ...optional('id', params.get('id')), extraqs: Object.fromEntries(new URLSearchParams(params.get('extraqs') ?? '')) };
    case 'search':
      return { page: 'search', ...optional('etn', known ? etn : null), searchText: params.get('searchText') ?? '', ...optional('query', params.get('query')) };
    case 'entitylist':
      return known ? { page: 'entitylist', etn, search: params.get('search') ?? '' } : HOME;
    default:
      return HOME;
  }
}

function optional<K extends string>(key: K, value: string | null): { [key in K]?: string } {
  return value ? ({ [key]: value } as { [key in K]: string }) : {};
}

export function routeUrl(route: Route, appId: string): string {
  const params = new URLSearchParams({ appid: appId, pagetype: route.page });
  if (route.page === 'entitylist') {
    params.set('etn', route.etn);
    if (route.search) params.set('search', route.search);
  } else if (route.page === 'entityrecord') {
    params.set('etn', route.etn);
    if (route.id) params.set('id', route.id);
    const extraqs = new URLSearchParams(route.extraqs).toString();
    if (extraqs) params.set('extraqs', extraqs);
  } else {
    if (route.etn) params.set('etn', route.etn);
    params.set('searchText', route.searchText);
    if (route.query) params.set('query', route.query);
  }
  return `/main.aspx?${params.toString()}`;
}
