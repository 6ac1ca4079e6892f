/**
 * Password hashing with scrypt (RFC 7914) from node:crypto: a fresh random salt per password and
 * the cost parameters stored with the hash, `scrypt$N$r$p$salt$hash` (salt and hash base64url),
 * so that the cost can be raised later without invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8: 32 MiB and some tens of milliseconds per hash on a server core. */
const COST = 2 ** 15;
/**
 * For secrets Callpane generates itself (at least 96 random bits): scrypt's work factor slows the
 * guessing of passwords people choose, and no work factor is needed against 2^96 guesses, so these
 * are hashed at N = 2^10 (about a millisecond) — what lets `ext import` hash thousands in seconds.
 */
const GENERATED_COST = 2 ** 10;
/** 96 bits in base64url. */
const MIN_GENERATED_LENGTH = 16;
const BLOCK_SIZE = 8;
const PARALLELIZATION = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds for parameters read back from storage, so a corrupt row cannot demand gigabytes. */
const MAX_COST = 2 ** 20;
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELIZATION = 16;

const ENCODED = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  const maxmem = 128 * (options.N ?? COST) * (options.r ?? BLOCK_SIZE) * (options.p ?? PARALLELIZATION) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function hashPassword(password: string): Promise<string> {
  return hashAt(password, COST);
}

/** A secret from generateSecret (never one a person chose), hashed at the low GENERATED_COST. */
export function hashGeneratedSecret(secret: string): Promise<string> {
  if (secret.length < MIN_GENERATED_LENGTH) throw new RangeError(`a generated secret has at least ${MIN_GENERATED_LENGTH} characters`);
  return hashAt(secret, GENERATED_COST);
}

async function hashAt(password: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, { N: cost, r: BLOCK_SIZE, p: PARALLELIZATION });
  return `scrypt$${cost}$${BLOCK_SIZE}$${PARALLELIZATION}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * The scrypt costs checking `encoded` computes: its own, and the full COST as well when its own
 * is lower, so that a sign-in takes the same work whatever kind of password the account has (and
 * its timing tells nothing, as for an unknown login).
 */
export function verificationCosts(encoded: string): number[] {
  const own = Number(ENCODED.exec(encoded)?.[1] ?? COST);
  return own < COST ? [own, COST] : [own];
}

/** True when `password` matches `encoded`; false for a wrong password or a hash it cannot read. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [, cost, blockSize, parallelization, saltText, hashText] = ENCODED.exec(encoded) ?? [];
  if (saltText === undefined || hashText === undefined) return false;
  const [N, r, p] = [Number(cost), Number(blockSize), Number(parallelization)];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_COST || r < 1 || r > MAX_BLOCK_SIZE || p < 1 || p > MAX_PARALLELIZATION) return false;
  const salt = Buffer.from(saltText, 'base64url');
  const expected = Buffer.from(hashText, 'base64url');
  if (expected.length < 16) return false;
  const [, ...padding] = verificationCosts(encoded);
  const actual = await derive(password, salt, expected.length, { N, r, p });
  for (const cost of padding) await derive(password, salt, expected.length, { N: cost, r: BLOCK_SIZE, p: PARALLELIZATION });
  return timingSafeEqual(actual, expected);
}

/** A random secret of `bytes` bytes as URL-safe text (base64url, no padding). */
export function generateSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}
