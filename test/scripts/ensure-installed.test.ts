import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '../../scripts/ensure-installed.sh');
let dir: string;

interface RunOptions {
  root?: boolean;
  aptWorks?: boolean;
  env?: Record<string, string>;
}

/**
 * Runs the script with a PATH of stubs only: `id` says root (or not), `apt-get` records its
 * arguments and fails or succeeds, and no `rtpengine` is found.
 */
function run({ root = true, aptWorks = false, env = {} }: RunOptions = {}) {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const tool of ['dirname', 'sha256sum', 'cut', 'cat']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  const calls = join(bin, 'apt-calls');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `echo ${root ? 0 : 1000}`);
  stub('apt-get', `echo "$@" >> ${calls}\nexit ${aptWorks ? 0 : 100}`);
  const result = spawnSync('/bin/sh', [SCRIPT], { env: { PATH: bin, TMPDIR: bin, ...env }, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stderr: result.stderr, aptCalls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [] };
}

describe('scripts/ensure-installed.sh on a machine without rtpengine', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'callpane-ensure-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('as root with apt, installs rtpengine-daemon and says so in one line', () => {
    const { status, stderr, aptCalls } = run({ aptWorks: true });
    assert.equal(status, 0);
    assert.equal(stderr, 'callpane: installing the media relay rtpengine (apt-get install rtpengine-daemon)…\n');
    assert.deepEqual(aptCalls, ['update -q', 'install -y -q --no-install-recommends rtpengine-daemon']);
  });

  test('never fails npm start when apt fails: Callpane starts without a media relay', () => {
    const { status, stderr } = run({ aptWorks: false });
    assert.equal(status, 0);
    assert.match(stderr, /callpane: could not install rtpengine-daemon \(see .*callpane-apt\.log\); starting without a media relay\n$/);
  });

  test('installs nothing when not root, when the relay is off, or when the engines run elsewhere', () => {
    const cases: RunOptions[] = [{ root: false }, { env: { CALLPANE_MEDIA_RELAY: 'never' } }, { env: { CALLPANE_MEDIA_RTPENGINE_ENGINES: '10.0.0.5:2223' } }];
    for (const options of cases) {
      const { status, stderr, aptCalls } = run(options);
      assert.equal(status, 0);
      assert.equal(stderr, '', JSON.stringify(options));
      assert.deepEqual(aptCalls, []);
    }
  });
});
