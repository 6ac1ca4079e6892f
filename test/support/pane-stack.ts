/**
 * Everything a pane journey talks to, in this process on loopback: Callpane with its embedded
 * PBX and its Dynamics 365 sandbox (the same composition as `callpane start`), and a fake
 * carrier on a trunk with a demo DID ringing extension 1001 and every `+` number routed out.
 * The pane is addressed as http://localhost:P and the sandbox as http://127.0.0.1:S — two sites,
 * so the pane is a cross-site iframe in the sandbox page as it is in Dynamics 365
 * (docs/test-environment.md §1). Callpane's API and the sandbox's Web API are reachable from here
 * for what a journey checks behind the pages.
 */
import { activityIdForCall } from '../../src/crm/activity-id.ts';
import { startSandboxService } from '../../src/sandbox/sandbox-service.ts';
import type { CallRecord } from '../../src/store/call-record-repository.ts';
import { startTestCallpane, type TestCallpane } from './callpane.ts';
import { CARRIER_HOST, FakeCarrier } from './fake-carrier.ts';
import { freePort, freeUdpTcpPort } from './ports.ts';

/** The company number the carrier calls; it rings extension 1001. */
export const DEMO_DID = '+14155550000';

/** A Phone Call activity as the sandbox Web API returns it (the fields journeys look at). */
export interface PhonecallRow {
  activityid: string;
  subject: string;
  phonenumber: string | null;
  directioncode: boolean;
  statecode: number;
  statuscode: number;
  description: string | null;
  createdon: string;
  _regardingobjectid_value: string | null;
}

const PHONECALL_COLUMNS = ['activityid', 'subject', 'phonenumber', 'directioncode', 'statecode', 'statuscode', 'description', 'createdon', '_regardingobjectid_value'];

export interface PaneStack {
  callpane: TestCallpane;
  /** Callpane as the browser reaches it: http://localhost:P (another site than the sandbox). */
  paneOrigin: string;
  /** The sandbox: http://127.0.0.1:S. */
  sandboxUrl: string;
  carrier: FakeCarrier;
  /** The web password of a demo extension (1001, 1002). */
  password(number: string): string;
  /** A bearer token for Callpane's API as that extension (one login per extension, kept). */
  bearer(number: string): Promise<string>;
  /** Callpane's API as that extension; throws on a non-2xx answer. */
  api<T>(number: string, path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** The extension's call records, newest first (GET /api/calls). */
  calls(number: string): Promise<CallRecord[]>;
  /** The sandbox's Web API (`/api/data/v9.2/{path}`) as its own page calls it; a POST answers the created record. */
  sandboxApi<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** Phone Call activities through the sandbox's Web API (as its own page would ask), by OData `$filter`. */
  phonecalls(filter: string): Promise<PhonecallRow[]>;
  /** The Phone Call activities of one server call: the one with its deterministic id, and any other for its number since `since`. */
  activitiesOf(call: CallRecord, since: Date): Promise<PhonecallRow[]>;
  close(): Promise<void>;
}

export interface PaneStackOptions {
  /** More of the configuration file (e.g. `sso`), next to the stack's trunk and routes. */
  file?: Record<string, unknown>;
  /**
   * Callpane's SIP port; a free one when omitted. 5060 for journeys where a phone follows a URI
   * on the SIP domain without a port (a blind transfer's Refer-To: RFC 3263 then means 5060).
   */
  sipPort?: number;
}

export async function startPaneStack(options: PaneStackOptions = {}): Promise<PaneStack> {
  const [httpPort, sandboxPort, sipPort] = [await freePort(), await freePort(), options.sipPort ?? (await freeUdpTcpPort())];
  const carrier = await FakeCarrier.open(sipPort);
  let sandboxUrl = '';
  let callpane: TestCallpane;
  try {
    callpane = await startTestCallpane({
      sipPort,
      env: {
        CALLPANE_HTTP_PORT: String(httpPort),
        CALLPANE_SANDBOX_PORT: String(sandboxPort),
        CALLPANE_SANDBOX_PANE_URL: `http://localhost:${httpPort}`,
      },
      file: {
        trunks: [{ name: 'demo', host: CARRIER_HOST, port: carrier.port, transport: 'udp', match: { addresses: [`${CARRIER_HOST}/32`] }, country: 'US' }],
        routes: { inbound: [{ did: DEMO_DID, extension: '1001' }], outbound: [{ pattern: '_+.', trunk: 'demo' }] },
        ...options.file,
      },
      services: [
        async (context) => {
          const sandbox = await startSandboxService(context);
          sandboxUrl = sandbox.url;
          return sandbox;
        },
      ],
    });
  } catch (error) {
    carrier.close();
    throw error;
  }
  const paneOrigin = `http://localhost:${httpPort}`;
  const tokens = new Map<string, Promise<string>>();
  const password = (number: string) => {
    const demo = callpane.running.demoExtensions.find((extension) => extension.number === number);
    if (!demo) throw new Error(`no demo extension ${number}`);
    return demo.password;
  };
  const bearer = (number: string) => {
    let token = tokens.get(number);
    if (!token) {
      token = login(paneOrigin, number, password(number));
      tokens.set(number, token);
    }
    return token;
  };
  const api = async <T>(number: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await fetch(`${paneOrigin}/api${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${await bearer(number)}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} /api${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const sandboxApi = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await fetch(`${sandboxUrl}/api/data/v9.2/${path}`, {
      method: init.method ?? 'GET',
      // The sandbox lets its own pages in (a same-origin browser request stands in for Dynamics' session cookie).
      headers: {
        origin: sandboxUrl,
        'sec-fetch-site': 'same-origin',
        accept: 'application/json',
        'odata-version': '4.0',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json', prefer: 'return=representation' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`the sandbox Web API answered ${init.method ?? 'GET'} ${path} with ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const phonecalls = async (filter: string): Promise<PhonecallRow[]> => {
    const query = new URLSearchParams({ $select: PHONECALL_COLUMNS.join(','), $filter: filter });
    return (await sandboxApi<{ value: PhonecallRow[] }>(`phonecalls?${query}`)).value;
  };
  return {
    callpane,
    paneOrigin,
    sandboxUrl,
    carrier,
    password,
    bearer,
    api,
    async calls(number) {
      return (await api<{ calls: CallRecord[] }>(number, '/calls?limit=50')).calls;
    },
    sandboxApi,
    phonecalls,
    async activitiesOf(call, since) {
      const own = await phonecalls(`activityid eq ${activityIdForCall(call.id)}`);
      // Any punctuation between the digits (docs/dataverse.md §5: the T-SQL wildcards work inside contains).
      const digits = (call.direction === 'outbound' ? call.to.number : call.from.number).replace(/\D/g, '');
      const others = await phonecalls(`createdon ge ${since.toISOString()} and contains(phonenumber,'%${digits.split('').join('%')}%')`);
      const rows = new Map([...own, ...others].map((row) => [row.activityid, row]));
      return [...rows.values()];
    },
    async close() {
      await callpane.remove();
      carrier.close();
    },
  };
}

async function login(origin: string, number: string, password: string): Promise<string> {
  const response = await fetch(`${origin}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: number, password }) });
  if (!response.ok) throw new Error(`login as ${number} answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}
