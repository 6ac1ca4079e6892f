/**
 * Extension numbers and SIP secrets held in memory for the SIP hot path, where every REGISTER
 * and INVITE needs them (a query each costs more than the digest itself under load). The cache
 * reloads when the table may have changed: `PRAGMA data_version` moves when another connection
 * commits (the CLI in another process), and the repository's generation when this one writes.
 * https://www.sqlite.org/pragma.html#pragma_data_version
 */
import type { Database } from './database.ts';
import type { ExtensionRepository } from './extension-repository.ts';

export interface SipCredentialCache {
  exists(number: string): boolean;
  sipSecretOf(number: string): string | undefined;
}

export function createSipCredentialCache(db: Database, extensions: ExtensionRepository): SipCredentialCache {
  const dataVersion = db.prepare('PRAGMA data_version');
  let secrets = new Map<string, string>();
  let loadedAt: { dataVersion: number; generation: number } | undefined;

  function current(): Map<string, string> {
    const seen = { dataVersion: (dataVersion.get() as { data_version: number }).data_version, generation: extensions.generation };
    if (loadedAt?.dataVersion !== seen.dataVersion || loadedAt.generation !== seen.generation) {
      secrets = new Map(extensions.list().map((extension) => [extension.number, extension.sipSecret]));
      loadedAt = seen;
    }
    return secrets;
  }

  return {
    exists: (number) => current().has(number),
    sipSecretOf: (number) => current().get(number),
  };
}
