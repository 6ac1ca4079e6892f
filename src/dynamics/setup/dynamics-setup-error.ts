/**
 * What `callpane dynamics setup|users` refuses before writing anything: the administrator asked
 * for something the org does not have. Exit code 1 (refused), not 2 (wrong arguments).
 */
import { CodedError } from '../../errors/coded-error.ts';
import { DynamicsSetupErrorCode } from '../dynamics-errors.ts';

export class DynamicsSetupError extends CodedError<DynamicsSetupErrorCode> {
  override readonly name = 'DynamicsSetupError';
}

export function roleNotFound(name: string, orgUrl: string): DynamicsSetupError {
  return new DynamicsSetupError(DynamicsSetupErrorCode.ROLE_NOT_FOUND, `no security role is named ${JSON.stringify(name)} in ${orgUrl}`);
}
