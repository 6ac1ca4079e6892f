/**
 * Parser + serializer throughput over the RFC 4475 valid set: every message is parsed, the
 * structured headers a proxy reads on each request are decoded, and the result is serialized.
 */
import { readFileSync } from 'node:fs';
import { RFC4475_DIR } from '../test/support/rfc4475-vectors.ts';
import { parseMessage, serializeMessage, topVia, cseqOf, fromOf, toOf, callIdOf } from '../src/sip/message/index.ts';

export interface ParserBenchResult {
  messages: number;
  messagesPerSecond: number;
  durationMs: number;
}

const vectors = RFC4475_DIR;

export function loadValidVectors(): Buffer[] {
  const index = readFileSync(new URL('INDEX.tsv', vectors), 'utf8').trim().split('\n').slice(1);
  const out: Buffer[] = [];
  for (const line of index) {
    const [, , , expected, , file] = line.split('\t');
    if (expected !== 'valid' || file === undefined || file.startsWith('rfc5118/')) continue;
    out.push(readFileSync(new URL(file, vectors)));
  }
  return out;
}

export function runParserBench(durationMs = 3000): ParserBenchResult {
  const messages = loadValidVectors();
  const work = (): void => {
    for (const data of messages) {
      const message = parseMessage(data);
      topVia(message);
      cseqOf(message);
      callIdOf(message);
      fromOf(message);
      toOf(message);
      serializeMessage(message);
    }
  };
  for (let i = 0; i < 200; i++) work();
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    work();
    count += messages.length;
  }
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { messages: count, messagesPerSecond: Math.round((count / elapsedMs) * 1000), durationMs: Math.round(elapsedMs) };
}
