/**
 * Per-user settings documents (the pane's Dynamics integration settings), one JSON document per
 * extension. The store only keeps and returns the document: what a valid document is, and what
 * a missing or outdated value defaults to, is decided by the API (src/server/api/user-settings.ts).
 * Removing an extension removes its settings.
 */
import type { Database } from './database.ts';

export interface StoredSettings {
  /** The document as it was saved (parsed JSON). */
  value: unknown;
  /** Epoch milliseconds of the last save. */
  updatedAt: number;
}

export interface SettingsRepository {
  /** Undefined when the extension never saved settings. */
  get(extension: string): StoredSettings | undefined;
  /** Replaces the extension's whole document. */
  put(extension: string, value: unknown, updatedAt: number): void;
}

interface SettingsRow {
  settings: string;
  updated_at: number;
}

export function createSettingsRepository(db: Database): SettingsRepository {
  const selectOne = db.prepare('SELECT settings, updated_at FROM user_settings WHERE extension = ?');
  const upsert = db.prepare(
    `INSERT INTO user_settings (extension, settings, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (extension) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
  );

  return {
    get(extension) {
      const row = selectOne.get(extension) as SettingsRow | undefined;
      return row && { value: JSON.parse(row.settings) as unknown, updatedAt: row.updated_at };
    },
    put(extension, value, updatedAt) {
      upsert.run(extension, JSON.stringify(value), updatedAt);
    },
  };
}
