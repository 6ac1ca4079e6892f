/** Why an extension operation was refused; its codes are listed in store-errors.ts. */
import { CodedError } from '../errors/coded-error.ts';
import type { ExtensionErrorCode } from './store-errors.ts';

export class ExtensionError extends CodedError<ExtensionErrorCode> {
  override readonly name = 'ExtensionError';
}
