/** Parses each fixture file many times and reports the slowest single parse (used by rfc4475.test.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { parseMessage } from '../../../src/sip/message/parser.ts';

const { dir, files } = workerData as { dir: string; files: string[] };
let slowestMs = 0;
let slowest = '';
for (const file of files) {
  const data = readFileSync(new URL(file, dir));
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    try {
      parseMessage(data);
    } catch {
      // Rejections are expected for the invalid fixtures; only the time matters here.
    }
    const ms = performance.now() - start;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowest = file;
    }
  }
}
parentPort!.postMessage({ slowestMs, slowest, count: files.length });
