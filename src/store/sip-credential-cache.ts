/**
 * Extension numbers, SIP secrets and display names held in memory for the SIP hot path, where every REGISTER
 * and INVITE needs them (a query each costs more than the digest itself under load). The cache
 * reloads when the table may have changed: the repository's generation moves when this process
 * writes (checked on every lookup), `PRAGMA data_version` when another connection commits — the
 * CLI in another process — checked at most every `crossProcessCheckMs` because under load the
 * pragma costs as much as the query it saves. A secret changed by the CLI is thus in force within
 * that interval. https://www.sqlite.org/pragma.html#pragma_data_version
 */
import type { Database } from './database.ts';
import type { ExtensionRepository } from './extension-repository.ts';

export interface SipCredentialCache {
  exists(number: string): boolean;
  sipSecretOf(number: string): string | undefined;
  /** The display name callees see (read on every call setup). */
  displayNameOf(number: string): string | undefined;
}

export interface SipCredentialCacheOptions {
  crossProcessCheckMs?: number;
  now?: () => number;
}

export function createSipCredentialCache(db: Database, extensions: ExtensionRepository, options: SipCredentialCacheOptions = {}): SipCredentialCache {
  const { crossProcessCheckMs = 1000, now = Date.now } = options;
  const dataVersionQuery = db.prepare('PRAGMA data_version');
  let extensionsByNumber = new Map<string, { sipSecret: string; displayName: string }>();
  let loaded: { dataVersion: number; generation: number } | undefined;
  let dataVersion = 0;
  let checkedAt = -Infinity;

  function current(): Map<string, { sipSecret: string; displayName: string }> {
    const time = now();
    if (time - checkedAt >= crossProcessCheckMs) {
      dataVersion = (dataVersionQuery.get() as { data_version: number }).data_version;
      checkedAt = time;
    }
    if (loaded?.dataVersion !== dataVersion || loaded.generation !== extensions.generation) {
      extensionsByNumber = new Map(extensions.list().map((extension) => [extension.number, { sipSecret: extension.sipSecret, displayName: extension.displayName }]));
      loaded = { dataVersion, generation: extensions.generation };
    }
    return extensionsByNumber;
  }

  return {
    exists: (number) => current().has(number),
    sipSecretOf: (number) => current().get(number)?.sipSecret,
    displayNameOf: (number) => current().get(number)?.displayName,
  };
}
