/**
 * Web-login sessions, kept by the SHA-256 of their token (the token itself is never stored:
 * whoever reads the database cannot log in with it). Removing an extension removes its sessions.
 */
import type { Database } from './database.ts';

export interface StoredSession {
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  extension: string;
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
}

export interface SessionRepository {
  create(session: StoredSession): void;
  /** The session when it exists and has not expired at `now`. */
  findValid(tokenHash: string, now: number): StoredSession | undefined;
  /**
   * Whether a session of `extension` whose token hash begins with `prefix` (lowercase hex) exists
   * and has not expired at `now`: a pane credential names its session by such a prefix. One index
   * search (the extension, then a range of hashes): cheap enough for every SIP digest answer.
   */
  hasLiveWithPrefix(prefix: string, extension: string, now: number): boolean;
  /** True when a session was removed. */
  remove(tokenHash: string): boolean;
  /** Sessions of one extension, e.g. after its password changed. */
  removeForExtension(extension: string): number;
  removeExpired(now: number): number;
}

const HEX = /^[0-9a-f]+$/;

interface SessionRow {
  token_hash: string;
  extension: string;
  created_at: number;
  expires_at: number;
}

export function createSessionRepository(db: Database): SessionRepository {
  const insert = db.prepare('INSERT INTO sessions (token_hash, extension, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const selectValid = db.prepare('SELECT token_hash, extension, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?');
  // Every hash beginning with a hex prefix sorts at or after it and before the prefix followed by
  // 'g', the character after 'f'.
  const selectLiveWithPrefix = db.prepare('SELECT 1 FROM sessions WHERE token_hash >= ? AND token_hash < ? AND extension = ? AND expires_at > ? LIMIT 1');
  const deleteOne = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  const deleteForExtension = db.prepare('DELETE FROM sessions WHERE extension = ?');
  const deleteExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    create(session) {
      insert.run(session.tokenHash, session.extension, session.createdAt, session.expiresAt);
    },
    findValid(tokenHash, now) {
      const row = selectValid.get(tokenHash, now) as SessionRow | undefined;
      return row && { tokenHash: row.token_hash, extension: row.extension, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    hasLiveWithPrefix(prefix, extension, now) {
      if (!HEX.test(prefix)) return false;
      return selectLiveWithPrefix.get(prefix, `${prefix}g`, extension, now) !== undefined;
    },
    remove(tokenHash) {
      return Number(deleteOne.run(tokenHash).changes) > 0;
    },
    removeForExtension(extension) {
      return Number(deleteForExtension.run(extension).changes);
    },
    removeExpired(now) {
      return Number(deleteExpired.run(now).changes);
    },
  };
}
