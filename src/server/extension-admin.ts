/**
 * Creating extensions and changing their credentials, for the CLI and (later) the admin API:
 * plaintext in, hashes and secrets stored, and whatever was generated handed back exactly once
 * so it can be shown to the administrator.
 */
import { generateSecret, hashPassword } from '../security/password-hash.ts';
import { ExtensionError } from '../store/extension-error.ts';
import { ExtensionErrorCode } from '../store/store-errors.ts';
import type { Extension, ExtensionRepository } from '../store/extension-repository.ts';

export const MIN_SECRET_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;
const MAX_SIP_SECRET_LENGTH = 128;
/** 12 random bytes: 16 characters, 96 bits. */
export const GENERATED_PASSWORD_BYTES = 12;
/** 18 random bytes: 24 characters; phones store it, nobody types it twice. */
export const GENERATED_SIP_SECRET_BYTES = 18;

export function checkPassword(password: string): string {
  if ([...password].length < MIN_SECRET_LENGTH || password.length > MAX_PASSWORD_LENGTH || /\p{Cc}/u.test(password)) {
    throw new ExtensionError(ExtensionErrorCode.INVALID_PASSWORD, `the web password must be ${MIN_SECRET_LENGTH} to ${MAX_PASSWORD_LENGTH} characters without control characters`);
  }
  return password;
}

/** SIP secrets are typed into phones and used in digest hashes: printable ASCII without spaces. */
export function checkSipSecret(secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SIP_SECRET_LENGTH || !/^[\x21-\x7e]+$/.test(secret)) {
    throw new ExtensionError(
      ExtensionErrorCode.INVALID_SIP_SECRET,
      `the SIP secret must be ${MIN_SECRET_LENGTH} to ${MAX_SIP_SECRET_LENGTH} printable ASCII characters without spaces`,
    );
  }
  return secret;
}

export interface ProvisionRequest {
  number: string;
  displayName: string;
  email?: string | null;
  /** Generated when omitted. */
  password?: string;
  /** Generated when omitted. */
  sipSecret?: string;
}

export interface ProvisionedExtension {
  extension: Extension;
  /** Set only when generated here. */
  generatedPassword?: string;
  /** Set only when generated here. */
  generatedSipSecret?: string;
}

export async function provisionExtension(extensions: ExtensionRepository, request: ProvisionRequest): Promise<ProvisionedExtension> {
  const password = request.password === undefined ? generateSecret(GENERATED_PASSWORD_BYTES) : checkPassword(request.password);
  const sipSecret = request.sipSecret === undefined ? generateSecret(GENERATED_SIP_SECRET_BYTES) : checkSipSecret(request.sipSecret);
  const extension = extensions.add({
    number: request.number,
    displayName: request.displayName,
    email: request.email,
    passwordHash: await hashPassword(password),
    sipSecret,
  });
  return {
    extension,
    ...(request.password === undefined ? { generatedPassword: password } : {}),
    ...(request.sipSecret === undefined ? { generatedSipSecret: sipSecret } : {}),
  };
}

/** Sets the web password (generated when omitted); returns the generated one, if any. */
export async function changePassword(extensions: ExtensionRepository, number: string, password?: string): Promise<string | undefined> {
  if (!extensions.exists(number)) throw new ExtensionError(ExtensionErrorCode.EXTENSION_NOT_FOUND, `extension ${number} does not exist`);
  const chosen = password === undefined ? generateSecret(GENERATED_PASSWORD_BYTES) : checkPassword(password);
  extensions.setPasswordHash(number, await hashPassword(chosen));
  return password === undefined ? chosen : undefined;
}

/** Gives the extension a new generated SIP secret (its phones must be set up with it again); returns it. */
export function renewSipSecret(extensions: ExtensionRepository, number: string): string {
  if (!extensions.exists(number)) throw new ExtensionError(ExtensionErrorCode.EXTENSION_NOT_FOUND, `extension ${number} does not exist`);
  const secret = generateSecret(GENERATED_SIP_SECRET_BYTES);
  extensions.setSipSecret(number, secret);
  return secret;
}
