/**
 * G.711 RTP endpoints for the media load bench: each call has two, the caller's and the callee's,
 * each a UDP socket on 127.0.0.1 that sends one 20 ms packet of PCMU (RTP header + 160 bytes,
 * RFC 3551 §4.5.14) every 20 ms to where the SDP it got says, from the port its own SDP names
 * (rtpengine latches on the source: symmetric RTP), and receives the other side's packets.
 *
 * Each packet carries its send instant (performance.now(), one clock: sender and receiver live in
 * this process), so the receiver measures the relay's transit directly: one-way delay, the RFC
 * 3550 §6.4.1 interarrival jitter J over transit times, and loss as the packets sent in a
 * measurement window that never arrived. Measuring against the actual send instant rather than the
 * nominal 20 ms grid keeps this generator's own timer lateness out of the jitter; that lateness
 * is reported on its own (send lag), so a generator short of CPU shows up as such.
 *
 * Sending is spread evenly over the 20 ms: endpoints fall into 20 slots of 1 ms, one slot sent
 * per millisecond, as independent phones would send — not all at once.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { itemAt } from '../test/support/item-at.ts';

export interface RtpTarget {
  host: string;
  port: number;
}

export interface RtpWindowResult {
  /** Streams (two per call) that sent during the window. */
  streams: number;
  sent: number;
  received: number;
  lossPercent: number;
  /** RFC 3550 J over transit times, each stream's as every packet of the window left it: mean and p99. */
  jitterMeanMs: number;
  jitterP99Ms: number;
  /** One-way transit through the relay. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** How late the generator sent against the 20 ms grid (its own CPU shortage). */
  sendLagP99Ms: number;
  /** Packets the generator never sent because it fell more than MAX_BEHIND_MS behind: it is saturated. */
  skipped: number;
}

interface Endpoint {
  socket: Socket;
  port: number;
  ssrc: number;
  target: RtpTarget | undefined;
  seq: number;
  /** RFC 3550 §6.4.1 state over transit times. */
  jitter: number;
  lastTransit: number | undefined;
}

interface Window {
  start: number;
  end: number;
  sent: number;
  received: number;
  delays: number[];
  jitters: number[];
  lags: number[];
  skipped: number;
}

const PACKET_MS = 20;
const PAYLOAD_BYTES = 160;
const RTP_HEADER_BYTES = 12;
/** PCMU silence (μ-law 0xFF): the relay passes payloads through untouched. */
const SILENCE = 0xff;
/**
 * A generator further behind its grid than this skips the slots it missed instead of sending them
 * all at once: catching up on a backlog it cannot clear would never yield to receive, and the
 * unsent datagrams would pile up in memory.
 */
const MAX_BEHIND_MS = 100;
/** Packets still in flight when a window ends are waited for this long before it is counted. */
const DRAIN_MS = 300;

export class RtpStreams {
  readonly #endpoints: Endpoint[] = [];
  readonly #slots: Endpoint[][] = Array.from({ length: PACKET_MS }, () => []);
  #slot = 0;
  #slotTime = 0;
  /** Endpoints given a target so far: they are dealt to the slots in turn. */
  #dealt = 0;
  #timer: NodeJS.Timeout | undefined;
  #window: Window | undefined;

  /** Opens one endpoint (a bound socket); tell it where to send with `sendTo`. */
  async open(): Promise<{ port: number; sendTo(target: RtpTarget): void }> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const endpoint: Endpoint = { socket, port: socket.address().port, ssrc: (this.#endpoints.length + 1) >>> 0, target: undefined, seq: 0, jitter: 0, lastTransit: undefined };
    this.#endpoints.push(endpoint);
    socket.on('message', (packet) => this.#receive(endpoint, packet));
    return {
      port: endpoint.port,
      sendTo: (target) => {
        if (endpoint.target === undefined) itemAt(this.#slots, this.#dealt++ % PACKET_MS).push(endpoint);
        endpoint.target = target;
      },
    };
  }

  /** Starts the 1 ms slot clock (idempotent). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#slotTime = performance.now();
    const tick = (): void => {
      const now = performance.now();
      if (now - this.#slotTime > MAX_BEHIND_MS) {
        const missed = Math.floor(now - this.#slotTime);
        const window = this.#window;
        if (window !== undefined) for (let i = 0; i < missed; i++) window.skipped += itemAt(this.#slots, (this.#slot + i) % PACKET_MS).length;
        this.#slot = (this.#slot + missed) % PACKET_MS;
        this.#slotTime += missed;
      }
      while (this.#slotTime <= now) {
        for (const endpoint of itemAt(this.#slots, this.#slot)) this.#send(endpoint, this.#slotTime);
        this.#slot = (this.#slot + 1) % PACKET_MS;
        this.#slotTime += 1;
      }
      this.#timer = setTimeout(tick, 1);
    };
    tick();
  }

  /** Measures for `ms` while everything keeps sending, then waits for the stragglers. */
  async measure(ms: number): Promise<RtpWindowResult> {
    const start = performance.now();
    const window: Window = { start, end: start + ms, sent: 0, received: 0, delays: [], jitters: [], lags: [], skipped: 0 };
    this.#window = window;
    await new Promise((resolve) => setTimeout(resolve, ms + DRAIN_MS));
    this.#window = undefined;
    const sending = this.#endpoints.filter((endpoint) => endpoint.target !== undefined);
    const jitters = Float64Array.from(window.jitters).sort();
    const delays = Float64Array.from(window.delays).sort();
    const lags = Float64Array.from(window.lags).sort();
    const at = (sorted: Float64Array, fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
    return {
      streams: sending.length,
      sent: window.sent,
      received: window.received,
      lossPercent: window.sent === 0 ? 0 : (100 * (window.sent - window.received)) / window.sent,
      jitterMeanMs: jitters.reduce((sum, value) => sum + value, 0) / Math.max(1, jitters.length),
      jitterP99Ms: at(jitters, 0.99),
      delayP50Ms: at(delays, 0.5),
      delayP99Ms: at(delays, 0.99),
      delayMaxMs: delays.at(-1) ?? Number.NaN,
      sendLagP99Ms: at(lags, 0.99),
      skipped: window.skipped,
    };
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const endpoint of this.#endpoints) endpoint.socket.close();
  }

  #send(endpoint: Endpoint, scheduled: number): void {
    const target = endpoint.target;
    if (target === undefined) return;
    const packet = Buffer.alloc(RTP_HEADER_BYTES + PAYLOAD_BYTES, SILENCE);
    const seq = endpoint.seq++;
    packet[0] = 0x80; // RTP version 2, no padding, extension or CSRC
    packet[1] = 0; // payload type 0: PCMU
    packet.writeUInt16BE(seq & 0xffff, 2);
    packet.writeUInt32BE((seq * PAYLOAD_BYTES) >>> 0, 4);
    packet.writeUInt32BE(endpoint.ssrc, 8);
    const now = performance.now();
    packet.writeDoubleBE(now, RTP_HEADER_BYTES);
    const window = this.#window;
    if (window !== undefined && now >= window.start && now < window.end) {
      window.sent++;
      window.lags.push(now - scheduled);
    }
    endpoint.socket.send(packet, target.port, target.host);
  }

  #receive(endpoint: Endpoint, packet: Buffer): void {
    if (packet.length < RTP_HEADER_BYTES + 8) return;
    const arrived = performance.now();
    const sentAt = packet.readDoubleBE(RTP_HEADER_BYTES);
    const transit = arrived - sentAt;
    if (endpoint.lastTransit !== undefined) endpoint.jitter += (Math.abs(transit - endpoint.lastTransit) - endpoint.jitter) / 16;
    endpoint.lastTransit = transit;
    const window = this.#window;
    if (window !== undefined && sentAt >= window.start && sentAt < window.end) {
      window.received++;
      window.delays.push(transit);
      window.jitters.push(endpoint.jitter);
    }
  }
}
