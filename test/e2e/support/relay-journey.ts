/**
 * What the pane's relayed journeys share: the pane stack (Callpane with its sandbox, Chromium
 * panes) with its media anchored in a real rtpengine the test runs itself (an external engine,
 * so the test can ask it `query` and `list` as an operator would), desk phones that are real
 * baresip agents registered as extensions over UDP (plain RTP/AVP, G.711, a 440 Hz sine as
 * their microphone), a scripted carrier's answers with SDP, and what a test reads behind the
 * pages: the pane's remote SDP and its inbound audio statistics, a phone's RTP statistics, and
 * rtpengine's own counters per party.
 */
import { callStatsFromQuery } from '../../../src/media/rtpengine-stats.ts';
import { getHeader, getHeaders } from '../../../src/sip/message/index.ts';
import type { SipRequest } from '../../../src/sip/message/types.ts';
import { BaresipAgent, type BaresipAccount } from '../../support/baresip.ts';
import { delay } from '../../support/deadline.ts';
import type { Agent } from '../../support/pane-browser.ts';
import { startPaneStack, type PaneStack } from '../../support/pane-stack.ts';
import { startRtpengine, type RunningRtpengine } from '../../support/rtpengine.ts';
import type { ScriptedUa } from '../../support/scripted-ua.ts';
import { itemAt } from '../../support/item-at.ts';

export const WAIT_MS = 10_000;

export interface RelayStack {
  stack: PaneStack;
  engine: RunningRtpengine;
  /** Whether an m= port is one of rtpengine's. */
  inEngineRange(port: number): boolean;
  close(): Promise<void>;
}

/** The pane stack with every call anchored in a fresh rtpengine; `file` adds trunks, routes… */
export async function startRelayStack(options: { file?: Record<string, unknown>; sipPort?: number } = {}): Promise<RelayStack> {
  const engine = await startRtpengine({ rtpPorts: 120 });
  let stack: PaneStack;
  try {
    const media = { relay: 'always', rtpengine: { engines: [`${engine.host}:${engine.ngPort}`] } };
    stack = await startPaneStack({ sipPort: options.sipPort, file: { ...options.file, media } });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return {
    stack,
    engine,
    inEngineRange: (port) => port >= engine.portMin && port <= engine.portMax,
    async close() {
      await stack.close();
      await engine.stop();
    },
  };
}

/** The SIP secret extension `number` has, adding it (a desk phone's extension) when missing. */
export function ensureExtension(stack: PaneStack, number: string, name: string): string {
  const extensions = stack.callpane.running.context.repositories.extensions;
  const existing = extensions.get(number);
  if (existing) return existing.sipSecret;
  const sipSecret = `desk-phone-secret-${number}`;
  extensions.add({ number, displayName: name, passwordHash: 'unused', sipSecret });
  return sipSecret;
}

/** A baresip desk phone registered as extension `number` over UDP. */
export async function startDeskPhone(stack: PaneStack, name: string, number: string, account: Partial<BaresipAccount> = {}): Promise<BaresipAgent> {
  const password = ensureExtension(stack, number, name);
  const phone = await BaresipAgent.start({
    name,
    sipTrace: true,
    account: { user: number, password, registrar: stack.callpane.registrar, transport: 'udp', regint: 600, answermode: 'manual', ...account },
  });
  try {
    await phone.waitForRegistered(WAIT_MS);
  } catch (error) {
    await phone.stop();
    throw error;
  }
  return phone;
}

/** The m=audio ports of the SDP bodies baresip received from `from` (host:port), per its SIP trace. */
export function audioPortsReceived(phone: BaresipAgent, from: string): number[] {
  const ports: number[] = [];
  let fromThere = false;
  for (const line of phone.recentLog(4000)) {
    const hop = /^(?:UDP|TCP|TLS) (\S+) -> (\S+)$/.exec(line);
    if (hop) fromThere = hop[1] === from;
    const media = /^m=audio (\d+) /.exec(line);
    if (media && fromThere) ports.push(Number(media[1]));
  }
  return ports;
}

/** Where a pane's remote SDP says to send audio: every m=audio port and ICE candidate address:port. */
export interface RemoteMedia {
  ports: number[];
  candidates: string[];
  /** c= addresses. */
  connections: string[];
}

/** The remote descriptions of the pane's peer connections (those still open). */
export async function paneRemoteMedia(agent: Agent): Promise<RemoteMedia> {
  const sdps = await agent.pane.evaluate(() =>
    ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed').map((pc) => pc.remoteDescription?.sdp ?? ''),
  );
  const media: RemoteMedia = { ports: [], candidates: [], connections: [] };
  for (const sdp of sdps) {
    for (const line of sdp.split(/\r?\n/)) {
      const port = /^m=audio (\d+) /.exec(line);
      if (port) media.ports.push(Number(port[1]));
      const candidate = /^a=candidate:\S+ \d+ \S+ \d+ (\S+) (\d+) typ/.exec(line);
      if (candidate) media.candidates.push(`${candidate[1]}:${candidate[2]}`);
      const connection = /^c=IN IP[46] (\S+)/.exec(line);
      if (connection) media.connections.push(itemAt(connection, 1));
    }
  }
  return media;
}

/** What the pane's open peer connections received as audio (getStats inbound-rtp). */
export interface InboundAudio {
  packets: number;
  bytes: number;
  /** The largest audioLevel (0–1) a connection reports now. */
  audioLevel: number;
  /** Summed totalAudioEnergy: grows only while what arrives is not silence. */
  totalAudioEnergy: number;
}

export function paneInboundAudio(agent: Agent): Promise<InboundAudio> {
  return agent.pane.evaluate(async () => {
    const totals = { packets: 0, bytes: 0, audioLevel: 0, totalAudioEnergy: 0 };
    for (const pc of (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report.type !== 'inbound-rtp' || report.kind !== 'audio') return;
        totals.packets += Number(report.packetsReceived ?? 0);
        totals.bytes += Number(report.bytesReceived ?? 0);
        totals.audioLevel = Math.max(totals.audioLevel, Number(report.audioLevel ?? 0));
        totals.totalAudioEnergy += Number(report.totalAudioEnergy ?? 0);
      });
    }
    return totals;
  });
}

/** Packets rtpengine received from each party (by SIP tag) of a call, from its own ng `query`. */
export async function packetsByParty(engine: RunningRtpengine, callId: string): Promise<Map<string, number>> {
  const stats = callStatsFromQuery(await engine.ng.request('query', { 'call-id': callId }));
  return new Map(stats.legs.map((leg) => [leg.tag, leg.packets]));
}

/** The one call rtpengine holds now (waiting a little for it). */
export async function theOnlyCall(engine: RunningRtpengine): Promise<string> {
  const calls = await eventually(
    () => engine.listCalls(),
    (list) => list.length === 1,
    3000,
  );
  const [call] = calls;
  if (call === undefined || calls.length !== 1) throw new Error(`rtpengine holds ${calls.length} calls, expected one: ${calls.join(', ')}`);
  return call;
}

/** Calls rtpengine still lists, after giving a just-ended call's deletes a moment. */
export async function sessionsLeft(engine: RunningRtpengine, ms = 3000): Promise<string[]> {
  return eventually(
    () => engine.listCalls(),
    (list) => list.length === 0,
    ms,
  );
}

/** Polls `read` until `accept` holds, at most `ms`; the last value either way. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await delay(150);
  }
}

/** What a baresip phone's current call received (its `audio_debug`): RTP packets, and from where. */
export async function phoneReceived(phone: BaresipAgent): Promise<{ packets: number; sources: number[] }> {
  const report = await phone.commandOk('audio_debug');
  let packets = 0;
  const sources: number[] = [];
  // "IP=127.0.0.1:33274 psent=0 rcvd=61": RTP packets received from that member (RFC 3550 §6.2.1).
  for (const [, port, received] of report.matchAll(/IP=[\d.]+:(\d+) psent=\d+ rcvd=(\d+)/g)) {
    sources.push(Number(port));
    packets += Number(received);
  }
  return { packets, sources };
}

/** A carrier's answer with an SDP body, copying what RFC 3261 §8.2.6.2 says a response copies. */
export function respondWithSdp(ua: ScriptedUa, request: SipRequest, status: string, sdp: string): void {
  ua.send(
    [
      `SIP/2.0 ${status}`,
      ...getHeaders(request, 'Via').map((via) => `Via: ${via}`),
      ...getHeaders(request, 'Record-Route').map((route) => `Record-Route: ${route}`),
      `From: ${getHeader(request, 'From')}`,
      `To: ${getHeader(request, 'To')};tag=carrier`,
      `Call-ID: ${getHeader(request, 'Call-ID')}`,
      `CSeq: ${getHeader(request, 'CSeq')}`,
      `Contact: <sip:carrier@${ua.address}>`,
      'Content-Type: application/sdp',
    ],
    sdp,
  );
}
