import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { NgClient } from '../../src/media/ng/ng-client.ts';
import { startMediaService, type MediaService } from '../../src/media/media-service.ts';
import type { MediaConfig } from '../../src/config/media-config.ts';
import { MediaRelayError, type MediaRelay } from '../../src/media/media-relay.ts';
import { formatBanner } from '../../src/server/banner.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startTestCallpane, metricValue, type TestCallpane } from '../support/callpane.ts';
import { delay } from '../support/deadline.ts';
import { freePortBlock } from '../support/ports.ts';
import { startRtpengine, type RunningRtpengine } from '../support/rtpengine.ts';
import { audioPort, exchangeRtp, rtpSocket } from '../support/rtp-exchange.ts';
import { plainAnswer, plainOffer } from '../support/sdp-samples.ts';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.ts';
import { ENGINE_PIDFILE, writeEnginePidfile } from '../../src/media/stale-engine.ts';
import { itemAt } from '../support/item-at.ts';

const logger = createLogger({ level: process.env.CALLPANE_TEST_LOG === '1' ? 'debug' : 'silent', pretty: false });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function callpane(env: Record<string, string> = {}): Promise<TestCallpane> {
  const running = await startTestCallpane({ env });
  cleanups.push(() => running.remove());
  return running;
}

async function engine(): Promise<RunningRtpengine> {
  const started = await startRtpengine({ name: 'external rtpengine' });
  cleanups.push(() => started.stop());
  return started;
}

async function healthz(running: TestCallpane) {
  const response = await fetch(`${running.httpUrl}/healthz`);
  assert.equal(response.status, 200);
  return (await response.json()) as {
    status: string;
    media: { mode: string; ready: boolean; reason?: string; managed?: { pid: number; ng: string }; engines: { engine: string; up: boolean }[] };
  };
}

function bannerOf(running: TestCallpane): string {
  return formatBanner({ httpUrl: running.httpUrl, publicUrl: undefined, sipUris: [], demo: [], dataDir: running.dataDir, media: running.running.context.media.status() });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

function mediaConfig(rtpengine: Partial<MediaConfig['rtpengine']>): MediaConfig {
  return {
    relay: 'always',
    rtpengine: { engines: [], binary: 'rtpengine', address: '127.0.0.1', publicAddress: undefined, portMin: 20000, portMax: 29999, ngPort: 0, ...rtpengine },
  };
}

/** A media service started alone, with the ng clients its relay would be built over. */
async function service(media: MediaConfig, registry = new Registry()): Promise<{ service: MediaService; clients: readonly NgClient[]; registry: Registry }> {
  let clients: readonly NgClient[] = [];
  const relay = {} as MediaRelay;
  const started = await startMediaService({
    media,
    logger,
    metrics: { registry },
    tuning: { pingIntervalMs: 100, deleteDelaySeconds: 0 },
    createRelay: (given) => {
      clients = given;
      return relay;
    },
  });
  cleanups.push(() => started.close());
  assert.equal(started.relay, started.status().mode === 'unavailable' ? undefined : relay, 'the relay is built over the clients');
  return { service: started, clients, registry };
}

describe('the media service', () => {
  test('without rtpengine, Callpane starts anyway and the banner and /healthz say what that means and how to install it', async () => {
    const running = await callpane({ CALLPANE_MEDIA_RTPENGINE_BINARY: '/nonexistent/rtpengine' });
    assert.equal(running.running.context.media.relay, undefined, 'media goes end to end');
    const health = await healthz(running);
    assert.equal(health.status, 'degraded');
    assert.equal(health.media.mode, 'unavailable');
    assert.equal(health.media.ready, false);
    assert.match(
      health.media.reason ?? '',
      /\/nonexistent\/rtpengine \(media\.rtpengine\.binary\) is not found; calls work only between browsers on one network; install rtpengine-daemon \(apt-get install rtpengine-daemon\)/,
    );
    const banner = bannerOf(running);
    assert.match(banner, /Media {6}relay unavailable — calls work only between browsers on one network\n +install rtpengine-daemon \(apt-get install rtpengine-daemon\)\n/);
  });

  test('managed: Callpane runs rtpengine, reports it in the banner, /healthz and /metrics, and stops it on shutdown', async () => {
    const running = await callpane({ CALLPANE_MEDIA_RELAY: 'always' });
    const health = await healthz(running);
    assert.equal(health.status, 'ok');
    assert.equal(health.media.mode, 'managed');
    assert.equal(health.media.ready, true);
    const { pid, ng } = health.media.managed!;
    assert.ok(isAlive(pid));
    const { portMin, portMax } = running.config.media.rtpengine;
    assert.ok(bannerOf(running).includes(`Media      rtpengine (run by Callpane), RTP 127.0.0.1 ports ${portMin}–${portMax}\n`), bannerOf(running));
    // The relay the SIP service gets rewrites SDP through the managed engine.
    const relay = running.running.context.media.relay;
    assert.ok(relay instanceof RtpengineRelay);
    const offered = (await relay.offer({ callId: 'managed-1', fromTag: 'phone', sdp: plainOffer(), from: 'rtp', to: 'rtp' })).toString();
    const port = Number(/^m=audio (\d+) /m.exec(offered)?.[1]);
    assert.match(offered, /^c=IN IP4 127\.0\.0\.1\r$/m);
    assert.ok(port >= portMin && port <= portMax, offered);
    await relay.delete({ callId: 'managed-1' });
    const metrics = await running.metrics();
    assert.equal(metricValue(metrics, `callpane_media_engine_up{engine="${ng}"}`), 1);
    assert.equal(metricValue(metrics, 'callpane_media_ng_request_duration_seconds_count{command="offer"}'), 1);
    assert.equal(metricValue(metrics, 'callpane_media_engine_restarts_total'), 0);
    await running.stop();
    assert.equal(isAlive(pid), false, 'no rtpengine is left after shutdown');
  });

  test('never: media goes end to end and health is ok, the operator chose it', async () => {
    const running = await callpane({ CALLPANE_MEDIA_RELAY: 'never' });
    assert.equal(running.running.context.media.relay, undefined);
    const health = await healthz(running);
    assert.equal(health.status, 'ok');
    assert.equal(health.media.mode, 'disabled');
    assert.match(bannerOf(running), /Media {6}end to end \(media\.relay is never\): calls work only between browsers on one network/);
  });

  test('a managed engine whose ng port is taken is not started beside it: the relay is unavailable and says why', async () => {
    const other = await engine();
    const { service: media } = await service(mediaConfig({ ngPort: other.ngPort }));
    const status = media.status();
    assert.equal(status.mode, 'unavailable');
    assert.match(status.reason ?? '', new RegExp(`127\\.0\\.0\\.1:${other.ngPort} \\(media\\.rtpengine\\.ngPort\\) is taken \\(EADDRINUSE\\)`));
  });

  test('an engine an earlier Callpane left running (named by the pidfile in dataDir) is stopped at start, with a log line, and its port reused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'callpane-stale-engine-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const stale = await engine();
    const pidfile = join(dataDir, ENGINE_PIDFILE);
    const stalePid = stale.process.pid;
    writeEnginePidfile(pidfile, stalePid, readFileSync(`/proc/${stalePid}/cmdline`, 'utf8').split('\0').slice(0, -1));
    const lines: { msg: string; pid?: number }[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const media = await startMediaService({
      media: mediaConfig({ ngPort: stale.ngPort }),
      logger: capture,
      metrics: { registry: new Registry() },
      dataDir,
      tuning: { pingIntervalMs: 100, deleteDelaySeconds: 0 },
    });
    cleanups.push(() => media.close());
    await until('the stale engine to be reaped', () => stale.process.exitStatus !== undefined);
    assert.ok(
      lines.some((line) => line.msg === 'stopping the rtpengine an earlier Callpane left running (it holds the ng port)' && line.pid === stalePid),
      JSON.stringify(lines),
    );
    const status = media.status();
    assert.deepEqual([status.mode, status.ready], ['managed', true], status.reason);
    // The new engine is recorded in its place, readable by Callpane's user only.
    const record = JSON.parse(readFileSync(pidfile, 'utf8')) as { pid: number; startTime: string; cmdline: string[] };
    assert.equal(record.pid, status.managed!.pid);
    assert.match(record.startTime, /^\d+$/);
    assert.ok(record.cmdline.includes(`--listen-ng=127.0.0.1:${stale.ngPort}`), record.cmdline.join(' '));
    assert.equal(statSync(pidfile).mode & 0o777, 0o600);
    await media.close();
    assert.throws(() => statSync(pidfile), /ENOENT/, 'a clean stop removes it');
  });

  test('a managed engine is not started on an address this machine does not have (the public one behind NAT, say)', async () => {
    const { service: media } = await service(mediaConfig({ address: '192.0.2.77' }));
    const status = media.status();
    assert.equal(status.mode, 'unavailable');
    assert.match(
      status.reason ?? '',
      /media\.rtpengine\.address 192\.0\.2\.77 is not an address of this machine \(it has .*127\.0\.0\.1.*\); behind NAT, set it to the private address and media\.rtpengine\.publicAddress to the public one/,
    );
  });

  test('a call placed while the managed engine is down fails clearly; once it is restarted the next call is relayed, its RTP both ways', async () => {
    const registry = new Registry();
    const media = await startMediaService({ media: mediaConfig({}), logger, metrics: { registry }, tuning: { pingIntervalMs: 100, backoffInitialMs: 300, deleteDelaySeconds: 0 } });
    cleanups.push(() => media.close());
    const relay = media.relay!;
    const offer = (callId: string) => relay.offer({ callId, fromTag: 'phone', sdp: plainOffer(), from: 'rtp', to: 'webrtc' });
    await offer('before');
    const pid = media.status().managed!.pid!;
    process.kill(pid, 'SIGKILL');
    await until('the engine to be seen down', () => media.status().managed!.state === 'restarting');
    await assert.rejects(offer('while-down'), (error: unknown) => error instanceof MediaRelayError && ['MEDIA_RELAY_UNAVAILABLE', 'MEDIA_RELAY_TIMEOUT'].includes(error.code));
    await until('the restart', () => media.status().ready);
    assert.match((await offer('after')).toString(), /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
    assert.equal(metricValue(await registry.metrics(), 'callpane_media_engine_restarts_total'), 1);

    // The next call has audio: a phone and a carrier exchange RTP through the restarted engine.
    const [phone, carrier] = await Promise.all([rtpSocket(), rtpSocket()]);
    try {
      const toCarrier = await relay.offer({ callId: 'audio-after', fromTag: 'phone', sdp: plainOffer(phone.address().port), from: 'rtp', to: 'rtp' });
      const toPhone = await relay.answer({ callId: 'audio-after', fromTag: 'phone', toTag: 'carrier', sdp: plainAnswer(carrier.address().port), from: 'rtp', to: 'rtp' });
      assert.deepEqual(await exchangeRtp(phone, audioPort(toPhone), carrier, audioPort(toCarrier)), { a: 20, b: 20 });
    } finally {
      phone.close();
      carrier.close();
    }
  });

  test('external: one ng client per engine, each watched by ping; ready while any answers', async () => {
    const up = await engine();
    const deadPort = await freePortBlock(1, { udp: true });
    const {
      service: media,
      clients,
      registry,
    } = await service(
      mediaConfig({
        engines: [
          { host: '127.0.0.1', port: up.ngPort },
          { host: '127.0.0.1', port: deadPort },
        ],
      }),
    );
    assert.equal(clients.length, 2);
    let status = media.status();
    assert.equal(status.mode, 'external');
    assert.equal(status.ready, true);
    assert.deepEqual(
      status.engines.map((e) => [e.engine, e.up]),
      [
        [`127.0.0.1:${up.ngPort}`, true],
        [`127.0.0.1:${deadPort}`, false],
      ],
    );
    const metrics = await registry.metrics();
    assert.equal(metricValue(metrics, `callpane_media_engine_up{engine="127.0.0.1:${up.ngPort}"}`), 1);
    assert.equal(metricValue(metrics, `callpane_media_engine_up{engine="127.0.0.1:${deadPort}"}`), 0);

    await up.stop();
    await until('the engine to be seen down', () => !media.status().ready);
    status = media.status();
    assert.match(status.reason ?? '', /no rtpengine answers ng ping/);
  });

  test('ng requests of the relay are timed, and failures counted by kind', async () => {
    const up = await engine();
    const deadPort = await freePortBlock(1, { udp: true });
    const { clients, registry } = await service(
      mediaConfig({
        engines: [
          { host: '127.0.0.1', port: up.ngPort },
          { host: '127.0.0.1', port: deadPort },
        ],
      }),
    );
    await itemAt(clients, 0).request('list');
    await assert.rejects(itemAt(clients, 0).request('query', { 'call-id': 'no-such-call' }));
    await assert.rejects(itemAt(clients, 1).request('offer', { 'call-id': 'x', 'from-tag': 'y', sdp: 'v=0' }));
    const metrics = await registry.metrics();
    assert.equal(metricValue(metrics, 'callpane_media_ng_request_duration_seconds_count{command="list"}'), 1);
    assert.equal(metricValue(metrics, 'callpane_media_ng_request_failures_total{command="query",failure="error"}'), 1);
    assert.equal(metricValue(metrics, 'callpane_media_ng_request_failures_total{command="offer",failure="unavailable"}'), 1);
  });
});
