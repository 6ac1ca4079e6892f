/**
 * Free loopback ports for real peers (baresip, Kamailio) that take a port number in their
 * configuration instead of binding port 0 themselves. A port is probed by binding it and
 * releasing it at once, so another process can still take it before the peer binds it: callers
 * that start a peer on a probed port retry with new ports when the peer reports
 * "Address already in use".
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';
const ATTEMPTS = 50;

export interface PortProtocols {
  udp?: boolean;
  tcp?: boolean;
}

/** A port on 127.0.0.1 that is free for TCP (what the kernel hands out for port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('freePort: no TCP address'));
        else resolve(address.port);
      });
    });
  });
}

/** A port on 127.0.0.1 free for both UDP and TCP, as a SIP listener on one port needs. */
export async function freeUdpTcpPort(): Promise<number> {
  return freePortBlock(1, { udp: true, tcp: true });
}

/**
 * The first of `count` consecutive ports on 127.0.0.1, each free for the given protocols
 * (both by default). baresip needs such blocks: its SIP port p for UDP and TCP plus p+1 for its
 * TLS listener, and a narrow `rtp_ports` range.
 */
export async function freePortBlock(count: number, protocols: PortProtocols = { udp: true, tcp: true }): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new RangeError(`freePortBlock: count must be 1..1000, got ${count}`);
  const udp = protocols.udp ?? false;
  const tcp = protocols.tcp ?? false;
  if (!udp && !tcp) throw new Error('freePortBlock: ask for udp, tcp or both');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const first = await freePort();
    // Even first ports keep RTP on even numbers and RTCP on the odd one after (RFC 3550 §11).
    const start = first % 2 === 0 ? first : first + 1;
    if (start + count - 1 > 65535) continue;
    if (await blockIsFree(start, count, udp, tcp)) return start;
  }
  throw new Error(`freePortBlock: found no ${count} consecutive free port(s) on ${HOST} after ${ATTEMPTS} attempts`);
}

/** Where reserved blocks live: below the ephemeral range (32768+) and the managed relay's 20000–29999. */
const RESERVED_FIRST = 10_000;
const RESERVED_SLOT = 250;
const RESERVED_SLOTS = 40;

/**
 * A block of UDP ports outside the ephemeral range, for a daemon that binds its ports later and
 * lazily (rtpengine allocates RTP ports per call, with SO_REUSEPORT): a port it has not bound yet
 * must not be handed meanwhile to anyone probing with port 0, or the kernel would share it between
 * two sockets. Test processes running side by side start from different slots (by pid).
 */
export async function reservedUdpBlock(count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > RESERVED_SLOT) throw new RangeError(`reservedUdpBlock: count must be 1..${RESERVED_SLOT}, got ${count}`);
  const first = process.pid % RESERVED_SLOTS;
  for (let step = 0; step < RESERVED_SLOTS; step++) {
    const start = RESERVED_FIRST + ((first + step + nextReserved++) % RESERVED_SLOTS) * RESERVED_SLOT;
    if (await blockIsFree(start, count, true, false)) return start;
  }
  throw new Error(`reservedUdpBlock: no free block of ${count} among ${RESERVED_SLOTS} slots from ${RESERVED_FIRST}`);
}
let nextReserved = 0;

async function blockIsFree(start: number, count: number, udp: boolean, tcp: boolean): Promise<boolean> {
  const held: Array<() => Promise<void>> = [];
  try {
    for (let port = start; port < start + count; port++) {
      if (tcp) held.push(await holdTcp(port));
      if (udp) held.push(await holdUdp(port));
    }
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all(held.map((release) => release()));
  }
}

function holdTcp(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: HOST, exclusive: true }, () => {
      resolve(() => new Promise<void>((done) => server.close(() => done())));
    });
  });
}

function holdUdp(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ port, address: HOST, exclusive: true }, () => {
      resolve(() => new Promise<void>((done) => socket.close(() => done())));
    });
  });
}
