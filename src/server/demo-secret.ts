/**
 * A secret the demo generates once and keeps in the data directory (0600): the demo carrier's
 * trunk password, the demo's Dynamics client secret. Kept as a small JSON object naming what it
 * belongs to, so an administrator looking into `data/` knows what the file is. Never logged.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret } from '../security/password-hash.ts';

/**
 * The secret in `{dataDir}/{file}` under `field`, generated (and written with `about`) the first
 * time, or again when the file is unreadable or holds no such secret.
 */
export function keptDemoSecret(dataDir: string, file: string, field: string, about: Record<string, string>): string {
  const path = join(dataDir, file);
  const kept = readKept(path, field);
  if (kept !== undefined) return kept;
  const secret = generateSecret(18);
  writeFileSync(path, `${JSON.stringify({ ...about, [field]: secret }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

function readKept(path: string, field: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const secret = (parsed as Record<string, unknown> | null)?.[field];
  return typeof secret === 'string' && secret.length > 0 ? secret : undefined;
}
