/**
 * Runs this very command again inside a fresh network namespace that holds only loopback, when
 * root on Linux with `unshare` and `ip`: nothing the command starts (Callpane, SIP peers, a
 * message naming 192.0.2.x or example.com) can then send anything off this machine.
 */
import { spawnSync } from 'node:child_process';

const MARK = 'CALLPANE_TEST_NETNS';

/**
 * Returns when already isolated (or isolation is impossible: then it warns once and every
 * peer must bind 127.0.0.1 itself); otherwise re-runs the command isolated and exits with its status.
 */
export function enterLoopbackNamespace(what: string): void {
  if (process.env[MARK] === '1') return;
  const canIsolate = process.platform === 'linux' && process.getuid?.() === 0 && hasCommand('unshare') && hasCommand('ip');
  if (!canIsolate) {
    console.warn(`${what}: not root or no unshare/ip: running without a loopback-only namespace`);
    return;
  }
  const inner = `ip link set lo up && exec ${JSON.stringify(process.execPath)} ${process.argv
    .slice(1)
    .map((a) => JSON.stringify(a))
    .join(' ')}`;
  const run = spawnSync('unshare', ['--net', 'sh', '-c', inner], { stdio: 'inherit', env: { ...process.env, [MARK]: '1' } });
  process.exit(run.status ?? 1);
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
