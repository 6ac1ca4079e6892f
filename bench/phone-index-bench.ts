/**
 * The phone index (src/dynamics/phone-index/) at the size of a large org, next to the lookup it
 * replaces, in the same run against the same rows:
 *
 * - A sandbox Dataverse in its own process (bench/phone-index-sandbox.ts) holds `--records`
 *   synthetic records (default 1,000,000: contacts, accounts and leads, one to three numbers
 *   each, typed the ways people type them in eight countries).
 * - Callpane's side, in this process: a fresh database and the real Web API client
 *   (client credentials against the sandbox's token endpoint) run one full sync of the three
 *   tables — pages of 5,000 with change tracking, as at start-up. Measured: the sync's duration,
 *   this process's peak resident memory above what it used before, the database's size.
 * - Lookups of numbers the records hold (as a trunk presents them, E.164) and of numbers nobody
 *   holds: the index's answer as POST /api/phone/lookup gives it (p50/p99 over `--lookups`), and
 *   the same lookup as the pane makes it without the index — the wildcard `contains` query per
 *   table (src/crm/phone-search.ts) over the Web API, the three in parallel, then matchPhone —
 *   over `--wildcard-lookups` numbers. Both answers are compared record for record.
 * - One delta: `--changes` records updated through the Web API, then one sync cycle.
 *
 * Runs in a loopback-only network namespace when root. bench/run.ts imports it; run alone:
 * `node bench/phone-index-bench.ts [--records 1000000] [--lookups 10000] [--wildcard-lookups 20] [--changes 1000]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { regionOfCountry } from '../src/crm/country-region.ts';
import { CRM_ENTITIES, type CrmEntity, type CrmRecordRef } from '../src/crm/crm-entities.ts';
import { libphonenumberReader as numbers } from '../src/crm/numbers/phone-number.ts';
import { matchPhone } from '../src/crm/phone-match.ts';
import { buildPhoneSearchQueries, candidatesFromSearchResult, type RecordPhone } from '../src/crm/phone-search.ts';
import { matchedRecords } from '../src/crm/screen-pop.ts';
import { PhoneIndexService } from '../src/dynamics/phone-index/phone-index-service.ts';
import { createClientCredentialsTokenSource } from '../src/dynamics/web-api/token-source.ts';
import { createWebApiClient, type WebApiClient } from '../src/dynamics/web-api/web-api-client.ts';
import { SANDBOX_TENANT_ID } from '../src/sandbox/dataverse/index.ts';
import { createLogger } from '../src/server/logger.ts';
import { DATABASE_FILE, openDatabase } from '../src/store/database.ts';
import { createPhoneIndexRepository } from '../src/store/phone-index-repository.ts';
import { runIsolated } from './isolated-bench.ts';
import type { SampleNumber } from './phone-index-sandbox.ts';

export interface PhoneIndexBenchOptions {
  records?: number;
  lookups?: number;
  wildcardLookups?: number;
  changes?: number;
}

export interface LatencyFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PhoneIndexBenchResult {
  records: number;
  /** Rows in the index: one per number. */
  numbers: number;
  pages: number;
  loadSeconds: number;
  syncSeconds: number;
  /** Peak resident memory of the syncing process above its resident memory before the sync. */
  syncPeakRssMb: number;
  /** How late the event loop ran while the sync read and wrote pages (what a SIP message would wait). */
  eventLoopDelay: { p99Ms: number; maxMs: number };
  databaseMb: number;
  index: LatencyFigures;
  wildcard: LatencyFigures;
  /** Wildcard lookups whose records differ from the index's answer. */
  disagreements: number;
  delta: { changes: number; seconds: number };
}

const REGION = 'US';
const ENTITIES: readonly CrmEntity[] = ['contact', 'account', 'lead'];
const CLIENT = { clientId: '0a9c0000-0000-4000-8000-00000000c001', clientSecret: 'phone-index-bench' };

/** Nearest-rank percentile of ascending `sorted` (0 < p ≤ 100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export function latency(samples: readonly number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? 0 };
}

/** A number no record holds: the generator's US numbers never have an exchange starting with 0. */
function unknownNumber(i: number): string {
  return `+1415000${String(i % 10000).padStart(4, '0')}`;
}

interface BenchSandbox {
  origin: string;
  sample: SampleNumber[];
  loadSeconds: number;
  /** Has the sandbox change the first `count` sampled records; resolves once it did. */
  change(count: number): Promise<number>;
  stop(): void;
}

async function startSandbox(records: number, sample: number): Promise<BenchSandbox> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./phone-index-sandbox.ts', import.meta.url)),
      '--records',
      String(records),
      '--sample',
      String(sample),
      '--client-id',
      CLIENT.clientId,
      '--client-secret',
      CLIENT.clientSecret,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const change = (count: number) =>
    new Promise<number>((resolve) => {
      const onLine = (line: string) => {
        if (!line.startsWith('changed ')) return;
        lines.off('line', onLine);
        resolve(Number(line.slice('changed '.length)));
      };
      lines.on('line', onLine);
      child.stdin.write(`change ${count}\n`);
    });
  return new Promise((resolve, reject) => {
    let origin: string | undefined;
    child.once('exit', (code) => reject(new Error(`the bench sandbox exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) origin = line.slice('ready '.length);
      if (line.startsWith('sample ') && origin !== undefined) {
        resolve({
          origin,
          sample: JSON.parse(line.slice('sample '.length)) as SampleNumber[],
          loadSeconds: (performance.now() - started) / 1000,
          change,
          stop: () => child.kill('SIGTERM'),
        });
      }
    });
  });
}

/** The pane's lookup without the index: the wildcard query per table over the Web API, the three at once, ranked by matchPhone. */
async function wildcardLookup(client: WebApiClient, incoming: string): Promise<CrmRecordRef[]> {
  const queries = buildPhoneSearchQueries(numbers, incoming, { entities: ENTITIES, defaultRegion: REGION });
  const answers = await Promise.all(
    queries.map(async (query) => {
      const path = `${CRM_ENTITIES[query.entity].setName}?$select=${query.select.join(',')}&$filter=${encodeURIComponent(query.filter)}&$top=${query.top}`;
      return candidatesFromSearchResult(query, ((await client.request({ method: 'GET', path })).body as { value: unknown[] }).value);
    }),
  );
  const candidates: RecordPhone[] = answers.flat();
  return matchedRecords(matchPhone(numbers, incoming, candidates, { defaultRegion: REGION }));
}

const keyOf = (records: readonly CrmRecordRef[] | undefined) =>
  (records ?? [])
    .map((record) => `${record.entity}:${record.id}`)
    .sort()
    .join(' ');

async function measurePhoneIndex(options: Required<PhoneIndexBenchOptions>): Promise<PhoneIndexBenchResult> {
  const sandbox = await startSandbox(options.records, Math.max(options.lookups, options.changes));
  const dataDir = mkdtempSync(join(tmpdir(), 'callpane-phone-index-bench-'));
  const logger = createLogger({ level: 'silent', pretty: false });
  const tokens = createClientCredentialsTokenSource({
    tokenUrl: `${sandbox.origin}/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`,
    clientId: CLIENT.clientId,
    credential: { kind: 'secret', clientSecret: CLIENT.clientSecret },
    resource: sandbox.origin,
  });
  const client = createWebApiClient({ orgUrl: sandbox.origin, tokens, maxConcurrentRequests: 16, requestTimeoutMs: 600_000, logger });
  const db = openDatabase(dataDir);
  try {
    const repository = createPhoneIndexRepository(db);
    const index = new PhoneIndexService({ client, repository, numbers, defaultRegion: REGION, syncIntervalSeconds: 3600, pageSize: 5000, logger });

    // Loaded before the measure: the numbering-plan data and the country names the sync reads with.
    for (const number of sandbox.sample.slice(0, 100)) numbers.read(number.stored, REGION);
    regionOfCountry('United States');
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const syncStarted = performance.now();
    const cycle = await index.syncOnce();
    const syncSeconds = (performance.now() - syncStarted) / 1000;
    loopDelay.disable();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    let pages = 0;
    for (const entity of ENTITIES) {
      const outcome = cycle.tables[entity];
      if (outcome?.kind !== 'full') throw new Error(`the full sync of ${entity} failed: ${String((outcome as { error?: unknown } | undefined)?.error)}`);
      pages += outcome.pages;
    }
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const databaseMb = statSync(join(dataDir, DATABASE_FILE)).size / 2 ** 20;
    const counts = repository.counts();

    // Index lookups as the route makes them: known numbers and numbers nobody holds, interleaved.
    const callers = Array.from({ length: options.lookups }, (_, i) => (i % 10 === 9 ? unknownNumber(i) : (sandbox.sample[i % sandbox.sample.length]?.e164 ?? unknownNumber(i))));
    for (const caller of callers.slice(0, 500)) index.lookup(caller, ENTITIES, REGION);
    const indexTimes: number[] = [];
    for (const caller of callers) {
      const started = performance.now();
      index.lookup(caller, ENTITIES, REGION);
      indexTimes.push(performance.now() - started);
    }

    // The same lookups as wildcard OData queries, fewer (each scans every phone column).
    const wildcardTimes: number[] = [];
    let disagreements = 0;
    for (const caller of callers.slice(0, options.wildcardLookups)) {
      const started = performance.now();
      const records = await wildcardLookup(client, caller);
      wildcardTimes.push(performance.now() - started);
      if (keyOf(records) !== keyOf(index.findRecords(caller))) disagreements += 1;
    }

    // One delta: records changed in Dataverse, then one cycle.
    const changed = await sandbox.change(options.changes);
    const deltaStarted = performance.now();
    const delta = await index.syncOnce();
    const deltaSeconds = (performance.now() - deltaStarted) / 1000;
    const upserts = ENTITIES.reduce((sum, entity) => {
      const outcome = delta.tables[entity];
      return sum + (outcome?.kind === 'delta' ? outcome.upserts : 0);
    }, 0);
    if (upserts !== changed) throw new Error(`the delta brought ${upserts} changed records, not ${changed}`);

    return {
      records: options.records,
      numbers: counts.contact + counts.account + counts.lead,
      pages,
      loadSeconds: sandbox.loadSeconds,
      syncSeconds,
      syncPeakRssMb: (peakRss - rssBefore) / 2 ** 20,
      eventLoopDelay: { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 },
      databaseMb,
      index: latency(indexTimes),
      wildcard: latency(wildcardTimes),
      disagreements,
      delta: { changes: changed, seconds: deltaSeconds },
    };
  } finally {
    client.close();
    db.close();
    sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runPhoneIndexBench(options: PhoneIndexBenchOptions = {}): Promise<PhoneIndexBenchResult & { isolated: boolean }> {
  const args = [
    '--json',
    '--records',
    String(options.records ?? 1_000_000),
    '--lookups',
    String(options.lookups ?? 10_000),
    '--wildcard-lookups',
    String(options.wildcardLookups ?? 20),
    '--changes',
    String(options.changes ?? 1000),
  ];
  return runIsolated<PhoneIndexBenchResult>(fileURLToPath(import.meta.url), args);
}

export function formatPhoneIndex(result: PhoneIndexBenchResult & { isolated?: boolean }): string {
  const ms = (value: number) => (value < 10 ? `${value.toFixed(3)} ms` : `${value.toFixed(0)} ms`);
  const thousands = (value: number) => Math.round(value).toLocaleString('en');
  return [
    `Phone index, ${thousands(result.records)} records (${thousands(result.numbers)} numbers) in the sandbox Dataverse (loaded in ${result.loadSeconds.toFixed(0)} s)${result.isolated === false ? ' (not in a loopback-only namespace: run as root for that)' : ''}`,
    `  full sync over the Web API, ${result.pages} pages of 5,000 with change tracking: ${result.syncSeconds.toFixed(1)} s (${thousands(result.records / result.syncSeconds)} records/s); ` +
      `peak memory +${result.syncPeakRssMb.toFixed(0)} MB RSS; database ${result.databaseMb.toFixed(0)} MB; ` +
      `event loop delay meanwhile p99 ${ms(result.eventLoopDelay.p99Ms)}, max ${ms(result.eventLoopDelay.maxMs)}`,
    `  caller lookup from the index: p50 ${ms(result.index.p50Ms)}, p99 ${ms(result.index.p99Ms)}, max ${ms(result.index.maxMs)} (${thousands(result.index.count)} lookups, 1 in 10 unknown; aim p99 < 1 ms)`,
    `  the same lookup as wildcard OData (3 contains queries in parallel + matchPhone): p50 ${ms(result.wildcard.p50Ms)}, p99 ${ms(result.wildcard.p99Ms)} (${result.wildcard.count} lookups) = ` +
      `${thousands(result.wildcard.p50Ms / Math.max(result.index.p50Ms, 1e-6))}× the index at p50; answers differing: ${result.disagreements}`,
    `  delta after ${thousands(result.delta.changes)} records changed: ${(result.delta.seconds * 1000).toFixed(0)} ms`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { records: { type: 'string' }, lookups: { type: 'string' }, 'wildcard-lookups': { type: 'string' }, changes: { type: 'string' }, json: { type: 'boolean' } },
  });
  const options = {
    records: Number(values.records ?? 1_000_000),
    lookups: Number(values.lookups ?? 10_000),
    wildcardLookups: Number(values['wildcard-lookups'] ?? 20),
    changes: Number(values.changes ?? 1000),
  };
  // --json: the isolated child of runPhoneIndexBench; otherwise enter the namespace and print.
  if (values.json) console.log(JSON.stringify(await measurePhoneIndex(options)));
  else console.log(formatPhoneIndex(await runPhoneIndexBench(options)));
}
