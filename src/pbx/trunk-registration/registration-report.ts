/**
 * The registration status of every trunk, as the running server leaves it for `callpane trunks
 * status`: one row of the database's meta table, rewritten at each change.
 *
 * Why the database rather than an HTTP endpoint: the CLI already reads the data directory for
 * every other command, and whoever can read it is already the administrator; an endpoint would
 * be a new listener to protect with a credential of its own. The row says which process wrote
 * it, so the CLI can tell a live status from one left by a server that is no longer running.
 */
import type { MetaRepository } from '../../store/meta-repository.ts';
import type { RegistrationStatus } from './trunk-registration.ts';

export const REGISTRATION_REPORT_KEY = 'trunk_registrations';

export interface RegistrationReport {
  /** The server process that wrote it. */
  pid: number;
  /** Epoch milliseconds. */
  writtenAt: number;
  trunks: RegistrationStatus[];
}

export function writeRegistrationReport(meta: MetaRepository, report: RegistrationReport): void {
  meta.set(REGISTRATION_REPORT_KEY, JSON.stringify(report));
}

export function readRegistrationReport(meta: MetaRepository): RegistrationReport | undefined {
  const text = meta.get(REGISTRATION_REPORT_KEY);
  if (text === undefined) return undefined;
  const report = JSON.parse(text) as RegistrationReport;
  return Array.isArray(report.trunks) ? report : undefined;
}

/** The report as the CLI prints it: one line per trunk, times relative to `now`. */
export function formatRegistrationReport(report: RegistrationReport | undefined, now: number, serverRunning: boolean): string {
  if (report === undefined || report.trunks.length === 0) return 'No trunk registers (no trunk has a register block), or Callpane has not run with one yet.';
  const lines = [
    serverRunning
      ? `Trunk registrations (Callpane running, pid ${report.pid}):`
      : `Trunk registrations as Callpane (pid ${report.pid}) left them ${ago(now - report.writtenAt)}: it is not running now.`,
  ];
  for (const status of report.trunks) {
    const parts = [`  ${status.trunk}: ${status.state} ${ago(now - status.since)}`];
    if (status.reason !== undefined) parts.push(`reason: ${status.reason}`);
    if (status.failures > 0) parts.push(`${status.failures} failed attempt${status.failures === 1 ? '' : 's'} in a row`);
    if (status.expiresAt !== undefined) parts.push(`binding expires ${when(status.expiresAt - now)}`);
    if (status.nextAttemptAt !== undefined && serverRunning) parts.push(`next REGISTER ${when(status.nextAttemptAt - now)}`);
    parts.push(`asks ${status.expires} s`);
    lines.push(parts.join('; '));
  }
  return lines.join('\n');
}

function ago(ms: number): string {
  return `${duration(Math.max(0, ms))} ago`;
}

function when(ms: number): string {
  return ms >= 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`;
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
