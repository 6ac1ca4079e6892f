import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '../../scripts/ensure-installed.sh');
let dir: string;

interface RunOptions {
  root?: boolean;
  aptWorks?: boolean;
  env?: Record<string, string>;
  /** The repository copy to run in; a fresh one when omitted. */
  repo?: string;
  /** Written as callpane.json in the directory the script is started from. */
  configFile?: unknown;
}

/**
 * A repository of its own for the script, which cd's to its parent directory: a copy of the
 * script, a lockfile, and node_modules installed from it (its stamp current, `node` the test's
 * own), so neither the real repository's stamp nor its node_modules is read or written.
 */
function repoCopy(): string {
  const repo = mkdtempSync(join(dir, 'repo-'));
  mkdirSync(join(repo, 'scripts'));
  copyFileSync(SCRIPT, join(repo, 'scripts/ensure-installed.sh'));
  writeFileSync(join(repo, 'package-lock.json'), '{}\n');
  mkdirSync(join(repo, 'node_modules/.bin'), { recursive: true });
  symlinkSync(process.execPath, join(repo, 'node_modules/.bin/node'));
  writeFileSync(join(repo, 'node_modules/.callpane-install-stamp'), `${createHash('sha256').update('{}\n').digest('hex')}\n`);
  return repo;
}

const failedMarker = (repo: string) => join(repo, 'node_modules/.callpane-rtpengine-install-failed');

/**
 * Runs the script with a PATH of stubs only: `id` says root (or not), `apt-get` records its
 * arguments and fails or succeeds, and no `rtpengine` is found.
 */
function run({ root = true, aptWorks = false, env = {}, repo = repoCopy(), configFile }: RunOptions = {}) {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const tool of ['dirname', 'sha256sum', 'cut', 'cat', 'date', 'rm']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  const calls = join(bin, 'apt-calls');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `echo ${root ? 0 : 1000}`);
  stub('apt-get', `echo "$@" >> ${calls}\nexit ${aptWorks ? 0 : 100}`);
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  if (configFile !== undefined) writeFileSync(join(cwd, 'callpane.json'), JSON.stringify(configFile));
  const result = spawnSync('/bin/sh', [join(repo, 'scripts/ensure-installed.sh')], { cwd, env: { PATH: bin, TMPDIR: bin, ...env }, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stderr: result.stderr, aptCalls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [], repo };
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
    assert.match(stderr, /callpane: could not install rtpengine-daemon \(see .*callpane-apt\.log\); starting without a media relay; next attempt in a day\n$/);
  });

  test('after a failed install, does not run apt-get again at the next starts, only once a day has passed', () => {
    const first = run({ aptWorks: false });
    assert.equal(first.aptCalls.length, 1, 'update, which failed');
    assert.match(readFileSync(failedMarker(first.repo), 'utf8'), /^\d+ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);

    const again = run({ aptWorks: false, repo: first.repo });
    assert.equal(again.status, 0);
    assert.deepEqual(again.aptCalls, []);
    assert.match(
      again.stderr,
      /^callpane: not installing rtpengine-daemon again before a day has passed since it failed at \d{4}-.*Z \(delete node_modules\/\.callpane-rtpengine-install-failed to try now\)\n$/,
    );

    const dayAgo = Math.floor(Date.now() / 1000) - 86_401;
    writeFileSync(failedMarker(first.repo), `${dayAgo} ${new Date(dayAgo * 1000).toISOString()}\n`);
    const nextDay = run({ aptWorks: true, repo: first.repo });
    assert.deepEqual(nextDay.aptCalls, ['update -q', 'install -y -q --no-install-recommends rtpengine-daemon']);
    assert.equal(existsSync(failedMarker(first.repo)), false, 'a success forgets the failure');
  });

  test('honours media.relay never and media.rtpengine.engines in the configuration file, unless the environment says otherwise', () => {
    for (const configFile of [{ media: { relay: 'never' } }, { media: { rtpengine: { engines: ['10.0.0.5:2223'] } } }]) {
      const { status, stderr, aptCalls } = run({ configFile });
      assert.equal(status, 0);
      assert.equal(stderr, '', JSON.stringify(configFile));
      assert.deepEqual(aptCalls, []);
    }
    const named = run({ configFile: { media: { relay: 'always' } }, env: { CALLPANE_CONFIG: '/nonexistent/callpane.json' } });
    assert.equal(named.aptCalls.length, 1, 'the file named by CALLPANE_CONFIG is the one read (missing here)');
    const overridden = run({ configFile: { media: { relay: 'never' } }, env: { CALLPANE_MEDIA_RELAY: 'always' }, aptWorks: true });
    assert.equal(overridden.aptCalls.length, 2, 'CALLPANE_MEDIA_RELAY wins over the file, as in Callpane');
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
