/**
 * The called side of the call load: one UDP socket on loopback for many callee users, which
 * register first (with the digest round trip) and then answer every call at once — 180 Ringing
 * and 200 OK with a minimal SDP answer, copying Via and Record-Route as a UAS must (RFC 3261
 * §8.2.6.2, §12.1.1) — take the ACK, and answer the BYE 200 (§15.1.2).
 *
 * Nothing here retransmits: a lost message shows up as a caller timeout or a missing ACK. What
 * the proxy retransmits to us (an INVITE or BYE whose answer came late) is answered again with
 * the same response and counted, since on loopback it means the server fell behind.
 */
import { randomBytes } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { answerChallenge, parseDigestChallenge } from '../src/sip/auth/index.ts';
import { findBranch, headerLines, headerValue } from './sip-text.ts';

export interface LoadUser {
  user: string;
  password: string;
}

export interface CalleeStats {
  /** New INVITEs, each answered 180 then 200. */
  invites: number;
  acks: number;
  byes: number;
  /** INVITEs and BYEs that arrived again after we had answered them. */
  retransmittedRequests: number;
  /** Calls whose BYE arrived but whose ACK never did (a lost ACK). */
  missingAcks: number;
  /** Calls answered 200 that never got a BYE. */
  openDialogs: number;
  /** Requests no call explains (answered 481), and methods we do not handle. */
  unexpected: number;
}

export interface CalleeRegistration {
  registered: number;
  failures: string[];
}

interface Dialog {
  /** Our 200, sent again should the INVITE come again. */
  ok: string;
  acked: boolean;
  byeAnswered: boolean;
}

interface RegistrationRun {
  expires: number;
  waiting: LoadUser[];
  result: CalleeRegistration;
  /** Resolves the registration once nothing waits or is in flight. */
  settle(): void;
}

interface RegisterFlight {
  user: LoadUser;
  callId: string;
  cseq: number;
  sentAt: number;
  challenged: boolean;
}

/** An answered BYE is kept this long to answer its retransmissions (64·T1, §17.1.2.2). */
const ENDED_KEPT_MS = 32_000;
const SDP_ANSWER = ['v=0', 'o=- 2 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40002 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
/** Headers a UAS copies from the request into its responses (§8.2.6.2); Record-Route only for INVITE (§12.1.1). */
const COPIED = new Set(['via', 'v', 'from', 'f', 'call-id', 'i', 'cseq']);

/** The SDP body of the 200 for a call, given its Call-ID and the offer as the callee received it. */
export type AnswerSdp = (callId: string, offer: string) => string;

export class CalleeAgent {
  readonly #socket: Socket;
  readonly #port: number;
  readonly #target: { host: string; port: number };
  readonly #users: readonly LoadUser[];
  readonly #branchPrefix = `z9hG4bK${randomBytes(6).toString('hex')}.r`;
  readonly #tagPrefix = randomBytes(4).toString('hex');
  readonly #dialogs = new Map<string, Dialog>();
  /** Answered BYEs by Call-ID, oldest first. */
  readonly #ended = new Map<string, { response: string; at: number }>();
  readonly #registering = new Map<string, RegisterFlight>();
  readonly #sweep: NodeJS.Timeout;
  #nextId = 0;
  #stats = emptyStats();
  #registration: RegistrationRun | undefined;
  readonly #answer: AnswerSdp;

  /** `answer` left out: every call gets the same minimal SDP answer. */
  constructor(socket: Socket, target: { host: string; port: number }, users: readonly LoadUser[], answer: AnswerSdp = () => SDP_ANSWER) {
    this.#answer = answer;
    this.#socket = socket;
    this.#port = socket.address().port;
    this.#target = target;
    this.#users = users;
    socket.on('message', (message, remote) => this.#receive(message.toString('latin1'), remote));
    this.#sweep = setInterval(() => this.#forgetEnded(), 1000);
  }

  /** Registers every user from this socket (REGISTER, 401, REGISTER with credentials, 200). */
  register(options: { concurrency: number; expires: number; timeoutMs: number }): Promise<CalleeRegistration> {
    return new Promise((resolve) => {
      const result: CalleeRegistration = { registered: 0, failures: [] };
      const expire = setInterval(() => {
        const now = performance.now();
        for (const [branch, flight] of this.#registering) {
          if (now - flight.sentAt < options.timeoutMs) break;
          this.#registering.delete(branch);
          this.#registered(false, `${flight.user.user}: no answer to REGISTER within ${options.timeoutMs} ms`);
        }
      }, 50);
      const run: RegistrationRun = {
        expires: options.expires,
        waiting: [...this.#users],
        result,
        settle: () => {
          if (run.waiting.length > 0 || this.#registering.size > 0) return;
          clearInterval(expire);
          this.#registration = undefined;
          resolve(result);
        },
      };
      this.#registration = run;
      for (let i = 0; i < options.concurrency; i++) this.#registerNext();
      run.settle();
    });
  }

  resetStats(): void {
    this.#stats = emptyStats();
    this.#dialogs.clear();
  }

  stats(): CalleeStats {
    let missingAcks = 0;
    let openDialogs = 0;
    for (const dialog of this.#dialogs.values()) {
      if (dialog.byeAnswered && !dialog.acked) missingAcks++;
      if (!dialog.byeAnswered) openDialogs++;
    }
    return { ...this.#stats, missingAcks, openDialogs };
  }

  close(): void {
    clearInterval(this.#sweep);
  }

  #registerNext(): void {
    const user = this.#registration?.waiting.shift();
    if (user !== undefined) this.#sendRegister({ user, callId: `${this.#tagPrefix}-reg-${user.user}`, cseq: 0, sentAt: 0, challenged: false });
  }

  #registered(ok: boolean, failure: string): void {
    const run = this.#registration;
    if (run === undefined) return;
    if (ok) run.result.registered++;
    else run.result.failures.push(failure);
    this.#registerNext();
    run.settle();
  }

  #sendRegister(flight: RegisterFlight, authorization = ''): void {
    const branch = this.#branchPrefix + (this.#nextId++).toString(36);
    const domain = `${this.#target.host}:${this.#target.port}`;
    const aor = `sip:${flight.user.user}@${domain}`;
    flight.cseq++;
    flight.sentAt = performance.now();
    this.#registering.set(branch, flight);
    this.#socket.send(
      `REGISTER sip:${domain} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 127.0.0.1:${this.#port};branch=${branch};rport\r\n` +
        'Max-Forwards: 70\r\n' +
        `From: <${aor}>;tag=${this.#tagPrefix}r${flight.user.user}\r\n` +
        `To: <${aor}>\r\n` +
        `Call-ID: ${flight.callId}\r\n` +
        `CSeq: ${flight.cseq} REGISTER\r\n` +
        `Contact: <sip:${flight.user.user}@127.0.0.1:${this.#port}>\r\n` +
        `Expires: ${this.#registration?.expires ?? 3600}\r\n` +
        authorization +
        'Content-Length: 0\r\n\r\n',
      this.#target.port,
      this.#target.host,
    );
  }

  #receive(text: string, remote: RemoteInfo): void {
    if (text.startsWith('SIP/2.0 ')) {
      this.#registerResponse(text);
      return;
    }
    const method = text.slice(0, text.indexOf(' '));
    const lines = headerLines(text);
    const callId = headerValue(lines, 'Call-ID') ?? '';
    switch (method) {
      case 'INVITE':
        this.#invite(lines, callId, remote, text.slice(text.indexOf('\r\n\r\n') + 4));
        return;
      case 'ACK': {
        const dialog = this.#dialogs.get(callId);
        if (dialog === undefined) {
          this.#stats.unexpected++;
          return;
        }
        this.#stats.acks++;
        dialog.acked = true;
        if (dialog.byeAnswered) this.#dialogs.delete(callId);
        return;
      }
      case 'BYE':
        this.#bye(lines, callId, remote);
        return;
      default:
        this.#stats.unexpected++;
        this.#reply(response(lines, 481, 'Call/Transaction Does Not Exist'), remote);
    }
  }

  #invite(lines: readonly string[], callId: string, remote: RemoteInfo, offer: string): void {
    const known = this.#dialogs.get(callId);
    if (known !== undefined) {
      this.#stats.retransmittedRequests++;
      this.#reply(known.ok, remote);
      return;
    }
    const to = headerValue(lines, 'To') ?? '';
    const toUser = /sip:([^@;>]+)@/.exec(to)?.[1] ?? 'callee';
    const tagged = `${to};tag=${this.#tagPrefix}${(this.#nextId++).toString(36)}`;
    const contact = `Contact: <sip:${toUser}@127.0.0.1:${this.#port}>\r\n`;
    const ringing = response(lines, 180, 'Ringing', { to: tagged, extra: contact, recordRoute: true });
    const ok = response(lines, 200, 'OK', { to: tagged, extra: `${contact}Content-Type: application/sdp\r\n`, recordRoute: true, body: this.#answer(callId, offer) });
    this.#dialogs.set(callId, { ok, acked: false, byeAnswered: false });
    this.#stats.invites++;
    this.#reply(ringing, remote);
    this.#reply(ok, remote);
  }

  #bye(lines: readonly string[], callId: string, remote: RemoteInfo): void {
    const ended = this.#ended.get(callId);
    if (ended !== undefined) {
      this.#stats.retransmittedRequests++;
      this.#reply(ended.response, remote);
      return;
    }
    const dialog = this.#dialogs.get(callId);
    if (dialog === undefined) {
      this.#stats.unexpected++;
      this.#reply(response(lines, 481, 'Call/Transaction Does Not Exist'), remote);
      return;
    }
    this.#stats.byes++;
    const ok = response(lines, 200, 'OK');
    this.#ended.set(callId, { response: ok, at: performance.now() });
    dialog.byeAnswered = true;
    // An ACK that has not come yet may still be on its way; stats() counts it missing if it never does.
    if (dialog.acked) this.#dialogs.delete(callId);
    this.#reply(ok, remote);
  }

  #registerResponse(text: string): void {
    const branch = findBranch(text, this.#branchPrefix);
    const flight = branch === undefined ? undefined : this.#registering.get(branch);
    const status = Number(text.slice(8, 11));
    if (branch === undefined || flight === undefined || status < 200) return;
    this.#registering.delete(branch);
    if (status === 200) {
      this.#registered(true, '');
      return;
    }
    const challenge = headerValue(headerLines(text), status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
    if ((status === 401 || status === 407) && !flight.challenged && challenge !== undefined) {
      const credentials = answerChallenge(parseDigestChallenge(challenge), {
        username: flight.user.user,
        password: flight.user.password,
        method: 'REGISTER',
        uri: `sip:${this.#target.host}:${this.#target.port}`,
      });
      flight.challenged = true;
      this.#sendRegister(flight, `${status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${credentials}\r\n`);
      return;
    }
    this.#registered(false, `${flight.user.user}: REGISTER answered ${text.slice(0, text.indexOf('\r\n'))}`);
  }

  #reply(text: string, remote: RemoteInfo): void {
    // §18.2.2: over UDP with rport the response goes back to where the request came from.
    this.#socket.send(text, remote.port, remote.address);
  }

  #forgetEnded(): void {
    const oldest = performance.now() - ENDED_KEPT_MS;
    for (const [callId, ended] of this.#ended) {
      if (ended.at > oldest) break;
      this.#ended.delete(callId);
    }
  }
}

function emptyStats(): Omit<CalleeStats, 'missingAcks' | 'openDialogs'> {
  return { invites: 0, acks: 0, byes: 0, retransmittedRequests: 0, unexpected: 0 };
}

interface ResponseParts {
  /** Replaces the request's To (ours carries our tag). */
  to?: string;
  /** Header lines added after the copied ones. */
  extra?: string;
  /** Copy Record-Route (responses to a dialog-creating request). */
  recordRoute?: boolean;
  body?: string;
}

/** A response to the request whose header lines are `lines`. */
function response(lines: readonly string[], status: number, reason: string, { to, extra = '', recordRoute = false, body = '' }: ResponseParts = {}): string {
  let text = `SIP/2.0 ${status} ${reason}\r\n`;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const field = line.slice(0, colon).trim().toLowerCase();
    if (COPIED.has(field) || (recordRoute && field === 'record-route')) text += `${line}\r\n`;
    else if (field === 'to' || field === 't') text += to === undefined ? `${line}\r\n` : `To: ${to}\r\n`;
  }
  return `${text}${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
}
