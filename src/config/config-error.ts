/**
 * Why a configuration was refused. Each problem is one line naming the key (dotted and as its
 * environment variable), the offending value and what would be allowed, so an operator can fix
 * it without reading code: `http.port (CALLPANE_HTTP_PORT) = "99999": must be an integer …`.
 */
import { CodedError } from '../errors/coded-error.ts';

export const ConfigErrorCode = {
  /** One or more keys have values that are refused; `problems` lists them. */
  INVALID: 'CONFIG_INVALID',
} as const;

export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

export class ConfigError extends CodedError<ConfigErrorCode> {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      ConfigErrorCode.INVALID,
      problems.length === 1 ? `Invalid configuration: ${problems[0]}` : `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** How a value is shown in a problem line; `undefined` is a key that was not set. */
export function showValue(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}
