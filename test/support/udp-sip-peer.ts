/** A bare UDP socket on 127.0.0.1 that sends raw SIP and collects whatever comes back. */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

export class UdpSipPeer {
  readonly #socket: Socket;
  readonly #received: Buffer[] = [];
  #waiter: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      this.#received.push(data);
      this.#waiter?.();
    });
  }

  /** Binds an ephemeral port on `host` (any 127.x.y.z works on Linux loopback). */
  static async open(host = '127.0.0.1'): Promise<UdpSipPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, host);
    await once(socket, 'listening');
    return new UdpSipPeer(socket);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  send(data: Buffer | string, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );
  }

  /** The next datagram, or undefined when none arrives within `timeoutMs`. */
  async next(timeoutMs: number): Promise<string | undefined> {
    if (this.#received.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.#received.shift()?.toString('latin1');
  }

  close(): void {
    this.#socket.close();
  }
}
