/**
 * The bench Callpane (callpane-registrar-server.ts) as a child process for the media benches:
 * started with its media options, ready once it prints its URL, asked for its `stats` (process
 * ids of itself and of its managed rtpengine), stopped with SIGTERM and awaited.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BenchServerStats {
  bindings: number;
  rssBytes: number;
  pid: number;
  mediaMode: string | undefined;
  rtpenginePid: number | undefined;
}

export interface BenchServer {
  port: number;
  stats(): Promise<BenchServerStats>;
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./callpane-registrar-server.ts', import.meta.url));

export async function startBenchServer(options: { port: number; users: number; mediaRelay: 'always' | 'never'; rtpengineEngines?: string }): Promise<BenchServer> {
  const args = [SERVER, '--port', String(options.port), '--users', String(options.users), '--media-relay', options.mediaRelay];
  if (options.rtpengineEngines !== undefined) args.push('--rtpengine-engines', options.rtpengineEngines);
  const server = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout });
  const next = (prefix: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the bench server exited with ${code} before printing "${prefix}"`));
      const onLine = (line: string): void => {
        if (!line.startsWith(prefix)) return;
        lines.off('line', onLine);
        server.off('exit', onExit);
        resolve(line.slice(prefix.length));
      };
      lines.on('line', onLine);
      server.once('exit', onExit);
    });
  await next('ready ');
  return {
    port: options.port,
    async stats() {
      const answer = next('stats ');
      server.stdin.write('stats\n');
      return JSON.parse(await answer) as BenchServerStats;
    },
    async stop() {
      if (server.exitCode !== null) return;
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    },
  };
}
