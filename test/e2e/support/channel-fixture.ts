/**
 * A stand-in for the pane in browser tests of the sandbox: a tiny HTTP server whose
 * /channel.html loads the CIF library from `?base=` (as the pane does), waits for CIFInitDone,
 * registers a handler for each of the five events and keeps what arrives in `window.__cif`.
 * One server can listen on several ports: the same page on another port is another origin,
 * which the sandbox's channel provider does not trust.
 */
import { createServer, type Server } from 'node:http';

const CHANNEL_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Test channel</title>
<style>
  body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: #242424; }
  header { background: #0f6cbd; color: #fff; padding: 10px 12px; font-weight: 600; }
  main { padding: 12px; }
  #status { padding: 6px 8px; border-radius: 4px; background: #fff4ce; }
  #status.ready { background: #dff6dd; }
  pre { white-space: pre-wrap; word-break: break-all; font-size: 11px; background: #f5f5f5; padding: 8px; border-radius: 4px; }
</style>
</head>
<body>
<header>Test channel (stands in for the pane)</header>
<main>
<div id="status">Waiting for CIFInitDone…</div>
<pre id="log"></pre>
</main>
<script>
  const state = { loadId: Math.random().toString(36).slice(2), initDone: false, events: [] };
  window.__cif = state;
  const log = (line) => { document.getElementById('log').textContent += line + '\\n'; };
  const base = new URLSearchParams(location.search).get('base');
  window.addEventListener('CIFInitDone', () => {
    state.initDone = true;
    const status = document.getElementById('status');
    status.textContent = 'CIFInitDone: Microsoft.CIFramework is ready';
    status.className = 'ready';
    for (const name of ['onclicktoact', 'onmodechanged', 'onsizechanged', 'onpagenavigate', 'onsendkbarticle']) {
      Microsoft.CIFramework.addHandler(name, (payload) => {
        state.events.push({ name, payload });
        log(name + ' ' + payload);
        return Promise.resolve();
      });
    }
  });
  const script = document.createElement('script');
  script.src = base + '/webresources/Widget/msdyn_ciLibrary.js';
  script.setAttribute('data-crmurl', base);
  script.setAttribute('data-cifid', 'CIFMainLibrary');
  document.head.appendChild(script);
</script>
</body>
</html>
`;

export interface ChannelFixture {
  /** Origins in the order of the ports asked for, e.g. http://localhost:40001. */
  origins: string[];
  /** The channel page on the n-th origin, loading the library from `base`. */
  channelUrl(base: string, index?: number): string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, `count` ports; pages are addressed as http://localhost:PORT (another site than 127.0.0.1). */
export async function startChannelFixture(count = 1): Promise<ChannelFixture> {
  const servers: Server[] = [];
  const origins: string[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((request, response) => {
      if (request.url?.startsWith('/channel.html')) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(CHANNEL_PAGE);
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the channel fixture has no port');
    servers.push(server);
    origins.push(`http://localhost:${address.port}`);
  }
  return {
    origins,
    channelUrl: (base, index = 0) => `${origins[index]}/channel.html?base=${base}`,
    async close() {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
