/**
 * Runs the whole suite with Node's test runner. As root on Linux the run moves into a fresh
 * network namespace that holds only loopback, so no test (and no RFC 4475 vector naming
 * 192.0.2.x or example.com) can make Callpane send anything off this machine. Elsewhere every
 * test still binds and advertises 127.0.0.1 only.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const isolated = process.env.CALLPANE_TEST_NETNS === '1';
const canIsolate = process.platform === 'linux' && process.getuid?.() === 0 && hasCommand('unshare') && hasCommand('ip');

if (!isolated && canIsolate) {
  const inner = `ip link set lo up && exec ${JSON.stringify(process.execPath)} ${process.argv.slice(1).map((a) => JSON.stringify(a)).join(' ')}`;
  const run = spawnSync('unshare', ['--net', 'sh', '-c', inner], {
    stdio: 'inherit',
    env: { ...process.env, CALLPANE_TEST_NETNS: '1' },
  });
  process.exit(run.status ?? 1);
}
if (!isolated) {
  console.warn('run-tests: not root or no unshare/ip: running without a loopback-only namespace');
}

const patterns = process.argv.slice(2);
const files = patterns.length > 0 ? patterns : globSync('test/**/*.test.ts').sort();
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
