/** Why an extension operation was refused; `code` is stable for the CLI and the API to branch on. */
export const ExtensionErrorCode = {
  EXTENSION_EXISTS: 'EXTENSION_EXISTS',
  EXTENSION_NOT_FOUND: 'EXTENSION_NOT_FOUND',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  INVALID_NUMBER: 'INVALID_NUMBER',
  INVALID_NAME: 'INVALID_NAME',
  INVALID_EMAIL: 'INVALID_EMAIL',
  INVALID_PASSWORD: 'INVALID_PASSWORD',
  INVALID_SIP_SECRET: 'INVALID_SIP_SECRET',
} as const;

export type ExtensionErrorCode = (typeof ExtensionErrorCode)[keyof typeof ExtensionErrorCode];

export class ExtensionError extends Error {
  readonly code: ExtensionErrorCode;

  constructor(code: ExtensionErrorCode, message: string) {
    super(message);
    this.name = 'ExtensionError';
    this.code = code;
  }
}
