/**
 * Netstrings (https://cr.yp.to/proto/netstrings.txt): `LEN:DATA,` with LEN the decimal byte
 * length of DATA. baresip's ctrl_tcp module frames each JSON command, response and event so.
 */

/** Longer frames are a protocol error: ctrl_tcp's own buffer is far smaller. */
const MAX_FRAME_BYTES = 1024 * 1024;

export function encodeNetstring(payload: string): Buffer {
  const data = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${data.length}:`, 'ascii'), data, Buffer.from(',', 'ascii')]);
}

/** Splits a byte stream into netstring payloads, whatever the chunking. */
export class NetstringDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  /** The payloads completed by `chunk`; throws on a malformed frame. */
  push(chunk: Buffer): string[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const payloads: string[] = [];
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon === -1) {
        if (this.#buffer.length > 10) throw new Error(`netstring: no length prefix in ${JSON.stringify(this.#buffer.subarray(0, 20).toString('latin1'))}`);
        break;
      }
      const digits = this.#buffer.subarray(0, colon).toString('latin1');
      if (!/^(0|[1-9][0-9]{0,9})$/.test(digits)) throw new Error(`netstring: bad length ${JSON.stringify(digits)}`);
      const length = Number(digits);
      if (length > MAX_FRAME_BYTES) throw new Error(`netstring: frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
      const end = colon + 1 + length;
      if (this.#buffer.length < end + 1) break;
      if (this.#buffer[end] !== 0x2c) throw new Error(`netstring: frame of ${length} bytes does not end with ','`);
      payloads.push(this.#buffer.subarray(colon + 1, end).toString('utf8'));
      this.#buffer = this.#buffer.subarray(end + 1);
    }
    return payloads;
  }
}
