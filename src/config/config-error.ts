/**
 * Why a configuration was refused. Each problem is one line naming the key (dotted and as its
 * environment variable), the offending value and what would be allowed, so an operator can fix
 * it without reading code: `http.port (CALLPANE_HTTP_PORT) = "99999": must be an integer …`.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** How a value is shown in a problem line; `undefined` is a key that was not set. */
export function showValue(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}
