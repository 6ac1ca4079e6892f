/**
 * Where the RFC 4475 torture messages and RFC 5118 IPv6 messages live: a copy of the shared test
 * vectors (see its README.md and SHA256SUMS) kept in the repository so a clone tests on its own.
 */
export const RFC4475_DIR = new URL('../vectors/rfc4475/', import.meta.url);
