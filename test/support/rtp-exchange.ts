/**
 * Two plain-RTP endpoints on loopback that send each other PCMU packets (RFC 3550 §5.1) through
 * whatever ports an SDP names: enough to show media really crosses a relay.
 */
import { createSocket, type Socket } from 'node:dgram';

export async function rtpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** An RTP packet: PCMU, 20 ms of payload. */
export function rtpPacket(sequence: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 160, 0xff);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt16BE(sequence, 2);
  packet.writeUInt32BE(sequence * 160, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

/** The port of the m=audio line of an SDP body. */
export function audioPort(sdp: Buffer): number {
  const match = /^m=audio (\d+) /m.exec(sdp.toString('utf8'));
  if (!match) throw new Error(`no m=audio line in:\n${sdp.toString('utf8')}`);
  return Number(match[1]);
}

/**
 * Sends `count` packets each way — `a` to `toA`'s port as the relay gave it to `b`'s side and so
 * on — and resolves with how many each endpoint received within 2 s.
 */
export async function exchangeRtp(a: Socket, aSendsTo: number, b: Socket, bSendsTo: number, count = 20): Promise<{ a: number; b: number }> {
  const received = { a: 0, b: 0 };
  a.on('message', () => received.a++);
  b.on('message', () => received.b++);
  for (let sequence = 1; sequence <= count; sequence++) {
    a.send(rtpPacket(sequence, 0x1111), aSendsTo, '127.0.0.1');
    b.send(rtpPacket(sequence, 0x2222), bSendsTo, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const deadline = Date.now() + 2000;
  while ((received.a < count || received.b < count) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return received;
}
