/**
 * `--count` SIP user agents over WebSocket (RFC 7118, subprotocol `sip`), as many browser panes
 * would be: each opens its own connection, REGISTERs extension 100000 + i with digest (answering
 * the 401 with Callpane's own digest client) and keeps the connection open. Run as its own
 * process by websocket-drop.ts, which kills it (SIGKILL) so that the kernel closes every
 * connection at once, as a network blip or a proxy restart would.
 *
 * The connections come from many loopback addresses (127.0.x.1, at most 250 per address), as
 * panes come from many machines, so a per-address connection cap does not refuse them. Prints
 * `registered {json}` once every registration ended: how many succeeded, how long all took.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { answerChallenge, parseDigestChallenge } from '../src/sip/auth/index.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';

export interface WebSocketRegistrations {
  registered: number;
  failed: number;
  /** From the first connection attempt until the last registration ended. */
  elapsedMs: number;
  firstErrors: string[];
}

const PER_ADDRESS = 250;
/** The third octet of the source address runs from 1 to 254. */
export const MAX_WEBSOCKET_CLIENTS = PER_ADDRESS * 254;

interface Options {
  url: string;
  count: number;
  /** Registrations in progress at once. */
  concurrency: number;
  domain: string;
}

function registerOne(options: Options, index: number, run: string): Promise<string | undefined> {
  const user = String(FIRST_BENCH_EXTENSION + index);
  const localAddress = `127.0.${1 + Math.floor(index / PER_ADDRESS)}.1`;
  const aor = `sip:${user}@${options.domain}`;
  const callId = `${run}-${index}@bench.callpane`;
  const contact = `<sip:${user}@${run}${index.toString(36)}.invalid;transport=ws>`;
  const ws = new WebSocket(options.url, 'sip', { localAddress, perMessageDeflate: false });
  const register = (cseq: number, authorization?: string): void => {
    ws.send(
      `REGISTER sip:${options.domain} SIP/2.0\r\n` +
        `Via: SIP/2.0/WS ${run}.invalid;branch=z9hG4bK${run}${index.toString(36)}c${cseq}\r\n` +
        'Max-Forwards: 70\r\n' +
        `From: <${aor}>;tag=${run}${index.toString(36)}\r\n` +
        `To: <${aor}>\r\n` +
        `Call-ID: ${callId}\r\n` +
        `CSeq: ${cseq} REGISTER\r\n` +
        `Contact: ${contact}\r\n` +
        'Expires: 600\r\n' +
        (authorization === undefined ? '' : `Authorization: ${authorization}\r\n`) +
        'User-Agent: callpane-bench\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
  };
  return new Promise((resolve) => {
    const fail = (why: string): void => {
      resolve(`${user}: ${why}`);
      ws.terminate();
    };
    ws.once('open', () => register(1));
    ws.once('error', (error) => fail(error.message));
    ws.once('close', () => fail('closed before it was registered'));
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const status = Number(text.slice(8, 11));
      if (status === 200) {
        ws.removeAllListeners('close');
        ws.removeAllListeners('error');
        // Nothing more is read: the connection only has to stay open until the process is killed.
        ws.on('error', () => undefined);
        resolve(undefined);
      } else if (status === 401 && !text.includes(`CSeq: 2 REGISTER`)) {
        const challenge = /\r\nWWW-Authenticate:\s*([^\r\n]+)/i.exec(text)?.[1];
        if (challenge === undefined) return fail('401 without WWW-Authenticate');
        register(2, answerChallenge(parseDigestChallenge(challenge), { username: user, password: `pw-${index}`, method: 'REGISTER', uri: `sip:${options.domain}` }));
      } else if (status >= 200) {
        fail(text.slice(0, text.indexOf('\r\n')));
      }
    });
  });
}

export async function registerWebSocketClients(options: Options): Promise<WebSocketRegistrations> {
  if (!(Number.isInteger(options.count) && options.count >= 1 && options.count <= MAX_WEBSOCKET_CLIENTS)) {
    throw new RangeError(`the number of WebSocket clients must be an integer from 1 to ${MAX_WEBSOCKET_CLIENTS}, got ${options.count}`);
  }
  const run = randomBytes(4).toString('hex');
  const started = performance.now();
  const errors: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      const error = await registerOne(options, next++, run);
      if (error !== undefined) errors.push(error);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  return { registered: options.count - errors.length, failed: errors.length, elapsedMs: performance.now() - started, firstErrors: errors.slice(0, 5) };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { url: { type: 'string' }, count: { type: 'string' }, concurrency: { type: 'string' }, domain: { type: 'string' } } });
  const result = await registerWebSocketClients({
    url: values.url ?? '',
    count: Number(values.count),
    concurrency: Number(values.concurrency ?? 200),
    domain: values.domain ?? '127.0.0.1',
  });
  process.stdout.write(`registered ${JSON.stringify(result)}\n`);
  // Stays alive holding every connection open until killed.
  setInterval(() => undefined, 1 << 30);
}
