/** Small facts about the installation, as text by key (e.g. whether the demo was seeded). */
import type { Database } from './database.ts';

export interface MetaRepository {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export function createMetaRepository(db: Database): MetaRepository {
  const select = db.prepare('SELECT value FROM meta WHERE key = ?');
  const upsert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  return {
    get: (key) => (select.get(key) as { value: string } | undefined)?.value,
    set: (key, value) => {
      upsert.run(key, value);
    },
  };
}
