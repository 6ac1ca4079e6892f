/**
 * Property-style checks over the RFC 4475 / RFC 5118 corpus and seeded random mutations of it:
 * whatever parses re-parses from its serialisation to an equal model, and every input either
 * parses or is rejected with a SipParseError — nothing else escapes the parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseMessage } from '../../../src/sip/message/parser.ts';
import { serializeMessage } from '../../../src/sip/message/serializer.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { canonicalHeaderName } from '../../../src/sip/message/header-names.ts';
import type { SipMessage } from '../../../src/sip/message/types.ts';
import { RFC4475_DIR } from '../../support/rfc4475-vectors.ts';
import { itemAt } from '../../support/item-at.ts';

const DIR = RFC4475_DIR;

const corpus: { name: string; data: Buffer }[] = ['', 'rfc5118/', 'rfc5118/crlf/'].flatMap((sub) =>
  readdirSync(new URL(sub, DIR))
    .filter((f) => f.endsWith('.dat'))
    .map((f) => ({ name: `${sub}${f}`, data: readFileSync(new URL(`${sub}${f}`, DIR)) })),
);

function tryParse(data: Buffer): SipMessage | SipParseError {
  try {
    return parseMessage(data);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
}

function assertRoundTrip(msg: SipMessage, label: string): void {
  const wire = serializeMessage(msg);
  assert.deepEqual(parseMessage(wire), msg, label);
  assert.ok(serializeMessage(parseMessage(wire)).equals(wire), `${label}: serialising again gives the same bytes`);
}

/** Mulberry32: a small seeded PRNG, so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [...' \t\r\n:;,<>"\\@%[]?=/0123456789'].map((c) => c.charCodeAt(0)).concat([0, 0x80, 0xff]);

function mutate(data: Buffer, next: () => number): Buffer {
  const out = Buffer.from(data);
  const edits = 1 + Math.floor(next() * 3);
  let result = out;
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * result.length);
    const byte = itemAt(INTERESTING, Math.floor(next() * INTERESTING.length));
    const kind = next();
    if (kind < 0.5) {
      result[at] = byte;
    } else if (kind < 0.8) {
      result = Buffer.concat([result.subarray(0, at), Buffer.from([byte]), result.subarray(at)]);
    } else {
      result = Buffer.concat([result.subarray(0, at), result.subarray(at + 1)]);
    }
  }
  return result;
}

test('every corpus message that parses re-parses from its serialisation to an equal model', () => {
  let parsed = 0;
  for (const { name, data } of corpus) {
    const result = tryParse(data);
    if (result instanceof SipParseError) continue;
    assertRoundTrip(result, name);
    parsed++;
  }
  assert.ok(parsed >= 40, `only ${parsed} corpus messages parsed`);
});

test('known header-name spelling, compact forms, folding and LF line ends do not change the model', () => {
  for (const { name, data } of corpus) {
    const original = tryParse(data);
    if (original instanceof SipParseError) continue;
    const wire = serializeMessage(original).toString('latin1');
    const [head = '', ...rest] = wire.split('\r\n\r\n');
    const lines = head.split('\r\n');
    const respelled = lines.map((line, i) => {
      if (i === 0) return line;
      const colon = line.indexOf(':');
      const headerName = line.slice(0, colon);
      const compact: Record<string, string> = { Via: 'v', From: 'f', To: 't', 'Call-ID': 'i', Contact: 'm', 'Content-Type': 'c' };
      // Unknown headers keep their spelling; known ones are matched case-insensitively.
      const known = canonicalHeaderName(headerName.toLowerCase()) === headerName;
      const spelled = compact[headerName] ?? (!known ? headerName : i % 2 ? headerName.toUpperCase() : headerName.toLowerCase());
      // Fold after the colon and pad the colon with LWS, as RFC 3261 §7.3.1 allows.
      return `${spelled} \t:\n   ${line.slice(colon + 1).trimStart()}`;
    });
    const variant = Buffer.from(`${respelled.join('\n')}\n\n${rest.join('\r\n\r\n')}`, 'latin1');
    assert.deepEqual(parseMessage(variant), original, name);
  }
});

test('random mutations of the corpus parse to a model that round-trips, or fail with SipParseError only', () => {
  const next = random(4475);
  let accepted = 0;
  let rejected = 0;
  for (let round = 0; round < 40; round++) {
    for (const { name, data } of corpus) {
      const input = mutate(data, next);
      let result: SipMessage | SipParseError;
      try {
        result = tryParse(input);
      } catch (err) {
        assert.fail(`${name} mutation ${round} threw ${String(err)}: ${JSON.stringify(input.toString('latin1'))}`);
      }
      if (result instanceof SipParseError) {
        assert.equal(typeof result.code, 'string');
        rejected++;
      } else {
        assertRoundTrip(result, `${name} mutation ${round}: ${JSON.stringify(input.toString('latin1'))}`);
        accepted++;
      }
    }
  }
  assert.ok(accepted > 100 && rejected > 100, `accepted ${accepted}, rejected ${rejected}`);
});
