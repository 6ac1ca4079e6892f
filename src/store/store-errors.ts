/**
 * Every code the store's own errors carry, in one place (the model is Fastify's lib/errors.js).
 * The codes stay inside the process: the CLI prints the message, the web API answers its own codes.
 */

/** Why an extension operation was refused (ExtensionError, extension-error.ts). */
export const ExtensionErrorCode = {
  EXTENSION_EXISTS: 'EXTENSION_EXISTS',
  EXTENSION_NOT_FOUND: 'EXTENSION_NOT_FOUND',
  EMAIL_TAKEN: 'EXTENSION_EMAIL_TAKEN',
  INVALID_NUMBER: 'EXTENSION_INVALID_NUMBER',
  INVALID_NAME: 'EXTENSION_INVALID_NAME',
  INVALID_EMAIL: 'EXTENSION_INVALID_EMAIL',
  INVALID_PASSWORD: 'EXTENSION_INVALID_PASSWORD',
  INVALID_SIP_SECRET: 'EXTENSION_INVALID_SIP_SECRET',
} as const;

export type ExtensionErrorCode = (typeof ExtensionErrorCode)[keyof typeof ExtensionErrorCode];
