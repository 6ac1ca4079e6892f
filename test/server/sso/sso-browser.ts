/**
 * Plays the popup for the SSO tests: follows redirects between Callpane and the identity
 * provider with fetch, says `Sec-Fetch-Site: same-origin` on the start as a popup the pane
 * navigated does, keeps each host's cookies as a browser would (no paths or expiry beyond
 * Max-Age=0, enough here), and fills in oidc-provider's development login form.
 */
export class SsoBrowser {
  readonly #jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    let cookies = this.#jar.get(host);
    if (!cookies) {
      cookies = new Map();
      this.#jar.set(host, cookies);
    }
    return cookies;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookies = this.cookies(url);
    const headers = new Headers(init.headers);
    // The start is opened by the pane's script in its own popup: the browser marks it same-origin.
    if (new URL(url).pathname === '/dyncrm/sso/start' && !headers.has('sec-fetch-site')) headers.set('sec-fetch-site', 'same-origin');
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(5000) });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const removed = attributes.some((attribute) => attribute.trim().toLowerCase() === 'max-age=0');
      if (removed) cookies.delete(name);
      else cookies.set(name, pair.slice(separator + 1).trim());
    }
    return response;
  }

  /**
   * Starts a sign-in at `startUrl` and logs in at the provider as `login`; returns the URL the
   * provider sends the popup back to (Callpane's redirect URI with a code), not yet visited.
   */
  async authorize(startUrl: string, login: string): Promise<string> {
    let url = startUrl;
    let body: URLSearchParams | undefined;
    for (let hop = 0; hop < 12; hop++) {
      const response = await this.request(url, body ? { method: 'POST', body } : {});
      body = undefined;
      const location = response.headers.get('location');
      if (location !== null) {
        await response.body?.cancel();
        const next = new URL(location, url).href;
        if (new URL(next).pathname === '/dyncrm/login') return next;
        url = next;
        continue;
      }
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (response.status !== 200 || action === undefined) throw new Error(`unexpected answer from ${url}: ${response.status} ${html.slice(0, 300)}`);
      url = new URL(action.replace(/&amp;/g, '&'), url).href;
      body = new URLSearchParams({ prompt: 'login', login, password: 'any' });
    }
    throw new Error('too many redirects');
  }
}

/** The JSON the result page hands to the pane. */
export function resultOf(html: string): Record<string, unknown> {
  const json = /<script id="sso-result" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error(`no result on the page: ${html.slice(0, 300)}`);
  return JSON.parse(json) as Record<string, unknown>;
}
