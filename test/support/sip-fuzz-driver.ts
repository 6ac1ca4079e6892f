/**
 * Sends the SipMutator's messages to a running Callpane over UDP, TCP and SIP over WebSocket, in
 * turn, and checks afterwards that it still answers OPTIONS on each. A stream connection the
 * server closes (as it must after a framing error) is opened again for the next message, so
 * messages also meet each other on one stream. Loopback only: the target is always 127.0.0.1.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { withDeadline } from './deadline.ts';
import { MUTATIONS, SeededRandom, SipMutator, type Mutation } from './sip-mutator.ts';
import { itemAt } from './item-at.ts';

export interface FuzzTarget {
  udpPort: number;
  tcpPort: number;
  /** `ws://127.0.0.1:PORT/sip` */
  wsUrl: string;
}

/** One mutated WebSocket handshake (to /sip and elsewhere) goes to the HTTP port per this many messages. */
const UPGRADE_EVERY = 10;
/** The largest UDP payload over IPv4: a longer message is cut there (Callpane drops it as oversized). */
const MAX_DATAGRAM = 65_507;

export type FuzzTransport = 'UDP' | 'TCP' | 'WS';
const TRANSPORTS: readonly FuzzTransport[] = ['UDP', 'TCP', 'WS'];

export interface FuzzReport {
  sent: Record<FuzzTransport, number>;
  /** How often each mutation was applied (a message may carry several). */
  byMutation: Record<Mutation, number>;
  /** Stream connections the server closed and that were opened again. */
  reconnects: { TCP: number; WS: number };
  /** Mutated HTTP upgrade requests sent besides the SIP messages. */
  upgrades: number;
}

/** Sends `count` mutated messages (seeded by `seed`), spread evenly over the three transports. */
export async function fuzz(target: FuzzTarget, options: { count: number; seed: number }): Promise<FuzzReport> {
  const mutator = new SipMutator(options.seed);
  const report: FuzzReport = {
    sent: { UDP: 0, TCP: 0, WS: 0 },
    byMutation: Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>,
    reconnects: { TCP: 0, WS: 0 },
    upgrades: 0,
  };
  const handshakes = new SeededRandom(options.seed ^ 0x5eed);
  const httpPort = Number(new URL(target.wsUrl).port);
  const udp = await udpSender();
  const tcp = new ReconnectingTcp(target.tcpPort);
  const ws = new ReconnectingWs(target.wsUrl);
  try {
    for (let i = 0; i < options.count; i++) {
      const { mutations, data } = mutator.next();
      const transport = itemAt(TRANSPORTS, i % TRANSPORTS.length);
      if (transport === 'UDP') await udp.send(data.subarray(0, MAX_DATAGRAM), target.udpPort);
      else if (transport === 'TCP') await tcp.send(data);
      else await ws.send(data);
      // A write completes before the peer has read it: yielding to I/O lets a close the server
      // made (after a framing error) be seen, so the next message goes on a stream that is open.
      await new Promise((resolve) => setImmediate(resolve));
      report.sent[transport]++;
      for (const mutation of mutations) report.byMutation[mutation]++;
      if (i % UPGRADE_EVERY === 0) {
        await sendUpgrade(httpPort, mutatedUpgrade(handshakes));
        report.upgrades++;
      }
    }
  } finally {
    report.reconnects = { TCP: tcp.reconnects, WS: ws.reconnects };
    udp.close();
    tcp.close();
    ws.close();
  }
  return report;
}

/** Targets, protocols and header sets of WebSocket handshakes a broken or hostile client sends. */
const UPGRADE_TARGETS = ['/sip', '/api/events', 'http://[', 'http://[/sip', '//[', '/sip?%zz', '/%', 'http://a:b:c/sip', '*', '/sip#x', 'http://127.0.0.1/sip', '/sip/../sip'];
const UPGRADE_PROTOCOLS = ['sip', '', 'sip, sip', 'callpane-events', 'x'.repeat(300), 'sip\u0000'];

function mutatedUpgrade(random: SeededRandom): Buffer {
  const target =
    random.below(4) === 0
      ? random
          .bytes(1 + random.below(40))
          .toString('latin1')
          .replace(/[\s]/g, '') || '/'
      : random.pick(UPGRADE_TARGETS);
  const headers = [
    `GET ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: Upgrade',
    'Upgrade: websocket',
    `Sec-WebSocket-Version: ${random.pick(['13', '8', '', 'abc'])}`,
    random.below(5) === 0 ? '' : 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    `Sec-WebSocket-Protocol: ${random.pick(UPGRADE_PROTOCOLS)}`,
    random.below(3) === 0 ? `X-Forwarded-For: ${random.pick(['1.2.3.4', 'garbage', '::1, 127.0.0.1', '[::1]:80'])}` : '',
  ].filter((line) => line !== '');
  const request = Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  if (random.below(4) === 0) {
    const at = random.below(request.length);
    request[at] = itemAt(request, at) ^ (1 << random.below(8));
  }
  return request;
}

/** Writes one handshake on its own connection and closes it once answered (or after a moment). */
async function sendUpgrade(port: number, request: Buffer): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('connect', () => socket.write(request));
    socket.once('data', () => resolve());
    socket.once('close', () => resolve());
    setTimeout(resolve, 200).unref();
  });
  socket.destroy();
}

const optionsRequest = (transport: FuzzTransport, branch: string): string =>
  `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${transport} 127.0.0.1:5999;branch=z9hG4bK${branch};rport\r\nMax-Forwards: 70\r\n` +
  `From: <sip:probe@127.0.0.1>;tag=${branch}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: ${branch}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

/** The status line Callpane answers a fresh OPTIONS with, over each transport (within 5 s each). */
export async function optionsAnswers(target: FuzzTarget): Promise<Record<FuzzTransport, string>> {
  const branch = (t: string) => `probe${t}${Date.now().toString(36)}`;
  return {
    UDP: await withDeadline(udpOptions(target.udpPort, optionsRequest('UDP', branch('u'))), 5000, () => new Error('no answer to OPTIONS over UDP')),
    TCP: await withDeadline(tcpOptions(target.tcpPort, optionsRequest('TCP', branch('t'))), 5000, () => new Error('no answer to OPTIONS over TCP')),
    WS: await withDeadline(wsOptions(target.wsUrl, optionsRequest('WS', branch('w'))), 5000, () => new Error('no answer to OPTIONS over WebSocket')),
  };
}

function statusLine(data: Buffer | string): string {
  return itemAt(data.toString().split('\r\n'), 0);
}

async function udpSender(): Promise<{ send(data: Buffer, port: number): Promise<void>; close(): void }> {
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', () => undefined);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    send: (data, port) =>
      new Promise((resolve) => {
        // Datagrams over 65,507 bytes fail here (EMSGSIZE): they could never reach anyone.
        socket.send(data, port, '127.0.0.1', () => resolve());
      }),
    close: () => socket.close(),
  };
}

async function udpOptions(port: number, request: string): Promise<string> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(request, port, '127.0.0.1');
    return statusLine(await answer);
  } finally {
    socket.close();
  }
}

async function tcpOptions(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  try {
    const answer = new Promise<Buffer>((resolve, reject) => {
      socket.once('data', resolve);
      socket.once('error', reject);
    });
    socket.write(request);
    return statusLine(await answer);
  } finally {
    socket.destroy();
  }
}

async function wsOptions(url: string, request: string): Promise<string> {
  const ws = new WebSocket(url, 'sip');
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answer = new Promise<Buffer>((resolve) => ws.once('message', (data: Buffer) => resolve(data)));
    ws.send(request);
    return statusLine(await answer);
  } finally {
    ws.terminate();
  }
}

class ReconnectingTcp {
  readonly #port: number;
  #socket: Socket | undefined;
  reconnects = 0;

  constructor(port: number) {
    this.#port = port;
  }

  async send(data: Buffer): Promise<void> {
    const socket = await this.#open();
    await new Promise<void>((resolve) => socket.write(data, () => resolve()));
  }

  close(): void {
    this.#socket?.destroy();
  }

  async #open(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed && this.#socket.writable) return this.#socket;
    if (this.#socket) this.reconnects++;
    const socket = connect(this.#port, '127.0.0.1');
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('close', () => reject(new Error('TCP connection to Callpane refused')));
    });
    this.#socket = socket;
    return socket;
  }
}

class ReconnectingWs {
  readonly #url: string;
  #ws: WebSocket | undefined;
  reconnects = 0;

  constructor(url: string) {
    this.#url = url;
  }

  async send(data: Buffer): Promise<void> {
    const ws = await this.#open();
    // One SIP message per frame (RFC 7118 §5); text when it is UTF-8, as a browser would send it.
    await new Promise<void>((resolve) => ws.send(data, { binary: !isUtf8Text(data) }, () => resolve()));
  }

  close(): void {
    this.#ws?.terminate();
  }

  async #open(): Promise<WebSocket> {
    if (this.#ws?.readyState === WebSocket.OPEN) return this.#ws;
    if (this.#ws) this.reconnects++;
    this.#ws?.terminate();
    const ws = new WebSocket(this.#url, 'sip', { maxPayload: 1 << 20 });
    ws.on('message', () => undefined);
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('close', () => reject(new Error('WebSocket to Callpane refused')));
    });
    this.#ws = ws;
    return ws;
  }
}

function isUtf8Text(data: Buffer): boolean {
  return Buffer.from(data.toString('utf8'), 'utf8').equals(data);
}
