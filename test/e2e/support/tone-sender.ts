/**
 * A carrier's early media, as a test plays it: a 440 Hz tone as G.711 µ-law (PCMU, payload type
 * 0) in plain RTP (RFC 3550), one 20 ms packet of 160 samples every 20 ms, from a UDP socket on a
 * loopback address to wherever the SDP the carrier was offered said (rtpengine, when relayed).
 * What ringback or an announcement before the answer looks like on the wire.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

const SAMPLE_RATE = 8000;
const SAMPLES_PER_PACKET = 160;
const PACKET_MS = 20;
const TONE_HZ = 440;
const AMPLITUDE = 8000;

/** G.711 µ-law of one 16-bit linear sample (ITU-T G.711, the classic segment encoder). */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(Math.round(sample)), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

export class ToneSender {
  readonly #socket: Socket;
  #timer: NodeJS.Timeout | undefined;
  #sequence = Math.floor(Math.random() * 0xffff);
  #timestamp = Math.floor(Math.random() * 0xffffffff);
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff);
  #sample = 0;
  /** Packets sent so far. */
  sent = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Binds an ephemeral UDP port on `host` (a 127.x.y.z address). */
  static async open(host: string): Promise<ToneSender> {
    const socket = createSocket('udp4');
    socket.bind(0, host);
    await once(socket, 'listening');
    // What comes back (the other party's media) is not looked at.
    socket.on('message', () => {});
    return new ToneSender(socket);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Starts sending to `host:port` until `stop()`. */
  start(host: string, port: number): void {
    this.stop();
    this.#timer = setInterval(() => this.#send(host, port), PACKET_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.stop();
    this.#socket.close();
  }

  #send(host: string, port: number): void {
    const packet = Buffer.alloc(12 + SAMPLES_PER_PACKET);
    packet[0] = 0x80; // RTP version 2, no padding, extension or CSRC
    packet[1] = this.sent === 0 ? 0x80 : 0x00; // marker on the first packet of a talkspurt; PT 0 (PCMU)
    packet.writeUInt16BE(this.#sequence, 2);
    packet.writeUInt32BE(this.#timestamp >>> 0, 4);
    packet.writeUInt32BE(this.#ssrc >>> 0, 8);
    for (let i = 0; i < SAMPLES_PER_PACKET; i++, this.#sample++) {
      packet[12 + i] = linearToUlaw(AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * this.#sample) / SAMPLE_RATE));
    }
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + SAMPLES_PER_PACKET) >>> 0;
    this.sent++;
    this.#socket.send(packet, port, host);
  }
}
