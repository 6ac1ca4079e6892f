/**
 * Runs a bench script in a child process — as root with `unshare` and `ip`, inside a fresh network
 * namespace that has only loopback, so nothing it starts (Callpane, rtpengine, RTP endpoints) can
 * send off this machine — and returns the JSON object it prints as its last line. The script's
 * other lines (progress) go to this process's stderr as they come.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export function canIsolate(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v unshare && command -v ip'], { stdio: 'ignore' }).status === 0;
}

export async function runIsolated<T>(script: string, args: readonly string[]): Promise<T & { isolated: boolean }> {
  const isolated = canIsolate();
  const quoted = [process.execPath, script, ...args].map((part) => JSON.stringify(part)).join(' ');
  const child = isolated
    ? spawn('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec ${quoted}`], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) last = line;
    else process.stderr.write(`${line}\n`);
  });
  // 'close', not 'exit': every line of its output has been read by then.
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0 || last === '') throw new Error(`${script} exited with ${code}${last === '' ? ' without printing its result' : ''}`);
  return { ...(JSON.parse(last) as T), isolated };
}
