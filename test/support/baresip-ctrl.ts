/**
 * Client of baresip's ctrl_tcp module: netstring-framed JSON over TCP.
 *
 * Seen with baresip 1.0.0 (Debian 12 `baresip-core` 1.0.0-4):
 * - command  `{"command":"dial","params":"sip:1002@127.0.0.1:5060","token":"7"}`; `command` is a
 *   long menu command name without the slash, `params` its argument line;
 * - response `{"response":true,"ok":true,"data":"…text the command printed…","token":"7"}`,
 *   `ok:false` with `data` naming the error ("Invalid argument") when the command failed;
 * - event    `{"event":true,"type":"CALL_ESTABLISHED","class":"call","accountaor":"sip:…",
 *   "direction":"incoming","peeruri":"sip:…","id":"<call id>","param":"…"}`.
 * ctrl_tcp serves one client at a time: events go to the most recent connection only, so an
 * agent keeps exactly one connection.
 */
import { connect, type Socket } from 'node:net';
import { delay, withDeadline } from './deadline.ts';
import { NetstringDecoder, encodeNetstring } from './netstring.ts';

export interface BaresipResponse {
  ok: boolean;
  /** What the command printed, or the error text when `ok` is false. */
  data: string;
  token?: string;
}

/**
 * A ctrl_tcp event. `type` is a baresip `ua_event` name; those seen from 1.0.0: REGISTERING,
 * REGISTER_OK (`param` "200 OK"), REGISTER_FAIL (`param` the reason, e.g. "Connection refused",
 * "401 Unauthorized"), UNREGISTERING, CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED,
 * CALL_CLOSED (`param` the reason: "Connection reset by user" when we hung up, "… by peer" when
 * they did, "486 Rejected", "404 Not Found"), CALL_RTPESTAB, CALL_RTCP, CALL_LOCAL_SDP and
 * CALL_REMOTE_SDP (`param` "offer"/"answer"), CALL_DTMF_START (`param` the digit),
 * CALL_DTMF_END. baresip's source also defines CALL_PROGRESS, CALL_TRANSFER,
 * CALL_TRANSFER_FAILED, CALL_MENC, MWI_NOTIFY, SHUTDOWN, EXIT, REFER, MODULE, END_OF_FILE, CUSTOM.
 */
export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  /** The call's id (its SIP Call-ID); absent on events that precede the call's creation. */
  id?: string;
  param?: string;
  [field: string]: unknown;
}

export interface BaresipCtrlHandlers {
  onEvent: (event: BaresipEvent) => void;
  /** The connection closed or broke; `error` tells why when it was not a clean close. */
  onClose: (error?: Error) => void;
}

export class BaresipCtrlClient {
  readonly #socket: Socket;
  readonly #decoder = new NetstringDecoder();
  readonly #pending = new Map<string, { resolve: (response: BaresipResponse) => void; reject: (error: Error) => void }>();
  readonly #handlers: BaresipCtrlHandlers;
  #nextToken = 1;
  #closed: Error | undefined;

  private constructor(socket: Socket, handlers: BaresipCtrlHandlers) {
    this.#socket = socket;
    this.#handlers = handlers;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => this.#close(new Error(`ctrl_tcp connection failed: ${error.message}`)));
    socket.on('close', () => this.#close(new Error('ctrl_tcp connection closed')));
  }

  /**
   * Connects to ctrl_tcp on 127.0.0.1:`port`, retrying while baresip starts up, until
   * `timeoutMs` or until `gaveUp()` says retrying is pointless (baresip exited).
   */
  static async connect(port: number, timeoutMs: number, handlers: BaresipCtrlHandlers, gaveUp: () => boolean): Promise<BaresipCtrlClient> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no attempt';
    while (Date.now() < deadline && !gaveUp()) {
      try {
        const socket = await openSocket(port, deadline - Date.now());
        return new BaresipCtrlClient(socket, handlers);
      } catch (error) {
        lastError = (error as Error).message;
        await delay(50);
      }
    }
    throw new Error(`cannot connect to ctrl_tcp on 127.0.0.1:${port} within ${timeoutMs} ms: ${lastError}`);
  }

  /** Sends one command and resolves with its response (whatever `ok` says). */
  command(command: string, params: string, timeoutMs: number): Promise<BaresipResponse> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    const token = String(this.#nextToken++);
    const answered = new Promise<BaresipResponse>((resolve, reject) => this.#pending.set(token, { resolve, reject }));
    this.#socket.write(encodeNetstring(JSON.stringify({ command, params, token })));
    return withDeadline(answered, timeoutMs, () => {
      this.#pending.delete(token);
      return new Error(`ctrl_tcp command "${command}${params === '' ? '' : ` ${params}`}" got no response within ${timeoutMs} ms`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    let payloads: string[];
    try {
      payloads = this.#decoder.push(chunk);
    } catch (error) {
      this.#socket.destroy();
      this.#close(error as Error);
      return;
    }
    for (const payload of payloads) this.#dispatch(payload);
  }

  #dispatch(payload: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      this.#close(new Error(`ctrl_tcp sent a frame that is not JSON: ${payload.slice(0, 200)}`));
      this.#socket.destroy();
      return;
    }
    if (message.event === true && typeof message.type === 'string') {
      this.#handlers.onEvent(message as BaresipEvent);
      return;
    }
    if (message.response === true) {
      const token = typeof message.token === 'string' ? message.token : undefined;
      const waiter = token === undefined ? undefined : this.#pending.get(token);
      if (token !== undefined && waiter !== undefined) {
        this.#pending.delete(token);
        waiter.resolve({ ok: message.ok === true, data: typeof message.data === 'string' ? message.data : '', token });
      }
    }
  }

  #close(error: Error): void {
    if (this.#closed !== undefined) return;
    this.#closed = error;
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
    this.#handlers.onClose(error);
  }
}

function openSocket(port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(
      () => {
        socket.destroy();
        reject(new Error('connect timed out'));
      },
      Math.max(1, timeoutMs),
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}
