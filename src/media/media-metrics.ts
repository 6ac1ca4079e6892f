/**
 * The media relay's Prometheus metrics, registered into Callpane's registry (src/server/metrics.ts)
 * by the media service: whether each engine is up, how often the managed one was restarted, and
 * how long ng requests take and how they fail. Label values are closed sets (engine addresses
 * come from the configuration, commands from the ng protocol's list).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type NgFailure = 'error' | 'timeout' | 'unavailable';

export interface EngineUp {
  /** `127.0.0.1:2223`: the engine's ng address. */
  engine: string;
  up: boolean;
}

export interface MediaMetrics {
  ngRequest(command: string, seconds: number): void;
  ngFailure(command: string, failure: NgFailure): void;
}

// https://github.com/sipwise/rtpengine/blob/master/docs/ng_control_protocol.md: the commands Callpane sends.
const NG_COMMANDS = new Set(['ping', 'offer', 'answer', 'delete', 'query', 'list']);
const NG_FAILURES: readonly NgFailure[] = ['error', 'timeout', 'unavailable'];

function commandLabel(command: string): string {
  return NG_COMMANDS.has(command) ? command : 'other';
}

export function registerMediaMetrics(registry: Registry, source: { engines(): readonly EngineUp[]; restarts(): number }): MediaMetrics {
  new Gauge({
    name: 'callpane_media_engine_up',
    help: 'rtpengines Callpane relays media through, by ng address: 1 while it answers ng ping, 0 otherwise',
    labelNames: ['engine'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { engine, up } of source.engines()) this.set({ engine }, up ? 1 : 0);
    },
  });
  new Counter({
    name: 'callpane_media_engine_restarts_total',
    help: 'Times the managed rtpengine was started again after it exited or stopped answering ng ping',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.restarts());
    },
  });
  const latency = new Histogram({
    name: 'callpane_media_ng_request_duration_seconds',
    help: 'ng requests to rtpengine answered, by command: time from sending to the reply (retransmissions included)',
    labelNames: ['command'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'callpane_media_ng_request_failures_total',
    help: 'ng requests to rtpengine that failed, by command and failure: error (the engine refused), timeout (no reply), unavailable (not sent: no engine reachable)',
    labelNames: ['command', 'failure'] as const,
    registers: [registry],
  });
  for (const command of NG_COMMANDS) for (const failure of NG_FAILURES) failures.inc({ command, failure }, 0);
  return {
    ngRequest: (command, seconds) => latency.observe({ command: commandLabel(command) }, seconds),
    ngFailure: (command, failure) => failures.inc({ command: commandLabel(command), failure }),
  };
}
