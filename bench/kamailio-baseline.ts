/**
 * Kamailio's REGISTER rate on this machine, the anchor for Callpane's registrar numbers: the
 * same load generator against a minimal Kamailio registrar (in-memory usrloc), without or with
 * Digest authentication. Run alone (`node bench/kamailio-baseline.ts [--digest]`) it prints the
 * result; bench/run.ts imports `runKamailioBaseline`.
 */
import { startKamailio } from '../test/support/kamailio.ts';
import { runRegisterLoad, type RegisterLoadResult, type RegisterLoadUser } from './sip-load-generator.ts';

export interface KamailioBaselineOptions {
  /** Distinct users (AORs); 2000 when omitted. */
  users?: number;
  /** Registrations in flight; 200 when omitted. */
  concurrency?: number;
  /** 5000 ms when omitted. */
  durationMs?: number;
  /** Challenge every REGISTER (qop=auth) and answer it; false when omitted. */
  digest?: boolean;
  algorithm?: 'MD5' | 'SHA-256';
  /** Kamailio UDP worker processes; 4 when omitted. */
  children?: number;
}

export interface KamailioBaselineResult extends RegisterLoadResult {
  label: string;
}

export async function runKamailioBaseline(options: KamailioBaselineOptions = {}): Promise<KamailioBaselineResult> {
  const digest = options.digest ?? false;
  const children = options.children ?? 4;
  const users: RegisterLoadUser[] = Array.from({ length: options.users ?? 2000 }, (_, i) => ({ user: `u${100000 + i}`, password: `pw-${i}` }));
  const kamailio = await startKamailio({
    transports: ['udp'],
    children,
    auth: digest ? { users, algorithm: options.algorithm ?? 'MD5' } : undefined,
  });
  try {
    const result = await runRegisterLoad({
      target: { host: kamailio.host, port: kamailio.port },
      users,
      durationMs: options.durationMs ?? 5000,
      concurrency: options.concurrency ?? 200,
      digest,
    });
    const label = `kamailio 5.6 REGISTER over UDP, ${children} workers, ${digest ? `digest ${options.algorithm ?? 'MD5'}` : 'no auth'}`;
    return { label, ...result };
  } finally {
    await kamailio.stop();
  }
}

export function formatLoadResult(label: string, result: RegisterLoadResult): string {
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  return [
    label,
    `  REGISTER/s completed (including challenge): ${result.transactionsPerSecond.toFixed(0)}`,
    `  REGISTER round trips/s: ${result.roundTripsPerSecond.toFixed(0)} (challenges answered: ${result.challenges})`,
    `  latency p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)}, max ${ms(result.maxMs)}`,
    `  completed ${result.completed}, errors ${result.errors} (timeouts ${result.timeouts}) in ${ms(result.elapsedMs)}`,
    `  statuses ${JSON.stringify(result.statuses)}`,
    ...result.firstErrors.map((e) => `  error: ${e}`),
  ].join('\n');
}

if (import.meta.main) {
  const digest = process.argv.includes('--digest');
  const algorithm = process.argv.includes('--sha256') ? 'SHA-256' : 'MD5';
  const result = await runKamailioBaseline({ digest, algorithm });
  console.log(formatLoadResult(result.label, result));
}
