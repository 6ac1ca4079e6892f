/**
 * What `callpane start` prints once everything listens: where to go and how to log in. The demo
 * extensions' generated secrets are shown only when asked (`callpane start` asks when its output
 * is a terminal): a service manager writes the banner to its log, where no secret belongs, and
 * gets the file that holds them named instead.
 */
import { join } from 'node:path';
import { INSTALL_HINT, UNAVAILABLE_MEANING, type MediaStatus } from '../media/media-service.ts';
import { DEMO_CREDENTIALS_FILE, type DemoCredentialView } from './demo-extensions.ts';

export interface BannerInput {
  /** Where this machine reaches the server. */
  httpUrl: string;
  /** Where everyone else does (http.publicUrl), when configured. */
  publicUrl: string | undefined;
  sipUris: readonly string[];
  demo: readonly DemoCredentialView[];
  /** Print the demo extensions' web passwords and SIP secrets; otherwise only where they are kept. */
  showSecrets?: boolean;
  /** With the demo off: the warning about demo extensions still on their generated credentials (never their secrets). */
  demoWarning?: string;
  dataDir: string;
  /** The local Dynamics 365 sandbox, when it runs. */
  sandbox?: { url: string; channelUrl: string };
  /** The media relay as it stands once everything listens. */
  media?: MediaStatus;
}

/** Where call media goes: the engine, its ports and public address, or plainly why nowhere. */
function mediaLines(media: MediaStatus): string[] {
  const more = (text: string) => `             ${text}`;
  switch (media.mode) {
    case 'managed': {
      const engine = media.managed;
      if (engine === undefined) throw new Error('the media relay is managed but its status names no engine');
      const advertised = engine.publicAddress ? `, advertised as ${engine.publicAddress}` : '';
      const first = `  Media      rtpengine (run by Callpane), RTP ${engine.address} ports ${engine.portMin}–${engine.portMax}${advertised}`;
      return media.ready ? [first] : [first, more(`not running yet (${engine.state}): ${media.reason ?? 'starting'}`)];
    }
    case 'external':
      return media.engines.map(
        (engine, index) =>
          `${index === 0 ? '  Media      rtpengine at ' : more('rtpengine at ')}${engine.engine}${engine.up ? '' : ` — not answering: ${engine.reason ?? 'down'}`}`,
      );
    case 'disabled':
      return [`  Media      end to end (media.relay is never): ${UNAVAILABLE_MEANING}`];
    case 'unavailable':
      return [`  Media      relay unavailable — ${UNAVAILABLE_MEANING}`, more(INSTALL_HINT), more(`(${media.reason ?? 'no rtpengine'})`)];
  }
}

function table(rows: readonly (readonly string[])[]): string[] {
  const [header = []] = rows;
  const widths = header.map((_, column) => Math.max(...rows.map((row) => columnsOf(row[column] ?? ''))));
  return rows.map((row) =>
    row
      .map((cell, column) => cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - columnsOf(cell))))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * CJK ideographs, kana, Hangul and full-width forms (Unicode's East Asian Wide and Fullwidth,
 * UAX #11), which a terminal draws two columns wide.
 */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** How many terminal columns the text takes, so that a name such as 李娜 keeps the table aligned. */
function columnsOf(text: string): number {
  let columns = 0;
  for (const char of text) columns += WIDE.test(char) ? 2 : 1;
  return columns;
}

export function formatBanner({ httpUrl, publicUrl, sipUris, demo, showSecrets = false, demoWarning, dataDir, sandbox, media }: BannerInput): string {
  const lines = ['', 'Callpane is running.', ''];
  lines.push(`  Web        ${publicUrl ?? httpUrl}`);
  if (publicUrl && publicUrl !== httpUrl) lines.push(`             (locally ${httpUrl})`);
  const [first, ...rest] = sipUris;
  lines.push(`  SIP        ${first ?? '(no SIP transport started)'}`);
  for (const uri of rest) lines.push(`             ${uri}`);
  if (media) lines.push(...mediaLines(media));
  if (sandbox) lines.push(`  Sandbox    ${sandbox.url}/  (Local Dynamics 365 sandbox)`, `             Channel URL ${sandbox.channelUrl}`);
  lines.push(`  Health     ${httpUrl}/healthz`, `  Metrics    ${httpUrl}/metrics`, `  Data       ${dataDir}`, '');
  if (demo.length > 0) {
    lines.push('Demo extensions (web login: number or e-mail + web password; SIP: number + SIP secret):');
    if (showSecrets) {
      const rows = demo.map((d) => [d.number, d.displayName, d.email ?? '-', d.password, d.sipSecret ?? '(changed)']);
      for (const line of table([['number', 'name', 'e-mail', 'web password', 'SIP secret'], ...rows])) lines.push(`  ${line}`);
    } else {
      const rows = demo.map((d) => [d.number, d.displayName, d.email ?? '-']);
      for (const line of table([['number', 'name', 'e-mail'], ...rows])) lines.push(`  ${line}`);
      lines.push(
        `  Their web passwords and SIP secrets are in ${join(dataDir, DEMO_CREDENTIALS_FILE)} (readable by its owner only);`,
        '  they are shown here only when the output is a terminal.',
      );
    }
    lines.push('');
  }
  if (demoWarning) lines.push(`Warning: ${demoWarning}`, '');
  lines.push('Add an extension:  npm exec -- callpane ext add <number> --name "<name>"', 'Stop:              Ctrl+C', '');
  return lines.join('\n');
}
