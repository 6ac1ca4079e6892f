/**
 * Extensions: the numbers agents and phones register as. Each has a web-login password (stored
 * only as a hash) and a SIP secret (stored as is: digest authentication, RFC 7616 §3.4.2, needs
 * it to compute the expected response for any algorithm). E-mail addresses are unique without
 * regard to case, so that either spelling logs in to the same extension.
 */
import { isExtensionNumber } from '../crm/numbers/extension-number.ts';
import type { Database } from './database.ts';
import { ExtensionError } from './extension-error.ts';
import { ExtensionErrorCode } from './store-errors.ts';

export interface Extension {
  /** 2–10 digits. */
  number: string;
  displayName: string;
  email: string | null;
  /** `scrypt$…`, see src/security/password-hash.ts; NO_PASSWORD_HASH for single sign-on only. */
  passwordHash: string;
  sipSecret: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

export interface NewExtension {
  number: string;
  displayName: string;
  email?: string | null;
  passwordHash: string;
  sipSecret: string;
}

export interface ExtensionRepository {
  /** Validates and inserts; throws ExtensionError (EXTENSION_INVALID_*, EXTENSION_EXISTS, EXTENSION_EMAIL_TAKEN). */
  add(extension: NewExtension): Extension;
  get(number: string): Extension | undefined;
  exists(number: string): boolean;
  getByEmail(email: string): Extension | undefined;
  /** In numeric order. */
  list(): Extension[];
  setPasswordHash(number: string, passwordHash: string): void;
  setSipSecret(number: string, sipSecret: string): void;
  /** Sets or clears (null) the e-mail address sign-in with an identity provider maps to; throws EXTENSION_INVALID_EMAIL, EXTENSION_EMAIL_TAKEN. */
  setEmail(number: string, email: string | null): void;
  /** Also removes the extension's registrations. */
  remove(number: string): void;
  /** Goes up with every write through this repository: a cache's cue to reload. */
  readonly generation: number;
}

/**
 * The password hash of an extension that signs in with single sign-on only: no password matches it
 * (it is not `scrypt$…`, so verifyPassword refuses it), and `ext passwd` can give it one later.
 */
export const NO_PASSWORD_HASH = '!';

export function hasPassword(extension: Extension): boolean {
  return extension.passwordHash !== NO_PASSWORD_HASH;
}

const MAX_NAME_LENGTH = 64;
// A practical subset of RFC 5321 addresses: no spaces or quoting, a dotted host name.
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const MAX_EMAIL_LENGTH = 254;

export function validateExtensionNumber(number: string): string {
  if (!isExtensionNumber(number)) throw new ExtensionError(ExtensionErrorCode.INVALID_NUMBER, `extension number ${JSON.stringify(number)} must be 2 to 10 digits`);
  return number;
}

export function validateName(name: string): string {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  // No control characters: names end up in SIP display names and on terminals.
  if (length < 1 || length > MAX_NAME_LENGTH || /\p{Cc}/u.test(trimmed)) {
    throw new ExtensionError(ExtensionErrorCode.INVALID_NAME, `display name must be 1 to ${MAX_NAME_LENGTH} printable characters`);
  }
  return trimmed;
}

export function validateEmail(email: string | null | undefined): string | null {
  if (email === undefined || email === null) return null;
  const trimmed = email.trim();
  if (trimmed.length > MAX_EMAIL_LENGTH || !EMAIL.test(trimmed)) {
    throw new ExtensionError(ExtensionErrorCode.INVALID_EMAIL, `${JSON.stringify(email)} is not a valid e-mail address`);
  }
  return trimmed;
}

interface ExtensionRow {
  number: string;
  display_name: string;
  email: string | null;
  password_hash: string;
  sip_secret: string;
  created_at: number;
  updated_at: number;
}

function fromRow(row: ExtensionRow): Extension {
  return {
    number: row.number,
    displayName: row.display_name,
    email: row.email,
    passwordHash: row.password_hash,
    sipSecret: row.sip_secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** node:sqlite's extended result codes for the two unique constraints of the table. */
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

/** The unique e-mail constraint as our error; anything else as it is. */
function emailTakenOr(error: unknown, email: string | null): unknown {
  if ((error as { errcode?: number }).errcode !== SQLITE_CONSTRAINT_UNIQUE) return error;
  return new ExtensionError(ExtensionErrorCode.EMAIL_TAKEN, `e-mail address ${email} belongs to another extension`);
}

export function createExtensionRepository(db: Database, now: () => number = Date.now): ExtensionRepository {
  const columns = 'number, display_name, email, password_hash, sip_secret, created_at, updated_at';
  const insert = db.prepare(`INSERT INTO extensions (${columns}) VALUES (:number, :displayName, :email, :passwordHash, :sipSecret, :now, :now)`);
  const selectOne = db.prepare(`SELECT ${columns} FROM extensions WHERE number = ?`);
  const selectByEmail = db.prepare(`SELECT ${columns} FROM extensions WHERE email = ?`);
  const selectAll = db.prepare(`SELECT ${columns} FROM extensions ORDER BY length(number), number`);
  const updatePassword = db.prepare('UPDATE extensions SET password_hash = ?, updated_at = ? WHERE number = ?');
  const updateSecret = db.prepare('UPDATE extensions SET sip_secret = ?, updated_at = ? WHERE number = ?');
  const updateEmail = db.prepare('UPDATE extensions SET email = ?, updated_at = ? WHERE number = ?');
  const deleteOne = db.prepare('DELETE FROM extensions WHERE number = ?');

  function notFound(number: string): ExtensionError {
    return new ExtensionError(ExtensionErrorCode.EXTENSION_NOT_FOUND, `extension ${number} does not exist`);
  }

  let generation = 0;
  function requireChanged(changes: number | bigint, number: string): void {
    if (Number(changes) === 0) throw notFound(number);
    generation++;
  }

  return {
    add(extension) {
      const row = {
        number: validateExtensionNumber(extension.number),
        displayName: validateName(extension.displayName),
        email: validateEmail(extension.email),
        passwordHash: extension.passwordHash,
        sipSecret: extension.sipSecret,
        now: now(),
      };
      try {
        insert.run(row);
        generation++;
      } catch (error) {
        if ((error as { errcode?: number }).errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
          throw new ExtensionError(ExtensionErrorCode.EXTENSION_EXISTS, `extension ${row.number} already exists`);
        }
        throw emailTakenOr(error, row.email);
      }
      return {
        number: row.number,
        displayName: row.displayName,
        email: row.email,
        passwordHash: row.passwordHash,
        sipSecret: row.sipSecret,
        createdAt: row.now,
        updatedAt: row.now,
      };
    },
    get(number) {
      const row = selectOne.get(number) as ExtensionRow | undefined;
      return row && fromRow(row);
    },
    exists(number) {
      return selectOne.get(number) !== undefined;
    },
    getByEmail(email) {
      const row = selectByEmail.get(email.trim()) as ExtensionRow | undefined;
      return row && fromRow(row);
    },
    list() {
      return (selectAll.all() as unknown as ExtensionRow[]).map(fromRow);
    },
    setPasswordHash(number, passwordHash) {
      requireChanged(updatePassword.run(passwordHash, now(), number).changes, number);
    },
    setSipSecret(number, sipSecret) {
      requireChanged(updateSecret.run(sipSecret, now(), number).changes, number);
    },
    setEmail(number, email) {
      const valid = validateEmail(email);
      try {
        requireChanged(updateEmail.run(valid, now(), number).changes, number);
      } catch (error) {
        throw emailTakenOr(error, valid);
      }
    },
    remove(number) {
      requireChanged(deleteOne.run(number).changes, number);
    },
    get generation() {
      return generation;
    },
  };
}
