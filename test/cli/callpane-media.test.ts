import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, NODE, cleanEnvironment, scratchDirectory } from './cli-fixture.ts';

const TIMEOUT_MS = 20_000;

const scratch = scratchDirectory('callpane-cli-media');

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = cleanEnvironment();
  return { ...env, CALLPANE_DATA_DIR: join(scratch(), 'data'), CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_SIP_HOST: '127.0.0.1', ...extra };
}

test('callpane start without rtpengine starts, and its banner says what that means and how to install it', async () => {
  const child = spawn(NODE, [CLI, 'start'], {
    cwd: scratch(),
    env: environment({
      CALLPANE_HTTP_PORT: '0',
      CALLPANE_SIP_PORT: '0',
      CALLPANE_SANDBOX_ENABLED: 'false',
      CALLPANE_LOG_LEVEL: 'error',
      CALLPANE_MEDIA_RTPENGINE_BINARY: '/nonexistent/rtpengine',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('close', done));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const banner = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner: ${stdout}${stderr}`)), TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('Stop:')) {
        clearTimeout(timer);
        done(stdout);
      }
    });
  });
  try {
    assert.match(banner, /Media {6}relay unavailable — calls work only between browsers on one network\n +install rtpengine-daemon \(apt-get install rtpengine-daemon\)\n/);
    const url = /Health +(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(banner)?.[1];
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; media: { mode: string } };
    assert.deepEqual([health.status, health.media.mode], ['degraded', 'unavailable']);
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  }
});

test('callpane config check shows the media relay settings, resolved', () => {
  const result = spawnSync(NODE, [CLI, 'config', 'check'], {
    cwd: scratch(),
    env: environment({ CALLPANE_MEDIA_RTPENGINE_ENGINES: '127.0.0.1:2223' }),
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  assert.equal(result.status, 0, result.stderr);
  const json = result.stdout.slice(result.stdout.indexOf('{'), result.stdout.lastIndexOf('}') + 1);
  const media = (JSON.parse(json) as { media: { relay: string; rtpengine: { engines: unknown } } }).media;
  assert.equal(media.relay, 'always');
  assert.deepEqual(media.rtpengine.engines, [{ host: '127.0.0.1', port: 2223 }]);
});
