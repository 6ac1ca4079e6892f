/** Shared fixtures for the transport tests: bounded waits and a throwaway TLS certificate. */
import { execFileSync } from 'node:child_process';
import { once, type EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Resolves with the arguments of the next `event`, or rejects after `ms`. The timer is a
 * referenced one (AbortSignal.timeout's is not), so a missing event fails the test instead of
 * letting the event loop drain.
 */
export async function next<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 3000): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no '${event}' event within ${ms} ms`)), ms);
  try {
    return (await once(emitter, event, { signal: controller.signal })) as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Collects every emission of `event` into an array. */
export function record<T>(emitter: EventEmitter, event: string): T[] {
  const seen: T[] = [];
  emitter.on(event, (value: T) => seen.push(value));
  return seen;
}

/** Waits until `condition` holds, polling, or throws after `ms`. */
export async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, valid one day. */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A minimal request with a correct Content-Length, as raw text. */
export function rawRequest(options: { method?: string; via?: string; body?: string; callId?: string } = {}): string {
  const method = options.method ?? 'OPTIONS';
  const body = options.body ?? '';
  return (
    `${method} sip:service@127.0.0.1 SIP/2.0\r\n` +
    `Via: ${options.via ?? 'SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKtest1'}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:alice@127.0.0.1>;tag=a1\r\n' +
    'To: <sip:service@127.0.0.1>\r\n' +
    `Call-ID: ${options.callId ?? 'call-1@127.0.0.1'}\r\n` +
    `CSeq: 1 ${method}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    '\r\n' +
    body
  );
}
