import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NgClient } from '../../src/media/ng/ng-client.ts';
import { RtpengineProcess, rtpengineArgs, type EngineStatus, type RtpengineProcessOptions } from '../../src/media/rtpengine-process.ts';
import { createLogger } from '../../src/server/logger.ts';
import { pino } from 'pino';
import { delay } from '../support/deadline.ts';
import { freePortBlock } from '../support/ports.ts';
import { RTPENGINE_BINARY } from '../support/rtpengine.ts';
import { startCallpaneProcess, type CallpaneProcess } from '../support/callpane-process.ts';

const logger = createLogger({ level: process.env.CALLPANE_TEST_LOG === '1' ? 'debug' : 'silent', pretty: false });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Gone, or a zombie waiting for a parent that is gone itself (init reaps it). */
function hasEnded(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
  } catch {
    return true;
  }
}

/** Callpane as its own process (the CLI), running a managed engine; returns it and the engine's pid. */
async function callpaneWithEngine(): Promise<{ callpane: CallpaneProcess; enginePid: number }> {
  const ngPort = await freePortBlock(1, { udp: true });
  const callpane = await startCallpaneProcess({
    CALLPANE_MEDIA_RELAY: 'always',
    CALLPANE_MEDIA_RTPENGINE_BINARY: RTPENGINE_BINARY,
    CALLPANE_MEDIA_RTPENGINE_NG_PORT: String(ngPort),
  });
  cleanups.push(() => callpane.stop());
  const health = (await (await fetch(`${callpane.httpUrl}/healthz`)).json()) as { media: { managed?: { pid?: number } } };
  const enginePid = health.media.managed?.pid;
  assert.ok(enginePid !== undefined && isAlive(enginePid), JSON.stringify(health.media));
  // Whatever happens to the test, no engine is left behind by it.
  cleanups.push(async () => {
    if (!hasEnded(enginePid)) process.kill(enginePid, 'SIGKILL');
  });
  return { callpane, enginePid };
}

async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** A supervised real rtpengine on free loopback ports; `statuses` records every status change. */
async function supervised(options: Partial<RtpengineProcessOptions> = {}) {
  const ngPort = await freePortBlock(1, { udp: true });
  const portMin = await freePortBlock(20, { udp: true });
  const ng = new NgClient({ host: '127.0.0.1', port: ngPort, timeoutMs: 200, retries: 0 });
  const statuses: EngineStatus[] = [];
  const engine = new RtpengineProcess({
    binary: RTPENGINE_BINARY,
    args: rtpengineArgs({ address: '127.0.0.1', publicAddress: undefined, ngPort, portMin, portMax: portMin + 19, deleteDelaySeconds: 0, threads: 1 }),
    logger,
    ping: () => ng.ping(),
    pingIntervalMs: 100,
    pingFailures: 2,
    backoffInitialMs: 100,
    stableMs: 60_000,
    onStatus: (status) => statuses.push(status),
    ...options,
  });
  cleanups.push(async () => {
    await engine.stop();
    await ng.close();
  });
  return { engine, ng, statuses };
}

describe('the managed rtpengine', () => {
  test('starts in userspace and answers ng ping', async () => {
    const { engine, ng } = await supervised();
    await engine.start();
    const status = engine.status();
    assert.equal(status.state, 'running');
    assert.equal(status.restarts, 0);
    assert.ok(status.pid !== undefined && isAlive(status.pid));
    // A process group of its own: Ctrl+C at Callpane's terminal is not sent to it.
    assert.doesNotThrow(() => process.kill(-status.pid!, 0));
    await ng.ping();
  });

  test('is restarted after kill -9, and ng ping is answered again', async () => {
    const { engine, ng, statuses } = await supervised();
    await engine.start();
    const first = engine.status().pid!;
    process.kill(first, 'SIGKILL');
    await until('the restart', () => engine.status().state === 'running' && engine.status().pid !== first);
    assert.equal(engine.status().restarts, 1);
    const down = statuses.find((status) => status.state === 'restarting');
    assert.match(down?.reason ?? '', /rtpengine exited \(killed by SIGKILL\)/);
    await ng.ping();
  });

  test('waits twice as long before each restart of a run of failures', async () => {
    const { engine, statuses } = await supervised();
    await engine.start();
    for (let kill = 0; kill < 3; kill++) {
      const pid = engine.status().pid!;
      process.kill(pid, 'SIGKILL');
      await until(`restart ${kill + 1}`, () => engine.status().state === 'running' && engine.status().pid !== pid);
    }
    const delays = statuses.filter((status) => status.state === 'restarting' && status.pid === undefined).map((status) => status.retryDelayMs);
    assert.deepEqual(delays, [100, 200, 400]);
    assert.equal(engine.status().restarts, 3);
  });

  test('a hung engine (stopped, answering nothing) is killed and restarted', async () => {
    const { engine, ng, statuses } = await supervised();
    await engine.start();
    const hung = engine.status().pid!;
    process.kill(hung, 'SIGSTOP');
    await until('the restart', () => engine.status().state === 'running' && engine.status().pid !== hung);
    assert.ok(
      statuses.some((status) => /stopped answering ng ping/.test(status.reason ?? '')),
      JSON.stringify(statuses),
    );
    await until('the hung engine to be gone', () => !isAlive(hung));
    await ng.ping();
  });

  test('stopping it leaves no process, also while a restart is pending', async () => {
    const { engine } = await supervised({ backoffInitialMs: 5000 });
    await engine.start();
    const first = engine.status().pid!;
    process.kill(first, 'SIGKILL');
    await until('the restart to be scheduled', () => engine.status().state === 'restarting');
    await engine.stop();
    assert.equal(engine.status().state, 'stopped');
    await delay(200);
    assert.equal(engine.status().pid, undefined);

    const { engine: second } = await supervised();
    await second.start();
    const pid = second.status().pid!;
    await second.stop();
    assert.equal(isAlive(pid), false, 'SIGTERM ended it');
    assert.equal(second.status().state, 'stopped');
  });

  test('an engine that cannot start says why and keeps trying', async () => {
    const { engine } = await supervised({ binary: '/nonexistent/rtpengine' });
    await engine.start();
    const status = engine.status();
    assert.equal(status.state, 'unavailable');
    assert.match(status.reason ?? '', /cannot run \/nonexistent\/rtpengine: ENOENT/);
    assert.equal(status.retryDelayMs, 100);
  });
});

describe('the managed rtpengine dies with Callpane', () => {
  test('when Callpane is killed with SIGKILL (or by the OOM killer), which no handler sees', async () => {
    const { callpane, enginePid } = await callpaneWithEngine();
    const callpanePid = callpane.pid;
    process.kill(callpanePid, 'SIGKILL');
    await until('Callpane to be gone', () => callpane.exited() !== undefined);
    await until('the engine to be gone with it', () => hasEnded(enginePid), 3000);
  });

  test('when the terminal or SSH session closes (SIGHUP): Callpane shuts down as on SIGTERM and exits 0', async () => {
    const { callpane, enginePid } = await callpaneWithEngine();
    process.kill(callpane.pid, 'SIGHUP');
    await until('Callpane to exit', () => callpane.exited() !== undefined, 10_000);
    assert.equal(callpane.exited(), 'code 0', callpane.lastWords());
    assert.ok(hasEnded(enginePid), 'the engine was stopped by the shutdown');
  });

  test('without setpriv it still starts, and warns that a killed Callpane would leave it running', async () => {
    const lines: { msg: string; level: number }[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { engine } = await supervised({ setpriv: null, logger: capture });
    await engine.start();
    assert.equal(engine.status().state, 'running');
    assert.ok(
      lines.some((line) => /setpriv \(util-linux, with --pdeathsig\) not found/.test(line.msg)),
      JSON.stringify(lines),
    );
  });
});
