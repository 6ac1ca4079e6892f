/** What `callpane start` prints once everything listens: where to go and how to log in. */
import type { DemoCredentialView } from './demo-extensions.ts';

export interface BannerInput {
  /** Where this machine reaches the server. */
  httpUrl: string;
  /** Where everyone else does (http.publicUrl), when configured. */
  publicUrl: string | undefined;
  sipUris: readonly string[];
  demo: readonly DemoCredentialView[];
  dataDir: string;
  /** The local Dynamics 365 sandbox, when it runs. */
  sandbox?: { url: string; channelUrl: string };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
}

export function formatBanner({ httpUrl, publicUrl, sipUris, demo, dataDir, sandbox }: BannerInput): string {
  const lines = ['', 'Callpane is running.', ''];
  lines.push(`  Web        ${publicUrl ?? httpUrl}`);
  if (publicUrl && publicUrl !== httpUrl) lines.push(`             (locally ${httpUrl})`);
  const [first, ...rest] = sipUris;
  lines.push(`  SIP        ${first ?? '(no SIP transport started)'}`);
  for (const uri of rest) lines.push(`             ${uri}`);
  if (sandbox) lines.push(`  Sandbox    ${sandbox.url}/  (Local Dynamics 365 sandbox)`, `             Channel URL ${sandbox.channelUrl}`);
  lines.push(`  Health     ${httpUrl}/healthz`, `  Metrics    ${httpUrl}/metrics`, `  Data       ${dataDir}`, '');
  if (demo.length > 0) {
    lines.push('Demo extensions (web login: number or e-mail + web password; SIP: number + SIP secret):');
    const rows = demo.map((d) => [d.number, d.displayName, d.email ?? '-', d.password, d.sipSecret ?? '(changed)']);
    for (const line of table([['number', 'name', 'e-mail', 'web password', 'SIP secret'], ...rows])) lines.push(`  ${line}`);
    lines.push('');
  }
  lines.push('Add an extension:  npm exec -- callpane ext add <number> --name "<name>"', 'Stop:              Ctrl+C', '');
  return lines.join('\n');
}
